"""One Spark session for the whole test run, with tables under a temporary data root.

Tests that run a whole nightly (or read one: the `e2e` reference run) are system tests, marked
`system` here: `make test-fast` leaves them out for the edit loop, `make test` runs everything.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from generator import generate
from pipelines.core.config import CONF_DIR, load_config, set_dotted
from pipelines.core.io import read_table
from pipelines.orchestration.nightly import run_nightly
from pipelines.core.session import get_spark, session_conf

# pyspark.testing's frame comparisons go through pandas-on-Spark, which warns once without it
os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")

DAY = dt.date(2026, 9, 30)
E2E_SAMPLE = {"profiles": 300, "days": 21, "seed": 11, "end_date": DAY}

# No Spark event log in the test processes' own session: it serialises and compresses every plan
# of a nightly's few hundred queries (a few percent of its CPU, docs/capacity.md). The runs the
# tests start as the CLI (`clout backfill` in its own process) keep conf/local.yaml's, and
# test_operations checks one of them wrote its log.
# The serial collector: the test drivers' heaps are small and both cores are busy with the other
# process's work, where G1's concurrent threads cost more than they save (`make test-fast`, CPU
# from /proc/stat: 375 / 451 CPU-s with G1, 328 / 386 serial; docs/capacity.md).
TEST_JVM = "-XX:+UseSerialGC"
TEST_OVERRIDES = {"spark.shuffle_partitions": 2, "spark.master": "local[2]", "spark.driver_memory": "3g",
                  "spark.driver_java_options": TEST_JVM, "paths.spark_events": None}


# modules whose every test runs nightlies, crashes them or starts a cluster (test_bad_inputs:
# the ingest stages four times over the hostile corpus; test_score_dynamics: three snapshots of
# every gold transform, influence included, on 180 days of activity). A single slow scenario
# elsewhere is marked `system` where it is defined.
SYSTEM_MODULES = {"test_end_to_end", "test_operations", "test_reliability", "test_erasure", "test_cluster",
                  "test_incremental", "test_bad_inputs", "test_score_dynamics"}
# fixtures that stand for a whole nightly: a test using one is a system test wherever it lives
SYSTEM_FIXTURES = {"e2e", "backfill_chain", "concurrent_run", "forget_run"}
# `make test` runs two pytest processes at once (the machine's two cores; the wall time is the
# slower one's). The first (marked `e2e_run` here) takes the tests reading the e2e reference run,
# so that run happens once, and the modules in BESIDE_E2E_RUN, to even out the two; the second
# the rest, among them test_operations, test_reliability, test_erasure and test_incremental on
# the backfill chain, the concurrent run and the forget run they share (tests/shared_runs.py).
SHARED_RUN = "e2e"
BESIDE_E2E_RUN = {"test_bad_inputs", "test_landing_properties", "test_influence", "test_parsers", "test_score_dynamics",
                  "test_dq", "test_topics", "test_gaming", "test_scoring", "test_partials", "test_cli",
                  "test_generator", "test_shift", "test_stack", "test_config", "test_architecture", "test_open_networks",
                  "test_airflow_dag"}


def pytest_configure(config):
    config.addinivalue_line("markers", "system: runs or reads a whole nightly (left out by make test-fast)")
    config.addinivalue_line("markers", "e2e_run: make test's first process: reads the e2e reference run, "
                                       "or is placed beside the tests that do")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in SYSTEM_MODULES or SYSTEM_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.system)
        if SHARED_RUN in item.fixturenames or item.module.__name__.rsplit(".", 1)[-1] in BESIDE_E2E_RUN:
            item.add_marker(pytest.mark.e2e_run)


# The tests run their queries interpreted: on a few hundred profiles, compiling each query's
# generated code (Janino, then the JIT) costs more than running it. A fresh-driver nightly of the
# test sample: 230–240 CPU-s with code generation, 210–212 interpreted (docs/capacity.md); the
# suite keeps both cores busy, so CPU-seconds are its wall time. The e2e reference run keeps code
# generation, as production runs (and so does spark-submit's job run, conf/ as shipped); the rerun
# and the standalone cluster (interpreted too) compare with it, so both paths must publish the
# same bytes.
INTERPRETED = {"spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN"}
CODEGEN = {"spark.sql.codegen.wholeStage": "true", "spark.sql.codegen.factoryMode": "FALLBACK"}
# Adaptive execution off in the tests: it re-plans every query at each shuffle, which on a few
# hundred rows costs more than it saves (whole-machine CPU from /proc/stat, alternating pairs,
# 2026-12-01: `pytest -m "not system"` 213 / 205 CPU-s adaptive, 186 / 195 not; a CLI backfill of
# the test sample's two dates 221 / 205 adaptive, 211 / 180 not, with the same gold tables;
# docs/capacity.md). The e2e reference run keeps it, as production runs do (conf/local.yaml),
# so the runs compared with it (the rerun, the CLI runs, the standalone cluster) check that it
# does not change a byte.
NOT_ADAPTIVE = {"spark.sql.adaptive.enabled": "false"}
ADAPTIVE = {"spark.sql.adaptive.enabled": "true"}


@pytest.fixture(scope="session")
def data_root(tmp_path_factory):
    return tmp_path_factory.mktemp("clout-data")


@pytest.fixture(scope="session")
def cfg(data_root):
    return load_config("local", {**TEST_OVERRIDES, "paths.data_root": str(data_root)})


# One partition for the test session's frames: they hold a few rows, and local[2]'s default cuts
# every local frame and every shuffle in two, doubling the tasks to schedule, serialise and
# deserialise for no parallelism worth having (`pytest -m "not system"`, whole-machine CPU from
# /proc/stat, three alternating pairs: 170 / 175 / 223 s wall with two, 145 / 130 / 177 s with
# one, CPU −20 to −25 %; docs/capacity.md). The e2e reference run keeps its config's two shuffle
# partitions and the standalone cluster two executors' worth; the in-process runs (the rerun
# among them) and the CLI runs in JVMs of their own (cli_conf, below) run on one: all publish the
# same bytes, as the sums do not depend on how rows are cut (jobs/transforms/sums.py).
ONE_PARTITION = {"spark.default.parallelism": "1", "spark.sql.shuffle.partitions": "1"}


# The test session's runtime SQL settings. A CLI command run in this process (`main(argv)`)
# applies conf/'s own to the session it finds (SparkSession.builder.getOrCreate: eight shuffle
# partitions, adaptive execution), so they are put back after every test.
TEST_SQL = {"spark.sql.shuffle.partitions": ONE_PARTITION["spark.sql.shuffle.partitions"],
            **INTERPRETED, **NOT_ADAPTIVE}


def use_test_sql(session: SparkSession) -> None:
    for key, value in TEST_SQL.items():
        session.conf.set(key, value)


@pytest.fixture(scope="session")
def spark(cfg):
    settings = cfg.spark.model_copy(update={"extra_conf": {**cfg.spark.extra_conf, **ONE_PARTITION}})
    session = get_spark(cfg.model_copy(update={"spark": settings}), "clout-tests")
    use_test_sql(session)
    yield session
    session.stop()


@pytest.fixture(autouse=True)
def test_sql_after_each_test():
    yield
    session = SparkSession.getActiveSession()
    if session is not None:
        use_test_sql(session)


def conf_dir_with(folder: Path, changes: dict, extra_conf: dict | None = None) -> Path:
    """A copy of conf/ at `folder` whose local.yaml has `changes` (dotted keys) applied and
    `extra_conf` added to its Spark settings: for CLOUT_CONF_DIR."""
    shutil.copytree(CONF_DIR, folder)
    raw = yaml.safe_load((folder / "local.yaml").read_text())
    for dotted, value in changes.items():
        set_dotted(raw, dotted, value)
    raw["spark"]["extra_conf"].update(extra_conf or {})
    (folder / "local.yaml").write_text(yaml.safe_dump(raw))
    return folder


def cli_conf(folder: Path, *, event_log: bool) -> Path:
    """conf/ for the CLI runs the tests start in JVMs of their own (CLOUT_CONF_DIR): the test
    session's collector, partitions, interpreted queries and no adaptive execution, and an event
    log only where a test reads it. A CLI backfill of the test sample's two dates, four
    alternating runs each: 245 CPU-s on average (222–264) with conf/ as shipped, 229 (205–271) on
    one partition without an event log; without adaptive execution too, 196 against 213 (two
    pairs; docs/capacity.md, "Tuning tried")."""
    changes = {"spark.shuffle_partitions": 1, "spark.driver_java_options": TEST_JVM}
    if not event_log:
        changes["paths.spark_events"] = None
    return conf_dir_with(folder, changes, {**ONE_PARTITION, **INTERPRETED, **NOT_ADAPTIVE})


def config_for(root, **extra):
    """A config whose tables live under `root` (for tests that need a clean warehouse)."""
    return load_config("local", {**TEST_OVERRIDES, "paths.data_root": str(root), **extra})


@pytest.fixture(scope="session")
def e2e(spark, tmp_path_factory):
    """A generated tiny landing zone and one uninterrupted nightly over it: the reference run."""
    root = tmp_path_factory.mktemp("e2e")
    truth = generate(root / "landing", **E2E_SAMPLE, log=lambda _: None)
    cfg = config_for(root)
    production_like = {**CODEGEN, **ADAPTIVE, "spark.sql.shuffle.partitions": str(cfg.spark.shuffle_partitions)}
    with session_conf(spark, production_like):
        first = run_nightly(cfg, DAY, spark=spark)
    return cfg, truth, first


@pytest.fixture(scope="session")
def sample_landing(tmp_path_factory):
    """The e2e sample's landing zone, generated once for the runs that copy it."""
    landing = tmp_path_factory.mktemp("sample") / "landing"
    generate(landing, **E2E_SAMPLE, log=lambda _: None)
    return landing


