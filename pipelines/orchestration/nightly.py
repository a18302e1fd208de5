"""The nightly: every job for one snapshot date, in dependency order, and its ledger row."""
from __future__ import annotations

import datetime as dt
import hashlib
import sys
import time
from dataclasses import dataclass, replace

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs import (daily_partials, ingest_bronze, ingest_silver, network_influence, profiles, scores,
                  shadow_scores, window)
from jobs.transforms.shift import Shift
from pipelines.core.config import Config, load_model
from pipelines.core.errors import UserError
from pipelines.core.fingerprint import config_fingerprint
from pipelines.core.io import read_table, table_exists
from pipelines.core.jobrun import JobContext, JobResult, new_run_id, record_run, run_job
from pipelines.core.log import log_event
from pipelines.core.session import get_spark
from schemas.ops_runs import RUNS

# profiles before silver: silver withholds the events of profiles that opted out; `window` is the
# one stage that reads the window's events (edges, features and topics from one read)
STAGES = (
    ("ingest_bronze", ingest_bronze.run),
    ("profiles", profiles.run),
    ("ingest_silver", ingest_silver.run),
    ("daily_partials", daily_partials.run),
    ("window", window.run),
    ("network_influence", network_influence.run),
    ("scores", scores.run),
)
NIGHTLY = "nightly"   # the ledger's row for a whole completed nightly


@dataclass(frozen=True)
class NightlyResult:
    run_id: str
    results: dict[str, JobResult]
    seconds: dict[str, float]
    shift: Shift | None = None       # when a candidate model ran in shadow
    shift_lines: tuple[str, ...] = ()


def preflight(cfg: Config, run_date: dt.date) -> None:
    """Fail on operator mistakes before a Spark session is started."""
    ingest_bronze.landed_files(cfg.paths.landing, run_date)


def inputs_hash(cfg: Config, run_date: dt.date, include_late: bool = False) -> str:
    """Fingerprint of the landed files a nightly for run_date can read (names and sizes)."""
    landing = cfg.paths.landing
    files = sorted(p for p in landing.glob("*/dt=*/*.jsonl.gz")
                   if include_late or p.parent.name[3:] <= str(run_date))
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.relative_to(landing)}\t{path.stat().st_size}\n".encode())
    return digest.hexdigest()[:16]


def run_nightly(cfg: Config, run_date: dt.date, spark=None, *, include_late: bool = False,
                shadow_model: str | None = None, resume: bool = True) -> NightlyResult:
    """Every stage for run_date, then (optionally) a candidate model in shadow.

    With `resume`, a rerun after a crash starts at the first stage the unfinished attempts at
    run_date did not complete (same model, config and inputs); the stages before it are not
    run again. After a completed nightly, a rerun computes every stage.
    """
    preflight(cfg, run_date)
    spark = spark or get_spark(cfg, f"clout-nightly-{run_date}")
    ctx = context(spark, cfg, run_date, include_late)
    started = time.time()
    results, seconds = {}, {}
    finished = unfinished_attempt_stages(ctx) if resume else {}
    for i, (name, body) in enumerate(STAGES):
        progress(i, name)
        stage_started = time.time()
        if name in finished:
            results[name] = finished[name]
            log_event("resumed", job=name, run_id=ctx.run_id, date=str(run_date), message=finished[name].message)
        else:
            finished = {}   # a stage run again: every later stage runs again too
            results[name] = run_job(ctx, name, body)
        seconds[name] = time.time() - stage_started
    progress(len(STAGES), "done")
    record_run(ctx, NIGHTLY, summary_result(results), "succeeded", started)
    result = NightlyResult(ctx.run_id, results, seconds)
    return run_shadow(ctx, shadow_model, result) if shadow_model else result


def context(spark, cfg: Config, run_date: dt.date, include_late: bool = False) -> JobContext:
    return JobContext(spark, cfg, run_date, new_run_id(run_date),
                      inputs_hash=inputs_hash(cfg, run_date, include_late), include_late=include_late)


def run_shadow(ctx: JobContext, shadow_model: str, result: NightlyResult) -> NightlyResult:
    """Score ctx.run_date with a candidate model into gold.scores_shadow and measure its shift."""
    if shadow_model == ctx.cfg.pipeline.model_version:
        raise UserError(f"--shadow-model {shadow_model} is the published model: nothing to compare")
    load_model(shadow_model)  # an unknown or invalid candidate fails here, before any work
    ctx = replace(ctx, shadow_model=shadow_model)
    started = time.time()
    shadow = run_job(ctx, shadow_scores.JOB, shadow_scores.run)
    moved = shadow_scores.shift_against_published(ctx)
    return replace(result, results={**result.results, shadow_scores.JOB: shadow},
                   seconds={**result.seconds, shadow_scores.JOB: time.time() - started},
                   shift=moved, shift_lines=tuple(shadow_scores.shift_lines(ctx, moved)))


