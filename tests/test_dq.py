"""The data-quality gate: write, audit, publish. A corrupted snapshot never replaces gold.scores."""
import datetime as dt
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from pyspark.sql import functions as F
from pyspark.sql import types as T

from pipelines.core.errors import DataQualityError
from pipelines.core.io import read_table, replace_where
from pipelines.core.jobrun import JobContext, new_run_id
from pipelines.orchestration import upkeep
from pipelines.orchestration.cli import main
from pipelines.quality import dq, suites
from pipelines.quality.publish import publish_snapshot
from schemas import Between, Reconcile, Suite, TableSpec
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES
from schemas.ops_dq_results import DQ_RESULTS
from tests.conftest import DAY, config_for

PREVIOUS = DAY - dt.timedelta(days=1)
GOLD = {"gold.engagement_edges", "gold.network_influence", "gold.profile_features", "gold.scores",
        "gold.topic_scores"}


def on(day):
    return f"snapshot_date = '{day}'"


def one_in(n):
    """A deterministic ~1/n of the profiles."""
    return F.pmod(F.xxhash64("profile_id"), F.lit(n)) == 0


def published_rows(spark, cfg):
    return sorted(read_table(spark, cfg, SCORES).where(on(DAY)).collect())


def dq_results(spark, cfg, run_id):
    return read_table(spark, cfg, DQ_RESULTS).where(F.col("run_id") == run_id).collect()


@pytest.fixture(scope="module")
def gated(spark, e2e, tmp_path_factory):
    """A copy of the e2e run's profile_features and scores for DAY, plus those scores again as
    the PREVIOUS day's snapshot: the drift checks have something to compare with."""
    source, _, _ = e2e
    cfg = config_for(tmp_path_factory.mktemp("dq-gate"))
    scores = read_table(spark, source, SCORES).where(on(DAY))
    replace_where(read_table(spark, source, PROFILE_FEATURES).where(on(DAY)), cfg, PROFILE_FEATURES, on(DAY))
    replace_where(scores.withColumn("snapshot_date", F.lit(PREVIOUS)), cfg, SCORES, on(PREVIOUS))
    replace_where(scores, cfg, SCORES, on(DAY))
    return cfg, published_rows(spark, cfg)


def context(spark, cfg):
    return JobContext(spark, cfg, DAY, new_run_id(DAY))


@pytest.fixture
def clout(spark, cfg):
    """The CLI in this process, on the test session (whose checkpoint folder it moves: put back)."""
    yield main
    spark.sparkContext.setCheckpointDir(str(cfg.paths.checkpoints))


def test_the_e2e_nightly_passed_every_suite(spark, e2e):
    cfg, _, first = e2e
    results = dq_results(spark, cfg, first.run_id)
    assert {r.table_name for r in results} == GOLD
    assert all(r.success for r in results), [(r.table_name, r.check_name) for r in results if not r.success]
    scores = {r.check_name: r for r in results if r.table_name == "gold.scores"}
    assert {"score in [1, 100]", "percentile in [0, 100]", "keys unique (snapshot_date, profile_id)",
            "every snapshot_date is the run date", "rows = gold.profile_features rows of the date"} <= set(scores)
    assert int(scores["at least one row"].observed_value) == first.results["scores"].rows_out > 0
    assert {job: r.dq_outcome for job, r in first.results.items() if r.dq_outcome} == {
        "window": "passed", "network_influence": "passed", "scores": "passed"}


def test_a_clean_snapshot_passes_the_drift_checks_and_is_published(spark, gated):
    cfg, before = gated
    ctx = context(spark, cfg)
    published = publish_snapshot(ctx, read_table(spark, cfg, SCORES).where(on(DAY)), SCORES)
    results = {r.check_name: r for r in dq_results(spark, cfg, ctx.run_id)}
    assert published.rows == len(before) and published.checks == len(results)
    assert all(r.success for r in results.values())
    drift = results["mean score within 5 of the previous snapshot's"]
    assert abs(float(drift.observed_value) - sum(r.score for r in before) / len(before)) < 1e-9
    assert int(results["rows ≥ 80% of the previous snapshot's"].observed_value) == len(before)
    assert published_rows(spark, cfg) == before


