"""Daily partials (pure): silver events folded once per event day and delivery day.

A night's window is the sum of its days' partials, so a night folds only what was delivered
since the last one and no gold job reads the window's silver events. Rows stay per account
(links between accounts and profiles change; the window resolves them as of its date) and per
delivery day (a snapshot as of D sees what was delivered by D, a backfill with late events sees
more). Whatever the gold jobs read of an event is kept; the rest (event ids, files, lines,
times of anything but posts) is folded away into the `events` count.
"""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from schemas.silver_daily_partials import DAILY_PARTIALS


def daily_partials(events: DataFrame) -> DataFrame:
    """silver.events rows → silver.daily_partials rows (every delivery day they hold)."""
    post = F.col("event_type") == "post"
    folded = events.groupBy(
        "event_date", "landing_date", "event_type", "actor_account", "target_account",
        F.when(post, F.col("content_id")).alias("content_id"),
        F.when(post, F.col("event_time")).alias("event_time"),
        "target_content_id", "topics",
        (post & F.col("has_link")).alias("has_link"),
    ).agg(F.count(F.lit(1)).alias("events"))
    return DAILY_PARTIALS.conform(folded)


def stale_slices(ingested: DataFrame, built: DataFrame) -> DataFrame:
    """Delivery days whose slice is missing or older than their parsed files.

    `ingested`: ops.ingested_files; `built`: ops.partial_slices. Returns landing_date, files and
    accepted as the ledger says now (what the rebuilt slice will reflect)."""
    now = ingested.groupBy("landing_date").agg(
        F.count(F.lit(1)).alias("files"), F.sum(F.coalesce("accepted", F.lit(0))).alias("accepted"))
    latest = (built.groupBy("landing_date")
              .agg(F.max_by(F.struct("files", "accepted"), "built_at").alias("_built"))
              .select("landing_date", F.col("_built.files").alias("_files"),
                      F.col("_built.accepted").alias("_accepted")))
    return (now.join(latest, "landing_date", how="left")
            .where(F.col("_files").isNull() | (F.col("_files") != F.col("files"))
                   | (F.col("_accepted") != F.col("accepted")))
            .select("landing_date", "files", "accepted"))
