"""window: silver.daily_partials (the window ending at D) → gold.engagement_edges,
gold.profile_features and gold.topic_scores for D.

The one stage of a nightly that reads the window, for the three snapshots at once; engager quality
is computed once (and published on every edge). A model whose rules allow it (the published v6)
reads the window's state carried across nights (jobs/carried_window.py: counts per account pair,
and per account, by event day and type): its edges and every profile's daily activity come from
the state resolved per account pair; of the window's rows it resolves only posts and shares (by
actor: topics' breadth, posting gaps) and looks up the profiles of the interactions topic scores
read through the resolved pairs: two reads of the window's rows, netted each time and not kept
(netting finds the rows to net in silver.partial_retractions, not in the window). Other models
read the window's rows, resolved to profiles and kept (`from_rows`). Each snapshot is published
through the data-quality gate (pipelines/quality/publish.py); features and topics read the edges
as published, so their bytes do not depend on whether the edges were computed in this attempt.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.carried_window import states_of
from jobs.profiles import accounts_as_of, profiles_as_of
from jobs.transforms.activity import daily_activity
from jobs.transforms.carry import carries, edges_from_state, state_activity
from jobs.transforms.engagement import (edge_discount, engagement_edges, engager_quality, in_window, weighted_interactions,
                                        with_profiles)
from jobs.transforms.gaming import swap_ring_members
from jobs.transforms.identity import resolve_profile
from jobs.transforms.partials import net_retractions
from jobs.transforms.scoring import profile_features
from jobs.transforms.topics import CONTENT_ENGAGEMENTS, topic_entropy, topic_scores
from pipelines.core.config import load_model, load_topics
from pipelines.core.io import read_table, table_exists
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from pipelines.quality.publish import publish_snapshot
from schemas.model import Model
from schemas.ontology import Ontology
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_topic_scores import TOPIC_SCORES
from schemas import TableSpec
from schemas.silver_daily_partials import DAILY_PARTIALS, PARTIAL_RETRACTIONS

JOB = "window"
AUTHORED = ("post", "share")                       # what a profile wrote or passed on
TOPIC_INTERACTIONS = (*CONTENT_ENGAGEMENTS, "endorse")  # what topic scores read of interactions


def window_events(ctx: JobContext) -> DataFrame:
    """Events of the window ending at the run date, with actor_id/target_id profiles: the rows
    of silver.daily_partials (each folds `events` silver events; jobs/transforms/partials.py).

    The snapshot sees what was known on its date: events delivered by then, so a rerun of a
    past date reproduces it. `ctx.include_late` (a backfill asked to) also takes in events of
    the window delivered later. Events touching an opted-out profile are left out: its owner
    asked not to be scored. An event retracted by the run date counts nowhere (net_retractions).
    """
    return as_profiles(ctx, netted_rows(ctx))


def netted_rows(ctx: JobContext) -> DataFrame:
    """The window's partial rows with retracted events taken out (net_retractions), the rows that
    withdraw events read from silver.partial_retractions (a warehouse whose daily_partials stage
    has not kept them yet: found by a pass over the window)."""
    kept = table_exists(ctx.spark, ctx.cfg, PARTIAL_RETRACTIONS)
    return net_retractions(window_rows(ctx), window_rows(ctx, PARTIAL_RETRACTIONS) if kept else None)


def window_rows(ctx: JobContext, spec: TableSpec = DAILY_PARTIALS) -> DataFrame:
    """The partial rows of the window ending at the run date, as delivered by then (or later, with
    `ctx.include_late`): not netted, not resolved to profiles. With PARTIAL_RETRACTIONS: those of
    them that withdraw events."""
    rows = read_table(ctx.spark, ctx.cfg, spec)
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


def published_quality(edges: DataFrame) -> DataFrame:
    """Tonight's engager quality as published (every interaction's engager has an edge)."""
    return edges.select(F.col("engager_id").alias("actor_id"), F.col("engager_quality").alias("quality")).distinct()


def pair_lookup(pairs: DataFrame, edges: DataFrame) -> DataFrame:
    """Per account pair of the resolved pairs' state: actor_id, target_id, the engager's quality and
    the edge's `_discount` as published — what an interaction row needs, looked up once per pair, in
    one join: every pair of two profiles in the state has its edge (edges_from_state), and a pair of
    one profile with itself is no interaction (between_profiles)."""
    return (pairs.select("actor_account", "target_account", "actor_id", "target_id")
            .join(edge_discount(edges, F.col("engager_quality").alias("quality")), ["actor_id", "target_id"]))


@dataclass
class WindowReads:
    """What the window stage's three snapshots read of the window: `edges` (not yet published),
    `activity` (daily_activity), `authored` (posts and shares with actor_id: topics' breadth,
    posting gaps) and `interactions` (given the published edges: the weighted interactions topic
    scores read, weighted_interactions); `rows` the window's partial rows read (before netting: a
    count Delta's statistics answer), `how` the state's line."""
    edges: DataFrame
    activity: DataFrame
    authored: DataFrame
    interactions: Callable[[DataFrame], DataFrame]
    rows: int
    how: str | None
    kept: list[DataFrame]

    def release(self) -> None:
        for frame in self.kept:
            frame.unpersist()


def from_rows(ctx: JobContext, model: Model) -> WindowReads:
    """The window read from its rows, resolved to profiles once (models that do not carry)."""
    rows = netted_rows(ctx).persist()
    events = as_profiles(ctx, rows).persist()
    quality = engager_quality(events, human_daily_actions=model.engager_quality.human_daily_actions)
    edges = engagement_edges(events, quality, model, snapshot_date=ctx.run_date, window_days=ctx.cfg.pipeline.window_days)

    def interactions(published: DataFrame) -> DataFrame:
        return weighted_interactions(events, published_quality(published), model, snapshot_date=ctx.run_date)
    return WindowReads(edges, daily_activity(events), events.where(F.col("event_type").isin(*AUTHORED)),
                       interactions, window_rows(ctx).count(), None, [rows, events])


def from_state(ctx: JobContext, model: Model) -> WindowReads:
    """The window from its state carried across nights (jobs/carried_window.py): edges and activity
    from the states resolved per account pair; of the window's rows, only posts and shares
    (resolved by actor) and the interactions topics read (profiles, engager quality and edge
    discount looked up per account pair: one join per row)."""
    rows = netted_rows(ctx)   # read twice (posts and shares, interactions): not kept
    states, how = states_of(ctx, window_rows(ctx))
    pairs = as_profiles(ctx, states["pairs"]).localCheckpoint()
    activity = state_activity(pairs, as_profiles(ctx, states["solo"])).localCheckpoint()
    authored = as_profiles(ctx, rows.where(F.col("event_type").isin(*AUTHORED))).persist()
    edges = edges_from_state(pairs, activity, authored.where(F.col("event_type") == "post"), model,
                             snapshot_date=ctx.run_date, window_days=ctx.cfg.pipeline.window_days)

    def interactions(published: DataFrame) -> DataFrame:
        return topic_interactions(rows, pairs, published, model, snapshot_date=ctx.run_date)
    return WindowReads(edges, activity, authored, interactions, window_rows(ctx).count(), how, [authored])


def topic_interactions(rows: DataFrame, pairs: DataFrame, published: DataFrame, model: Model, *,
                       snapshot_date) -> DataFrame:
    """The weighted interactions topic scores read, from the window's netted rows: each row's
    profiles, engager quality and edge discount looked up through its account pair's state."""
    engaged = rows.where(F.col("event_type").isin(*TOPIC_INTERACTIONS)).join(
        pair_lookup(pairs, published), ["actor_account", "target_account"])
    return weighted_interactions(engaged, None, model, snapshot_date=snapshot_date)


