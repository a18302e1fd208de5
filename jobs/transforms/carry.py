"""The window carried across nights (pure): integer states, folded by delivery day.

Two states hold what the engagement edges and the profiles' activity need of the window ending
at D, by account (links between accounts and profiles change from night to night; the pass
resolves the state as of D):

- pairs: per engager account → author account, per event day, the interactions by type;
- solo: per account, per event day, the rest of what it did by type (posts, actions on no account).

Every value is a count, so a night's state is exactly the previous night's with the day that
left the window dropped and the new delivery day's partial rows added (retractions included:
they are rows of −1), and equals, row for row, the state built from the window's partials.
A day whose count falls to zero is dropped, as the window drops netted rows.

`state_activity` gives the window's daily activity (jobs/transforms/activity.py) from the states;
`edges_from_state` computes the engagement edges of a model whose rules a carried state can feed
(`carries`: v6, bursts spread over the author and weighed before engager quality) from the
states and the window's posts; jobs/transforms/engagement.py's path computes the same from the
window's rows, to the last rounding of its sums.
"""
from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from jobs.transforms.activity import total, with_actions
from jobs.transforms.engagement import age_days, quality_per_actor, recency, window_start
from jobs.transforms.gaming import automation, burst_factors, ring_factors, swap_ring_members
from jobs.transforms.sums import exact_sum
from schemas.model import Model
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.silver_events import SCORED_TYPES

INTERACTIONS = tuple(t for t in SCORED_TYPES if t != "post")


def carries(model: Model) -> bool:
    """Whether the model's edges can come from the carried state: a burst's loss spread over the
    author's edges and weighed before engager quality (v6), so nothing per engager and week is needed."""
    bursts = model.anti_gaming.bursts
    return bursts.spread == "author" and not bursts.engager_quality


def is_pair() -> Column:
    """A partial row that is an interaction of one account with another (the pairs' state); the rest
    is what an account did alone (posts, actions on no known account)."""
    return (F.col("event_type") != "post") & F.col("target_account").isNotNull()


def _in_day_order(entries: Column) -> Column:
    """(event day, value) entries in day order, whatever order they were gathered in: a list,
    not a map, so that states compare and group (Spark's maps do neither)."""
    return F.array_sort(entries)


def _days(rows: DataFrame, keys: list[str], types) -> DataFrame:
    """Partial rows → keys, days (event day → their counts by `types`, in day order; no day of zero)."""
    counts = [F.sum(F.when(F.col("event_type") == t, F.col("events")).otherwise(F.lit(0))).cast("long").alias(t)
              for t in types]
    per_day = rows.groupBy(*keys, "event_date").agg(*counts).where(total(types=types) != 0)
    day = F.struct("event_date", F.struct(*types).alias("n"))
    return per_day.groupBy(*keys).agg(_in_day_order(F.collect_list(day)).alias("days"))


def pair_days(rows: DataFrame) -> DataFrame:
    """Partial rows → actor_account, target_account, days (event day → interactions by type)."""
    return _days(rows.where(is_pair()), ["actor_account", "target_account"], INTERACTIONS)


def solo_days(rows: DataFrame) -> DataFrame:
    """Partial rows → actor_account, days (event day → actions by type that are not pair interactions)."""
    return _days(rows.where(~is_pair()), ["actor_account"], SCORED_TYPES)


def _stamped(state: DataFrame, *, snapshot_date: dt.date, window_days: int) -> DataFrame:
    return (state.withColumn("as_of", F.lit(snapshot_date))
            .withColumn("window_start", F.lit(window_start(snapshot_date, window_days))))


def window_state(window_rows: DataFrame, *, snapshot_date: dt.date, window_days: int) -> dict[str, DataFrame]:
    """The states of the window ending at `snapshot_date` (with as_of and window_start), from its
    partial rows (not netted: a retraction's −1 rows cancel inside the day's counts)."""
    return {"pairs": _stamped(pair_days(window_rows), snapshot_date=snapshot_date, window_days=window_days),
            "solo": _stamped(solo_days(window_rows), snapshot_date=snapshot_date, window_days=window_days)}


def _fold(previous: DataFrame, entering: DataFrame, keys: list[str], start: dt.date, types) -> DataFrame:
    """previous ⊕ entering, per key and day (days' values: counts by `types`): the days before
    `start` dropped, counts added, days of zero dropped, rows with no day left dropped.

    Most keys are on one side only (a pair not engaged tonight, or engaged for the first time):
    their day lists, already in day order and without a day of zero, are kept as they are (the
    old one cut at `start`); only keys on both sides are merged day by day."""
    def add(a, b):
        return F.struct(*[(a[t] + b[t]).alias(t) for t in types])

    def nonzero(v):
        return total(v, types) != 0
    day_field, value_field = entering.schema["days"].dataType.elementType.names
    kept = previous.select(*keys, F.filter("days", lambda d: d[day_field] >= F.lit(start)).alias("_old"))
    merged = kept.join(entering.select(*keys, F.col("days").alias("_new")), keys, how="full")
    both = F.map_zip_with(F.map_from_entries("_old"), F.map_from_entries("_new"),
                          lambda _, a, b: F.when(a.isNull(), b).when(b.isNull(), a).otherwise(add(a, b)))
    entries = F.transform(F.map_entries(F.map_filter(both, lambda _, v: nonzero(v))),
                          lambda e: F.struct(e["key"].alias(day_field), e["value"].alias(value_field)))
    days = (F.when(F.col("_new").isNull(), F.col("_old"))
            .when(F.col("_old").isNull(), F.col("_new"))
            .otherwise(_in_day_order(entries)))
    return merged.select(*keys, days.alias("days")).where(F.size("days") > 0)


