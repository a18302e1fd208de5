"""Data-quality validation: a table's declared suite (schemas/) as a Great Expectations 1.x suite.

A suite is validated on one date's snapshot as a Spark DataFrame. The caller persists that
frame once; GE bundles the column checks into a few aggregate queries over it, and the
comparisons with other data (the previous layer, the previous snapshot) are each one small
aggregate gathered beforehand. Every expectation's result, pass or fail, becomes a row of
ops.dq_results; GE's Data Docs are rebuilt under `<paths.dq>/data_docs/`.

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
from schemas import Suite, TableSpec
from schemas.ops_dq_results import DQ_RESULTS

SITE = "clout"   # the Data Docs site, at <paths.dq>/data_docs
ROWS = "at least one row"   # the check whose observed value is the snapshot's row count


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


def _bounds(low: float | None, high: float | None) -> str:
    if high is None:
        return f"≥ {low:g}"
    return f"≤ {high:g}" if low is None else f"in [{low:g}, {high:g}]"


def expectations(spec: TableSpec, facts: Facts, dq: DqSettings) -> list:
    """The GE expectations of one date's snapshot; each one's description is its check name."""
    import great_expectations.expectations as gxe

    suite: Suite = spec.suite
    date_column = spec.partition_by[0]
    required = list(dict.fromkeys([*spec.keys, *(f.name for f in spec.schema.fields if not f.nullable)]))
    checks = [
        gxe.ExpectTableRowCountToBeBetween(min_value=1, description=ROWS),
        gxe.ExpectColumnValuesToBeInSet(column=date_column, value_set=[facts.run_date],
                                        description=f"every {date_column} is the run date"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=list(spec.keys),
                                            description=f"keys unique ({', '.join(spec.keys)})"),
        *(gxe.ExpectColumnValuesToNotBeNull(column=c, description=f"{c} not null") for c in required),
        *(gxe.ExpectColumnValuesToBeBetween(column=r.column, min_value=r.low, max_value=r.high,
                                            description=f"{r.column} {_bounds(r.low, r.high)}")
          for r in suite.ranges),
        *(gxe.ExpectColumnValuesToBeInSet(column=a.column, value_set=list(a.values),
                                          description=f"{a.column} in {{{', '.join(a.values)}}}")
          for a in suite.allowed),
        *(gxe.ExpectColumnSumToBeBetween(column=s.column, min_value=s.low, max_value=s.high,
                                         description=f"sum of {s.column} {_bounds(s.low, s.high)}")
          for s in suite.sums),
    ]
    if suite.reconcile:
        of = "distinct " + " ∪ ".join(suite.reconcile.distinct_of) if suite.reconcile.distinct_of else "rows"
        checks.append(gxe.ExpectTableRowCountToEqual(
            value=facts.upstream_rows,
            description=f"rows = {suite.reconcile.upstream.qualified_name} {of} of the date"))
    previous = facts.previous
    if previous and suite.row_drift:
        checks.append(gxe.ExpectTableRowCountToBeBetween(
            min_value=math.ceil(dq.min_row_ratio * previous.rows),
            description=f"rows ≥ {dq.min_row_ratio:.0%} of the previous snapshot's"))
    if previous and suite.mean_drift and previous.mean is not None:
        checks.append(gxe.ExpectColumnMeanToBeBetween(
            column=suite.mean_drift, min_value=previous.mean - dq.max_mean_shift,
            max_value=previous.mean + dq.max_mean_shift,
            description=f"mean {suite.mean_drift} within {dq.max_mean_shift:g} of the previous snapshot's"))
    return checks


def _checkpoint(cfg: Config, spec: TableSpec, checks: list):
    """The table's GE checkpoint in the file project under paths.dq, its suite replaced by `checks`."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=cfg.paths.dq)
    if SITE not in context.get_site_names():
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.add_data_docs_site(SITE, {
            "class_name": "SiteBuilder",
            # relative to the project (<paths.dq>/gx), so the data folder can move
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": "../data_docs"},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})
    # the Spark frame is handed over at run time; GE must not persist it (the caller has)
    source = context.data_sources.add_or_update_spark(name="clout", persist=False)
    name = spec.qualified_name
    asset = (source.get_asset(name) if name in {a.name for a in source.assets}
             else source.add_dataframe_asset(name=name))
    batch = (asset.get_batch_definition("snapshot") if asset.batch_definitions
             else asset.add_batch_definition_whole_dataframe("snapshot"))
    suite = context.suites.add_or_update(gx.ExpectationSuite(name=name, expectations=checks))
    validation = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=batch, suite=suite))
    # counts, not samples: a sample of unexpected values costs one more query per check
    return context.checkpoints.add_or_update(gx.Checkpoint(
        name=name, validation_definitions=[validation],
        actions=[UpdateDataDocsAction(name="data_docs", site_names=[SITE])],
        result_format={"result_format": "BASIC", "partial_unexpected_count": 0}))


def validate(spark: SparkSession, cfg: Config, spec: TableSpec, snapshot: DataFrame,
             run_date: dt.date, run_id: str) -> Outcome:
    """Run the table's suite on `snapshot` (persisted by the caller) and rebuild the Data Docs."""
    from great_expectations.core.run_identifier import RunIdentifier

    if spec.suite is None:
        raise ValueError(f"{spec.qualified_name} declares no data-quality suite in schemas/")
    checks = expectations(spec, gather_facts(spark, cfg, spec, run_date), cfg.dq)
    result = _checkpoint(cfg, spec, checks).run(batch_parameters={"dataframe": snapshot},
                                                run_id=RunIdentifier(run_name=run_id))
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
