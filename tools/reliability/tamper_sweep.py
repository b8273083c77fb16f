#!/usr/bin/env python3
"""Tamper sweep: on a small ledger, for every event (the genesis of the registry stream included), change
one byte of each stored column (on a copy whose triggers were dropped), swap two rows' contents, delete
a row, rewind the head record, damage the stored snapshot (a byte of its frame, its end, its seq),
rewrite history and re-chain every hash after it (the head record too: only the signed checkpoint
catches that) and truncate the file. `verify` must fail every time, with exit 68, naming the first
affected seq (for a snapshot, its seq; for the rewritten history, the checkpoint's size).

usage: tools/reliability/tamper_sweep.py
verdict: `tamper sweep: N cases, N detected, N named the right seq`
"""
import hashlib
import importlib.util
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

# The canonical JSON of tools/verify-export.py (no project code): to re-chain a rewritten history.
_spec = importlib.util.spec_from_file_location("verify_export", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "verify-export.py"))
verify_export = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verify_export)

TEXT_COLUMNS = ["event_id", "stream", "type", "effective_on", "recorded_at", "actor_role", "actor_unit", "actor_name",
                "payload", "prev_hash", "hash"]
INTEGER_COLUMNS = ["seq", "stream_version", "schema_version"]
CONTENT = TEXT_COLUMNS + ["stream_version", "schema_version"]


def flip(text):
    """The same text with one character changed (a different character of the same kind); empty text gains one."""
    if not text:
        return "x"
    index = len(text) // 2
    replacement = {"0": "1", "a": "b", "9": "8", "f": "e"}.get(text[index], "0" if text[index] != "0" else "1")
    return text[:index] + replacement + text[index + 1:]


def tampered_copy(source, folder, name, statements):
    path = os.path.join(folder, name + ".sqlite")
    shutil.copy(source, path)
    connection = sqlite3.connect(path)
    connection.executescript("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;")
    for sql, args in statements:
        connection.execute(sql, args)
    connection.commit()
    connection.close()
    return path


def rechained(ledger, from_seq):
    """History rewritten from `from_seq` (an actor's name changed) and every hash after it recomputed,
    the head record too: a chain that verifies by itself, caught only by the signed checkpoint."""
    columns = ["seq", "event_id", "stream", "stream_version", "type", "schema_version", "effective_on", "recorded_at",
               "actor_role", "actor_unit", "actor_name", "payload", "prev_hash", "hash"]
    events = [dict(zip(columns, row)) for row in common.rows(ledger, f"SELECT {', '.join(columns)} FROM events ORDER BY seq")]
    statements = []
    prev_hash = None
    for event in events:
        if event["seq"] < from_seq:
            prev_hash = event["hash"]
            continue
        name = event["actor_name"] + "（改）" if event["seq"] == from_seq else event["actor_name"]
        envelope = {
            "actor": {"name": name, "role": event["actor_role"], "unit": event["actor_unit"]},
            "effectiveOn": event["effective_on"], "eventId": event["event_id"], "payload": json.loads(event["payload"]),
            "prevHash": prev_hash, "recordedAt": event["recorded_at"], "schemaVersion": event["schema_version"],
            "seq": event["seq"], "stream": event["stream"], "streamVersion": event["stream_version"], "type": event["type"],
        }
        digest = hashlib.sha256(verify_export.canonical(envelope).encode()).hexdigest()
        statements.append(("UPDATE events SET actor_name = ?, prev_hash = ?, hash = ? WHERE seq = ?", (name, prev_hash, digest, event["seq"])))
        prev_hash = digest
    statements.append(("UPDATE chain_head SET hash = ?", (prev_hash,)))
    return statements