def carried(previous: dict[str, DataFrame], delivered: DataFrame, *, snapshot_date: dt.date,
            window_days: int) -> dict[str, DataFrame]:
    """The states of the window ending at `snapshot_date` from those ending the day before and the
    partial rows delivered on `snapshot_date` (its slice): the day that left dropped, the new rows added."""
    start = window_start(snapshot_date, window_days)
    entering = delivered.where(F.col("event_date").between(F.lit(start), F.lit(snapshot_date)))
    pairs = _fold(previous["pairs"], pair_days(entering), ["actor_account", "target_account"], start, INTERACTIONS)
    solo = _fold(previous["solo"], solo_days(entering), ["actor_account"], start, SCORED_TYPES)
    return {"pairs": _stamped(pairs, snapshot_date=snapshot_date, window_days=window_days),
            "solo": _stamped(solo, snapshot_date=snapshot_date, window_days=window_days)}


def _day_weight(model: Model) -> Column:
    """A pair-day's interactions weighed by type (before recency and engager quality)."""
    weights = model.interaction_weights.model_dump()
    return sum((F.col(t) * F.lit(float(weights[t])) for t in INTERACTIONS), F.lit(0.0))


def state_activity(pairs: DataFrame, solo: DataFrame) -> DataFrame:
    """The window's daily activity (activity.py: actor_id, event_date, a count per scored type,
    actions) from the states resolved to profiles (actor_id on both)."""
    def entries(state: DataFrame, types) -> DataFrame:
        days = state.select("actor_id", F.inline("days"))
        return days.select("actor_id", "event_date",
                           *[(F.col("n")[t] if t in types else F.lit(0).cast("long")).alias(t) for t in SCORED_TYPES])
    per_day = (entries(pairs, INTERACTIONS).unionByName(entries(solo, SCORED_TYPES))
               .groupBy("actor_id", "event_date").agg(*[F.sum(t).alias(t) for t in SCORED_TYPES]))
    return with_actions(per_day)


def edges_from_state(pairs: DataFrame, activity: DataFrame, posts: DataFrame, model: Model, *,
                     snapshot_date: dt.date, window_days: int) -> DataFrame:
    """gold.engagement_edges rows of `snapshot_date` from the carried state (a model that `carries`).

    `pairs`: the pairs' state with actor_id and target_id resolved as of the date, rows touching an
    opted-out profile left out; `activity`: the window's daily activity from the states
    (`state_activity`); `posts`: the window's post rows with actor_id (the automation signal reads
    posting gaps). The same rules as engagement_edges: engager quality from actions per active
    day, a burst's loss spread over the author, rings and automation discounting, sums exact."""
    ag = model.anti_gaming
    entries = pairs.select("actor_id", "target_id", F.inline("days"))
    days = entries.select("actor_id", "target_id", "event_date",
                          *[F.col("n")[t].alias(t) for t in INTERACTIONS])
    interactions = sum((F.col(t) for t in INTERACTIONS), F.lit(0))
    days = days.select("actor_id", "target_id", "event_date", interactions.alias("events"),
                       F.col("endorse").alias("endorsements"),
                       (_day_weight(model) * recency(model, snapshot_date)).alias("w_event")).localCheckpoint()
    quality = quality_per_actor(activity, human_daily_actions=model.engager_quality.human_daily_actions).select(
        F.col("actor_id").alias("engager_id"), F.col("quality").alias("engager_quality"))
    between = days.where(F.col("actor_id") != F.col("target_id"))
    # a model that carries weighs a week before engager quality: burst_factors reads w_event, not w
    weeks = between.select("target_id", F.floor(age_days(snapshot_date) / 7).alias("week"),
                           "w_event", F.lit(1).alias("events"), F.lit(None).cast("double").alias("w"))
    # spread over the author: one factor for all its weeks
    bursts = (burst_factors(weeks, ag, window_days=window_days)
              .groupBy(F.col("target_id").alias("author_id")).agg(F.max("burst_factor").alias("burst_factor")))
    sums = (between.groupBy(F.col("actor_id").alias("engager_id"), F.col("target_id").alias("author_id"))
            .agg(F.sum("events").alias("interactions"), F.sum("endorsements").alias("endorsements"),
                 exact_sum("w_event").alias("_w_event")))
    weighted = (sums.join(quality, "engager_id").join(bursts, "author_id")
                .withColumn("raw_weight", F.col("engager_quality") * F.col("_w_event"))
                .withColumn("weight", F.col("raw_weight") * F.col("burst_factor"))
                .drop("_w_event").localCheckpoint())
    swaps = swap_ring_members(weighted.where(F.col("endorsements") > 0).select(
        F.col("engager_id").alias("actor_id"), F.col("author_id").alias("target_id"),
        F.col("endorsements").alias("events")), ag)
    automated = automation(posts, ag).select(F.col("profile_id").alias("author_id"), "automation_factor")
    edges = (ring_factors(weighted.drop("endorsements"), ag, swaps).join(automated, "author_id", how="left")
             .fillna({"automation_factor": 1.0}))
    return ENGAGEMENT_EDGES.conform(
        edges.withColumn("burst_factor", F.round(F.least(F.lit(1.0), F.col("burst_factor")), 9))
        .withColumn("weight", F.round(F.col("weight") * F.col("ring_factor") * F.col("automation_factor"), 9))
        .withColumn("raw_weight", F.round("raw_weight", 9))
        .withColumn("snapshot_date", F.lit(snapshot_date)))
