"""Per landed file: how its lines ended (accepted, quarantined, duplicate, withheld), counted
with one aggregation, checked to add up, and recorded in ops.ingested_files. Shared by the
silver jobs of the events and of the account links."""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Callable, NamedTuple, TypeVar

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from pipelines.core.errors import DataQualityError
from pipelines.core.io import merge_insert_new, read_table, table_exists
from pipelines.core.jobrun import JobContext, JobResult
from pipelines.core.log import log_event
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.ops_ingested_files import INGESTED_FILES

OUTCOMES = ("accepted", "quarantined", "conflicting", "duplicates", "withheld", "lost")


Landed = TypeVar("Landed")   # a landed file with its landing_date and source_file


class PendingFile(NamedTuple):
    source_file: str
    landing_date: object
    lines: int


def pending_files(ctx: JobContext, feeds: tuple[str, ...]) -> list[PendingFile]:
    """Bronze files of these feeds, delivered up to the run date, that silver has not parsed yet,
    oldest landing date first, with their landed lines.

    One row per file (thousands, not events) comes to the driver.
    """
    if not table_exists(ctx.spark, ctx.cfg, RAW_EVENTS):   # nothing ingested yet (all held, say)
        return []
    files = (read_table(ctx.spark, ctx.cfg, RAW_EVENTS)
             .where((F.col("landing_date") <= F.lit(ctx.run_date)) & F.col("network").isin(*feeds))
             .groupBy("landing_date", "source_file").count())
    if table_exists(ctx.spark, ctx.cfg, INGESTED_FILES):
        files = files.join(read_table(ctx.spark, ctx.cfg, INGESTED_FILES).select("source_file"),
                           "source_file", how="left_anti")
    return sorted(PendingFile(r.source_file, r.landing_date, r["count"]) for r in files.collect())


def landing_batches(files: list[Landed], max_size: int, size: Callable[[Landed], int]) -> list[list[Landed]]:
    """Files (each with its `landing_date` and `source_file`) cut into batches of whole landing
    dates, oldest first, each of at most `max_size` by `size` (bronze: landed bytes; silver: landed
    lines) unless one date alone is larger (it is then a batch of its own).

    A night ingests one delivery day: one batch. A backlog of months (the first nightly on a landing
    zone filled over a season) would otherwise be taken at once, its scratch growing with it (88M
    lines filled 72 GB, docs/capacity.md). Batches in date order keep the first delivery of an
    event the one silver holds, and a later batch finds the content an earlier one admitted.
    """
    per_date: dict[object, list[Landed]] = {}
    for f in sorted(files, key=lambda f: (f.landing_date, f.source_file)):
        per_date.setdefault(f.landing_date, []).append(f)
    batches: list[list[Landed]] = []
    total = 0
    for of_date in per_date.values():
        date_size = sum(size(f) for f in of_date)
        if batches and total + date_size <= max_size:
            batches[-1].extend(of_date)
            total += date_size
        else:
            batches.append(list(of_date))
            total = date_size
    return batches


def in_turn(ctx: JobContext, job: str, batches: list[list[Landed]]) -> Iterator[list[Landed]]:
    """The batches one after another; when there are several (a backlog), each that completes is
    logged (event `batch`: its number of all, its landing dates, files and seconds), so a backlog of
    hours shows its progress."""
    for number, batch in enumerate(batches, start=1):
        started = time.perf_counter()
        yield batch
        if len(batches) > 1:
            dates = sorted({f.landing_date for f in batch})
            log_event("batch", job=job, run_id=ctx.run_id, date=str(ctx.run_date), batch=f"{number}/{len(batches)}",
                      landing_dates=f"{dates[0]}..{dates[-1]}", files=len(batch),
                      seconds=round(time.perf_counter() - started, 1))


def batch_rows(ctx: JobContext, batch: list[PendingFile]) -> DataFrame:
    """The bronze rows of a batch's files (read by landing date: pruned to the batch's partitions)."""
    return (read_table(ctx.spark, ctx.cfg, RAW_EVENTS)
            .where(F.col("landing_date").isin(sorted({f.landing_date for f in batch}))
                   & F.col("source_file").isin([f.source_file for f in batch])))


def in_batch(batch: list[PendingFile]) -> str:
    """A MERGE condition on the target's landing_date: the batch's landing dates (what its rows can touch)."""
    return "t.landing_date IN (" + ", ".join(f"DATE'{d}'" for d in sorted({f.landing_date for f in batch})) + ")"


