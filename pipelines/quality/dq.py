"""Data-quality validation: a table's declared suite (schemas/) as a Great Expectations 1.x suite.

A suite is validated on one date's snapshot as a Spark DataFrame. The caller computes that
frame once (the gate stages it, an audit caches it); GE bundles the column checks into a few
aggregate queries over it, and the comparisons with other data (the previous layer, the
previous snapshot) are each one small aggregate gathered beforehand. Those facts become the
run's expectation parameters: the suites themselves are static, kept in GE's file store by
suites.py, so concurrent runs never rewrite them. Every expectation's result, pass or fail,
becomes a row of ops.dq_results; GE's Data Docs under `<paths.dq>/data_docs/` get the validation.

Great Expectations is imported inside the functions that use it: it takes seconds to import,
and most commands that import this module's neighbours never validate anything.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from pipelines.core.config import Config, DqSettings
from pipelines.core.io import append, latest_snapshot_before, read_table, table_exists
from pipelines.quality import suites
from pipelines.quality.suites import ROWS, Variant
from schemas import Suite, TableSpec
from schemas.ops_dq_results import DQ_RESULTS


@dataclass(frozen=True)
class Previous:
    """The latest published snapshot before the run date: what drift is measured against."""
    date: dt.date
    rows: int
    mean: float | None   # of the suite's mean_drift column


@dataclass(frozen=True)
class Facts:
    """What a suite compares a snapshot with, gathered before validating."""
    run_date: dt.date
    upstream_rows: int | None = None
    previous: Previous | None = None


@dataclass(frozen=True)
class CheckResult:
    check: str
    expectation: str
    column: str | None
    success: bool
    observed: str | None
    details: str


@dataclass(frozen=True)
class Outcome:
    table: str
    run_date: dt.date
    checks: tuple[CheckResult, ...]

    @property
    def success(self) -> bool:
        return bool(self.checks) and all(c.success for c in self.checks)

    @property
    def rows(self) -> int:
        """The validated row count, as GE observed it (no second count of the snapshot)."""
        return next(int(c.observed) for c in self.checks if c.check == ROWS)

    @property
    def failed(self) -> list[str]:
        return [f"{c.check} (observed {c.observed})" if c.observed else c.check
                for c in self.checks if not c.success]


def docs_index(cfg: Config) -> Path:
    return cfg.paths.dq / "data_docs" / "index.html"


def snapshot_of(spec: TableSpec, run_date: dt.date) -> Column:
    """The rows of one date: the table's first partition column (snapshot_date, event_date)."""
    return F.col(spec.partition_by[0]) == F.lit(run_date)


def gather_facts(spark: SparkSession, cfg: Config, spec: TableSpec, run_date: dt.date) -> Facts:
    """Upstream rows to reconcile with and the previous published snapshot, as the suite needs."""
    suite: Suite = spec.suite
    upstream_rows = None
    if suite.reconcile:
        upstream_rows = reconciled_rows(spark, cfg, suite.reconcile.upstream,
                                        suite.reconcile.distinct_of, run_date)
    previous = None
    if (suite.row_drift or suite.mean_drift) and table_exists(spark, cfg, spec):
        previous = previous_snapshot(read_table(spark, cfg, spec), spec, suite, run_date)
    return Facts(run_date, upstream_rows, previous)


def reconciled_rows(spark: SparkSession, cfg: Config, upstream: TableSpec,
                    distinct_of: tuple[str, ...], run_date: dt.date) -> int:
    """Rows of the upstream snapshot, or its distinct values over `distinct_of` (0 if absent)."""
    if not table_exists(spark, cfg, upstream):
        return 0
    day = read_table(spark, cfg, upstream).where(snapshot_of(upstream, run_date))
    if not distinct_of:
        return day.count()
    return day.select(F.explode(F.array(*distinct_of)).alias("id")).distinct().count()


def previous_snapshot(published: DataFrame, spec: TableSpec, suite: Suite,
                      run_date: dt.date) -> Previous | None:
    """Rows (and drift column mean) of the latest published snapshot before the run date."""
    date_column = spec.partition_by[0]
    latest = latest_snapshot_before(published, date_column, run_date)
    if latest is None:
        return None
    mean = F.avg(suite.mean_drift) if suite.mean_drift else F.lit(None)
    row = latest.agg(F.max(date_column).alias("day"), F.count(F.lit(1)).alias("rows"), mean.alias("mean")).first()
    return Previous(row.day, row.rows, row.mean)


