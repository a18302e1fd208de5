"""ingest_silver: bronze.raw_events not yet parsed (delivery dates <= D) → silver.events + silver.quarantine.

Parses each network's native shape, quarantines every failing line with a reason code, and
MERGEs valid events into silver.events on (network, event_id), so a re-delivered event is
dropped as a duplicate and a rerun inserts nothing. Events touching a profile that opted out
(in any landed link record so far) or a forgotten one (ops.erasures) are withheld: not admitted,
only counted. Then it reconciles: every landed line is accepted (silver holds it as the first
delivery), quarantined, a duplicate, or withheld — exactly.
"""
from __future__ import annotations

import sys

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.transforms.events import (accepted_candidates, parse_all_networks, quarantined, validate,
                                   with_opt_outs)
from pipelines.core.errors import DataQualityError
from pipelines.core.io import merge_insert_new, read_table, table_exists
from jobs.profiles import opted_out_accounts
from pipelines.core.erasures import erased_hashes
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.ops_ingested_files import INGESTED_FILES
from schemas.silver_events import EVENTS
from schemas.silver_quarantine import QUARANTINE

JOB = "ingest_silver"


def run(ctx: JobContext) -> JobResult:
    """Parse, validate, quarantine and MERGE the bronze lines of the run date into silver."""
    ing = ctx.cfg.ingest
    pending = pending_files(ctx)
    if not pending:
        return JobResult(rows_in=0, rows_out=0, quarantined=0, duplicates=0,
                         message="no bronze files waiting to be parsed")
    dates = sorted({d for _, d in pending})
    landed = (read_table(ctx.spark, ctx.cfg, RAW_EVENTS)
              .where(F.col("landing_date").isin(dates)
                     & F.col("source_file").isin([f for f, _ in pending])))
    validated = with_opt_outs(
        validate(parse_all_networks(landed, max_payload_bytes=ing.max_payload_bytes),
                 oldest_event_date=ing.oldest_event_date, future_tolerance_days=ing.future_tolerance_days),
        opted_out_accounts(ctx), erased_hashes(ctx.spark, ctx.cfg, "account")).persist()
    try:
        bad = quarantined(validated)
        landing_list = ", ".join(f"DATE'{d}'" for d in dates)
        merge_insert_new(ctx.spark, bad, ctx.cfg, QUARANTINE,
                         extra_condition=f"t.landing_date IN ({landing_list})")
        good = accepted_candidates(validated).persist()  # read twice: its dates, then the MERGE
        event_dates = [r.event_date for r in good.select("event_date").distinct().collect()]
        date_list = ", ".join(f"DATE'{d}'" for d in event_dates) or "NULL"
        merge_insert_new(ctx.spark, good, ctx.cfg, EVENTS,
                         extra_condition=f"t.event_date IN ({date_list}) AND t.event_date = s.event_date")
        good.unpersist()
        silver = (read_table(ctx.spark, ctx.cfg, EVENTS)
                  .where(F.col("event_date").isin(event_dates) if event_dates else F.lit(False)))
        counts = classify(validated, silver)
    finally:
        validated.unpersist()
    landed_n = counts["landed"]
    accounted = counts["accepted"] + counts["quarantined"] + counts["duplicates"] + counts["withheld"]
    if landed_n != accounted:
        raise DataQualityError(
            f"ingest_silver {ctx.run_date}: landed {landed_n} != accepted {counts['accepted']} + "
            f"quarantined {counts['quarantined']} + duplicates {counts['duplicates']} + "
            f"withheld {counts['withheld']} (lost {counts['lost']})")
    done = ctx.spark.createDataFrame([(f, d, ctx.run_id) for f, d in pending], INGESTED_FILES.schema)
    merge_insert_new(ctx.spark, done, ctx.cfg, INGESTED_FILES)
    return JobResult(rows_in=landed_n, rows_out=counts["accepted"],
                     quarantined=counts["quarantined"], duplicates=counts["duplicates"],
                     withheld=counts["withheld"])


def pending_files(ctx: JobContext) -> list[tuple[str, object]]:
    """Bronze files of delivery dates up to the run date that silver has not parsed yet.

    One row per file (thousands, not events) comes to the driver.
    """
    files = (read_table(ctx.spark, ctx.cfg, RAW_EVENTS)
             .where(F.col("landing_date") <= F.lit(ctx.run_date))
             .select("source_file", "landing_date").distinct())
    if table_exists(ctx.spark, ctx.cfg, INGESTED_FILES):
        files = files.join(read_table(ctx.spark, ctx.cfg, INGESTED_FILES), "source_file", how="left_anti")
    return sorted((r.source_file, r.landing_date) for r in files.collect())


def classify(validated: DataFrame, silver: DataFrame) -> dict[str, int]:
    """Count landed lines by outcome with one aggregation (nothing per-event to the driver).

    A valid line is `withheld` when it touches an opted-out profile, `accepted` when
    silver.events holds it as the event's first delivery, a `duplicate` when silver holds
    another delivery of the same event, and `lost` otherwise.
    """
    first = silver.select("network", "event_id", F.col("source_file").alias("_first_file"),
                          F.col("line_number").alias("_first_line"))
    outcome = (F.when(F.col("reason").isNotNull(), "quarantined")
               .when(F.col("withheld"), "withheld")
               .when(F.col("_first_file").isNull(), "lost")
               .when((F.col("_first_file") == F.col("source_file"))
                     & (F.col("_first_line") == F.col("line_number")), "accepted")
               .otherwise("duplicates"))
    rows = (validated.select("network", "event_id", "source_file", "line_number", "reason", "withheld")
            .join(first, ["network", "event_id"], how="left")
            .groupBy(outcome.alias("outcome")).count().collect())
    counts = {"accepted": 0, "quarantined": 0, "duplicates": 0, "withheld": 0, "lost": 0}
    counts.update({r.outcome: r["count"] for r in rows})
    counts["landed"] = sum(counts.values())
    return counts


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
