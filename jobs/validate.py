"""validate: the snapshot of D and what landed in D+1..D+h → ops.model_validity.

Predictive validity (jobs/transforms/validity.py): does the published score — or a candidate's
in gold.scores_shadow — rank profiles by the engagement their new content earns afterwards
better than the naive rankings of the same history? Run once the nightly of D+h has ingested
the horizon (`clout validate --date D --horizon 14`). The per-profile frame stays in Spark; a
seeded uniform sample of at most `sample` posting profiles (all of them, below that) reaches
the driver for the rank statistics. The figures of (D, h, model) replace earlier ones.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.transforms.engagement import engager_quality
from jobs.transforms.validity import (NAIVE_PREDICTORS, OUTCOMES, PREDICTORS, Figure, followers_gained,
                                      future_engagement, rank_figures, validity_frame)
from jobs.window import as_profiles, window_events
from pipelines.core.config import load_model
from pipelines.core.errors import UserError
from pipelines.core.io import read_table, replace_where, table_exists
from pipelines.core.jobrun import JobContext
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES
from schemas.gold_scores_shadow import SHADOW_SCORES
from schemas.ops_model_validity import MODEL_VALIDITY
from schemas.ops_runs import RUNS
from schemas.silver_events import EVENTS

RANKED_SAMPLE = 200_000   # at most this many posting profiles ranked (a seeded uniform sample beyond)

JOB = "validate"


@dataclass(frozen=True)
class Validity:
    model_version: str
    published: bool
    scored: int                  # profiles in the snapshot
    posted: int                  # ... that posted in the horizon (ranked)
    evaluated: int               # ... in the sample the figures use
    silent_in_top_decile: int    # the score's top decile that posted nothing after D
    figures: tuple[Figure, ...]

    def figure(self, outcome: str, predictor: str) -> Figure:
        return next(f for f in self.figures if f.outcome == outcome and f.predictor == predictor)


def horizon_end(ctx: JobContext, horizon_days: int) -> dt.date:
    """D+h, once a completed nightly has ingested it; otherwise the operator's mistake."""
    if horizon_days < 1:
        raise UserError(f"--horizon must be at least 1 day, got {horizon_days}")
    end = ctx.run_date + dt.timedelta(days=horizon_days)
    latest = None
    if table_exists(ctx.spark, ctx.cfg, RUNS):
        latest = (read_table(ctx.spark, ctx.cfg, RUNS)
                  .where((F.col("job") == "nightly") & (F.col("status") == "succeeded"))
                  .agg(F.max("run_date")).first()[0])
    if latest is None or latest < end:
        raise UserError(f"validating {ctx.run_date} over {horizon_days} days needs the nightly of {end} "
                        f"(latest completed: {latest or 'none'})")
    return end


def snapshot_scores(ctx: JobContext, model_version: str) -> tuple[DataFrame, bool]:
    """The snapshot of D scored by `model_version`: published, or else a candidate's in shadow."""
    day = F.col("snapshot_date") == F.lit(ctx.run_date)
    for spec, published in ((SCORES, True), (SHADOW_SCORES, False)):
        if table_exists(ctx.spark, ctx.cfg, spec):
            rows = read_table(ctx.spark, ctx.cfg, spec).where(day & (F.col("model_version") == model_version))
            if rows.limit(1).count():
                return rows, published
    raise UserError(f"no snapshot of {ctx.run_date} scored by model {model_version} (published or in "
                    f"shadow: clout nightly --date {ctx.run_date} --shadow-model {model_version})")


def horizon_events(ctx: JobContext, end: dt.date, after: dt.date | None = None) -> DataFrame:
    """Every landed event of D+1..end (or of after+1..end), resolved to D's profiles (one row per event)."""
    after = ctx.run_date if after is None else after
    events = (read_table(ctx.spark, ctx.cfg, EVENTS)
              .where((F.col("event_date") > F.lit(after)) & (F.col("event_date") <= F.lit(end)))
              .select("event_type", "actor_account", "target_account", "content_id", "target_content_id",
                      "event_date", F.lit(1).cast("long").alias("events")))
    return as_profiles(ctx, events)


