"""A table's declared suite as a static Great Expectations suite, kept in GE's file store.

The store is the GE project at `<paths.dq>/gx`, shared by every run (a backfill may validate
beside the nightly). So that concurrent runs never write the same store files:

- A suite's content depends only on the table's declaration in schemas/ (and the `dq:` bounds
  named in its check names), never on the run date or the data. What changes per run (the run
  date, the upstream rows to reconcile with, the previous snapshot's row and mean bounds) is an
  expectation parameter, `{"$PARAMETER": name}`, whose value is given to `Checkpoint.run`.
- A table has one suite per variant: which of its declared drift checks apply (none on the
  first snapshot, when there is nothing to drift from).
- The data source, suites, validation definitions and checkpoints are created only when
  missing, and replaced only when the stored content differs from the declared one (a release
  changed a schema), always under one inter-process lock (`fcntl.flock` on `<paths.dq>/gx.lock`).
  So is the Data Docs site's configuration (its index's length, `dq.docs_index_validations`).
  Each run writes only its own validation result; the shared Data Docs (index, suite pages)
  are updated under the same lock, and `clout vacuum` expires old results under it.

Great Expectations is not thread-safe inside one process: it loads YAML through module-level
ruamel instances, and two threads loading at once corrupt each other's reader (an IndexError,
seen in CI). The pipeline validates on one thread; threads of one process (a test's concurrent
runs) take turns through `one_thread`, while processes run their validations side by side.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pipelines.core.config import Config, DqSettings
from schemas import Suite, TableSpec

SITE = "clout"      # the Data Docs site, at <paths.dq>/data_docs
SOURCE = "clout"    # the Spark data source; each table is one of its dataframe assets
ROWS = "at least one row"   # the check whose observed value is the snapshot's row count
# counts, not samples: a sample of unexpected values costs one more query per check
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}

# the expectation parameters (names of run-time values) a suite may use
RUN_DATE_SET = "run_date_set"     # [the run date]: the value set of the date column
UPSTREAM_ROWS = "upstream_rows"   # rows (or distinct ids) of the upstream snapshot of the date
MIN_ROWS = "min_rows"             # ⌈dq.min_row_ratio × the previous snapshot's rows⌉
MIN_MEAN = "min_mean"             # the previous snapshot's mean ∓ dq.max_mean_shift
MAX_MEAN = "max_mean"


def parameter(name: str) -> dict:
    return {"$PARAMETER": name}


@dataclass(frozen=True)
class Variant:
    """One static suite of a table: which of its declared drift checks apply to a run."""
    spec: TableSpec
    row_drift: bool = False
    mean_drift: bool = False

    @property
    def name(self) -> str:
        """The table's name when every declared drift check applies; `.first` when none does
        (no previous snapshot); `.no_mean_drift` when the previous snapshot has no mean."""
        suite: Suite = self.spec.suite
        declared = (suite.row_drift, bool(suite.mean_drift))
        if (self.row_drift, self.mean_drift) == declared:
            return self.spec.qualified_name
        if not (self.row_drift or self.mean_drift):
            return f"{self.spec.qualified_name}.first"
        return f"{self.spec.qualified_name}.no_mean_drift"


def _bounds(low: float | None, high: float | None) -> str:
    if high is None:
        return f"≥ {low:g}"
    return f"≤ {high:g}" if low is None else f"in [{low:g}, {high:g}]"


def expectations(variant: Variant, dq: DqSettings) -> list:
    """The GE expectations of a suite variant; each one's description is its check name."""
    import great_expectations.expectations as gxe

    spec = variant.spec
    suite: Suite = spec.suite
    date_column = spec.partition_by[0]
    required = list(dict.fromkeys([*spec.keys, *(f.name for f in spec.schema.fields if not f.nullable)]))
    checks = [
        gxe.ExpectTableRowCountToBeBetween(min_value=1, description=ROWS),
        gxe.ExpectColumnValuesToBeInSet(column=date_column, value_set=parameter(RUN_DATE_SET),
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
            value=parameter(UPSTREAM_ROWS),
            description=f"rows = {suite.reconcile.upstream.qualified_name} {of} of the date"))
    if variant.row_drift:
        checks.append(gxe.ExpectTableRowCountToBeBetween(
            min_value=parameter(MIN_ROWS),
            description=f"rows ≥ {dq.min_row_ratio:.0%} of the previous snapshot's"))
    if variant.mean_drift:
        checks.append(gxe.ExpectColumnMeanToBeBetween(
            column=suite.mean_drift, min_value=parameter(MIN_MEAN), max_value=parameter(MAX_MEAN),
            description=f"mean {suite.mean_drift} within {dq.max_mean_shift:g} of the previous snapshot's"))
    return checks


