"""ingest_bronze: landing/<feed>/dt<=D/*.jsonl.gz → bronze.raw_events (raw bytes, line numbers),
and every landed path that is not ingested → ops.held_files with its reason.

Reads every landed file of delivery dates up to D, skips files already in bronze (a file's
identity is its path under the landing root) and inserts the new files' lines a batch of whole
delivery dates at a time (one on a normal night; a backlog in batches of at most
`ingest.max_batch_bytes` landed bytes, oldest first: jobs/reconcile.py, landing_batches), each
batch one atomic Delta MERGE keyed on (source_file, line_number) over its delivery dates only —
so a rerun, a rerun after a crash (it goes on at the first batch not in bronze), or a concurrent
run (a backfill beside the nightly) adds nothing twice, and a first run on a landing zone catches
up on every earlier date without scratch in proportion to the backlog. Feeds are the networks and
the account links. Files of delivery date D must exist.

A damaged file (empty, not gzip, or a gzip stream that breaks off or fails its check anywhere,
the usual trace of an interrupted upload) is held whole: none of its lines enter bronze, it is
recorded with the lines that could be read, and the rest of the night goes on. Held files are
not in bronze, so a complete copy landing later at the same path is ingested then, exactly once.
Paths that belong to no feed (jobs/landing.py) are recorded too; nothing is silently skipped.
"""
from __future__ import annotations

import datetime as dt
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.storagelevel import StorageLevel

from jobs.landing import Inventory, Stray, inventory, require_delivery
from jobs.reconcile import in_turn, landing_batches
from pipelines.core.errors import DataQualityError
from pipelines.core.io import merge_insert_new, read_table, table_exists
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from pipelines.core.session import session_conf
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.ops_held_files import HELD_FILES

JOB = "ingest_bronze"
GZIP_MAGIC = b"\x1f\x8b"
GZIP_WBITS = zlib.MAX_WBITS | 16   # zlib reads a gzip header and trailer


def landed_files(landing: Path, run_date: dt.date) -> Inventory:
    """The landing zone's inventory for the run date (feed files due, strays); UserError when
    the landing folder or the run date's delivery is missing."""
    found = inventory(landing, run_date)
    require_delivery(landing, run_date)
    return found


@dataclass(frozen=True)
class Damaged:
    """A landed file held whole: why, and how many complete lines could be read before it broke."""
    path: str
    reason: str
    lines_readable: int
    detail: str


def landing_date_of(source_file: str) -> str:
    return source_file.split("/")[1].removeprefix("dt=")


class LandedFile(NamedTuple):
    source_file: str
    landing_date: str
    size: int        # bytes landed (gzip): the lines are unknown until read


def landed_batches(landing: Path, files: list[str], max_bytes: int) -> list[list[LandedFile]]:
    """The new files in batches of whole delivery dates, oldest first, each of at most `max_bytes`
    landed bytes (a date holding more is a batch of its own): a backlog's MERGE shuffles its lines,
    so one batch of 88M lines peaked at 21 GB of scratch (docs/capacity.md)."""
    sized = [LandedFile(f, landing_date_of(f), (landing / f).stat().st_size if (landing / f).is_file() else 0)
             for f in files]
    return landing_batches(sized, max_bytes, size=lambda f: f.size)


def not_gzip(landing: Path, files: list[str]) -> list[Damaged]:
    """Files that are empty or do not start as gzip (their first two bytes, read on the driver)."""
    found = []
    for f in files:
        with open(landing / f, "rb") as handle:
            head = handle.read(2)
        if head != GZIP_MAGIC:
            found.append(Damaged(f, "empty_file" if not head else "not_gzip", 0,
                                 "zero bytes" if not head else f"starts with {head!r}, not gzip"))
    return found


