"""The data-quality gate's share of the nightly's wall time (not part of the tests).

    .venv/bin/python -m benchmarks.dq_share --scale small

Generates the sample into a temp data root and runs the nightly for the day before the last
date, then for the last date: the second nightly's suites include the drift checks against the
previous snapshot, so it is the one measured. From its `dq` and `publish` log events it sums the
gate's seconds (facts, Great Expectations validation, ops.dq_results, Data Docs) and the publish
write's seconds (staged snapshot → published table; the snapshot's one write since the gate stages
it in the executors), and reports both as shares of that nightly's wall time (Spark start-up
excluded). Budget: the gate plus the publish write under 15% of the nightly.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path

from benchmarks import END, generated_sample, save_result
from generator import SCALES
from pipelines.core.config import load_config
from pipelines.orchestration.nightly import run_nightly
from pipelines.core.session import get_spark

BUDGET = 0.15


class EventTap(io.TextIOBase):
    """Stderr that keeps a copy of what it is given: the nightly's JSON log events."""

    def __init__(self, stream):
        self.stream, self.text = stream, io.StringIO()

    def write(self, text: str) -> int:
        self.text.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:  # JSON lines, as on any non-terminal
        return False

    def events(self, name: str) -> list[dict]:
        lines = (line for line in self.text.getvalue().splitlines() if line.startswith("{"))
        return [e for e in map(json.loads, lines) if e.get("event") == name]


def timed_nightly(cfg, day: dt.date, spark) -> tuple[float, EventTap]:
    tap = EventTap(sys.stderr)
    with contextlib.redirect_stderr(tap):
        started = time.perf_counter()
        run_nightly(cfg, day, spark=spark)
        return time.perf_counter() - started, tap


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="small")
    ap.add_argument("--days", type=int, default=None,
                    help="landing days to generate (default: the scale's; fewer keeps medium within hours)")
    ap.add_argument("--driver-memory", default=None, help="e.g. 8g (default: the local config's)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = ap.parse_args(argv)
    profiles, days = SCALES[args.scale]["profiles"], args.days or SCALES[args.scale]["days"]
    with generated_sample(profiles, days, prefix="clout-dq-bench-") as root:
        cfg = load_config("local", {"paths.data_root": str(root),
                                    **({"spark.driver_memory": args.driver_memory} if args.driver_memory else {})})
        spark = get_spark(cfg, "clout-bench-dq")
        previous_s, _ = timed_nightly(cfg, END - dt.timedelta(days=1), spark)
        nightly_s, tap = timed_nightly(cfg, END, spark)
        spark.stop()
    gate = {e["table"]: e["gate_seconds"] for e in tap.events("dq")}
    copy = {e["table"]: e["seconds"] for e in tap.events("publish")}
    share = (sum(gate.values()) + sum(copy.values())) / nightly_s
    save_result(args.out, f"dq-share-{args.scale}{'' if args.days is None else f'-{days}d'}.json", {
        "scale": args.scale, "profiles": profiles, "days": days,
        "machine": f"{os.cpu_count()} cores, {cfg.spark.master}", "date": dt.date.today().isoformat(),
        "load_average_15m": round(os.getloadavg()[2], 1),   # a shared machine: other work competes
        "measured_nightly": str(END), "nightly_s": round(nightly_s, 1),
        "previous_nightly_s": round(previous_s, 1),
        "gate_s": round(sum(gate.values()), 1), "publish_copy_s": round(sum(copy.values()), 1),
        "gate_share": round(sum(gate.values()) / nightly_s, 3),
        "gate_and_copy_share": round(share, 3), "budget": BUDGET, "within_budget": share < BUDGET,
        "gate_s_per_table": gate, "publish_copy_s_per_table": copy,
        "checks_per_table": {e["table"]: e["checks"] for e in tap.events("dq")},
    })
    return 0 if share < BUDGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
