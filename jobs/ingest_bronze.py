"""ingest_bronze: landing/<network>/dt<=D/*.jsonl.gz → bronze.raw_events (raw bytes, line numbers).

Reads every landed file of delivery dates up to D, skips files already in bronze (a file's
identity is its path under the landing root) and inserts the new files' lines in one atomic
Delta MERGE keyed on (source_file, line_number) over those delivery dates only — so a rerun, a
rerun after a crash, or a concurrent run (a backfill beside the nightly) adds nothing twice, and
a first run on a landing zone catches up on every earlier date. Files of delivery date D must
exist. A file that is empty or not gzip becomes one row, line 0, for silver to quarantine.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from pipelines.core.errors import DataQualityError, UserError
from pipelines.core.io import merge_insert_new, read_table, table_exists
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from pipelines.core.session import session_conf
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.silver_events import NETWORKS

JOB = "ingest_bronze"


def landed_files(landing: Path, run_date: dt.date) -> list[str]:
    """Landed files of every delivery date up to the run date, as paths under the landing root.

    Raises UserError when the landing folder or the run date's delivery is missing.
    """
    if not landing.is_dir():
        raise UserError(f"landing folder not found: {landing}")
    readable(landing)
    networks = [landing / n for n in NETWORKS if readable(landing / n)]
    if not any((network / f"dt={run_date}").is_dir() for network in networks):
        raise UserError(f"no landed files for {run_date} under {landing}")
    days = [day for network in networks for day in network.glob("dt=*") if day.name[3:] <= str(run_date)]
    return sorted(str(p.relative_to(landing)) for day in days if readable(day) for p in day.glob("*.jsonl.gz"))


def readable(folder: Path) -> bool:
    """True for a folder Clout may list and read (or one that does not exist); a folder it may
    not is an operator's problem to fix, not data to skip silently: UserError."""
    if folder.exists() and not os.access(folder, os.R_OK | os.X_OK):
        raise UserError(f"landing folder not readable: {folder} (check its permissions)")
    return folder.is_dir()


GZIP_MAGIC = b"\x1f\x8b"


def unreadable(landing: Path, files: list[str]) -> list[str]:
    """Files Spark could not read as gzip text: empty (zero bytes) or not gzip at all.

    Only each file's first two bytes are read, on the driver."""
    bad = []
    for f in files:
        with open(landing / f, "rb") as handle:
            if handle.read(2) != GZIP_MAGIC:
                bad.append(f)
    return bad


def unreadable_rows(ctx: JobContext, files: list[str]) -> DataFrame:
    """One bronze row per unreadable file: line 0, its first bytes as received (silver
    quarantines it as `unreadable_file`, so the file is counted, never silently skipped)."""
    limit = ctx.cfg.ingest.max_payload_bytes + 1
    rows = []
    for f in files:
        with open(ctx.cfg.paths.landing / f, "rb") as handle:
            rows.append((f.split("/")[0], dt.date.fromisoformat(landing_date_of(f)), f, 0,
                         handle.read(limit), ctx.run_id))
    return ctx.spark.createDataFrame(rows, RAW_EVENTS.schema)


def landing_date_of(source_file: str) -> str:
    return source_file.split("/")[1].removeprefix("dt=")


def with_line_numbers(lines: DataFrame) -> DataFrame:
    """Raw text lines (with `_metadata`), one file per partition → rows with file and line number.

    A gzip file is read by one task, in order; when each partition holds exactly one file (see
    ONE_FILE_PER_PARTITION) the row's index within its partition is its line number, with no
    shuffle of the payloads. The monotonically increasing id carries that index in its low 33 bits.
    """
    source = F.regexp_extract(F.col("_metadata.file_path"), r"([^/]+/dt=[^/]+/[^/]+)$", 1)
    index_in_partition = F.monotonically_increasing_id() - F.shiftleft(F.spark_partition_id().cast("long"), 33)
    return lines.select(F.col("value").cast("binary").alias("payload"), source.alias("source_file"),
                        (index_in_partition + 1).alias("line_number"),
                        F.split(source, "/").getItem(0).alias("network"))


# Spark packs small files into one read partition unless opening a file "costs" a whole
# partition; with this, every landed file gets a partition (and a task) of its own.
ONE_FILE_PER_PARTITION = {"spark.sql.files.openCostInBytes": str(1 << 40),
                          "spark.sql.files.maxPartitionBytes": str(1 << 40)}


def lines_per_file(bronze: DataFrame) -> list:
    """Per file: line count and lowest/highest line number (one small row per file, not per line)."""
    return bronze.groupBy("source_file").agg(F.count(F.lit(1)).alias("n"), F.min("line_number").alias("lo"),
                                             F.max("line_number").alias("hi")).collect()


def run(ctx: JobContext) -> JobResult:
    """Append the lines of newly landed files of the run date to bronze.raw_events."""
    files = landed_files(ctx.cfg.paths.landing, ctx.run_date)
    dates = sorted({landing_date_of(f) for f in files})
    new = sorted(set(files) - ingested_files(ctx, dates))
    if not new:
        return JobResult(rows_in=0, rows_out=0, message=f"all {len(files)} files already ingested")
    landing_root = str(ctx.cfg.paths.landing.resolve())
    broken_files = unreadable(ctx.cfg.paths.landing, new)
    readable = [f for f in new if f not in set(broken_files)]
    with session_conf(ctx.spark, ONE_FILE_PER_PARTITION):
        bronze = unreadable_rows(ctx, broken_files)
        if readable:
            lines = (ctx.spark.read.option("lineSep", "\n")
                     .text([f"{landing_root}/{f}" for f in readable]).select("value", "_metadata"))
            bronze = RAW_EVENTS.conform(
                with_line_numbers(lines)
                .withColumn("landing_date", F.to_date(F.regexp_extract("source_file", r"/dt=([0-9-]+)/", 1)))
                .withColumn("ingest_run_id", F.lit(ctx.run_id))).unionByName(bronze)
        new_dates = ", ".join(f"DATE'{d}'" for d in sorted({landing_date_of(f) for f in new}))
        merge_insert_new(ctx.spark, bronze, ctx.cfg, RAW_EVENTS,
                         extra_condition=f"t.landing_date IN ({new_dates}) AND t.landing_date = s.landing_date")
    this_run = (read_table(ctx.spark, ctx.cfg, RAW_EVENTS)
                .where(F.col("landing_date").isin(sorted({landing_date_of(f) for f in new}))
                       & (F.col("ingest_run_id") == ctx.run_id)))
    per_file = lines_per_file(this_run)
    broken = [f.source_file for f in per_file if f.lo != 0 and (f.lo != 1 or f.hi != f.n)]
    if broken:  # a planning change packed files together: fail loudly rather than mis-number
        raise DataQualityError(f"ingest_bronze: line numbers not 1..n in {len(broken)} files, e.g. {broken[0]}")
    written = sum(f.n for f in per_file)
    return JobResult(rows_in=written, rows_out=written,
                     message=f"{len(new)} new files ({len(broken_files)} unreadable), "
                             f"{len(files) - len(new)} already ingested")


def ingested_files(ctx: JobContext, dates: list[str]) -> set[str]:
    """Source files already in bronze for these delivery dates (one name per file: small)."""
    if not table_exists(ctx.spark, ctx.cfg, RAW_EVENTS):
        return set()
    return {r.source_file for r in read_table(ctx.spark, ctx.cfg, RAW_EVENTS)
            .where(F.col("landing_date").isin(dates)).select("source_file").distinct().collect()}


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
