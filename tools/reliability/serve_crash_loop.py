#!/usr/bin/env python3
"""Serve crash loop: `outlet-ledger serve` takes appends from concurrent HTTP clients while the harness kills
it with SIGKILL at random moments. After every kill: `verify` passes, every append the service acknowledged
(201 or 200 with its seq) is in the ledger at that seq, and a new server starts and takes appends again.

usage: tools/reliability/serve_crash_loop.py [--rounds N] [--clients C] [--seed S]
verdict: `serve crash loop: N rounds, A acknowledged, X cut off, 0 lost, 0 broken chains` (exit 0 iff none lost or broken)
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

STREAMS = [common.UNIVERSITY, common.OTHER, common.THIRD]


def start_server(bin_path, ledger):
    server = subprocess.Popen([bin_path, "serve", "--ledger", ledger, "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    if "http://" not in line:
        server.kill()
        raise RuntimeError(f"the server did not start: {line!r}")
    return server, line.strip().split(" ")[-1]


def client(url, token, stream, prefix, acknowledged, cut_off, lock, stop):
    step = 0
    while not stop.is_set():
        event_id = f"{prefix}-{step}"
        body = json.dumps({"type": "info-changed", "effectiveOn": "2025-09-02", "eventId": event_id,
                           "payload": {"changes": {"address": f"沈阳市和平区创新路{step}号"}}}, ensure_ascii=False).encode()
        request = urllib.request.Request(f"{url}/api/v1/streams/{stream}/events", data=body, method="POST",
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = json.loads(response.read())
                with lock:
                    acknowledged[event_id] = answer["seq"]
        except (urllib.error.URLError, ConnectionError, OSError, json.JSONDecodeError):
            with lock:
                cut_off[0] += 1
            return
        step += 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=8)
    options, bin_path, ledger = common.start_loop(parser, "serve-crash-loop-", STREAMS)
    token = common.run(bin_path, "token", "issue", "--role", common.CITY, "--name", "crash loop", "--ledger", ledger).stdout.strip()
    acknowledged, cut_off, lost, broken = {}, [0], set(), 0
    lock = threading.Lock()
    for round_number in range(options.rounds):
        server, url = start_server(bin_path, ledger)
        stop = threading.Event()
        threads = [threading.Thread(target=client, args=(url, token, STREAMS[index % len(STREAMS)], f"r{round_number}c{index}",
                                                         acknowledged, cut_off, lock, stop))
                   for index in range(options.clients)]
        for thread in threads:
            thread.start()
        time.sleep(random.uniform(0.05, 0.6))
        server.send_signal(signal.SIGKILL)
        server.wait()
        stop.set()
        for thread in threads:
            thread.join()
        verdict = common.run(bin_path, "verify", "--ledger", ledger, "--json")
        if verdict.returncode != 0:
            broken += 1
            print(f"round {round_number}: verify failed: {verdict.stdout.strip()} {verdict.stderr.strip()}", file=sys.stderr)
        stored = dict(common.rows(ledger, "SELECT event_id, seq FROM events"))
        missing = {key for key, seq in acknowledged.items() if stored.get(key) != seq}
        if missing - lost:
            print(f"round {round_number}: acknowledged but not stored: {sorted(missing - lost)[:5]}", file=sys.stderr)
        lost |= missing
    print(f"serve crash loop: {options.rounds} rounds, {len(acknowledged)} acknowledged, {cut_off[0]} cut off, "
          f"{len(lost)} lost, {broken} broken chains")
    return 0 if not lost and broken == 0 and acknowledged else 1


if __name__ == "__main__":
    sys.exit(main())
