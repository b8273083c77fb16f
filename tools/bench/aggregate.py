#!/usr/bin/env python3
"""The median of several runs of `outlet-bench suite`, with its spread, beside the issue's targets.

usage: tools/bench/aggregate.py --results FILE [--json FILE] RUN_FOLDER...
Each RUN_FOLDER holds the run's `figures.json` and `results.md`. Writes FILE (markdown: the medians, then
the last run's whole table) and, with --json, one key per figure: its median, and `spread` (min, max)."""
import argparse
import json
import os
import statistics
import sys

# key: (what it is, unit, target, True if higher is better)
ROWS = {
    "replay_events_per_s": ("full replay from the log, in-process", "events/s", "≥ 1,000,000 and ≥ 20× the peer", True),
    "peer_replay_events_per_s": ("the peer's replay", "events/s", "", True),
    "import_events_per_s": ("import through schema, rules and chain, in-process", "events/s", "≥ 150,000, ≥ 10× the peer", True),
    "import_cli_events_per_s": ("CLI `import FILE.jsonl`", "events/s", "≥ 100,000", True),
    "peer_import_events_per_s": ("the peer's import", "events/s", "", True),
    "append_p50_ms": ("durable single append, p50", "ms", "no slower than the peer's", False),
    "append_p99_ms": ("durable single append, p99", "ms", "≤ 1", False),
    "peer_append_p50_ms": ("the peer's single append, p50", "ms", "", False),
    "roster_held_p99_ms": ("roster on a held projection, p99", "ms", "≤ 20", False),
    "roster_cli_p99_ms": ("roster, whole CLI process with snapshots, p99", "ms", "≤ 100", False),
    "roster_cli_head_ms": ("roster today at the head, whole CLI process, the events after the newest snapshot folded, p50 of 3", "ms", "", False),
    "cli_floor_p50_ms": ("floor: whole CLI process of `policy`, p50", "ms", "", False),
    "snapshot_ratio_in_memory": ("snapshot frame / the projection it restores, in memory", "", "≤ 0.30 of the index it restores", False),
    "snapshot_ratio": ("snapshot frame / its encoded content", "", "(stricter than the target)", False),
    "snapshot_load_mb_per_s": ("snapshot load as a query restores it (the index; timelines decoded when read)", "MB/s of content", "≥ 1,000", True),
    "snapshot_full_load_mb_per_s": ("snapshot load in full (every timeline decoded, the index checked)", "MB/s of content", "", True),
    "automatic_snapshot_frames_mib": ("LZ4 frames of the automatic snapshots taken during the import, in all", "MiB", "", False),
    "replay_peak_rss_mib": ("peak RSS of the CLI replay", "MiB", "≤ 1,024", False),
    "import_peak_rss_mib": ("peak RSS of the CLI import", "MiB", "≤ 1,024", False),
}


def number(value):
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--json")
    parser.add_argument("runs", nargs="+")
    options = parser.parse_args()
    runs = []
    for folder in options.runs:
        with open(os.path.join(folder, "figures.json")) as handle:
            runs.append(json.load(handle))
    keys = [key for key in ROWS if all(key in run for run in runs)]
    medians = {key: statistics.median(run[key] for run in runs) for key in keys}
    spread = {key: [min(run[key] for run in runs), max(run[key] for run in runs)] for key in keys}

    lines = ["# Benchmark results", "",
             f"`tools/bench/run --events {int(runs[0]['events'])} --runs {len(runs)}`: the median of {len(runs)} runs "
             f"and their spread (min – max), each run a new history, ledger and peer database; the last run's whole "
             f"table follows.", "",
             "| measure | median | spread | target |", "|---|---|---|---|"]
    for key in keys:
        what, unit, target, _ = ROWS[key]
        low, high = spread[key]
        lines.append(f"| {what} (`{key}`) | {number(medians[key])} {unit} | {number(low)} – {number(high)} | {target} |")
    for ours, peer, label in (("replay_events_per_s", "peer_replay_events_per_s", "replay"),
                              ("import_events_per_s", "peer_import_events_per_s", "import")):
        if ours in medians and peer in medians:
            lines.append(f"| {label}, ours / the peer's | {medians[ours] / medians[peer]:.2f}× | | |")
    if "append_p50_ms" in medians and "peer_append_p50_ms" in medians:
        lines.append(f"| single append p50, ours / the peer's | {medians['append_p50_ms'] / medians['peer_append_p50_ms']:.2f}× | | ≤ 1× |")
    with open(os.path.join(options.runs[-1], "results.md")) as handle:
        last = handle.read().replace("# Benchmark results", "## The last run in full", 1)
    with open(options.results, "w") as handle:
        handle.write("\n".join(lines) + "\n\n" + last)
    if options.json:
        with open(options.json, "w") as handle:
            json.dump({**medians, "spread": spread, "runs": len(runs), "events": int(runs[0]["events"])}, handle, indent=2, sort_keys=True)
            handle.write("\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
