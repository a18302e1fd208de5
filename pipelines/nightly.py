"""The nightly: every job for one snapshot date, in dependency order."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark.sql import DataFrame

from jobs import engagement_edges, ingest_bronze, ingest_silver, network_influence, profiles, scores
from pipelines.config import Config
from pipelines.jobrun import JobContext, JobResult, new_run_id, run_job
from pipelines.session import get_spark

STAGES = (
    ("ingest_bronze", ingest_bronze.run),
    ("ingest_silver", ingest_silver.run),
    ("profiles", profiles.run),
    ("engagement_edges", engagement_edges.run),
    ("network_influence", network_influence.run),
    ("scores", scores.run),
)


@dataclass(frozen=True)
class NightlyResult:
    run_id: str
    results: dict[str, JobResult]


def preflight(cfg: Config, run_date: dt.date) -> None:
    """Fail on operator mistakes before a Spark session is started."""
    ingest_bronze.landed_files(cfg.paths.landing, run_date)


def run_nightly(cfg: Config, run_date: dt.date, spark=None) -> NightlyResult:
    preflight(cfg, run_date)
    spark = spark or get_spark(cfg, f"clout-nightly-{run_date}")
    ctx = JobContext(spark, cfg, run_date, new_run_id(run_date))
    results = {name: run_job(ctx, name, body) for name, body in STAGES}
    return NightlyResult(ctx.run_id, results)


def top_profiles(scores_snapshot: DataFrame, n: int = 10) -> list:
    """The n best scores of a snapshot (a small sample for the console)."""
    return (scores_snapshot.orderBy("score", "profile_id", ascending=[False, True])
            .select("profile_id", "score", "true_reach_score", "amplification_score",
                    "network_score", "percentile").limit(n).collect())
