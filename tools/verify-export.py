#!/usr/bin/env python3
"""Independent verifier of an OutletLedger export (JSON Lines of envelopes, DOMAIN.md §5).

Python standard library only and no project code, so an auditor can re-check the whole chain
without trusting ours: for every line it recomputes
    hash = lowercase hex SHA-256 of the RFC 8785 (JCS) canonical JSON of the envelope without "hash"
and checks that seq runs 1, 2, 3 …, that streamVersion runs 1, 2, 3 … within each stream, and that
prevHash is the previous line's hash (64 zeros for seq 1).

usage: verify-export.py EXPORT.jsonl      prints "ok: <n> events, head <hash>" or the first fault (exit 1)
"""
import hashlib
import json
import sys

GENESIS = "0" * 64


class Fault(Exception):
    pass


def _no_floats(text):
    raise Fault(f"number {text} is not an integer; the ledger's JSON has no floats")


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise Fault(f'duplicate member name "{key}"')
        obj[key] = value
    return obj


def _canonical_string(text):
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical(value):
    """RFC 8785 for float-free JSON: members sorted by UTF-16 code units, minimal escaping."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _canonical_string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(_canonical_string(key) + ":" + canonical(value[key]) for key in keys) + "}"
    raise Fault(f"unexpected JSON value {value!r}")


def verify(lines):
    prev_hash = GENESIS
    versions = {}
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            envelope = json.loads(line, parse_float=_no_floats, object_pairs_hook=_no_duplicates)
            expected_seq = count + 1
            if envelope.get("seq") != expected_seq:
                raise Fault(f"seq is {envelope.get('seq')}, expected {expected_seq}")
            stream = envelope.get("stream")
            version = versions.get(stream, 0) + 1
            if envelope.get("streamVersion") != version:
                raise Fault(f"streamVersion is {envelope.get('streamVersion')}, the stream's next is {version}")
            if envelope.get("prevHash") != prev_hash:
                raise Fault(f"prevHash {envelope.get('prevHash')} is not the previous hash {prev_hash}")
            claimed = envelope.pop("hash", None)
            recomputed = hashlib.sha256(canonical(envelope).encode("utf-8")).hexdigest()
            if claimed != recomputed:
                raise Fault(f"hash {claimed} does not match the content (recomputed {recomputed})")
        except (Fault, ValueError) as fault:
            raise Fault(f"line {number}: {fault}") from None
        versions[stream] = version
        prev_hash = claimed
        count += 1
    return count, prev_hash


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8") as export:
            count, head = verify(export)
    except Fault as fault:
        print(f"FAIL {fault}")
        return 1
    except (OSError, UnicodeDecodeError) as error:
        print(f"FAIL cannot read {sys.argv[1]}: {error}")
        return 1
    print(f"ok: {count} events, head {head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