def summary_result(results: dict[str, JobResult]) -> JobResult:
    """The nightly's ledger row: landed lines in, published scores out, ingest outcomes."""
    silver, published = results["ingest_silver"], results["scores"]
    return JobResult(rows_in=results["ingest_bronze"].rows_in, rows_out=published.rows_out,
                     quarantined=silver.quarantined, duplicates=silver.duplicates,
                     withheld=silver.withheld, held=results["ingest_bronze"].held,
                     model_version=published.model_version,
                     dq_outcome=published.dq_outcome)


def unfinished_attempt_stages(ctx: JobContext) -> dict[str, JobResult]:
    """Stages that attempts at ctx.run_date completed after the date's last completed nightly,
    with the same model, config and inputs: what a rerun after a crash need not do again.

    Reads the ledger rows of one date (a few per attempt), never per-profile data."""
    same = same_fingerprint_runs(ctx.spark, ctx.cfg, ctx.run_date, ctx.inputs_hash)
    if same is None:
        return {}
    rows = sorted(same.where(F.col("job").isin(NIGHTLY, *(name for name, _ in STAGES))).collect(),
                  key=lambda r: r.ended_at)
    done: dict[str, JobResult] = {}
    for row in rows:
        if row.job == NIGHTLY:   # a completed nightly: a rerun after it starts from scratch
            done = {}
        else:
            done[row.job] = JobResult(rows_in=row.rows_in, rows_out=row.rows_out, quarantined=row.quarantined,
                                      duplicates=row.duplicates, model_version=row.model_version,
                                      withheld=row.withheld, dq_outcome=row.dq_outcome, held=row.held,
                                      message=f"resumed: done by run {row.run_id}")
    return done


def progress(done: int, stage: str) -> None:
    """A whole-pipeline progress bar, on a terminal only (logs carry the same facts as JSON)."""
    if not sys.stderr.isatty():
        return
    total = len(STAGES)
    bar = "█" * done + "░" * (total - done)
    label = "done" if done == total else f"running {stage}"
    print(f"[clout] nightly {bar} {done}/{total} {label}", file=sys.stderr, flush=True)


def completed(spark, cfg: Config, run_date: dt.date, include_late: bool = False) -> str | None:
    """The run id of a completed nightly for run_date with today's model, config and inputs."""
    same = same_fingerprint_runs(spark, cfg, run_date, inputs_hash(cfg, run_date, include_late))
    if same is None:
        return None
    row = (same.where(F.col("job") == NIGHTLY)
           .orderBy(F.col("ended_at").desc()).select("run_id").first())
    return row.run_id if row else None


def same_fingerprint_runs(spark, cfg: Config, run_date: dt.date, inputs: str | None) -> DataFrame | None:
    """Succeeded ledger rows of run_date with today's model, config and these inputs (None
    before the ledger exists): the one rule for "this work was already done"."""
    if not table_exists(spark, cfg, RUNS):
        return None
    return (read_table(spark, cfg, RUNS)
            .where((F.col("run_date") == F.lit(run_date)) & (F.col("status") == "succeeded")
                   & (F.col("model_version") == cfg.pipeline.model_version)
                   & (F.col("config_hash") == config_fingerprint(cfg))
                   & (F.col("inputs_hash") == inputs)))


def stage_summary(result: NightlyResult) -> list[str]:
    """A readable stage-by-stage table: seconds, rows in and out, what else happened."""
    lines = [f"{'stage':<18} {'seconds':>8} {'rows in':>12} {'rows out':>12}  notes"]
    for name in result.results:
        r, secs = result.results[name], result.seconds[name]
        notes = ", ".join(f"{k} {v}" for k, v in (("quarantined", r.quarantined),
                                                  ("duplicates", r.duplicates),
                                                  ("withheld", r.withheld),
                                                  ("held", r.held),
                                                  ("dq", r.dq_outcome)) if v is not None)
        if r.message:
            notes = f"{notes}; {r.message}" if notes else r.message
        lines.append(f"{name:<18} {secs:>8.1f} {_n(r.rows_in):>12} {_n(r.rows_out):>12}  {notes}")
    lines.append(f"{'total':<18} {sum(result.seconds.values()):>8.1f}")
    return lines + list(result.shift_lines)


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def top_profiles(scores_snapshot: DataFrame, n: int = 10) -> list:
    """The n best scores of a snapshot (a small sample for the console)."""
    return (scores_snapshot.orderBy("score", "profile_id", ascending=[False, True])
            .select("profile_id", "score", "true_reach_score", "amplification_score",
                    "network_score", "percentile").limit(n).collect())
