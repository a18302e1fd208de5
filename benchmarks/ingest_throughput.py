"""Bronze and silver ingest throughput on a generated landing zone (not part of the tests).

    .venv/bin/python -m benchmarks.ingest_throughput --scale small
    .venv/bin/python -m benchmarks.ingest_throughput --scale medium --days 7

Generates the sample into a temp data root (or reuses --landing), runs ingest_bronze and
ingest_silver for the last date in one Spark session, and prints lines/s and lines/s/core for
each, next to a baseline measured in the same run: a plain Spark count of the same gzip files
(read + decompress only), so the ratio says what parsing and exactly-once cost on top of I/O.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path

from benchmarks import END, generated_sample, save_result
from generator import SCALES
from jobs import ingest_bronze, ingest_silver
from pipelines.core.config import load_config
from pipelines.core.jobrun import JobContext, new_run_id
from pipelines.core.session import get_spark


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="small")
    ap.add_argument("--days", type=int, help="override the scale's day count")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    ap.add_argument("--label", default="", help="suffix of the result file, e.g. before / after a change")
    args = ap.parse_args(argv)
    profiles, days = SCALES[args.scale]["profiles"], args.days or SCALES[args.scale]["days"]
    with generated_sample(profiles, days, prefix="clout-ingest-bench-") as root:
        cfg = load_config("local", {"paths.data_root": str(root)})
        spark = get_spark(cfg, "clout-bench-ingest")
        cores = spark.sparkContext.defaultParallelism
        files = [str(p) for p in (root / "landing").glob("*/dt=*/*.jsonl.gz") if "accounts" not in str(p)]
        started = time.perf_counter()
        lines = spark.read.text(files).count()
        baseline = time.perf_counter() - started
        ctx = JobContext(spark, cfg, END, new_run_id(END))
        timings = {}
        for name, job in (("bronze", ingest_bronze.run), ("silver", ingest_silver.run)):
            started = time.perf_counter()
            job(ctx)
            timings[name] = time.perf_counter() - started
        result = {
            "scale": args.scale, "profiles": profiles, "days": days, "lines": lines, "cores": cores,
            "machine": f"{os.cpu_count()} cores, local[{cores}]", "date": dt.date.today().isoformat(),
            "baseline_read_count_s": round(baseline, 1),
            **{f"{k}_s": round(v, 1) for k, v in timings.items()},
            **{f"{k}_lines_per_s_per_core": round(lines / v / cores) for k, v in timings.items()},
            **{f"{k}_vs_read_baseline": round(v / baseline, 1) for k, v in timings.items()},
        }
        from benchmarks.run import commit
        result["commit"] = commit()
        save_result(args.out, f"ingest-{args.scale}-{days}d{'-' + args.label if args.label else ''}.json", result)
        spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
