"""window: silver.daily_partials (the window ending at D) → gold.engagement_edges,
gold.profile_features and gold.topic_scores for D.

The one stage of a nightly that reads the window: its partials are read, resolved to profiles
and kept once, engager quality is computed once (and published on every edge), and the three
snapshots that need the window's events are built from them. The edges of a model whose rules
allow it (the published v6) come from the window's state carried across nights instead
(jobs/carried_window.py: counts per account pair and event day, the day before's plus tonight's
slice); features and topics still read the window's rows. Each is published through the
data-quality gate (pipelines/quality/publish.py); features and topics read the edges as
published, so their bytes do not depend on whether the edges were computed in this attempt.
"""
from __future__ import annotations

import sys

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.carried_window import states_of
from jobs.profiles import accounts_as_of, profiles_as_of
from jobs.transforms.carry import carries, edges_from_state
from jobs.transforms.engagement import engagement_edges, engager_quality, in_window, weighted_interactions, with_profiles
from jobs.transforms.gaming import swap_ring_members
from jobs.transforms.identity import resolve_profile
from jobs.transforms.partials import net_retractions
from jobs.transforms.scoring import profile_features
from jobs.transforms.topics import topic_entropy, topic_scores
from pipelines.core.config import load_model, load_topics
from pipelines.core.io import read_table
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from pipelines.quality.publish import publish_snapshot
from schemas.model import Model
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_topic_scores import TOPIC_SCORES
from schemas.silver_daily_partials import DAILY_PARTIALS

JOB = "window"


def window_events(ctx: JobContext) -> DataFrame:
    """Events of the window ending at the run date, with actor_id/target_id profiles: the rows
    of silver.daily_partials (each folds `events` silver events; jobs/transforms/partials.py).

    The snapshot sees what was known on its date: events delivered by then, so a rerun of a
    past date reproduces it. `ctx.include_late` (a backfill asked to) also takes in events of
    the window delivered later. Events touching an opted-out profile are left out: its owner
    asked not to be scored. An event retracted by the run date counts nowhere (net_retractions).
    """
    return as_profiles(ctx, net_retractions(window_rows(ctx)))


def window_rows(ctx: JobContext) -> DataFrame:
    """The partial rows of the window ending at the run date, as delivered by then (or later, with
    `ctx.include_late`): not netted, not resolved to profiles."""
    rows = read_table(ctx.spark, ctx.cfg, DAILY_PARTIALS)
    if not ctx.include_late:
        rows = rows.where(F.col("landing_date") <= F.lit(ctx.run_date))
    return in_window(rows, snapshot_date=ctx.run_date, window_days=ctx.cfg.pipeline.window_days)


def as_profiles(ctx: JobContext, events: DataFrame) -> DataFrame:
    """`events` with actor_id (and target_id, when they have a target_account): the profiles
    owning their accounts as of the run date; rows touching an opted-out profile are left out
    (its owner asked not to be scored)."""
    accounts = accounts_as_of(ctx)
    opted_out = profiles_as_of(ctx).where(F.col("opted_out")).select(F.col("profile_id"))
    has_target = "target_account" in events.columns
    resolved = (with_profiles(events, accounts) if has_target
                else resolve_profile(events, accounts, account_col="actor_account", profile_col="actor_id"))
    resolved = resolved.join(opted_out.withColumnRenamed("profile_id", "actor_id"), "actor_id", how="left_anti")
    if not has_target:
        return resolved
    return resolved.join(opted_out.withColumnRenamed("profile_id", "target_id"), "target_id", how="left_anti")


def edges_of(ctx: JobContext, events: DataFrame, model: Model) -> tuple[DataFrame, str | None]:
    """The run date's engagement edges: from the window's state carried across nights when the
    model's rules allow it (jobs/carried_window.py), else from the window's rows."""
    days = ctx.cfg.pipeline.window_days
    if not carries(model):
        quality = engager_quality(events, human_daily_actions=model.engager_quality.human_daily_actions)
        return engagement_edges(events, quality, model, snapshot_date=ctx.run_date, window_days=days), None
    states, how = states_of(ctx, window_rows(ctx))
    return edges_from_state(as_profiles(ctx, states["pairs"]), as_profiles(ctx, states["solo"]), events, model,
                            snapshot_date=ctx.run_date, window_days=days), how


def run(ctx: JobContext) -> JobResult:
    """Publish the run date's edges, profile features and topic scores from one read of the window."""
    model = load_model(ctx.cfg.pipeline.model_version)
    events = window_events(ctx).persist()
    try:
        edges, how = edges_of(ctx, events, model)
        published = publish_snapshot(ctx, edges, ENGAGEMENT_EDGES)
        edges = read_table(ctx.spark, ctx.cfg, ENGAGEMENT_EDGES).where(F.col("snapshot_date") == F.lit(ctx.run_date))
        ontology = load_topics()
        publish_snapshot(ctx, profile_features(events, edges, model, snapshot_date=ctx.run_date,
                                               entropy=topic_entropy(events, ontology)), PROFILE_FEATURES)
        # tonight's engager quality as published (every interaction's engager has an edge)
        quality = edges.select(F.col("engager_id").alias("actor_id"), F.col("engager_quality").alias("quality")).distinct()
        interactions = weighted_interactions(events, quality, model, snapshot_date=ctx.run_date)
        swaps = swap_ring_members(interactions.where(F.col("event_type") == "endorse"), model.anti_gaming)
        publish_snapshot(ctx, topic_scores(interactions, events.where(F.col("event_type") == "post"), edges, swaps,
                                           model, ontology, snapshot_date=ctx.run_date), TOPIC_SCORES)
        rows_in = events.count()
    finally:
        events.unpersist()
    return JobResult(rows_in=rows_in, rows_out=published.rows, model_version=model.version, dq_outcome="passed",
                     message=how)


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
