#!/usr/bin/env python3
"""Concurrent writers: 4 processes append for a fixed time, two to one shared stream and two to streams
of their own, each with --expect-version and retrying on conflict. Afterwards: no gap, no duplicate
seq, streamVersions continuous per stream, the chain verifies, and conflicts were reported as
conflicts (exit 67), never as crashes.

usage: tools/reliability/concurrent_writers.py [--seconds S]
verdict: `concurrent writers: 4 processes, A appends, C conflicts retried, 0 crashes, chain ok`
"""
import argparse
import multiprocessing
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def writer(bin_path, ledger, stream, seconds, name, results):
    appended = conflicts = crashes = 0
    deadline = time.monotonic() + seconds
    step = 0
    while time.monotonic() < deadline:
        version = common.rows(ledger, "SELECT COUNT(*) FROM events WHERE stream = ?", (stream,))[0][0]
        step += 1
        result = common.run(bin_path, *common.append_args(ledger, stream, "--expect-version", str(version)),
                            stdin=common.change(f"{name}-{step}"))
        if result.returncode == 0:
            appended += 1
        elif result.returncode == 67 and "conflict" in result.stderr:
            conflicts += 1
        else:
            crashes += 1
            print(f"{name}: exit {result.returncode}: {result.stderr.strip()}", file=sys.stderr)
    results.put((appended, conflicts, crashes))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    options = parser.parse_args()
    bin_path = common.binary()
    ledger = os.path.join(tempfile.mkdtemp(prefix="concurrent-"), "outlets.sqlite")
    streams = [common.UNIVERSITY, common.UNIVERSITY, common.OTHER, common.THIRD]
    common.included_ledger(bin_path, ledger, sorted(set(streams)))
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=writer, args=(bin_path, ledger, stream, options.seconds, f"writer{index}", results))
               for index, stream in enumerate(streams)]
    for worker in workers:
        worker.start()
    totals = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    appended, conflicts, crashes = (sum(values) for values in zip(*totals))
    problems = []
    seqs = [row[0] for row in common.rows(ledger, "SELECT seq FROM events ORDER BY seq")]
    if seqs != list(range(1, len(seqs) + 1)):
        problems.append("seq has a gap or a duplicate")
    for stream in set(streams):
        versions = [row[0] for row in common.rows(ledger, "SELECT stream_version FROM events WHERE stream = ? ORDER BY seq", (stream,))]
        if versions != list(range(1, len(versions) + 1)):
            problems.append(f"streamVersions of {stream} are not continuous")
    # The ledger's genesis (policy and holiday years, stream `registry`) is not an act of the writers.
    acts = common.rows(ledger, "SELECT COUNT(*) FROM events WHERE stream != 'registry'")[0][0]
    if acts != appended + len(set(streams)):
        problems.append(f"{acts} acts stored, {appended + len(set(streams))} acknowledged")
    verify = common.run(bin_path, "verify", "--ledger", ledger)
    if verify.returncode != 0:
        problems.append(f"verify: {verify.stderr.strip()}")
    print(f"concurrent writers: {len(workers)} processes, {appended} appends, {conflicts} conflicts retried, "
          f"{crashes} crashes, chain {'ok' if verify.returncode == 0 else 'BROKEN'}" + (f"; {'; '.join(problems)}" if problems else ""))
    return 0 if not problems and crashes == 0 and conflicts > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
