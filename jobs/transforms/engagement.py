"""The window's events → engager quality and engager → author edges (pure).

A window row folds `events` like events (silver.daily_partials); every count and sum here
counts each of them."""
from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from jobs.transforms.activity import actions_per_active_day
from jobs.transforms.gaming import automation, burst_factors, ring_factors, swap_ring_members
from jobs.transforms.identity import resolve_profile
from jobs.transforms.sums import exact_sum
from schemas.model import Model
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES


def window_start(snapshot_date: dt.date, window_days: int) -> dt.date:
    """The first event date of the window ending at (and including) the snapshot date: the one
    window rule, read by the gold jobs and by `clout explain`."""
    return snapshot_date - dt.timedelta(days=window_days - 1)


def in_window(events: DataFrame, *, snapshot_date: dt.date, window_days: int) -> DataFrame:
    start = window_start(snapshot_date, window_days)
    return events.where(F.col("event_date").between(F.lit(start), F.lit(snapshot_date)))


def with_profiles(events: DataFrame, accounts: DataFrame) -> DataFrame:
    """Resolve actor and target accounts to profiles (registered or public-only)."""
    actor = resolve_profile(events, accounts, account_col="actor_account", profile_col="actor_id")
    return resolve_profile(actor, accounts, account_col="target_account", profile_col="target_id")


def engager_quality(events: DataFrame, *, human_daily_actions: float) -> DataFrame:
    """Per actor: actions per active day, and a quality in (0, 1] that falls with hyperactivity.

    Someone acting far above a human rate is probably automated; each of their actions weighs
    human_daily_actions / rate, so their total weight per day is capped at a human's. (Every row
    of `events` is an action; `quality_per_actor` reads the same from a window's daily activity.)
    """
    per_actor = (events.groupBy("actor_id")
                 .agg(F.sum("events").alias("actions"),
                      F.countDistinct("event_date").alias("active_days")))
    return _with_quality(per_actor, human_daily_actions)


def quality_per_actor(activity: DataFrame, *, human_daily_actions: float) -> DataFrame:
    """engager_quality from the window's actions per profile and day (activity.py's daily_activity)."""
    return _with_quality(actions_per_active_day(activity), human_daily_actions)


def _with_quality(per_actor: DataFrame, human_daily_actions: float) -> DataFrame:
    rate = F.col("actions") / F.col("active_days")
    return per_actor.select("actor_id", rate.alias("daily_actions"),
                            quality_of(rate, human_daily_actions=human_daily_actions).alias("quality"))


def quality_of(daily_actions: Column, *, human_daily_actions: float) -> Column:
    """An engager's quality from its actions per active day (engager_quality)."""
    return F.least(F.lit(1.0), F.lit(human_daily_actions) / daily_actions)


def type_weight(model: Model) -> Column:
    """How much one interaction of its `event_type` says about influence."""
    weights = model.interaction_weights.model_dump()
    return F.element_at(F.create_map(*[F.lit(x) for kv in weights.items() for x in kv]), F.col("event_type"))


def age_days(snapshot_date: dt.date) -> Column:
    return F.datediff(F.lit(snapshot_date), F.col("event_date"))


def recency(model: Model, snapshot_date: dt.date) -> Column:
    """An event's weight by its age: halved every recency half-life."""
    return F.pow(F.lit(0.5), age_days(snapshot_date) / F.lit(model.recency_half_life_days))


def weighted_interactions(events: DataFrame, quality: DataFrame | None, model: Model, *,
                          snapshot_date: dt.date) -> DataFrame:
    """Every interaction of one profile with another, weighted by its type, its recency and the
    engager's quality: actor_id, target_id, event_type, event_date, target_content_id, topics
    (the event's own tags), w (one event's weight), w_event (its weight by type and recency, before
    the engager's quality), events (how many the row folds) and week (0 = the snapshot's week).

    `quality`: actor_id, quality; None when `events` carry their engager's `quality` already (looked
    up with their profiles), and then also, if they have it, their edge's `_discount`
    (`edge_discount`), which is passed on."""
    by_type_and_age = type_weight(model) * recency(model, snapshot_date)
    rated = events if quality is None else events.join(quality.select("actor_id", "quality"), "actor_id", how="inner")
    passed_on = [c for c in ("_discount",) if quality is None and c in events.columns]
    return (between_profiles(rated)
            .select("actor_id", "target_id", "event_type", "event_date", "target_content_id", "topics",
                    (by_type_and_age * F.col("quality")).alias("w"), by_type_and_age.alias("w_event"),
                    "events", F.floor(age_days(snapshot_date) / 7).alias("week"), *passed_on))


