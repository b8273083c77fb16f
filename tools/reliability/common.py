"""Shared pieces of the reliability tools: the outlet-ledger binary, small ledgers, sqlite3 reads."""
import json
import os
import random
import sqlite3
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

UNIVERSITY = "91350100M000100Y43"
OTHER = "91110000802100433B"
THIRD = "12210100MB1234567C"
CITY = "city-bureau:210100"


def binary():
    """$OUTLET_LEDGER_BIN, else the debug build (built if needed)."""
    if os.environ.get("OUTLET_LEDGER_BIN"):
        return os.environ["OUTLET_LEDGER_BIN"]
    subprocess.run(["swift", "build", "--product", "outlet-ledger"], cwd=ROOT, check=True, capture_output=True)
    path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    return os.path.join(path, "outlet-ledger")


def run(bin_path, *args, stdin=None, timeout=60):
    return subprocess.run([bin_path, *args], input=stdin, capture_output=True, text=True, timeout=timeout)


def institution(uscc, name):
    return {"name": name, "uscc": uscc, "nature": "事业单位", "category": "other", "district": "210102",
            "address": "沈阳市和平区", "principal": {"name": "李明", "title": "主任"}, "totalStaff": 50,
            "department": {"name": "服务部", "head": "张华", "phone": "024-1"}, "contact": {"name": "刘洋", "phone": "138"}}


def included_ledger(bin_path, path, streams):
    """A new ledger whose `streams` are national outlets included on 2025-09-01 (info changes are then always allowed)."""
    result = run(bin_path, "init", "--ledger", path)
    assert result.returncode == 0, result.stderr
    for index, uscc in enumerate(streams):
        payload = {"level": "national", "reference": "公告", "institution": institution(uscc, f"网点{index}"), "serviceItems": ["咨询"]}
        result = run(bin_path, "append", "--ledger", path, "--type", "auto-included", "--stream", uscc, "--on", "2025-09-01",
                     "--actor", CITY, "--payload", "-", stdin=json.dumps(payload, ensure_ascii=False))
        assert result.returncode == 0, result.stderr


def start_loop(parser, prefix, streams):
    """A crash loop's common start: its options (with --seed, which seeds `random`), the binary, and a new
    ledger in a folder of its own with `streams` included."""
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    random.seed(options.seed)
    bin_path = binary()
    ledger = os.path.join(tempfile.mkdtemp(prefix=prefix), "outlets.sqlite")
    included_ledger(bin_path, ledger, streams)
    return options, bin_path, ledger


def change(step):
    return json.dumps({"changes": {"address": f"沈阳市和平区创新路{step}号"}}, ensure_ascii=False)


def append_args(path, stream, *extra):
    return ["append", "--ledger", path, "--type", "info-changed", "--stream", stream, "--on", "2025-09-02",
            "--actor", CITY, "--payload", "-", *extra]


def rows(path, sql, args=()):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(sql, args).fetchall()
    finally:
        connection.close()