def features_snapshot(activity: DataFrame, authored: DataFrame, edges: DataFrame, model: Model,
                      ontology: Ontology, *, snapshot_date) -> DataFrame:
    """gold.profile_features for the date, from the window's activity, posts and shares, and edges."""
    return profile_features(activity, edges, model, snapshot_date=snapshot_date,
                            entropy=topic_entropy(authored, ontology))


def topics_snapshot(interactions: DataFrame, authored: DataFrame, edges: DataFrame, model: Model,
                    ontology: Ontology, *, snapshot_date) -> DataFrame:
    """gold.topic_scores for the date: `interactions` (read three times: swap groups, the content's
    engagement, +K) should be kept by the caller."""
    swaps = swap_ring_members(interactions.where(F.col("event_type") == "endorse"), model.anti_gaming)
    return topic_scores(interactions, authored.where(F.col("event_type") == "post"), edges, swaps, model, ontology,
                        snapshot_date=snapshot_date)


def run(ctx: JobContext) -> JobResult:
    """Publish the run date's edges, profile features and topic scores from the window, in one stage."""
    model = load_model(ctx.cfg.pipeline.model_version)
    window = from_state(ctx, model) if carries(model) else from_rows(ctx, model)
    try:
        published = publish_snapshot(ctx, window.edges, ENGAGEMENT_EDGES)
        edges = read_table(ctx.spark, ctx.cfg, ENGAGEMENT_EDGES).where(F.col("snapshot_date") == F.lit(ctx.run_date))
        ontology = load_topics()
        publish_snapshot(ctx, features_snapshot(window.activity, window.authored, edges, model, ontology,
                                                snapshot_date=ctx.run_date), PROFILE_FEATURES)
        interactions = window.interactions(edges).persist()   # read three times: computed once
        window.kept.append(interactions)
        publish_snapshot(ctx, topics_snapshot(interactions, window.authored, edges, model, ontology,
                                              snapshot_date=ctx.run_date), TOPIC_SCORES)
    finally:
        window.release()
    return JobResult(rows_in=window.rows, rows_out=published.rows, model_version=model.version, dq_outcome="passed",
                     message=window.how)


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