def edge_discount(edges: DataFrame, *also: Column) -> DataFrame:
    """Per engager → author edge (actor_id, target_id): `_discount`, the share of its weight the
    anti-gaming discounts left (weight / raw_weight), which everything that travelled on it takes;
    with `also`, those columns of the edge too."""
    return edges.select(F.col("engager_id").alias("actor_id"), F.col("author_id").alias("target_id"), *also,
                        F.coalesce(F.try_divide("weight", "raw_weight"), F.lit(1.0)).alias("_discount"))


def between_profiles(events: DataFrame) -> DataFrame:
    """The window's interactions of one profile with another (no posts, no self-engagement)."""
    return events.where((F.col("event_type") != "post") & F.col("target_id").isNotNull()
                        & (F.col("actor_id") != F.col("target_id")))


def discounted_pairs(interactions: DataFrame, model: Model, *, window_days: int) -> DataFrame:
    """weighted_interactions → engager_id, author_id, interactions, raw_weight and weight (burst
    weeks damped), materialised once: the ring signals read the pairs five times (both
    directions, triangles)."""
    bursts = burst_factors(interactions, model.anti_gaming, window_days=window_days)
    damped = interactions.join(bursts, ["target_id", "week"], how="inner")
    return (damped.groupBy(F.col("actor_id").alias("engager_id"), F.col("target_id").alias("author_id"))
            .agg(F.sum("events").alias("interactions"), exact_sum(F.col("w") * F.col("events")).alias("raw_weight"),
                 exact_sum(F.col("w") * F.col("events") * F.col("burst_factor")).alias("weight"))
            ).localCheckpoint()


def engagement_edges(events: DataFrame, quality: DataFrame, model: Model, *, snapshot_date: dt.date,
                     window_days: int) -> DataFrame:
    """Engager → author edges: interactions weighted by type, recency and engager quality, then
    discounted for gaming (jobs/transforms/gaming.py): burst weeks damped, mutual engagement
    inside reciprocal rings and everything an automated account earns counted less.

    Posts have no author other than the actor; self-edges (one person's own accounts, on any
    network) are excluded because they resolve to the same profile.
    """
    ag = model.anti_gaming
    interactions = weighted_interactions(events, quality, model, snapshot_date=snapshot_date)
    pairs = discounted_pairs(interactions, model, window_days=window_days)
    automated = automation(events, ag).select(F.col("profile_id").alias("author_id"), "automation_factor")
    swaps = swap_ring_members(interactions.where(F.col("event_type") == "endorse"), ag)
    edges = (ring_factors(pairs, ag, swaps).join(automated, "author_id", how="left")
             .fillna({"automation_factor": 1.0})
             .join(quality.select(F.col("actor_id").alias("engager_id"), F.col("quality").alias("engager_quality")),
                   "engager_id"))
    # sums are exact (jobs/transforms/sums.py) and weights kept to 1e-9, so a rerun or a
    # cluster publishes the same bytes
    return ENGAGEMENT_EDGES.conform(
        edges.withColumn("burst_factor", F.round(F.when(F.col("raw_weight") > 0, F.least(
            F.lit(1.0), F.col("weight") / F.col("raw_weight"))).otherwise(F.lit(1.0)), 9))
        .withColumn("weight", F.round(F.col("weight") * F.col("ring_factor") * F.col("automation_factor"), 9))
        .withColumn("raw_weight", F.round("raw_weight", 9))
        .withColumn("snapshot_date", F.lit(snapshot_date)))