def profile_frame(ctx: JobContext, end: dt.date, scores: DataFrame, model_version: str) -> DataFrame:
    """One row per profile of `scores` (the snapshot of the run date): its predictors, its outcomes
    over the run date + 1..`end` and `posted` (validity_frame), computed and kept: the caller
    unpersists it."""
    model = load_model(model_version)
    day = F.col("snapshot_date") == F.lit(ctx.run_date)
    horizon = horizon_events(ctx, end).persist()
    quality = engager_quality(horizon, human_daily_actions=model.engager_quality.human_daily_actions)
    previous = read_table(ctx.spark, ctx.cfg, ENGAGEMENT_EDGES).where(day).select("engager_id", "author_id")
    frame = validity_frame(scores, read_table(ctx.spark, ctx.cfg, PROFILE_FEATURES).where(day),
                           followers_gained(window_events(ctx)),
                           future_engagement(horizon, quality.select("actor_id", "quality"), previous)).persist()
    frame.count()
    horizon.unpersist()
    return frame


def run(ctx: JobContext, *, horizon_days: int, model_version: str, sample: int = RANKED_SAMPLE,
        resamples: int = 200, seed: int = 0) -> Validity:
    """Evaluate `model_version`'s snapshot of the run date over the horizon; record the figures."""
    end = horizon_end(ctx, horizon_days)
    scores, published = snapshot_scores(ctx, model_version)
    frame = profile_frame(ctx, end, scores, model_version)
    counts = frame.agg(F.count(F.lit(1)).alias("scored"), F.sum(F.col("posted").cast("long")).alias("posted"),
                       F.sum((~F.col("posted") & (F.col("percentile") >= 90.0)).cast("long")).alias("silent_top")
                       ).first()
    columns = ranked_sample(frame.where("posted"), counts.posted or 0, sample, seed)
    frame.unpersist()
    figures = tuple(rank_figures(columns, resamples=resamples, seed=seed)) if len(columns["key"]) >= 2 else ()
    result = Validity(model_version, published, counts.scored, counts.posted or 0, len(columns["key"]),
                      counts.silent_top or 0, figures)
    record(ctx, horizon_days, resamples, result)
    return result


def ranked_sample(posted: DataFrame, n: int, sample: int, seed: int) -> dict[str, np.ndarray]:
    """The posting profiles' predictors and outcomes as arrays: all of them, or a seeded uniform
    sample of about `sample` when there are more; `key` orders ties (profile ids' order)."""
    rows = posted if n <= sample else posted.sample(fraction=sample / n, seed=seed)
    table = rows.select("profile_id", *PREDICTORS, *OUTCOMES).orderBy("profile_id").toArrow()
    columns = {c: table.column(c).to_numpy().astype(float) for c in (*PREDICTORS, *OUTCOMES)}
    columns["key"] = np.arange(table.num_rows)
    return columns


def record(ctx: JobContext, horizon_days: int, resamples: int, result: Validity) -> None:
    """Replace the figures of (D, horizon, model) in ops.model_validity."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows = [(ctx.run_date, horizon_days, result.model_version, result.published, f.outcome, f.predictor,
             f.predictor in NAIVE_PREDICTORS, *(float(v) for v in (f.spearman, f.spearman_low, f.spearman_high,
                                                                   f.precision, f.precision_low, f.precision_high)),
             result.scored, result.posted, result.evaluated, result.silent_in_top_decile, resamples,
             ctx.run_id, now) for f in result.figures]
    replace_where(ctx.spark.createDataFrame(rows, MODEL_VALIDITY.schema), ctx.cfg, MODEL_VALIDITY,
                  f"snapshot_date = '{ctx.run_date}' AND horizon_days = {horizon_days} "
                  f"AND model_version = '{result.model_version}'")

