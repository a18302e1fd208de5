"""What every job shares: its result record, the run ledger entry, and its spark-submit entry."""
from __future__ import annotations

import argparse
import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Callable

from pyspark.sql import SparkSession

from pipelines.core.config import Config, load_config
from pipelines.core.errors import DataQualityError, UserError, guarded
from pipelines.core.fingerprint import config_fingerprint
from pipelines.core.io import append, recording_commits
from pipelines.core.log import log_event
from schemas.ops_runs import RUNS


@dataclass(frozen=True)
class JobContext:
    spark: SparkSession
    cfg: Config
    run_date: dt.date
    run_id: str
    inputs_hash: str | None = None
    include_late: bool = False   # gold sees events delivered after run_date too (backfill option)
    shadow_model: str | None = None   # a candidate model version scored beside the published one


@dataclass(frozen=True)
class JobResult:
    rows_in: int | None = None
    rows_out: int | None = None
    quarantined: int | None = None
    duplicates: int | None = None
    model_version: str | None = None
    message: str | None = None
    withheld: int | None = None
    dq_outcome: str | None = None       # passed | failed, for jobs that publish through a gate
    held: int | None = None             # landed paths not ingested (ops.held_files)


def new_run_id(run_date: dt.date) -> str:
    return f"{run_date:%Y%m%d}-{uuid.uuid4().hex[:12]}"


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"invalid date '{text}': expected YYYY-MM-DD") from None


def record_run(ctx: JobContext, job: str, result: JobResult | None, status: str, started: float,
               message: str | None = None, tables_written: dict[str, int] | None = None) -> None:
    result = result or JobResult()
    row = (ctx.run_id, job, ctx.run_date, status,
           dt.datetime.fromtimestamp(started, dt.timezone.utc).replace(tzinfo=None),
           dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
           result.rows_in, result.rows_out, result.quarantined, result.duplicates,
           result.model_version or ctx.cfg.pipeline.model_version, config_fingerprint(ctx.cfg),
           message or result.message, result.withheld, ctx.inputs_hash, tables_written or None,
           result.dq_outcome, result.held)
    append(ctx.spark.createDataFrame([row], RUNS.schema), ctx.cfg, RUNS)


def run_job(ctx: JobContext, job: str, body: Callable[[JobContext], JobResult]) -> JobResult:
    """Run one job body, log its start and end, and write its ledger row (also on failure)."""
    started = time.time()
    log_event("start", job=job, run_id=ctx.run_id, date=str(ctx.run_date))
    with recording_commits() as commits:
        try:
            result = body(ctx)
        except Exception as exc:
            gate = JobResult(dq_outcome="failed") if isinstance(exc, DataQualityError) else None
            record_run(ctx, job, gate, "failed", started, message=str(exc).splitlines()[0][:500],
                       tables_written=dict(commits))
            log_event("failed", job=job, run_id=ctx.run_id, date=str(ctx.run_date),
                      seconds=round(time.time() - started, 1))
            raise
    record_run(ctx, job, result, "succeeded", started, tables_written=commits)
    log_event("end", job=job, run_id=ctx.run_id, date=str(ctx.run_date),
              seconds=round(time.time() - started, 1), rows_in=result.rows_in,
              rows_out=result.rows_out, quarantined=result.quarantined,
              duplicates=result.duplicates, withheld=result.withheld, held=result.held)
    return result


def submit_main(job: str, body: Callable[[JobContext], JobResult], argv: list[str] | None = None) -> int:
    """Entry point for `spark-submit jobs/<job>.py --date D [--env E]`."""
    from pipelines.core.session import get_spark

    parser = argparse.ArgumentParser(prog=f"jobs/{job}.py", description=body.__doc__)
    parser.add_argument("--date", required=True, help="run date, YYYY-MM-DD")
    parser.add_argument("--env", default="local", help="config environment in conf/ (default: local)")
    parser.add_argument("--data-root", default=None, help="override the env's data folder")

    def go() -> int:
        args = parser.parse_args(argv)
        run_date = parse_date(args.date)
        cfg = load_config(args.env, {"paths.data_root": args.data_root} if args.data_root else None)
        ctx = JobContext(get_spark(cfg, f"clout-{job}"), cfg, run_date, new_run_id(run_date))
        run_job(ctx, job, body)
        return 0

    return guarded(go)


