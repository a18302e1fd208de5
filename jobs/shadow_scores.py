"""shadow_scores: silver.events (window) for D, scored end to end by a candidate model
→ gold.scores_shadow for (D, candidate), and its shift against the published gold.scores.

The candidate's edges, influence and features stay in memory (checkpointed): only its scores
are written, to their own table, so a candidate can never rewrite published history.
"""
from __future__ import annotations

from pyspark.sql import functions as F

from jobs.network_influence import influence_of
from jobs.scores import previous_snapshot
from jobs.transforms.engagement import engagement_edges, engager_quality
from jobs.transforms.activity import daily_activity
from jobs.transforms.scoring import profile_features, scores
from jobs.transforms.shift import Shift, shift
from jobs.transforms.topics import topic_entropy
from jobs.window import window_events
from pipelines.core.config import load_model, load_topics
from pipelines.core.io import read_table, replace_where
from pipelines.core.jobrun import JobContext, JobResult
from schemas.gold_scores import SCORES
from schemas.gold_scores_shadow import SHADOW_SCORES

JOB = "shadow_scores"


def run(ctx: JobContext) -> JobResult:
    """Score the run date with ctx.shadow_model into gold.scores_shadow."""
    candidate = load_model(ctx.shadow_model)
    events = window_events(ctx).persist()
    quality = engager_quality(events, human_daily_actions=candidate.engager_quality.human_daily_actions)
    edges = engagement_edges(events, quality, candidate, snapshot_date=ctx.run_date,
                             window_days=ctx.cfg.pipeline.window_days).localCheckpoint()
    influence = influence_of(ctx, edges, candidate.influence, job=JOB).ranks
    features = profile_features(daily_activity(events), edges, candidate, snapshot_date=ctx.run_date,
                                entropy=topic_entropy(events, load_topics())).localCheckpoint()
    events.unpersist()
    snapshot = scores(features, influence.select(F.col("id").alias("profile_id"),
                                                 F.col("relative_influence").alias("influence")), candidate,
                      snapshot_date=ctx.run_date,
                      previous=previous_snapshot(ctx, SHADOW_SCORES, candidate.version))
    replace_where(snapshot, ctx.cfg, SHADOW_SCORES,
                  f"snapshot_date = '{ctx.run_date}' AND model_version = '{candidate.version}'")
    written = (read_table(ctx.spark, ctx.cfg, SHADOW_SCORES)
               .where((F.col("snapshot_date") == F.lit(ctx.run_date))
                      & (F.col("model_version") == candidate.version)).count())
    return JobResult(rows_out=written, model_version=candidate.version)


def shift_against_published(ctx: JobContext) -> Shift:
    """How the candidate's snapshot moves from the published one (both for the run date)."""
    day = F.col("snapshot_date") == F.lit(ctx.run_date)
    current = read_table(ctx.spark, ctx.cfg, SCORES).where(day)
    candidate = (read_table(ctx.spark, ctx.cfg, SHADOW_SCORES)
                 .where(day & (F.col("model_version") == ctx.shadow_model)))
    return shift(current, candidate)


def shift_lines(ctx: JobContext, moved: Shift) -> list[str]:
    """The shift in a few readable lines."""
    rho = "n/a" if moved.spearman is None else f"{moved.spearman:.3f}"
    lines = [f"shadow {ctx.shadow_model} vs published {ctx.cfg.pipeline.model_version} on {ctx.run_date}: "
             f"{moved.profiles:,} profiles, Spearman {rho}, mean |change| {moved.mean_abs_change:.2f} points, "
             f"{moved.share_moved_over_10:.1%} move more than 10 points"]
    for label, movers in (("up", moved.top_up), ("down", moved.top_down)):
        lines.append(f"  top movers {label}: " + ", ".join(
            f"{p} {cur:.1f}→{cand:.1f}" for p, cur, cand in movers))
    return lines