def with_outcome(validated: DataFrame, first_deliveries: DataFrame, keys: list[str],
                 content: list[str] | None = None) -> DataFrame:
    """Add `outcome` to every validated line: `quarantined` (a reason), `withheld` (flagged so),
    `accepted` (the table holds this line as the first delivery of its key), `duplicates` (the
    table holds another delivery of the key), `conflicting` (another delivery of the key whose
    `content` columns differ: the first delivery wins, this version is quarantined), `lost`
    (none of these: must never happen)."""
    content = content or []
    fingerprint = lambda: F.xxhash64(*[F.col(c) for c in content]) if content else F.lit(0)
    first = first_deliveries.select(*keys, F.col("source_file").alias("_first_file"),
                                    F.col("line_number").alias("_first_line"),
                                    fingerprint().alias("_first_content"))
    outcome = (F.when(F.col("reason").isNotNull(), "quarantined")
               .when(F.col("withheld"), "withheld")
               .when(F.col("_first_file").isNull(), "lost")
               .when((F.col("_first_file") == F.col("source_file"))
                     & (F.col("_first_line") == F.col("line_number")), "accepted")
               .when(fingerprint() != F.col("_first_content"), "conflicting")
               .otherwise("duplicates"))
    return (validated.join(first, keys, how="left")
            .select(*validated.columns, outcome.alias("outcome")))


def outcome_counts(classified: DataFrame) -> dict[str, dict[str, int]]:
    """Per source file, its lines by outcome (one aggregation: a row per file and outcome)."""
    per_file: dict[str, dict[str, int]] = {}
    for r in classified.groupBy("source_file", "outcome").count().collect():
        per_file.setdefault(r.source_file, dict.fromkeys(OUTCOMES, 0))[r.outcome] = r["count"]
    return per_file


def ingest_in_batches(ctx: JobContext, job: str, pending: list[PendingFile], max_lines: int,
                      ingest: Callable[[list[PendingFile]], dict[str, dict[str, int]]]) -> JobResult:
    """Ingest the pending files batch by batch (landing_batches): `ingest` parses and MERGEs one
    batch and returns its lines' outcomes per file; each batch's files are checked and recorded as
    it completes, so a crash resumes at the first batch not recorded. Totalled up."""
    batches = landing_batches(pending, max_lines, size=lambda f: f.lines)
    totals = dict.fromkeys(OUTCOMES, 0)
    for batch in in_turn(ctx, job, batches):
        counted = record_files(ctx, job, batch, ingest(batch))
        totals = {k: totals[k] + counted[k] for k in OUTCOMES}
    in_batches = f" in {len(batches)} batches of at most {max_lines:,} lines" if len(batches) > 1 else ""
    conflicting = f", {totals['conflicting']} conflicting duplicates quarantined" if totals["conflicting"] else ""
    return JobResult(rows_in=sum(f.lines for f in pending), rows_out=totals["accepted"],
                     quarantined=totals["quarantined"] + totals["conflicting"],
                     duplicates=totals["duplicates"], withheld=totals["withheld"],
                     message=f"{len(pending)} files{in_batches}{conflicting}")


def record_files(ctx: JobContext, job: str, pending: list[PendingFile],
                 per_file: dict[str, dict[str, int]]) -> dict[str, int]:
    """Check every file reconciles exactly — its landed lines are accepted, quarantined, duplicates
    or withheld, none lost — record it in ops.ingested_files, and total the outcomes up."""
    totals = dict.fromkeys(OUTCOMES, 0)
    rows, broken = [], []
    for source_file, landing_date, landed in pending:
        counts = per_file.get(source_file, dict.fromkeys(OUTCOMES, 0))
        lines = sum(counts.values())
        if counts["lost"] or lines != landed:
            broken.append(f"{source_file}: {landed} lines landed, {lines} given an outcome, {counts['lost']} lost")
        # a conflicting duplicate is quarantined (reason conflicting_duplicate)
        rows.append((source_file, landing_date, ctx.run_id, lines, counts["accepted"],
                     counts["quarantined"] + counts["conflicting"], counts["duplicates"], counts["withheld"]))
        totals = {k: totals[k] + counts[k] for k in OUTCOMES}
    if broken:
        raise DataQualityError(f"{job} {ctx.run_date}: landed != accepted + quarantined + duplicates + "
                               f"withheld in {len(broken)} files, e.g. {broken[0]}")
    merge_insert_new(ctx.spark, ctx.spark.createDataFrame(rows, INGESTED_FILES.schema), ctx.cfg, INGESTED_FILES)
    return totals