def gzip_isize(path: Path) -> int | None:
    """A gzip file's trailer: the uncompressed length mod 2^32 (its last four bytes)."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        if handle.tell() < 18:   # shorter than a gzip header and trailer
            return None
        handle.seek(-4, 2)
        return int.from_bytes(handle.read(4), "little")


def read_matches_trailer(isize: int | None, lines: int, payload_bytes: int) -> bool:
    """Whether the lines Spark read add up to the length the gzip trailer declares (the last
    line may or may not end in a newline). A stream that broke off mid-way never does."""
    if isize is None:
        return False
    total = payload_bytes + lines
    return isize in {total % (1 << 32), (total - 1) % (1 << 32) if lines else -1}


def check_gzip(path: Path) -> tuple[str | None, int, str]:
    """Decompress a whole file on the driver, member after member: (damage reason or None,
    complete lines read before the damage, detail). Only for files whose read did not match
    their trailer (a damaged file, or a whole one made of several gzip members)."""
    lines, member = 0, zlib.decompressobj(GZIP_WBITS)
    try:
        with open(path, "rb") as handle:
            for data in iter(lambda: handle.read(1 << 16), b""):
                while data:
                    if member.eof:
                        member = zlib.decompressobj(GZIP_WBITS)
                    lines += member.decompress(data).count(b"\n")
                    data = member.unused_data if member.eof else b""
    except zlib.error as exc:
        return "corrupt_gzip", lines, str(exc)[:200]
    if not member.eof:
        return "truncated_gzip", lines, "the gzip stream ends before its end-of-stream marker"
    return None, lines, ""


def damaged_streams(landing: Path, lines: DataFrame, files: list[str]) -> list[Damaged]:
    """Readable-looking gzip files whose stream breaks somewhere: Spark's read (told to keep
    going past a corrupt file) is compared with each file's trailer; a mismatch is confirmed by
    decompressing that file on the driver. One small row per file reaches the driver."""
    read = {r.source_file: (r.n, r.payload_bytes or 0) for r in
            lines.groupBy("source_file").agg(F.count(F.lit(1)).alias("n"),
                                             F.sum(F.octet_length("payload")).alias("payload_bytes")).collect()}
    damaged = []
    for f in files:
        n, payload_bytes = read.get(f, (0, 0))
        if not read_matches_trailer(gzip_isize(landing / f), n, payload_bytes):
            reason, readable_lines, detail = check_gzip(landing / f)
            if reason:
                damaged.append(Damaged(f, reason, readable_lines, detail))
    return damaged


def with_line_numbers(lines: DataFrame) -> DataFrame:
    """Raw text lines (with `_metadata`), one file per partition → rows with file and line number.

    A gzip file is read by one task, in order; when each partition holds exactly one file (see
    READ_SETTINGS) the row's index within its partition is its line number, with no shuffle of
    the payloads. The monotonically increasing id carries that index in its low 33 bits.
    """
    source = F.regexp_extract(F.col("_metadata.file_path"), r"([^/]+/dt=[^/]+/[^/]+)$", 1)
    index_in_partition = F.monotonically_increasing_id() - F.shiftleft(F.spark_partition_id().cast("long"), 33)
    return lines.select(F.col("value").cast("binary").alias("payload"), source.alias("source_file"),
                        (index_in_partition + 1).alias("line_number"),
                        F.split(source, "/").getItem(0).alias("network"))


# Spark packs small files into one read partition unless opening a file "costs" a whole
# partition; with this, every landed file gets a partition (and a task) of its own. A corrupt
# gzip stream ends its file's read instead of failing the job: damaged_streams finds it.
READ_SETTINGS = {"spark.sql.files.openCostInBytes": str(1 << 40),
                 "spark.sql.files.maxPartitionBytes": str(1 << 40),
                 "spark.sql.files.ignoreCorruptFiles": "true"}


def lines_per_file(bronze: DataFrame) -> list:
    """Per file: line count and lowest/highest line number (one small row per file, not per line)."""
    return bronze.groupBy("source_file").agg(F.count(F.lit(1)).alias("n"), F.min("line_number").alias("lo"),
                                             F.max("line_number").alias("hi")).collect()


def ingest(ctx: JobContext, new: list[str]) -> tuple[int, list[Damaged]]:
    """MERGE the lines of a batch of new files that are whole into bronze; return lines written
    and the files held as damaged."""
    landing = ctx.cfg.paths.landing
    damaged = not_gzip(landing, new)
    gzipped = [f for f in new if f not in {d.path for d in damaged}]
    if not gzipped:
        return 0, damaged
    root = str(landing.resolve())
    with session_conf(ctx.spark, READ_SETTINGS):
        lines = (ctx.spark.read.option("lineSep", "\n").text([f"{root}/{f}" for f in gzipped])
                 .select("value", "_metadata"))
        bronze = RAW_EVENTS.conform(
            with_line_numbers(lines)
            .withColumn("landing_date", F.to_date(F.regexp_extract("source_file", r"/dt=([0-9-]+)/", 1)))
            .withColumn("ingest_run_id", F.lit(ctx.run_id))).persist(StorageLevel.MEMORY_AND_DISK)
        try:
            damaged += damaged_streams(landing, bronze, gzipped)
            whole_files = [f for f in gzipped if f not in {d.path for d in damaged}]
            whole_dates = sorted({landing_date_of(f) for f in whole_files})
            if not whole_files:
                return 0, damaged
            new_dates = ", ".join(f"DATE'{d}'" for d in whole_dates)
            merge_insert_new(ctx.spark, bronze.where(F.col("source_file").isin(whole_files)), ctx.cfg,
                             RAW_EVENTS,
                             extra_condition=f"t.landing_date IN ({new_dates}) AND t.landing_date = s.landing_date")
        finally:
            bronze.unpersist()
    this_run = (read_table(ctx.spark, ctx.cfg, RAW_EVENTS)
                .where(F.col("landing_date").isin(whole_dates) & (F.col("ingest_run_id") == ctx.run_id)))
    per_file = lines_per_file(this_run)
    broken = [f.source_file for f in per_file if f.lo != 1 or f.hi != f.n]
    if broken:  # a planning change packed files together: fail loudly rather than mis-number
        raise DataQualityError(f"ingest_bronze: line numbers not 1..n in {len(broken)} files, e.g. {broken[0]}")
    return sum(f.n for f in per_file), damaged


def record_held(ctx: JobContext, damaged: list[Damaged], strays: tuple[Stray, ...]) -> None:
    """Every damaged file and stray path into ops.held_files (once per path and size)."""
    landing, now = ctx.cfg.paths.landing, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

    def size(path: str) -> int:
        target = landing / path
        return target.lstat().st_size if target.is_file() or target.is_symlink() else -1

    rows = [(d.path, size(d.path), "damaged", d.reason, dt.date.fromisoformat(landing_date_of(d.path)),
             d.lines_readable, d.detail, ctx.run_id, now) for d in damaged]
    rows += [(s.path, size(s.path), "not_belonging", s.reason, s.landing_date, None, None, ctx.run_id, now)
             for s in strays]
    if rows:
        merge_insert_new(ctx.spark, ctx.spark.createDataFrame(rows, HELD_FILES.schema), ctx.cfg, HELD_FILES)


def run(ctx: JobContext) -> JobResult:
    """Append the lines of newly landed whole files to bronze.raw_events; record the rest."""
    found = landed_files(ctx.cfg.paths.landing, ctx.run_date)
    dates = sorted({landing_date_of(f) for f in found.files})
    new = sorted(set(found.files) - ingested_files(ctx, dates))
    max_bytes = ctx.cfg.ingest.max_batch_bytes
    batches = landed_batches(ctx.cfg.paths.landing, new, max_bytes)
    written, damaged = 0, []
    for batch in in_turn(ctx, JOB, batches):   # each one MERGE: a crash resumes at the first batch not in bronze
        lines, held_whole = ingest(ctx, [f.source_file for f in batch])
        written, damaged = written + lines, damaged + held_whole
    record_held(ctx, damaged, found.strays)
    held = len(damaged) + len(found.strays)
    in_batches = f" in {len(batches)} batches of at most {max_bytes:,} landed bytes" if len(batches) > 1 else ""
    notes = [f"{len(new) - len(damaged)} new files{in_batches}", f"{len(found.files) - len(new)} already ingested"]
    if damaged:
        notes.append(f"{len(damaged)} damaged held whole ("
                     + ", ".join(f"{d.path}: {d.reason}, {d.lines_readable} lines readable" for d in damaged[:3])
                     + (", …" if len(damaged) > 3 else "") + ")")
    if found.strays:
        reasons = sorted({s.reason for s in found.strays})
        notes.append(f"{len(found.strays)} paths not belonging ({', '.join(reasons)}; see ops.held_files)")
    return JobResult(rows_in=written, rows_out=written, held=held, message="; ".join(notes))


def ingested_files(ctx: JobContext, dates: list[str]) -> set[str]:
    """Source files already in bronze for these delivery dates (one name per file: small)."""
    if not table_exists(ctx.spark, ctx.cfg, RAW_EVENTS):
        return set()
    return {r.source_file for r in read_table(ctx.spark, ctx.cfg, RAW_EVENTS)
            .where(F.col("landing_date").isin(dates)).select("source_file").distinct().collect()}


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
