"""daily_partials: silver.events of the delivery days parsed since their slice was folded
→ silver.daily_partials (jobs/transforms/partials.py), and a row per slice in ops.partial_slices.

A normal night folds one delivery day; a backfill folds its whole range in one pass; a late file
refolds only its delivery day. Each slice is replaced atomically (replaceWhere on its delivery
days), its rows that withdraw events in silver.partial_retractions likewise, then recorded: a
crash in between refolds the same rows on resume. The days' retractions are written first to
silver.retractions, where the fold finds every retraction of the window without reading its events.
"""
from __future__ import annotations

import datetime as dt
import sys

from pyspark.sql import functions as F

from jobs.transforms.partials import RETRACTION_KEYS, fold_slices, retraction_rows, stale_slices, withdrawing
from pipelines.core.io import append, read_table, replace_where, table_exists
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from schemas.ops_ingested_files import INGESTED_FILES
from schemas.ops_partial_slices import PARTIAL_SLICES
from schemas.silver_daily_partials import DAILY_PARTIALS, PARTIAL_RETRACTIONS, RETRACTIONS
from schemas.silver_events import EVENTS

JOB = "daily_partials"


def run(ctx: JobContext) -> JobResult:
    """Fold every stale delivery day's silver events into its slice of the partials."""
    spark, cfg = ctx.spark, ctx.cfg
    built = (read_table(spark, cfg, PARTIAL_SLICES) if table_exists(spark, cfg, PARTIAL_SLICES)
             else spark.createDataFrame([], PARTIAL_SLICES.schema))
    ingested = (read_table(spark, cfg, INGESTED_FILES) if table_exists(spark, cfg, INGESTED_FILES)
                else spark.createDataFrame([], INGESTED_FILES.schema))
    stale = stale_slices(ingested, built).collect()      # one row per delivery day: small
    if not table_exists(spark, cfg, DAILY_PARTIALS):
        replace_where(spark.createDataFrame([], DAILY_PARTIALS.schema), cfg, DAILY_PARTIALS, "true")
    if not table_exists(spark, cfg, PARTIAL_RETRACTIONS):   # partials folded by a release that did not keep them
        replace_where(withdrawing(read_table(spark, cfg, DAILY_PARTIALS)), cfg, PARTIAL_RETRACTIONS, "true")
    if not table_exists(spark, cfg, RETRACTIONS):   # likewise: found among silver's events once
        folded_before = table_exists(spark, cfg, PARTIAL_SLICES) and table_exists(spark, cfg, EVENTS)
        replace_where(retraction_rows(read_table(spark, cfg, EVENTS)) if folded_before
                      else spark.createDataFrame([], RETRACTIONS.schema), cfg, RETRACTIONS, "true")
    if not stale:
        return JobResult(rows_in=0, rows_out=0, message="every delivery day's slice is current")
    days = sorted(s.landing_date for s in stale)
    folded_columns = [f.name for f in EVENTS.schema.fields
                      if f.name in DAILY_PARTIALS.schema.names or f.name in RETRACTION_KEYS]
    silver = read_table(spark, cfg, EVENTS).select(*folded_columns)
    oldest = days[0] - dt.timedelta(days=cfg.pipeline.window_days)
    day_list = ", ".join(f"DATE'{d}'" for d in days)
    # the days' retractions first: the fold looks up what every retraction retracts in this table
    replace_where(retraction_rows(silver.where(F.col("landing_date").isin(days))).coalesce(1), cfg, RETRACTIONS,
                  f"landing_date IN ({day_list})")
    # one file per event day written (a night's late events touch a few earlier days)
    folded = fold_slices(silver, days, oldest_event_date=oldest,
                         retractions=read_table(spark, cfg, RETRACTIONS)).repartition("event_date").persist()
    try:
        replace_where(folded, cfg, DAILY_PARTIALS, f"landing_date IN ({day_list})")
        replace_where(withdrawing(folded), cfg, PARTIAL_RETRACTIONS, f"landing_date IN ({day_list})")
        slices = folded.groupBy("landing_date").agg(F.sum("events").alias("events"),
                                                    F.count(F.lit(1)).alias("rows")).collect()
    finally:
        folded.unpersist()
    per_day, rows = {r.landing_date: r.events for r in slices}, sum(r.rows for r in slices)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    append(spark.createDataFrame([(s.landing_date, s.files, s.accepted, per_day.get(s.landing_date, 0),
                                   ctx.run_id, now) for s in stale], PARTIAL_SLICES.schema), cfg, PARTIAL_SLICES)
    first, last = min(s.landing_date for s in stale), max(s.landing_date for s in stale)
    return JobResult(rows_in=sum(per_day.values()), rows_out=rows,
                     message=f"{len(stale)} delivery day(s) folded, {first}..{last}")


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