CORRUPTIONS = {
    "out-of-range score": (lambda s: s.withColumn("score", F.when(one_in(10), F.col("score") + 100.0)
                                                  .otherwise(F.col("score"))),
                           ["score in [1, 100]"]),
    "duplicate profile rows": (lambda s: s.unionByName(s.where(one_in(10))),
                               ["keys unique (snapshot_date, profile_id)",
                                "rows = gold.profile_features rows of the date"]),
    "null keys": (lambda s: s.withColumn("profile_id", F.when(one_in(10), F.lit(None))
                                         .otherwise(F.col("profile_id"))),
                  ["profile_id not null"]),
    "missing partition (rows dated the day before)": (
        lambda s: s.withColumn("snapshot_date", F.lit(PREVIOUS)), ["every snapshot_date is the run date"]),
    "50% row-count drop": (lambda s: s.where(one_in(2)),
                           ["rows ≥ 80% of the previous snapshot's",
                            "rows = gold.profile_features rows of the date"]),
}


def held_rdds(spark) -> set[int]:
    """Ids of the RDDs whose blocks the executors hold (persisted or locally checkpointed), but
    Delta's own cache of each table's log state, which every read of a new version adds to."""
    return {info.id() for info in spark.sparkContext._jsc.sc().getRDDStorageInfo()
            if info.numCachedPartitions() > 0 and not info.name().startswith("Delta Table State")}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_a_corrupted_snapshot_fails_the_gate_and_leaves_the_published_one(spark, gated, corruption):
    cfg, before = gated
    corrupt, expected = CORRUPTIONS[corruption]
    ctx = context(spark, cfg)
    held_before = held_rdds(spark)
    with pytest.raises(DataQualityError) as failure:
        publish_snapshot(ctx, corrupt(read_table(spark, cfg, SCORES).where(on(DAY))), SCORES)
    line = str(failure.value)
    assert "\n" not in line and line.startswith(f"gold.scores {DAY}: failed checks: ")
    assert all(check in line for check in expected), line
    assert published_rows(spark, cfg) == before            # the previous snapshot, row for row
    results = dq_results(spark, cfg, ctx.run_id)
    failed = {r.check_name: r for r in results if not r.success}
    assert set(expected) <= set(failed)
    assert any(r.success for r in results)                  # passes are recorded too
    assert all(failed[check].observed_value and failed[check].mode == "publish" for check in expected)
    assert json.loads(failed[expected[0]].details)["kwargs"]
    assert held_rdds(spark) <= held_before                  # the staged rows were released


