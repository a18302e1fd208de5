"""Shared read for the gold jobs: the window's daily partials, resolved to profiles."""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.profiles import accounts_as_of, profiles_as_of
from jobs.transforms.engagement import in_window, with_profiles
from pipelines.core.io import read_table
from pipelines.core.jobrun import JobContext
from schemas.silver_daily_partials import DAILY_PARTIALS


def window_events(ctx: JobContext) -> DataFrame:
    """Events of the window ending at the run date, with actor_id/target_id profiles: the rows
    of silver.daily_partials (each folds `events` silver events; jobs/transforms/partials.py).

    The snapshot sees what was known on its date: events delivered by then, so a rerun of a
    past date reproduces it. `ctx.include_late` (a backfill asked to) also takes in events of
    the window delivered later. Events touching an opted-out profile are left out: its owner
    asked not to be scored.
    """
    events = read_table(ctx.spark, ctx.cfg, DAILY_PARTIALS)
    if not ctx.include_late:
        events = events.where(F.col("landing_date") <= F.lit(ctx.run_date))
    events = in_window(events, snapshot_date=ctx.run_date, window_days=ctx.cfg.pipeline.window_days)
    resolved = with_profiles(events, accounts_as_of(ctx))
    opted_out = profiles_as_of(ctx).where(F.col("opted_out")).select(F.col("profile_id"))
    return (resolved.join(opted_out.withColumnRenamed("profile_id", "actor_id"), "actor_id", how="left_anti")
            .join(opted_out.withColumnRenamed("profile_id", "target_id"), "target_id", how="left_anti"))
