#!/usr/bin/env python3
"""The peer of tools/bench: the same append and replay workload through the Python `eventsourcing`
library (https://github.com/pyeventsourcing/eventsourcing) with its SQLite persistence.

    peer.py EXPORT.jsonl WORKDIR --appends APPENDED.jsonl

Reads an `outlet-ledger export` (the benchmark's synthetic history), then:
  import  every event, as one `Outlet` aggregate per institution, saved in batches of 10,000 events
          (one transaction each), like `outlet-ledger import`;
  append  the events outlet-ledger appended one by one (APPENDED.jsonl: type, effectiveOn and payload of
          each: new applications, ~1 KB of payload), each recorded on an aggregate and saved alone (its
          own transaction), timed one by one;
  replay  every stored event read back in order (notification log, pages of 10,000), mapped to a
          domain event and applied to its aggregate: the library's own reconstruction.
Prints one JSON object: events, import/replay seconds and events/s, append p50/p99 in ms, peak RSS.
No rules, no hash chain: the peer does less work per event than outlet-ledger, not more.

    peer.py --appends-only PEER.sqlite WORKDIR --appends APPENDED.jsonl

The append row alone, on a copy of the database a whole run left (its import, not made again): the same
saves on the history's first aggregates, read back first and untimed. Prints appends, append p50/p99 in ms.
`outlet-bench appends --peer` runs it between its own rounds.
"""
import json
import os
import resource
import shutil
import sqlite3
import statistics
import sys
import time
import uuid

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

NAMESPACE = uuid.UUID("6f8f2a8e-9a43-4bd3-9b1a-3c1f0e2b5d10")


class Outlet(Aggregate):
    """An institution: its recorded events folded into a small state, as the ledger's fold keeps one."""

    class Started(Aggregate.Created):
        uscc: str

    @event(Started)
    def __init__(self, uscc: str):
        self.uscc = uscc
        self.standing = "none"
        self.last_type = None
        self.effective_on = None
        self.count = 0

    @event("Recorded")
    def record(self, type: str, effective_on: str, payload: dict):
        self.last_type = type
        self.effective_on = effective_on
        self.count += 1
        if type in ("submitted", "registered", "declined", "revoked", "terminated", "auto-included", "superseded"):
            self.standing = type
        if type == "submitted" or type == "auto-included":
            self.institution = payload.get("institution")

    @classmethod
    def create_id(cls, uscc: str):
        return uuid.uuid5(NAMESPACE, uscc)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def fresh_database(work, name):
    """A database path in WORK with no file, log or shared memory left from before."""
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, name)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    return db


def timed_saves(app, aggregates, appended):
    """Each appended event recorded on the next aggregate in turn and saved alone (its own transaction): ms each."""
    latencies = []
    for index, record in enumerate(appended):
        aggregate = aggregates[index % len(aggregates)]
        aggregate.record(record["type"], record["effectiveOn"], record["payload"])
        begin = time.perf_counter()
        app.save(aggregate)
        latencies.append((time.perf_counter() - begin) * 1000)
    return latencies


def appends_only(source, work, appended):
    db = fresh_database(work, "peer-appends.sqlite")
    shutil.copyfile(source, db)
    # On the disk before the first save: else the first flush of the file is the whole copy's.
    descriptor = os.open(db, os.O_RDWR)
    os.fsync(descriptor)
    os.close(descriptor)
    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": db})
    reader = sqlite3.connect(db)
    ids = [uuid.UUID(row[0]) for row in reader.execute(
        "SELECT originator_id FROM stored_events WHERE originator_version = 1 LIMIT 1000")]
    reader.close()
    aggregates = [app.repository.get(originator) for originator in ids]
    aggregates = [aggregate for aggregate in aggregates if isinstance(aggregate, Outlet)]
    latencies = timed_saves(app, aggregates, appended)
    print(json.dumps({"appends": len(latencies), "appendP50": percentile(latencies, 50), "appendP99": percentile(latencies, 99)}))


def main():
    with open(sys.argv[sys.argv.index("--appends") + 1], encoding="utf-8") as lines:
        appended = [json.loads(line) for line in lines]
    if sys.argv[1] == "--appends-only":
        appends_only(sys.argv[2], sys.argv[3], appended)
        return
    export, work = sys.argv[1], sys.argv[2]
    db = fresh_database(work, "peer.sqlite")
    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": db})

    aggregates = {}
    pending = set()
    count = 0
    started = time.perf_counter()
    with open(export, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            stream = record["stream"]
            aggregate = aggregates.get(stream)
            if aggregate is None:
                aggregate = aggregates[stream] = Outlet(stream)
            aggregate.record(record["type"], record["effectiveOn"], record["payload"])
            pending.add(stream)
            count += 1
            if count % 10_000 == 0:
                app.save(*(aggregates[s] for s in pending))
                pending.clear()
    if pending:
        app.save(*(aggregates[s] for s in pending))
    import_seconds = time.perf_counter() - started

    latencies = timed_saves(app, list(aggregates.values()), appended)
    del aggregates

    started = time.perf_counter()
    rebuilt = {}
    replayed = 0
    start = 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=10_000)
        if not page:
            break
        for notification in page:
            domain_event = app.mapper.to_domain_event(notification)
            rebuilt[domain_event.originator_id] = domain_event.mutate(rebuilt.get(domain_event.originator_id))
            replayed += 1
        start = page[-1].id + 1
    replay_seconds = time.perf_counter() - started

    print(json.dumps({
        "library": "eventsourcing " + __import__("importlib.metadata").metadata.version("eventsourcing"),
        "events": count, "importSeconds": import_seconds, "importRate": count / import_seconds,
        "appendP50": percentile(latencies, 50), "appendP99": percentile(latencies, 99),
        "replayed": replayed, "replaySeconds": replay_seconds, "replayRate": replayed / replay_seconds,
        "peakRSSKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == "__main__":
    main()
