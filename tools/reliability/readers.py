#!/usr/bin/env python3
"""Readers leave no trace: every read command works on a ledger on a read-only filesystem, and a
reader who is another user, in a shared folder, creates no -wal/-shm file that would lock the owner
out; the owner appends afterwards.

usage: tools/reliability/readers.py        (mounts a tmpfs and switches user: root only)
verdict: `readers: N commands on a read-only filesystem ok, N as another user ok, no file left, owner appends`
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

READS = [
    ["verify"], ["verify", "--chain-only"], ["export"], ["log"], ["history", common.UNIVERSITY],
    ["status", common.UNIVERSITY], ["roster"], ["bans"], ["calendar", "--from", "2025-01-01", "--to", "2026-12-31"],
    ["stats"], ["policy"], ["replay"], ["snapshot", "list"], ["snapshot", "verify"],
    ["notice", "roster", "--as-of", "2025-12-01"],
]


def run_all(bin_path, ledger, prefix=()):
    failures = []
    for command in READS:
        result = subprocess.run([*prefix, bin_path, *command, "--ledger", ledger], capture_output=True, text=True)
        if result.returncode != 0:
            failures.append(f"{' '.join(command)}: exit {result.returncode}: {result.stderr.strip()}")
    return failures


def main():
    if os.geteuid() != 0:
        print("readers: skipped (root only)")
        return 0
    bin_path = common.binary()
    folder = tempfile.mkdtemp(prefix="readers-")
    good = os.path.join(folder, "good.sqlite")
    common.included_ledger(bin_path, good, [common.UNIVERSITY])
    problems = []

    readonly_dir = os.path.join(folder, "readonly")
    os.mkdir(readonly_dir)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", readonly_dir], check=True)
    try:
        shutil.copy(good, os.path.join(readonly_dir, "outlets.sqlite"))
        subprocess.run(["mount", "-o", "remount,ro", readonly_dir], check=True)
        problems += [f"read-only filesystem: {failure}" for failure in run_all(bin_path, os.path.join(readonly_dir, "outlets.sqlite"))]
    finally:
        subprocess.run(["umount", readonly_dir], check=False)

    shared = os.path.join(folder, "shared")
    os.mkdir(shared)
    os.chmod(shared, 0o1777)
    os.chmod(folder, 0o755)
    ledger = os.path.join(shared, "outlets.sqlite")
    shutil.copy(good, ledger)
    os.chmod(ledger, 0o644)
    other = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    problems += [f"another user: {failure}" for failure in run_all(bin_path, ledger, other)]
    left = sorted(name for name in os.listdir(shared) if name != "outlets.sqlite")
    if left:
        problems.append(f"another user's reads left {left}")
    append = common.run(bin_path, *common.append_args(ledger, common.UNIVERSITY), stdin=common.change("after the readers"))
    if append.returncode != 0:
        problems.append(f"the owner cannot append after the readers: {append.stderr.strip()}")

    print(f"readers: {len(READS)} commands on a read-only filesystem and {len(READS)} as another user"
          + (f"; {'; '.join(problems)}" if problems else ", all ok, no file left, the owner appends"))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