def suite_variant(spec: TableSpec, facts: Facts) -> Variant:
    """The table's suite variant for these facts: drift checks apply only against a previous
    snapshot (the mean's only if that snapshot has one), never as a vacuous pass."""
    suite: Suite = spec.suite
    previous = facts.previous
    return Variant(spec, row_drift=bool(previous and suite.row_drift),
                   mean_drift=bool(previous and suite.mean_drift and previous.mean is not None))


def parameters(variant: Variant, facts: Facts, dq: DqSettings) -> dict:
    """The run-time values of the variant's expectation parameters."""
    values = {suites.RUN_DATE_SET: [facts.run_date]}
    if variant.spec.suite.reconcile:
        values[suites.UPSTREAM_ROWS] = facts.upstream_rows
    if variant.row_drift:
        values[suites.MIN_ROWS] = math.ceil(dq.min_row_ratio * facts.previous.rows)
    if variant.mean_drift:
        values[suites.MIN_MEAN] = facts.previous.mean - dq.max_mean_shift
        values[suites.MAX_MEAN] = facts.previous.mean + dq.max_mean_shift
    return values


def validate(spark: SparkSession, cfg: Config, spec: TableSpec, snapshot: DataFrame,
             run_date: dt.date, run_id: str) -> Outcome:
    """Run the table's suite on `snapshot` (computed once by the caller) and update the Data Docs."""
    from great_expectations.core.run_identifier import RunIdentifier

    if spec.suite is None:
        raise ValueError(f"{spec.qualified_name} declares no data-quality suite in schemas/")
    facts = gather_facts(spark, cfg, spec, run_date)
    chosen = suite_variant(spec, facts)
    with suites.one_thread():
        context, checkpoint = suites.checkpoint(cfg, chosen)
        result = checkpoint.run(batch_parameters={"dataframe": snapshot},
                                expectation_parameters=parameters(chosen, facts, cfg.dq),
                                run_id=RunIdentifier(run_name=run_id))
        suites.update_docs(cfg, context, result)
    (suite_result,) = result.run_results.values()
    return Outcome(spec.qualified_name, run_date, tuple(check_result(r) for r in suite_result.results))


def check_result(r) -> CheckResult:
    """One GE ExpectationValidationResult as a check: its observed value as text, details as JSON."""
    config, outcome = r.expectation_config, r.result or {}
    error = (r.exception_info or {}).get("exception_message") if not r.success else None
    if error:
        observed = f"error: {str(error).splitlines()[0][:200]}"
    elif outcome.get("observed_value") is not None:
        observed = str(outcome["observed_value"])
    elif "unexpected_count" in outcome:
        observed = f"{outcome['unexpected_count']} of {outcome.get('element_count')} rows unexpected"
    else:
        observed = None
    details = {"kwargs": {k: v for k, v in config.kwargs.items() if k != "batch_id"},
               **{k: v for k, v in outcome.items() if not k.startswith("partial_")}}
    if error:
        details["error"] = str(error)
    return CheckResult(config.description or config.type, config.type, config.kwargs.get("column"),
                       bool(r.success), observed, json.dumps(details, default=str, sort_keys=True))


def record(spark: SparkSession, cfg: Config, outcome: Outcome, run_id: str, mode: str) -> None:
    """Append every check of one validation to ops.dq_results (one commit)."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows = [(run_id, outcome.run_date, mode, outcome.table, c.check, c.expectation, c.column,
             c.success, c.observed, c.details, now) for c in outcome.checks]
    append(spark.createDataFrame(rows, DQ_RESULTS.schema), cfg, DQ_RESULTS)


def failure_line(outcome: Outcome) -> str:
    """One line naming the table, the date and every failed check with what was observed."""
    return f"{outcome.table} {outcome.run_date}: failed checks: {'; '.join(outcome.failed)}"


def audit(spark: SparkSession, cfg: Config, run_date: dt.date, specs: list[TableSpec],
          run_id: str) -> list[Outcome]:
    """Re-validate published snapshots of `run_date` (publishes nothing); results are recorded."""
    outcomes = []
    for spec in specs:
        snapshot = read_table(spark, cfg, spec).where(snapshot_of(spec, run_date)).persist()
        try:
            outcome = validate(spark, cfg, spec, snapshot, run_date, run_id)
        finally:
            snapshot.unpersist()
        record(spark, cfg, outcome, run_id, mode="audit")
        outcomes.append(outcome)
    return outcomes