@pytest.fixture(scope="session")
def backfill_chain(spark, sample_landing, tmp_path_factory):
    """A backfill of FIRST..SECOND crashed at five points during FIRST and as SECOND starts, then
    run to the end (tests/shared_runs.py); test_reliability and test_operations assert on it."""
    from tests.shared_runs import run_backfill_chain
    from tests.test_reliability import CRASH_POINTS, kill_at
    return run_backfill_chain(spark, tmp_path_factory.mktemp("backfill"), sample_landing, CRASH_POINTS, kill_at)


@pytest.fixture(scope="session")
def concurrent_run(spark, sample_landing, tmp_path_factory):
    """A backfill of FIRST and the nightly of SECOND at once on the same sample: the backfill
    chain's reference for FIRST, and checked against the chain's SECOND (tests/shared_runs.py)."""
    from tests.shared_runs import run_concurrently
    return run_concurrently(spark, tmp_path_factory.mktemp("concurrent"), sample_landing)


@pytest.fixture(scope="session")
def forget_run(spark, backfill_chain, tmp_path_factory):
    """A profile forgotten on a copy of the backfill chain, SECOND run again on the partials, then
    recomputed from scratch (tests/shared_runs.py); test_erasure and test_incremental assert on it."""
    from tests.shared_runs import run_forget_then_recompute
    return run_forget_then_recompute(spark, backfill_chain, tmp_path_factory.mktemp("forget"))


