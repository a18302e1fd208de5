"""A backlog taken into bronze in one batch against batches of whole landing dates (not part of the tests).

    .venv/bin/python -m benchmarks.bronze_backlog --landing DIR --batch-bytes 60000000 --pairs 2

`ingest_bronze` alone over every delivery date of a landing zone (a generated sample's, or a kept
build's `landing/`), on a fresh data root holding a copy of it, in a fresh driver each time:
`ingest.max_batch_bytes` above the whole zone (one MERGE) against `--batch-bytes` (one MERGE per
batch), alternating. Reports each run's seconds and the peak size of its Spark scratch folder
(`SPARK_LOCAL_DIRS`: shuffle files and spilled blocks, sampled every 0.25 s), and the batched
runs' ratios to the one-batch runs of the same pairs: the disk a backlog needs against its time.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks import END, save_result
from benchmarks.run import commit

ONE_BATCH = 10**15   # bytes: above any landing zone here


def folder_bytes(folder: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:   # a shuffle file removed while walking
                pass
    return total


def one_run(root: Path, max_bytes: int) -> None:
    """In this (fresh) process: ingest_bronze of the run date over root/landing; prints one JSON line."""
    scratch = root / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    os.environ["SPARK_LOCAL_DIRS"] = str(scratch)
    from jobs import ingest_bronze
    from pipelines.core.config import load_config
    from pipelines.core.jobrun import run_job
    from pipelines.core.session import get_spark
    from pipelines.orchestration.nightly import context

    cfg = load_config("local", {"paths.data_root": str(root), "paths.spark_events": None,
                                "ingest.max_batch_bytes": max_bytes})
    spark = get_spark(cfg, "clout-bench-bronze-backlog")
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], folder_bytes(scratch))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    result = run_job(context(spark, cfg, END), ingest_bronze.JOB, ingest_bronze.run)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    spark.stop()
    print(json.dumps({"seconds": round(seconds, 1), "peak_scratch_mb": round(peak[0] / 2**20),
                      "lines": result.rows_out, "message": result.message}), flush=True)


def measured(landing: Path, max_bytes: int) -> dict:
    """One run in a fresh driver on a fresh data root holding a copy of `landing`."""
    with tempfile.TemporaryDirectory(prefix="clout-bronze-backlog-") as tmp:
        root = Path(tmp)
        shutil.copytree(landing, root / "landing")
        out = subprocess.run([sys.executable, "-m", "benchmarks.bronze_backlog", "--one", str(root), str(max_bytes)],
                             capture_output=True, text=True, check=True).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("{")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--landing", type=Path, help="a landing zone, e.g. a kept build's landing/")
    ap.add_argument("--batch-bytes", type=int, default=60_000_000, help="ingest.max_batch_bytes of the batched runs")
    ap.add_argument("--pairs", type=int, default=2, help="one-batch and batched runs, alternating")
    ap.add_argument("--label", default="", help="names the result file")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    ap.add_argument("--one", nargs=2, metavar=("ROOT", "MAX_BYTES"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        one_run(Path(args.one[0]), int(args.one[1]))
        return 0
    if args.landing is None or not args.landing.is_dir():
        print("bronze_backlog: --landing must name a landing zone folder", file=sys.stderr)
        return 2
    runs = []
    for pair in range(args.pairs):
        for max_bytes in (ONE_BATCH, args.batch_bytes):
            run = {"pair": pair + 1, "max_batch_bytes": max_bytes, **measured(args.landing, max_bytes)}
            print(json.dumps(run), flush=True)
            runs.append(run)
    one = [r for r in runs if r["max_batch_bytes"] == ONE_BATCH]
    batched = [r for r in runs if r["max_batch_bytes"] != ONE_BATCH]
    landed = sum(p.stat().st_size for p in args.landing.rglob("*.jsonl.gz")
                 if not p.relative_to(args.landing).parts[0].startswith("_"))   # not the generator's _truth
    result = {"landing": str(args.landing), "landed_bytes": landed,
              "batch_bytes": args.batch_bytes, "commit": commit(), "load_average_1m": round(os.getloadavg()[0], 1),
              "machine": f"{os.cpu_count()} cores, local config", "runs": runs,
              "batched_over_one": {"seconds": [round(b["seconds"] / o["seconds"], 2) for o, b in zip(one, batched)],
                                   "peak_scratch": [round(b["peak_scratch_mb"] / o["peak_scratch_mb"], 2)
                                                    for o, b in zip(one, batched)]}}
    name = f"bronze-backlog{'-' + args.label if args.label else ''}.json"
    save_result(args.out, name, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
