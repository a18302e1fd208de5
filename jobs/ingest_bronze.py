"""ingest_bronze: landing/<network>/dt<=D/*.jsonl.gz → bronze.raw_events (raw bytes, line numbers).

Reads every landed file of delivery dates up to D, skips files already in bronze (a file's
identity is its path under the landing root) and appends the new files' lines in one atomic
Delta commit — so a rerun, or a rerun after a crash, adds nothing twice, and a first run on a
landing zone catches up on every earlier date. Files of delivery date D must exist.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from pipelines.errors import UserError
from pipelines.io import append, read_table, table_exists
from pipelines.jobrun import JobContext, JobResult, submit_main
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.silver_events import NETWORKS

JOB = "ingest_bronze"


def landed_files(landing: Path, run_date: dt.date) -> list[str]:
    """Landed files of every delivery date up to the run date, as paths under the landing root.

    Raises UserError when the landing folder or the run date's delivery is missing.
    """
    if not landing.is_dir():
        raise UserError(f"landing folder not found: {landing}")
    if not any((landing / n / f"dt={run_date}").is_dir() for n in NETWORKS):
        raise UserError(f"no landed files for {run_date} under {landing}")
    return sorted(str(p.relative_to(landing)) for network in NETWORKS
                  for day in (landing / network).glob("dt=*") if day.name[3:] <= str(run_date)
                  for p in day.glob("*.jsonl.gz"))


def landing_date_of(source_file: str) -> str:
    return source_file.split("/")[1].removeprefix("dt=")


def with_line_numbers(lines: DataFrame) -> DataFrame:
    """Raw text lines (with `_metadata`) → one row per line with source file and line number.

    Spark reads a gzip file in one task, in order, so the monotonically increasing id orders
    the lines of each file; row_number turns that into a 1-based line number.
    """
    in_file_order = Window.partitionBy("source_file").orderBy("_read_order")
    source = F.regexp_extract(F.col("_metadata.file_path"), r"([^/]+/dt=[^/]+/[^/]+)$", 1)
    return (lines
            .select(F.col("value").cast("binary").alias("payload"), source.alias("source_file"),
                    F.monotonically_increasing_id().alias("_read_order"))
            .withColumn("line_number", F.row_number().over(in_file_order).cast("long"))
            .withColumn("network", F.split("source_file", "/").getItem(0)))


def run(ctx: JobContext) -> JobResult:
    """Append the lines of newly landed files of the run date to bronze.raw_events."""
    files = landed_files(ctx.cfg.paths.landing, ctx.run_date)
    dates = sorted({landing_date_of(f) for f in files})
    new = sorted(set(files) - ingested_files(ctx, dates))
    if not new:
        return JobResult(rows_in=0, rows_out=0, message=f"all {len(files)} files already ingested")
    landing_root = str(ctx.cfg.paths.landing.resolve())
    lines = (ctx.spark.read.option("lineSep", "\n")
             .text([f"{landing_root}/{f}" for f in new]).select("value", "_metadata"))
    bronze = RAW_EVENTS.conform(
        with_line_numbers(lines)
        .withColumn("landing_date", F.to_date(F.regexp_extract("source_file", r"/dt=([0-9-]+)/", 1)))
        .withColumn("ingest_run_id", F.lit(ctx.run_id)))
    append(bronze, ctx.cfg, RAW_EVENTS)
    written = (read_table(ctx.spark, ctx.cfg, RAW_EVENTS)
               .where(F.col("landing_date").isin(sorted({landing_date_of(f) for f in new}))
                      & (F.col("ingest_run_id") == ctx.run_id)).count())
    return JobResult(rows_in=written, rows_out=written,
                     message=f"{len(new)} new files, {len(files) - len(new)} already ingested")


def ingested_files(ctx: JobContext, dates: list[str]) -> set[str]:
    """Source files already in bronze for these delivery dates (one name per file: small)."""
    if not table_exists(ctx.spark, ctx.cfg, RAW_EVENTS):
        return set()
    return {r.source_file for r in read_table(ctx.spark, ctx.cfg, RAW_EVENTS)
            .where(F.col("landing_date").isin(dates)).select("source_file").distinct().collect()}


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
