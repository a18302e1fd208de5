"""Per landed file: how its lines ended (accepted, quarantined, duplicate, withheld), counted
with one aggregation, checked to add up, and recorded in ops.ingested_files. Shared by the
silver jobs of the events and of the account links."""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from pipelines.core.errors import DataQualityError
from pipelines.core.io import merge_insert_new, read_table, table_exists
from pipelines.core.jobrun import JobContext, JobResult
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.ops_ingested_files import INGESTED_FILES

OUTCOMES = ("accepted", "quarantined", "conflicting", "duplicates", "withheld", "lost")


def pending_files(ctx: JobContext, feeds: tuple[str, ...]) -> list[tuple[str, object]]:
    """Bronze files of these feeds, delivered up to the run date, that silver has not parsed yet.

    One row per file (thousands, not events) comes to the driver.
    """
    if not table_exists(ctx.spark, ctx.cfg, RAW_EVENTS):   # nothing ingested yet (all held, say)
        return []
    files = (read_table(ctx.spark, ctx.cfg, RAW_EVENTS)
             .where((F.col("landing_date") <= F.lit(ctx.run_date)) & F.col("network").isin(*feeds))
             .select("source_file", "landing_date").distinct())
    if table_exists(ctx.spark, ctx.cfg, INGESTED_FILES):
        files = files.join(read_table(ctx.spark, ctx.cfg, INGESTED_FILES).select("source_file"),
                           "source_file", how="left_anti")
    return sorted((r.source_file, r.landing_date) for r in files.collect())


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


def record_files(ctx: JobContext, job: str, pending: list[tuple[str, object]],
                 per_file: dict[str, dict[str, int]]) -> JobResult:
    """Check every file reconciles exactly, record it in ops.ingested_files, and total it up."""
    totals = dict.fromkeys(OUTCOMES, 0)
    rows, broken = [], []
    for source_file, landing_date in pending:
        counts = per_file.get(source_file, dict.fromkeys(OUTCOMES, 0))
        lines = sum(counts.values())
        if counts["lost"]:
            broken.append(f"{source_file}: {lines} lines, {counts['lost']} lost")
        # a conflicting duplicate is quarantined (reason conflicting_duplicate)
        rows.append((source_file, landing_date, ctx.run_id, lines, counts["accepted"],
                     counts["quarantined"] + counts["conflicting"], counts["duplicates"], counts["withheld"]))
        totals = {k: totals[k] + counts[k] for k in OUTCOMES}
    if broken:
        raise DataQualityError(f"{job} {ctx.run_date}: landed != accepted + quarantined + duplicates + "
                               f"withheld in {len(broken)} files, e.g. {broken[0]}")
    merge_insert_new(ctx.spark, ctx.spark.createDataFrame(rows, INGESTED_FILES.schema), ctx.cfg, INGESTED_FILES)
    landed = sum(r[3] for r in rows)
    return JobResult(rows_in=landed, rows_out=totals["accepted"],
                     quarantined=totals["quarantined"] + totals["conflicting"],
                     duplicates=totals["duplicates"], withheld=totals["withheld"],
                     message=f"{len(pending)} files" + (f", {totals['conflicting']} conflicting duplicates "
                                                         f"quarantined" if totals["conflicting"] else ""))