def test_clout_dq_passes_on_the_e2e_warehouse(spark, e2e, clout, capsys):
    cfg, _, _ = e2e
    code = clout(["dq", "--date", str(DAY), "--table", "silver.events", "--table", "gold.scores",
                  "--data-root", str(cfg.paths.data_root)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "PASS  silver.events" in out.out and "PASS  gold.scores" in out.out
    assert (cfg.paths.dq / "data_docs" / "index.html").is_file()
    audits = read_table(spark, cfg, DQ_RESULTS).where(F.col("mode") == "audit")
    assert audits.where(F.col("table_name") == "silver.events").where(~F.col("success")).count() == 0
    assert audits.where(F.col("check_name") == "event_type in {post, share, reply, mention, reaction, follow, "
                                               "endorse, retraction, identity, account}").count() >= 1


def test_clout_dq_on_a_corrupted_published_snapshot_exits_1_with_one_line(spark, gated, clout, tmp_path, capsys):
    source, _ = gated
    cfg = config_for(tmp_path)
    corrupt, _ = CORRUPTIONS["out-of-range score"]
    replace_where(read_table(spark, source, PROFILE_FEATURES).where(on(DAY)), cfg, PROFILE_FEATURES, on(DAY))
    replace_where(corrupt(read_table(spark, source, SCORES).where(on(DAY))), cfg, SCORES, on(DAY))
    code = clout(["dq", "--date", str(DAY), "--table", "gold.scores", "--data-root", str(tmp_path)])
    out = capsys.readouterr()
    assert code == 1
    assert "FAIL  gold.scores" in out.out
    (line,) = out.err.strip().splitlines()
    assert line.startswith(f"clout: data-quality failure: gold.scores {DAY}: failed checks: score in [1, 100]")
    (failed,) = read_table(spark, cfg, DQ_RESULTS).where(~F.col("success")).collect()
    assert (failed.mode, failed.table_name, failed.check_name) == ("audit", "gold.scores", "score in [1, 100]")
    bad = read_table(spark, source, SCORES).where(on(DAY)).where(one_in(10)).count()
    assert 0 < bad and failed.observed_value == f"{bad} of {len(published_rows(spark, cfg))} rows unexpected"


def test_clout_dq_names_an_unknown_table(e2e, clout, capsys):
    cfg, _, _ = e2e
    assert clout(["dq", "--date", str(DAY), "--table", "gold.nope", "--data-root", str(cfg.paths.data_root)]) == 2
    assert "unknown table 'gold.nope'" in capsys.readouterr().err


# A table of the test's own, four rows a day, whose suite uses every run-time parameter:
# the run date, reconciliation with an upstream table, row and mean drift.
TINY_UPSTREAM = TableSpec("test", "tiny_upstream", T.StructType([
    T.StructField("snapshot_date", T.DateType(), False), T.StructField("id", T.StringType(), False)]),
    keys=("snapshot_date", "id"), partition_by=("snapshot_date",), contract="test")
TINY = TableSpec("test", "tiny", T.StructType([*TINY_UPSTREAM.schema.fields, T.StructField("x", T.DoubleType(), False)]),
                 keys=("snapshot_date", "id"), partition_by=("snapshot_date",), contract="test",
                 suite=Suite(ranges=(Between("x", 0.0, 10.0),), reconcile=Reconcile(TINY_UPSTREAM),
                             row_drift=True, mean_drift="x"))
FIRST, SECOND = DAY - dt.timedelta(days=2), PREVIOUS
DRIFT = {"rows ≥ 80% of the previous snapshot's", "mean x within 5 of the previous snapshot's"}


def tiny(spark, day, xs):
    return spark.createDataFrame([(day, f"p{i}", float(x)) for i, x in enumerate(xs)], TINY.schema)


def store_files(cfg):
    """Every file of the GE project but the validation results (each run's own), with its
    modification time and bytes."""
    project = cfg.paths.dq / "gx"
    return {str(p.relative_to(project)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in project.rglob("*") if p.is_file() and "validations" not in p.parts}


def validate_at_once(spark, cfg, *runs):
    """Validate each (snapshot, date) on its own thread, all released together by a barrier.
    Their Spark work runs side by side; Great Expectations, not thread-safe, takes turns
    (suites.one_thread) in the order the threads reach it, as two processes might."""
    barrier = threading.Barrier(len(runs))

    def run(snapshot, day):
        barrier.wait(timeout=60)
        return dq.validate(spark, cfg, TINY, snapshot, day, new_run_id(day))

    with ThreadPoolExecutor(len(runs)) as pool:
        return [f.result() for f in [pool.submit(run, *r) for r in runs]]


def checks(outcome):
    return {c.check: c for c in outcome.checks}


@pytest.mark.system   # six validations against one store, two at a time: make test, not the edit loop
def test_concurrent_validations_use_their_own_parameters_and_never_rewrite_the_suites(spark, tmp_path):
    cfg = config_for(tmp_path)
    for day in (FIRST, SECOND):
        replace_where(spark.createDataFrame([(day, f"p{i}") for i in range(4)], TINY_UPSTREAM.schema),
                      cfg, TINY_UPSTREAM, on(day))
    replace_where(tiny(spark, FIRST, [1, 2, 3, 4]), cfg, TINY, on(FIRST))    # mean 2.5

    # a fresh store: both runs find it empty; SECOND drifts from FIRST, FIRST has nothing before it
    second, first = validate_at_once(spark, cfg, (tiny(spark, SECOND, [2, 3, 4, 5]), SECOND),
                                     (tiny(spark, FIRST, [1, 2, 3, 40]), FIRST))
    assert second.success and DRIFT <= set(checks(second))
    assert checks(second)["mean x within 5 of the previous snapshot's"].observed == "3.5"
    assert json.loads(checks(second)["mean x within 5 of the previous snapshot's"].details)["kwargs"] == {
        "column": "x", "min_value": -2.5, "max_value": 7.5}
    assert checks(second)["rows ≥ 80% of the previous snapshot's"].observed == "4"
    assert first.failed == ["x in [0, 10] (observed 1 of 4 rows unexpected)"]
    assert not DRIFT & set(checks(first))              # no previous snapshot: no drift check at all
    for outcome, day in ((second, SECOND), (first, FIRST)):
        dated = checks(outcome)["every snapshot_date is the run date"]
        assert dated.success and json.loads(dated.details)["kwargs"]["value_set"] == [str(day)]
        assert checks(outcome)["rows = test.tiny_upstream rows of the date"].observed == "4"
    project = cfg.paths.dq / "gx"
    stored_as = {kind: sorted(str(p.relative_to(project / kind)) for p in (project / kind).rglob("*.json"))
                 for kind in ("expectations", "validation_definitions", "checkpoints")}
    assert stored_as == {"expectations": ["test/tiny.json", "test/tiny/first.json"],   # one per variant
                         "validation_definitions": ["test.tiny.first.json", "test.tiny.json"],
                         "checkpoints": ["test.tiny.first.json", "test.tiny.json"]}
    assert dq.docs_index(cfg).is_file()

    # once they exist, validating only reads them, whatever each run's parameters
    stored = store_files(cfg)
    second, first = validate_at_once(spark, cfg, (tiny(spark, SECOND, [9, 9, 9, 9]), SECOND),
                                     (tiny(spark, FIRST, [1, 2, 3, 4]), FIRST))
    assert second.failed == ["mean x within 5 of the previous snapshot's (observed 9.0)"]
    assert first.success and first.rows == 4
    assert store_files(cfg) == stored
    assert len(list((project / "uncommitted" / "validations").rglob("*.json"))) == 4
    assert dq.docs_index(cfg).is_file()

    # a stored suite unlike the declared one (a release changed the schema) is replaced, only it
    path = project / "expectations" / "test" / "tiny.json"
    declared = json.loads(path.read_text())
    path.write_text(json.dumps({**declared, "expectations": declared["expectations"][:1]}))
    _, checkpoint = suites.checkpoint(cfg, suites.Variant(TINY, row_drift=True, mean_drift=True))
    assert checkpoint.is_fresh().success
    assert ([e["description"] for e in json.loads(path.read_text())["expectations"]]
            == [e["description"] for e in declared["expectations"]])
    assert {f: v for f, v in store_files(cfg).items() if f != "expectations/test/tiny.json"} == {
        f: v for f, v in stored.items() if f != "expectations/test/tiny.json"}


DOCS = TableSpec("test", "docs", TINY_UPSTREAM.schema, keys=("snapshot_date", "id"), partition_by=("snapshot_date",),
                 contract="test", suite=Suite())


@pytest.mark.system   # four validations against one store: make test, not the edit loop
def test_the_docs_index_lists_the_latest_validations_and_vacuum_expires_the_old_ones(spark, tmp_path):
    cfg = config_for(tmp_path, **{"dq.docs_index_validations": 2, "dq.docs_keep_days": 1})
    days = [DAY - dt.timedelta(days=k) for k in (3, 2, 1, 0)]
    runs = {day: new_run_id(day) for day in days}
    stored, pages = cfg.paths.dq / "gx" / "uncommitted" / "validations", cfg.paths.dq / "data_docs" / "validations"

    def validate(day):
        snapshot = spark.createDataFrame([(day, "p1"), (day, "p2")], DOCS.schema)
        assert dq.validate(spark, cfg, DOCS, snapshot, day, runs[day]).success

    def runs_in(folder, suffix):
        return {day for day in days if any(runs[day] in str(p) for p in folder.rglob(f"*{suffix}"))}

    validate(days[0])
    between = dt.datetime.now(dt.timezone.utc)
    for day in days[1:3]:
        validate(day)
    listed = dq.docs_index(cfg).read_text()
    assert [runs[day] in listed for day in days[:3]] == [False, True, True]     # the latest two
    assert runs_in(pages, ".html") == set(days[:3])                              # every page kept

    # a vacuum a day after `between` removes what ran before it; the next docs update drops its page
    assert upkeep.expire_data_docs(cfg, now=between + dt.timedelta(days=1)) == 1
    assert runs_in(stored, ".json") == set(days[1:3])
    validate(days[3])
    listed = dq.docs_index(cfg).read_text()
    assert [runs[day] in listed for day in days] == [False, False, True, True]
    assert runs_in(pages, ".html") == runs_in(stored, ".json") == set(days[1:])
    assert upkeep.expire_data_docs(cfg, now=between + dt.timedelta(days=1)) == 0   # idempotent
