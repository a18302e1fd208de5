"""scores: silver.events (window) + gold.engagement_edges + gold.network_influence for D
→ gold.profile_features and gold.scores for D.

The score snapshot is checked (keys unique and not null, scores in range) before it replaces
the snapshot date's partition; a failing check leaves the published snapshot untouched.
"""
from __future__ import annotations

import sys

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.transforms.engagement import engager_quality
from jobs.transforms.scoring import profile_features, scores
from jobs.window_events import window_events
from pipelines.config import load_model
from pipelines.errors import DataQualityError
from pipelines.io import count_snapshot, read_table, replace_where
from pipelines.jobrun import JobContext, JobResult, submit_main
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_network_influence import NETWORK_INFLUENCE
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES

JOB = "scores"


def audit(snapshot: DataFrame) -> list[str]:
    """Cheap pre-publish checks in one pass; returns the names of failed checks."""
    row = snapshot.agg(
        F.count(F.lit(1)).alias("rows"),
        F.countDistinct("profile_id").alias("profiles"),
        F.sum(F.col("profile_id").isNull().cast("int")).alias("null_ids"),
        F.sum((~F.col("score").between(1.0, 100.0)).cast("int")).alias("out_of_range"),
        F.sum((~F.col("percentile").between(0.0, 100.0)).cast("int")).alias("bad_percentiles"),
    ).first()
    failed = []
    if row.rows == 0:
        failed.append("rows > 0")
    if row.profiles != row.rows or row.null_ids:
        failed.append("profile_id unique and not null")
    if row.out_of_range:
        failed.append("score in [1, 100]")
    if row.bad_percentiles:
        failed.append("percentile in [0, 100]")
    return failed


def run(ctx: JobContext) -> JobResult:
    """Compute features and the 1–100 score snapshot for the run date."""
    model = load_model(ctx.cfg.pipeline.model_version)
    day = f"snapshot_date = '{ctx.run_date}'"
    events = window_events(ctx).persist()
    quality = engager_quality(events, human_daily_actions=model.engager_quality.human_daily_actions)
    edges = read_table(ctx.spark, ctx.cfg, ENGAGEMENT_EDGES).where(day)
    features = profile_features(events, edges, quality, snapshot_date=ctx.run_date)
    replace_where(features, ctx.cfg, PROFILE_FEATURES, day)
    events.unpersist()
    influence = read_table(ctx.spark, ctx.cfg, NETWORK_INFLUENCE).where(day)
    snapshot = scores(read_table(ctx.spark, ctx.cfg, PROFILE_FEATURES).where(day), influence, model,
                      snapshot_date=ctx.run_date).persist()
    failed = audit(snapshot)
    if failed:
        snapshot.unpersist()
        raise DataQualityError(f"gold.scores {ctx.run_date}: failed checks: {', '.join(failed)}")
    replace_where(snapshot, ctx.cfg, SCORES, day)
    snapshot.unpersist()
    written = count_snapshot(ctx.spark, ctx.cfg, SCORES, ctx.run_date)
    return JobResult(rows_out=written, model_version=model.version)


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
