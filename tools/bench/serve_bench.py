#!/usr/bin/env python3
"""The service benchmark (issue #14's targets), driven by wrk on loopback:

  1. GET /api/v1/roster?asOf&knownAt for random (as-of, known-at) pairs: whole at 1 connection, pages of 100 at 1 and 64;
     and pages of 100 of today's roster as known now (one basis, as the public reads it) at 64;
  2. durable appends (info-changed of outlets included for the run) from 32 connections;
  3. during (2), a follower of /api/v1/log/stream: its lag, from each event's recordedAt to its arrival.

usage: tools/bench/serve_bench.py --bin DIR --ledger PATH [--seconds S] [--results FILE]
Prints a table and writes it to FILE (default tools/bench/SERVE-RESULTS.md).
"""
import argparse
import datetime
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(serial):
    """A unified social credit code (GB 32100-2015) with its check character: 91 (enterprise), 210102, serial."""
    body = "91210102" + "".join(USCC_CHARS[(serial // 31 ** k) % 31] for k in range(9, -1, -1))[-9:] + "X"
    body = body[:17]
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS))
    return body + USCC_CHARS[(31 - total % 31) % 31]


def request(url, method="GET", token=None, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method, headers=headers), timeout=300) as response:
        return response.status, response.read()


def wrk(url, connections, seconds, script, env):
    output = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", "-s", script, url],
                            capture_output=True, text=True, env={**os.environ, **env}).stdout
    def duration(text):
        value, unit = float(re.match(r"([\d.]+)", text).group(1)), re.sub(r"[\d.]", "", text)
        return value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
    latency = {m.group(1): duration(m.group(2)) for m in re.finditer(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M)}
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)[0]) \
        if "Socket errors" in output else 0
    return {"p50": latency.get("50"), "p99": latency.get("99"), "rate": rate, "total": total, "errors": errors, "raw": output}


