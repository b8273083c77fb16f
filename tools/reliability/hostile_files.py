#!/usr/bin/env python3
"""Hostile files: a ledger that is not SQLite, an SQLite file without our tables, a ledger of a newer
format version, a ledger on a read-only filesystem, and a full disk (a 256 KiB tmpfs). Each must give
one clear line, a non-zero exit, and leave the file as it was.

usage: tools/reliability/hostile_files.py        (the read-only and full-disk cases mount tmpfs: root only)
verdict: `hostile files: N cases, N refused cleanly, 0 damaged`
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def main():
    bin_path = common.binary()
    folder = tempfile.mkdtemp(prefix="hostile-")
    good = os.path.join(folder, "good.sqlite")
    common.included_ledger(bin_path, good, [common.UNIVERSITY])
    cases = []

    text = os.path.join(folder, "text.sqlite")
    with open(text, "w", encoding="utf-8") as handle:
        handle.write("这不是账本\n" * 100)
    cases.append(("not SQLite", text, 69, "not a ledger"))

    foreign = os.path.join(folder, "foreign.sqlite")
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    cases.append(("SQLite without our tables", foreign, 69, "not an outlet ledger"))

    newer = os.path.join(folder, "newer.sqlite")
    shutil.copy(good, newer)
    connection = sqlite3.connect(newer)
    connection.execute("UPDATE ledger_meta SET value = '99' WHERE key = 'formatVersion'")
    connection.commit()
    connection.close()
    cases.append(("a newer format version", newer, 69, "newer than this program"))

    mounts = []
    if os.geteuid() == 0:
        readonly_dir = os.path.join(folder, "readonly")
        os.mkdir(readonly_dir)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", readonly_dir], check=True)
        mounts.append(readonly_dir)
        shutil.copy(good, os.path.join(readonly_dir, "outlets.sqlite"))
        subprocess.run(["mount", "-o", "remount,ro", readonly_dir], check=True)
        cases.append(("a read-only filesystem", os.path.join(readonly_dir, "outlets.sqlite"), 74, "the filesystem is read-only"))

        full_dir = os.path.join(folder, "full")
        os.mkdir(full_dir)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", full_dir], check=True)
        mounts.append(full_dir)
        full = os.path.join(full_dir, "outlets.sqlite")
        shutil.copy(good, full)
        filler = os.open(os.path.join(full_dir, "filler"), os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(filler, b"\0" * 512):
                pass
        except OSError:
            pass
        finally:
            os.close(filler)
        cases.append(("a full disk", full, 74, "the disk is full"))

    refused = damaged = 0
    try:
        for name, path, status, says in cases:
            before = digest(path)
            payload = common.change(name)
            result = common.run(bin_path, *common.append_args(path, common.UNIVERSITY), stdin=payload)
            # A full disk may still fit a small append: then append until it does not.
            attempts = 0
            while name == "a full disk" and result.returncode == 0 and attempts < 200:
                before = digest(path)
                result = common.run(bin_path, *common.append_args(path, common.UNIVERSITY), stdin=payload)
                attempts += 1
            lines = result.stderr.strip().splitlines()
            clean = result.returncode == status and len(lines) == 1 and says in lines[0]
            refused += clean
            if name == "a full disk":
                # With space again, every acknowledged event is there and the chain verifies.
                os.remove(os.path.join(os.path.dirname(path), "filler"))
                verify = common.run(bin_path, "verify", "--ledger", path)
                intact = verify.returncode == 0
            else:
                intact = digest(path) == before
            damaged += not intact
            print(f"{name}: exit {result.returncode}: {result.stderr.strip()}" + ("" if intact else "  [DAMAGED]"),
                  file=sys.stderr if not clean or not intact else sys.stdout)
    finally:
        for mount in reversed(mounts):
            subprocess.run(["umount", mount], check=False)
    print(f"hostile files: {len(cases)} cases, {refused} refused cleanly, {damaged} damaged")
    return 0 if refused == len(cases) and damaged == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
