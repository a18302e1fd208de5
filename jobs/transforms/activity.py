"""What each profile did in the window, per active day (pure): the one rule for its activity.

A profile's own activity (active days, actions, first day seen, actions by type) feeds its
features (jobs/transforms/scoring.py) and, as actions per active day, its engager quality. Both
read one frame, `daily_activity`: per profile and event day, its actions by type, from the
window's rows or from the window's carried state (jobs/transforms/carry.py, `state_activity`).
"""
from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from schemas.silver_events import SCORED_TYPES

OWN_TYPES = ("post", "share", "reply", "mention")   # the ratios of a profile's behaviour


def total(counts: Column | None = None, types=SCORED_TYPES) -> Column:
    """The day's actions of every type in `types`: fields of the struct `counts`, or the frame's columns."""
    return sum((counts[t] if counts is not None else F.col(t) for t in types), F.lit(0))


def daily_activity(events: DataFrame) -> DataFrame:
    """Window events (actor_id, event_date, event_type, events) → actor_id, event_date, a count
    per scored type and `actions` (all of them); days with no action left out."""
    by_type = [F.sum(F.when(F.col("event_type") == t, F.col("events")).otherwise(F.lit(0))).cast("long").alias(t)
               for t in SCORED_TYPES]
    return with_actions(events.groupBy("actor_id", "event_date").agg(*by_type))


def with_actions(per_day: DataFrame) -> DataFrame:
    """Per profile and day, counts by type → the same with `actions`, days of none dropped."""
    return per_day.withColumn("actions", total()).where(F.col("actions") > 0)


def own_activity(activity: DataFrame) -> DataFrame:
    """daily_activity → per profile: active_days, _actions, _first_seen and _<type> for OWN_TYPES."""
    return activity.groupBy(F.col("actor_id").alias("profile_id")).agg(
        F.count(F.lit(1)).cast("int").alias("active_days"),
        F.sum("actions").alias("_actions"),
        F.min("event_date").alias("_first_seen"),
        *[F.sum(t).alias(f"_{t}") for t in OWN_TYPES])


def actions_per_active_day(activity: DataFrame) -> DataFrame:
    """daily_activity → per profile: actions and active_days (engager quality's rate)."""
    return activity.groupBy("actor_id").agg(F.sum("actions").alias("actions"),
                                            F.count(F.lit(1)).alias("active_days"))