def main():
    bin_path = common.binary()
    folder = tempfile.mkdtemp(prefix="tamper-")
    ledger = os.path.join(folder, "outlets.sqlite")
    common.included_ledger(bin_path, ledger, [common.UNIVERSITY, common.OTHER])
    for step in range(6):
        stream = [common.UNIVERSITY, common.OTHER][step % 2]
        result = common.run(bin_path, *common.append_args(ledger, stream), stdin=common.change(f"{step}\"引号\\"))
        assert result.returncode == 0, result.stderr
    snapshot_seq = 8
    assert common.run(bin_path, "snapshot", "create", "--seq", str(snapshot_seq), "--ledger", ledger).returncode == 0
    key = os.path.join(folder, "bureau.key")
    assert common.run(bin_path, "key", "generate", "--origin", "outlets.shenyang.example/registry", "--out", key).returncode == 0
    assert common.run(bin_path, "checkpoint", "sign", "--key", key, "--ledger", ledger).returncode == 0
    assert common.run(bin_path, "verify", "--ledger", ledger).returncode == 0
    rows = common.rows(ledger, f"SELECT seq, {', '.join(TEXT_COLUMNS)}, stream_version, schema_version FROM events ORDER BY seq")
    count = len(rows)
    cases = []  # (name, statements, expected first seq or None)
    for row in rows:
        seq = row[0]
        values = dict(zip(["seq", *TEXT_COLUMNS, "stream_version", "schema_version"], row))
        for column in TEXT_COLUMNS:
            cases.append((f"seq{seq}-{column}", [(f"UPDATE events SET {column} = ? WHERE seq = ?", (flip(values[column]), seq))], seq))
        for column in ["stream_version", "schema_version"]:
            cases.append((f"seq{seq}-{column}", [(f"UPDATE events SET {column} = {column} + 1000 WHERE seq = ?", (seq,))], seq))
        cases.append((f"seq{seq}-seq", [("UPDATE events SET seq = seq + 1000 WHERE seq = ?", (seq,))], seq))
        cases.append((f"delete-seq{seq}", [("DELETE FROM events WHERE seq = ?", (seq,))], seq))
    for first, second in [(1, 2), (3, 7), (4, count)]:
        original = {row[0]: row for row in rows}
        # Free the first row's (stream, streamVersion) and event id first, so the unique index allows the exchange.
        swap = [("UPDATE events SET stream_version = 999999, event_id = event_id || '-swapping' WHERE seq = ?", (first,))]
        for target, source in [(second, first), (first, second)]:
            values = dict(zip(["seq", *TEXT_COLUMNS, "stream_version", "schema_version"], original[source]))
            swap.append((f"UPDATE events SET {', '.join(f'{c} = ?' for c in CONTENT)} WHERE seq = ?",
                         tuple(values[c] for c in CONTENT) + (target,)))
        cases.append((f"swap-{first}-{second}", swap, first))
    cases.append(("head-rewound", [("UPDATE chain_head SET seq = seq - 1", ())], count - 1))
    cases.append(("snapshot-frame-byte", [("UPDATE snapshots SET frame = CAST(substr(frame, 1, 100) || X'00' || substr(frame, 102) AS BLOB)", ())], snapshot_seq))
    cases.append(("snapshot-frame-cut", [("UPDATE snapshots SET frame = CAST(substr(frame, 1, length(frame) - 5) AS BLOB)", ())], snapshot_seq))
    cases.append(("snapshot-seq", [("UPDATE snapshots SET seq = seq - 1", ())], snapshot_seq - 1))
    cases.append(("rewritten-chain", rechained(ledger, from_seq=5), count))
    detected = named = 0
    for name, statements, expected in cases:
        path = tampered_copy(ledger, folder, name, statements)
        result = common.run(bin_path, "verify", "--ledger", path)
        message = result.stderr.strip()
        found = re.search(r"seq (\d+)", message)
        if result.returncode == 68 and len(message.splitlines()) == 1:
            detected += 1
            if found and int(found.group(1)) == expected:
                named += 1
            else:
                print(f"{name}: named {found.group(1) if found else 'no seq'}, expected seq {expected}: {message}", file=sys.stderr)
        else:
            print(f"{name}: NOT DETECTED (exit {result.returncode}): {result.stdout.strip()} {message}", file=sys.stderr)
        os.remove(path)
    # Truncation: the file cut in half is refused, with one line and a non-zero exit.
    truncated = os.path.join(folder, "truncated.sqlite")
    shutil.copy(ledger, truncated)
    with open(truncated, "r+b") as handle:
        handle.truncate(os.path.getsize(truncated) // 2)
    result = common.run(bin_path, "verify", "--ledger", truncated)
    truncation_detected = result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1
    if not truncation_detected:
        print(f"truncated: NOT DETECTED (exit {result.returncode}): {result.stdout.strip()} {result.stderr.strip()}", file=sys.stderr)
    total = len(cases) + 1
    detected += truncation_detected
    print(f"tamper sweep: {total} cases on {count} events, {detected} detected, {named} of {len(cases)} named the first affected seq; "
          f"truncation: {result.stderr.strip()}")
    return 0 if detected == total and named == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main())
