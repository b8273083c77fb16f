#!/usr/bin/env python3
"""Checks an offline proof (a C2SP tlog-proof written by `outlet-ledger proof bundle`) with nothing but the
Python standard library and `cryptography`'s Ed25519: no OutletLedger code. The checkpoint must carry a
valid signature by the verifier key (C2SP signed-note), and the inclusion proof must lead from the
entry (the event's chain hash, the `extra` line) to the checkpoint's root (RFC 9162 §2.1.3.2).

usage: tools/verify-proof.py PROOF_FILE VERIFIER_KEY
prints `ok: event N (chain hash H) is in the log of S events that ORIGIN signed`, else `FAIL …` (exit 1).
"""
import base64
import hashlib
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def fail(message):
    print(f"FAIL {message}")
    sys.exit(1)


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index, size, leaf_hash, proof, root):
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def open_note(note, vkey):
    name, key_id, key_data = vkey.strip().split("+", 2)
    raw = base64.b64decode(key_data)
    if len(raw) != 33 or raw[0] != 1:
        fail("the verifier key is not an Ed25519 signed-note key")
    public = raw[1:]
    if hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() != key_id:
        fail("the verifier key's id does not match its name and key")
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    for line in signatures.splitlines():
        if not line.startswith("\u2014 "):
            fail("a signature line does not begin with an em dash")
        signer, _, signature = line[2:].partition(" ")
        blob = base64.b64decode(signature)
        if signer != name or len(blob) != 68 or blob[:4].hex() != key_id:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode())
        except InvalidSignature:
            fail(f"the signature by {name} does not verify: the checkpoint was changed")
        return name, text
    fail(f"the checkpoint carries no signature by {name}")


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-2])
        sys.exit(2)
    with open(sys.argv[1], encoding="utf-8") as handle:
        proof_text = handle.read()
    head, _, note = proof_text.partition("\n\n")
    lines = head.split("\n")
    if lines[0] != "c2sp.org/tlog-proof@v1":
        fail("not a c2sp.org/tlog-proof@v1 file")
    lines = lines[1:]
    entry = None
    if lines and lines[0].startswith("extra "):
        entry = base64.b64decode(lines[0][6:])
        lines = lines[1:]
    if not lines or not lines[0].startswith("index "):
        fail("no index line")
    index = int(lines[0][6:])
    proof = [base64.b64decode(line) for line in lines[1:]]
    name, text = open_note(note, sys.argv[2])
    origin, size, root = text.split("\n")[:3]
    if origin != name:
        fail(f"the checkpoint is of {origin}, the key of {name}")
    if entry is None:
        fail("the proof names no entry (no extra line)")
    leaf_hash = hashlib.sha256(b"\x00" + entry).digest()
    if not verify_inclusion(index, int(size), leaf_hash, proof, base64.b64decode(root)):
        fail(f"the inclusion proof does not lead from entry {index} to the root of the signed tree of {size}")
    print(f"ok: event {index + 1} (chain hash {entry.hex()}) is in the log of {size} events that {origin} signed")


if __name__ == "__main__":
    main()
