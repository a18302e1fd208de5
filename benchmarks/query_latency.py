"""`clout query` round trip against the same query through a new Spark session (not a test).

    .venv/bin/python -m benchmarks.query_latency --data-root data      # after `make run`

Both are timed as an analyst meets them: a fresh process from command to answer. `clout query`
reads the Delta tables with delta-rs and answers with DuckDB; `clout sql` starts Spark, registers
the same tables as views and runs the same SQL. Target: `clout query` under 2 s on `small`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import END, save_result

QUERY = (f"SELECT profile_id, score, percentile FROM scores WHERE snapshot_date = DATE '{END}' "
         "ORDER BY score DESC, profile_id LIMIT 10")
TARGET_S = 2.0


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])}… failed: {proc.stderr.strip().splitlines()[-1]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=Path("data"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = ap.parse_args(argv)
    clout = [sys.executable, "-m", "pipelines.orchestration.cli"]
    root = ["--data-root", str(args.data_root.resolve())]
    rows = subprocess.run(clout + ["query", f"SELECT count(*) FROM scores WHERE snapshot_date = DATE '{END}'",
                                   "--format", "csv"] + root, capture_output=True, text=True).stdout.split()[-1]
    duck = [timed(clout + ["query", QUERY] + root) for _ in range(args.repeat)]
    spark = [timed(clout + ["sql", QUERY] + root) for _ in range(max(2, args.repeat // 2))]
    median_duck, median_spark = statistics.median(duck), statistics.median(spark)
    save_result(args.out, "query-latency-small.json", {
        "date": dt.date.today().isoformat(), "machine": f"{os.cpu_count()} cores",
        "load_average_15m": round(os.getloadavg()[2], 1), "scores_rows": int(rows), "query": QUERY,
        "clout_query_s": [round(t, 2) for t in duck], "clout_query_median_s": round(median_duck, 2),
        "new_spark_session_s": [round(t, 2) for t in spark], "new_spark_session_median_s": round(median_spark, 2),
        "spark_over_query": round(median_spark / median_duck, 1),
        "target_s": TARGET_S, "within_target": median_duck < TARGET_S,
    })
    return 0 if median_duck < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