_GE_IN_THIS_PROCESS = threading.RLock()


@contextmanager
def one_thread() -> Iterator[None]:
    """Great Expectations used by one thread of this process at a time, until exit."""
    with _GE_IN_THIS_PROCESS:
        yield


@contextmanager
def store_lock(cfg: Config) -> Iterator[None]:
    """Exclusive, across processes and threads (each holder opens the file anew), until exit."""
    cfg.paths.dq.mkdir(parents=True, exist_ok=True)
    with open(cfg.paths.dq / "gx.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _context(cfg: Config):
    """The file project under paths.dq (created with its Data Docs site if missing). Under the lock."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=cfg.paths.dq)
    site = _site(cfg.dq)
    if SITE not in context.get_site_names():
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.add_data_docs_site(SITE, site)
    elif context.variables.data_docs_sites[SITE] != site:    # a project of an older release or other bounds
        context.update_data_docs_site(SITE, site)
    return context


def _site(dq: DqSettings) -> dict:
    """The Data Docs site: its index lists the latest `dq.docs_index_validations` validations, so
    rebuilding it after each validation reads that many stored results, not the whole history."""
    return {"class_name": "SiteBuilder",
            # relative to the project (<paths.dq>/gx), so the data folder can move
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": "../data_docs"},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder",
                                   "validation_results_limit": dq.docs_index_validations}}


def _batch_definition(context, spec: TableSpec):
    """The table's whole-dataframe batch definition (data source and asset added if missing)."""
    sources = context.data_sources.all()
    # the Spark frame is handed over at run time; GE must not persist it (the caller has)
    source = sources[SOURCE] if SOURCE in sources else context.data_sources.add_spark(name=SOURCE, persist=False)
    name = spec.qualified_name
    asset = (source.get_asset(name) if name in {a.name for a in source.assets}
             else source.add_dataframe_asset(name=name))
    return (asset.get_batch_definition("snapshot") if asset.batch_definitions
            else asset.add_batch_definition_whole_dataframe("snapshot"))


def _content(stored) -> object:
    """What a suite, validation definition or checkpoint says, without the store's ids."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "id"}
        return [strip(v) for v in value] if isinstance(value, list) else value

    if hasattr(stored, "expectations"):   # a suite: its meta holds GE's version, not content
        return [strip(e.configuration.to_json_dict()) for e in stored.expectations]
    return strip(json.loads(stored.json()))


def _ensure(collection, declared):
    """The stored object of `declared`'s name: added if missing, replaced if its content differs."""
    from great_expectations.exceptions import DataContextError

    try:
        stored = collection.get(declared.name)
    except DataContextError:
        return collection.add(declared)
    return stored if _content(stored) == _content(declared) else collection.add_or_update(declared)


def checkpoint(cfg: Config, variant: Variant):
    """The GE context and the variant's checkpoint (one validation definition, no actions),
    created or brought up to date under the store lock; after that the store is only read."""
    import great_expectations as gx

    with store_lock(cfg):
        context = _context(cfg)
        batch = _batch_definition(context, variant.spec)
        suite = _ensure(context.suites, gx.ExpectationSuite(
            name=variant.name, expectations=expectations(variant, cfg.dq)))
        validation = _ensure(context.validation_definitions,
                             gx.ValidationDefinition(name=variant.name, data=batch, suite=suite))
        return context, _ensure(context.checkpoints, gx.Checkpoint(
            name=variant.name, validation_definitions=[validation], actions=[],
            result_format=RESULT_FORMAT))


def update_docs(cfg: Config, context, result) -> None:
    """Add a checkpoint result's validation (and its suite's page) to the Data Docs, as GE's
    UpdateDataDocsAction would, under the store lock: the index and suite pages are shared."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    with store_lock(cfg):
        for key, validation in result.run_results.items():
            context.build_data_docs(site_names=[SITE], resource_identifiers=[
                key, ExpectationSuiteIdentifier(name=validation.suite_name)])


def expire_validations(cfg: Config, before: dt.datetime) -> int:
    """Remove the stored validation results that ran before `before` (UTC) from the GE project;
    return how many. Their Data Docs pages go with the next docs update, which drops pages whose
    result is gone (GE's `skip_and_clean_missing`). ops.dq_results keeps every check's row."""
    if not (cfg.paths.dq / "gx").is_dir():
        return 0
    with store_lock(cfg):
        store = _context(cfg).validation_results_store
        expired = [key for key in store.list_keys() if key.run_id.run_time < before]
        for key in expired:
            store.remove_key(key)
    return len(expired)
