"""A/B of Spark settings on one nightly of the test sample, in a fresh driver each run.

    .venv/bin/python -m benchmarks.nightly_settings --root /tmp/ab                       # defaults
    .venv/bin/python -m benchmarks.nightly_settings --root /tmp/ab spark.databricks.delta.snapshotPartitions=50
    .venv/bin/python -m benchmarks.nightly_settings --root /tmp/ab --nights 3 spark.sql.codegen.cache.maxEntries=100
    .venv/bin/python -m benchmarks.nightly_settings --root /tmp/ab --nights 2 --consecutive

Generates the test sample (300 profiles × 21 days, seed 11) once under --root, removes the
warehouse, and prints the nightly's wall seconds per stage as one JSON line. With `--nights N`
the same driver then computes the date again N-1 times from its inputs (`resume=False`, as a
backfill's dates run the same queries one after another), one JSON line each, with the CPU seconds
the driver (its JVM and this process) used so far. With `--consecutive` the N nights are the N
dates ending on the sample's last day instead, each ingesting its own day (as a backfill does).
Run the variants one after another on an otherwise idle machine and compare within the same sitting.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import time
from pathlib import Path

from generator import generate
from pipelines.core.config import load_config
from pipelines.core.session import get_spark
from pipelines.orchestration.nightly import run_nightly

DAY = dt.date(2026, 9, 30)
TEST_SETTINGS = {"spark.shuffle_partitions": 2, "spark.master": "local[2]", "spark.driver_memory": "3g"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, required=True, help="folder for the sample and the tables")
    ap.add_argument("--nights", type=int, default=1, help="nightlies of the date in one driver (default 1)")
    ap.add_argument("--consecutive", action="store_true",
                    help="the nights are consecutive dates ending on the sample's last day, not the last day again")
    ap.add_argument("settings", nargs="*", help="Spark settings key=value added to the env's extra_conf")
    args = ap.parse_args()
    extra = dict(setting.split("=", 1) for setting in args.settings)
    cfg = fresh_test_sample(args.root)
    spark_settings = cfg.spark.model_copy(update={"extra_conf": {**cfg.spark.extra_conf, **extra}})
    cfg = cfg.model_copy(update={"spark": spark_settings})
    started = time.time()
    spark = get_spark(cfg, "clout-nightly-settings")
    ready = time.time()
    jvm = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    for night in range(1, args.nights + 1):
        began = time.time()
        day = DAY - dt.timedelta(days=args.nights - night) if args.consecutive else DAY
        result = run_nightly(cfg, day, spark=spark, resume=False)
        print(json.dumps({"settings": extra, "night": night, "date": str(day),
                          "session_s": round(ready - started, 1), "nightly_s": round(time.time() - began, 1),
                          "driver_cpu_s": round(cpu_seconds(jvm), 1),
                          "stages_s": {k: round(v, 1) for k, v in result.seconds.items()}}), flush=True)


def fresh_test_sample(root: Path):
    """The test sample's landing zone under `root` (generated once) with no tables yet, and the
    config of the tests' Spark settings over it."""
    shutil.rmtree(root / "warehouse", ignore_errors=True)
    shutil.rmtree(root / "dq", ignore_errors=True)
    if not (root / "landing").exists():
        generate(root / "landing", profiles=300, days=21, seed=11, end_date=DAY, log=lambda _: None)
    return load_config("local", {**TEST_SETTINGS, "paths.data_root": str(root)})


def cpu_seconds(jvm_pid: int) -> float:
    """CPU seconds (user + system) of the driver's JVM and of this process so far."""
    fields = Path(f"/proc/{jvm_pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])          # utime, stime
    own = resource.getrusage(resource.RUSAGE_SELF)
    return ticks / os.sysconf("SC_CLK_TCK") + own.ru_utime + own.ru_stime


if __name__ == "__main__":
    main()