def follow(url, token, lags, stop, ready):
    host, port = url.split("//")[1].split(":")
    head = json.loads(request(f"{url}/healthz")[1])["seq"]
    connection = socket.create_connection((host, int(port)))
    connection.sendall((f"GET /api/v1/log/stream HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                        f"Last-Event-ID: {head}\r\n\r\n").encode())
    ready.set()
    # Read with recv, not a file object: after one timed-out read a file object refuses every later one.
    connection.settimeout(1)
    pending = b""
    while not stop.is_set():
        try:
            received = connection.recv(1 << 16)
        except (TimeoutError, socket.timeout):
            continue
        if not received:
            break
        *lines, pending = (pending + received).split(b"\n")
        for line in lines:
            if line.startswith(b"data: "):
                recorded = json.loads(line[6:])["recordedAt"]
                at = datetime.datetime.strptime(recorded, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()
                lags.append((time.time() - at) * 1000)
    connection.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--results", default=os.path.join(ROOT, "tools/bench/SERVE-RESULTS.md"))
    options = parser.parse_args()
    cli = os.path.join(options.bin, "outlet-ledger")
    head = json.loads(subprocess.run([cli, "replay", "--json", "--ledger", options.ledger], capture_output=True, text=True).stdout)
    token = subprocess.run([cli, "token", "issue", "--role", "city-bureau:210100", "--name", "bench", "--ledger", options.ledger],
                           capture_output=True, text=True, check=True).stdout.strip()
    server = subprocess.Popen([cli, "serve", "--ledger", options.ledger, "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    url = server.stdout.readline().strip().split(" ")[-1]
    rows = []
    try:
        started = time.time()
        request(f"{url}/api/v1/roster")  # builds the live projection
        rows.append(("first roster (builds the live projection)", f"{(time.time() - started) * 1000:.0f} ms", ""))

        # 1. Roster reads at random (as-of, known-at) pairs.
        first = datetime.date(2015, 1, 1)
        today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
        span = (today - first).days
        random.seed(14)
        pairs, pages, seen = [], [], set()
        # Distinct pairs, more than any row gets through: each request is a new basis (none answered from
        # what an earlier one left remembered), and the rate is that of new bases.
        while len(pairs) < 20_000:
            known = first + datetime.timedelta(days=random.randint(0, span))
            as_of = known - datetime.timedelta(days=random.randint(0, 365))
            known_at = f"{known}T{random.randint(0, 23):02}:{random.randint(0, 59):02}:00Z"
            if (as_of, known_at) in seen:
                continue
            seen.add((as_of, known_at))
            pairs.append(f"/api/v1/roster?asOf={as_of}&knownAt={known_at}")
            # A page as a client of a large registry reads it: 100 entries from somewhere in the first 10,000.
            pages.append(f"{pairs[-1]}&offset={100 * random.randint(0, 99)}&limit=100")
        folder = tempfile.mkdtemp(prefix="serve-bench-")
        for name, lines in (("paths.txt", pairs), ("pages.txt", pages)):
            with open(os.path.join(folder, name), "w") as handle:
                handle.write("\n".join(lines) + "\n")
        roster_script = os.path.join(ROOT, "tools/bench/wrk-roster.lua")
        single = wrk(url, 1, max(5, options.seconds // 3), roster_script, {"PATHS": os.path.join(folder, "paths.txt")})
        rows.append(("GET roster?asOf&knownAt (whole roster), 1 connection", f"p50 {single['p50']:.1f} ms, p99 {single['p99']:.1f} ms, {single['rate']:.1f} req/s",
                     f"{single['total']} requests, {single['errors']} errors"))
        single = wrk(url, 1, max(5, options.seconds // 3), roster_script, {"PATHS": os.path.join(folder, "pages.txt")})
        rows.append(("GET roster?asOf&knownAt&offset&limit=100, 1 connection", f"p50 {single['p50']:.1f} ms, p99 {single['p99']:.1f} ms, {single['rate']:.1f} req/s",
                     f"{single['total']} requests, {single['errors']} errors"))
        reads = wrk(url, 64, options.seconds, roster_script, {"PATHS": os.path.join(folder, "pages.txt")})
        rows.append(("GET roster?asOf&knownAt&offset&limit=100, 64 connections", f"p50 {reads['p50']:.1f} ms, p99 {reads['p99']:.1f} ms, {reads['rate']:.0f} req/s",
                     f"{reads['total']} requests, {reads['errors']} errors, each pair a new basis; target p99 ≤ 25 ms, ≥ 1000 req/s"))
        # The roster the public reads: today's as known now, a page at a time.
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with open(os.path.join(folder, "today.txt"), "w") as handle:
            handle.write("".join(f"/api/v1/roster?asOf={today}&knownAt={now}&offset={100 * page}&limit=100\n" for page in range(100)))
        # The row before leaves up to 64 new bases being answered after wrk stops: one request first, which waits
        # behind them, so that this row measures its own requests, not the previous row's backlog.
        request(f"{url}/api/v1/roster?asOf={today}&knownAt={now}&offset=0&limit=100")
        reads = wrk(url, 64, options.seconds, roster_script, {"PATHS": os.path.join(folder, "today.txt")})
        rows.append(("GET roster?asOf=today&knownAt=now&offset&limit=100 (one basis), 64 connections",
                     f"p50 {reads['p50']:.1f} ms, p99 {reads['p99']:.1f} ms, {reads['rate']:.0f} req/s",
                     f"{reads['total']} requests, {reads['errors']} errors; 100 pages of today's roster; target p99 ≤ 25 ms, ≥ 1000 req/s"))

        # 2. Appends from 32 connections, on 32 outlets included for the run; 3. a follower of the stream meanwhile.
        streams = [uscc(900_000_000 + index) for index in range(32)]
        day = today.isoformat()
        included = [{"type": "auto-included", "effectiveOn": day, "payload": {
            "level": "national", "reference": "国家知识产权局公告", "serviceItems": ["咨询"],
            "institution": {"name": f"基准网点{index}", "uscc": stream, "nature": "企业", "category": "other", "district": "210102",
                            "address": "沈阳市和平区", "principal": {"name": "李明", "title": "主任"}, "totalStaff": 50,
                            "department": {"name": "服务部", "head": "张华", "phone": "024-1"}, "contact": {"name": "刘洋", "phone": "138"}}}}
            for index, stream in enumerate(streams)]
        for stream, event in zip(streams, included):
            request(f"{url}/api/v1/streams/{stream}/events", "POST", token, event)
        lags, stop, ready = [], threading.Event(), threading.Event()
        follower = threading.Thread(target=follow, args=(url, token, lags, stop, ready))
        follower.start()
        ready.wait(30)
        writes = wrk(url, 32, options.seconds, os.path.join(ROOT, "tools/bench/wrk-append.lua"),
                     {"TOKEN": token, "DAY": day, "STREAMS": ",".join(streams), "RUN": str(int(time.time()))})
        time.sleep(1)
        stop.set()
        follower.join()
        rows.append(("durable appends, 32 connections (group commit)", f"p50 {writes['p50']:.1f} ms, p99 {writes['p99']:.1f} ms, {writes['rate']:.0f} events/s",
                     f"{writes['total']} requests, {writes['errors']} errors; target ≥ 3000 events/s, p99 ≤ 25 ms, 0 errors"))
        if lags:
            ordered = sorted(lags)
            rows.append(("follower of /log/stream during the appends", f"lag p50 {statistics.median(ordered):.0f} ms, p99 {ordered[int(len(ordered) * 0.99) - 1]:.0f} ms",
                         f"{len(lags)} events seen of {writes['total'] - writes['errors']} acknowledged; target p99 ≤ 100 ms"))
    finally:
        server.terminate()
        server.wait()
    cores = os.cpu_count()
    table = ["# Service benchmark", "",
             f"`tools/bench/serve` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%M:%SZ}, {cores} cores, wrk on loopback, "
             f"{options.seconds} s per run; ledger of {head.get('events', head.get('seq'))} events (`{os.path.basename(options.ledger)}`).", "",
             "| measure | figure | note |", "|---|---|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
    text = "\n".join(table) + "\n"
    print(text)
    with open(options.results, "w") as handle:
        handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
