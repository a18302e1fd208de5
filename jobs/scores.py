"""scores: gold.profile_features + gold.network_influence for D → gold.scores for D.

Reads no events: the window stage (jobs/window.py) published the features. The snapshot is
published through the data-quality gate (pipelines/quality/publish.py): staged, validated with
its table's suite, and only then swapped into the published table; a failing check leaves the
published snapshot untouched and fails the job.
"""
from __future__ import annotations

import sys

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.transforms.scoring import scores
from pipelines.core.config import load_model
from pipelines.core.io import latest_snapshot_before, read_table, table_exists
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from pipelines.quality.publish import publish_snapshot
from schemas import TableSpec
from schemas.gold_network_influence import NETWORK_INFLUENCE
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES

JOB = "scores"


def previous_snapshot(ctx: JobContext, spec: TableSpec, model_version: str | None = None) -> DataFrame | None:
    """The latest snapshot before the run date, or None; of `model_version` only when given.

    The published scores are one series across model versions: a promoted model's first
    snapshot is smoothed against the score published the day before, so each profile moves
    toward the new model at most `max_daily_move` a day, never overnight. A shadow table holds
    several candidates, each smoothed against its own history."""
    if not table_exists(ctx.spark, ctx.cfg, spec):
        return None
    rows = read_table(ctx.spark, ctx.cfg, spec)
    if model_version is not None:
        rows = rows.where(F.col("model_version") == model_version)
    return latest_snapshot_before(rows, "snapshot_date", ctx.run_date)


def run(ctx: JobContext) -> JobResult:
    """The 1–100 score snapshot for the run date."""
    model = load_model(ctx.cfg.pipeline.model_version)
    day = F.col("snapshot_date") == F.lit(ctx.run_date)
    influence = (read_table(ctx.spark, ctx.cfg, NETWORK_INFLUENCE).where(day)
                 .select("profile_id", F.col("relative_influence").alias("influence")))
    snapshot = scores(read_table(ctx.spark, ctx.cfg, PROFILE_FEATURES).where(day), influence, model,
                      snapshot_date=ctx.run_date,
                      previous=previous_snapshot(ctx, SCORES))
    published = publish_snapshot(ctx, snapshot, SCORES)
    return JobResult(rows_out=published.rows, model_version=model.version, dq_outcome="passed")


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