def checksum(spark, cfg, spec):
    """Order-independent content checksum of a table (ingest run ids excluded: they differ by run)."""
    df = read_table(spark, cfg, spec)
    cols = [c for c in df.columns if c != "ingest_run_id"]
    row = (df.select(F.xxhash64(*cols).alias("h"))
           .agg(F.count("h").alias("n"), F.sum(F.col("h").cast("decimal(38,0)")).alias("s")).first())
    return row.n, row.s


def truth_profiles(cfg):
    """The generator's per-profile ground truth, one dict per registered profile."""
    with gzip.open(cfg.paths.landing / "_truth" / "profiles.jsonl.gz", "rt") as f:
        return [json.loads(line) for line in f]


def event_frame(spark, rows):
    """Window events as the gold jobs see them, from (actor_id, target_id, event_type, event_date)
    rows: every action at noon, one account per profile, no links, content or tags, each row one
    event (`events` = 1, as silver.daily_partials would fold a post)."""
    return (spark.createDataFrame(rows, "actor_id STRING, target_id STRING, event_type STRING, event_date DATE")
            .withColumn("actor_account", F.concat(F.lit("net:"), "actor_id"))
            .withColumn("event_time", F.col("event_date").cast("timestamp") + F.expr("INTERVAL 12 HOURS"))
            .withColumn("has_link", F.lit(False))
            .withColumn("target_content_id", F.lit(None).cast("string"))
            .withColumn("topics", F.array().cast("array<string>"))
            .withColumn("events", F.lit(1).cast("long")))
