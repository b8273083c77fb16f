#!/usr/bin/env python3
"""Crash loop: a writer appends one event per call while the harness kills it with SIGKILL at random
moments. After every kill: `verify` passes, every append whose call returned success is present,
nothing half-written is visible, and the next append works.

usage: tools/reliability/crash_loop.py [--rounds N] [--seed S]
verdict: `crash loop: N rounds, A acknowledged, K killed mid-call, 0 lost, 0 broken chains` (exit 0 iff none lost or broken)
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    options, bin_path, ledger = common.start_loop(parser, "crash-loop-", [common.UNIVERSITY])
    acknowledged, killed, lost, broken, failed_next = {}, 0, set(), 0, 0
    for round_number in range(options.rounds):
        event_id = f"crash-{round_number}"
        writer = subprocess.Popen([bin_path, *common.append_args(ledger, common.UNIVERSITY, "--event-id", event_id)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        writer.stdin.write(common.change(round_number))
        writer.stdin.close()
        time.sleep(random.uniform(0, 0.06))
        if writer.poll() is None:
            writer.send_signal(signal.SIGKILL)
        writer.wait()
        killed += writer.returncode == -signal.SIGKILL
        output = writer.stdout.read().strip()
        if writer.returncode == 0:
            acknowledged[event_id] = int(output)
        # After the kill: the chain verifies, every acknowledged append is there at its seq, nothing half-written.
        verdict = common.run(bin_path, "verify", "--ledger", ledger, "--json")
        if verdict.returncode != 0:
            broken += 1
            print(f"round {round_number}: verify failed: {verdict.stdout.strip()} {verdict.stderr.strip()}", file=sys.stderr)
        stored = dict(common.rows(ledger, "SELECT event_id, seq FROM events"))
        lost |= {key for key, seq in acknowledged.items() if stored.get(key) != seq}
        # The next append works, whatever the kill interrupted.
        following = common.run(bin_path, *common.append_args(ledger, common.UNIVERSITY, "--event-id", f"after-{round_number}"),
                               stdin=common.change(round_number))
        if following.returncode != 0:
            failed_next += 1
            print(f"round {round_number}: the next append failed: {following.stderr.strip()}", file=sys.stderr)
    print(f"crash loop: {options.rounds} rounds, {len(acknowledged)} acknowledged, {killed} killed mid-call, "
          f"{len(lost)} lost, {broken} broken chains, {failed_next} failed next appends")
    return 0 if not lost and broken == 0 and failed_next == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
