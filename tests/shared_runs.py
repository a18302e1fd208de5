"""Two runs of the generated sample over FIRST and SECOND that system tests share (session
fixtures in conftest), each the other's reference, so that neither needs a third run for one:

- the backfill chain: `clout backfill FIRST..SECOND` SIGKILLed at test_reliability's five crash
  points while FIRST runs, then once more as SECOND starts (FIRST completed by then), then run
  again to the end, in this process. test_reliability asserts on the crashes, test_operations on
  the resumed backfill and on the two published dates (ledger, late data, shadow model, a quiet day).
- the concurrent run: a backfill of FIRST in another process and the nightly of SECOND here, at
  once, on a copy of the same landing zone.
- the forget run, on a copy of the chain once it finished: a profile is forgotten, SECOND runs
  again on the partials the two nights folded (test_erasure asserts on the erasure), then the
  partials are dropped and SECOND is recomputed from silver (test_incremental: the same bytes).

FIRST is computed in one uninterrupted pass by the concurrent run's backfill (FIRST is the
earliest snapshot, so what SECOND publishes meanwhile changes nothing of it) and with five
crashes by the chain; SECOND alone after FIRST by the chain's last attempt, and at once with
FIRST's backfill by the concurrent run. Checksums are taken as each run finishes: later tests
write to the chain's warehouse (FIRST's edges with late data, a quiet day after SECOND).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from deltalake import DeltaTable
from pyspark.sql import functions as F

from pipelines.core.config import Config
from pipelines.core.io import read_table
from pipelines.core.io import table_path
from pipelines.orchestration.erasure import Erased, forget
from pipelines.orchestration.nightly import NIGHTLY, run_nightly
from pipelines.serving.analyst import committed
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_network_influence import NETWORK_INFLUENCE
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES
from schemas.gold_topic_scores import TOPIC_SCORES
from schemas.ops_partial_slices import PARTIAL_SLICES
from schemas.ops_runs import RUNS
from schemas.silver_daily_partials import DAILY_PARTIALS, PARTIAL_RETRACTIONS, RETRACTIONS
from schemas.silver_events import EVENTS
from schemas.silver_quarantine import QUARANTINE
from tests.conftest import DAY, checksum, cli_conf, config_for, truth_profiles, use_test_sql

FIRST, SECOND = DAY - dt.timedelta(days=1), DAY
INGESTED = (RAW_EVENTS, EVENTS, QUARANTINE)
PUBLISHED = (ENGAGEMENT_EDGES, NETWORK_INFLUENCE, PROFILE_FEATURES, SCORES, TOPIC_SCORES)
# a score's smoothing reads the latest earlier snapshot, which for SECOND depends on whether
# FIRST published first: "unsmoothed" is the part of gold.scores a date computes from its inputs
UNSMOOTHED = ["profile_id", "raw_score", "true_reach_score", "amplification_score", "network_score"]


def clout(*args, root) -> list[str]:
    return [sys.executable, "-m", "pipelines.orchestration.cli", *args, "--data-root", str(root)]


def nightly_rows(spark, cfg: Config) -> list:
    return (read_table(spark, cfg, RUNS).where((F.col("job") == NIGHTLY) & (F.col("status") == "succeeded"))
            .select("run_date", "run_id").collect())


def snapshot_checksum(spark, cfg: Config, spec, day: dt.date, columns=None) -> tuple[int, int]:
    """Order-independent checksum of one snapshot date of a table (ingest run ids excluded)."""
    df = read_table(spark, cfg, spec).where(F.col("snapshot_date") == day)
    columns = columns or [c for c in df.columns if c != "ingest_run_id"]
    row = df.select(F.xxhash64(*columns).alias("h")).agg(
        F.count("h").alias("n"), F.sum(F.col("h").cast("decimal(38,0)")).alias("s")).first()
    return row.n, row.s


def fingerprint(spark, cfg: Config) -> dict:
    """Checksums of the ingested tables, and of each published table per date (scores also unsmoothed)."""
    sums = {spec.qualified_name: checksum(spark, cfg, spec) for spec in INGESTED}
    for day in (FIRST, SECOND):
        for spec in PUBLISHED:
            sums[spec.qualified_name, day] = snapshot_checksum(spark, cfg, spec, day)
        sums["unsmoothed scores", day] = snapshot_checksum(spark, cfg, SCORES, day, UNSMOOTHED)
    return sums


def published_rows(cfg: Config, spec, day: dt.date) -> int:
    """Rows a reader without Spark (delta-rs) sees for `day` right now; 0 before the first write."""
    path = cfg.paths.warehouse / spec.layer / spec.name
    if not committed(path):
        return 0
    table = DeltaTable(str(path)).to_pyarrow_table(columns=["snapshot_date"], filters=[("snapshot_date", "=", day)])
    return table.num_rows


@dataclass(frozen=True)
class BackfillChain:
    cfg: Config
    crashes: list            # (crash point, exit code, {table: rows of FIRST a reader saw after it})
    resumed: list            # stages the attempt that completed FIRST took over from crashed ones
    completions: dict        # FIRST's succeeded ledger rows per job, once FIRST completed
    after_crash: list        # completed nightlies when the backfill was SIGKILLed as SECOND started
    first_runs: set          # the run ids of FIRST's ledger rows then
    stdout: str              # the backfill run again after that
    sums: dict               # fingerprint() when it finished


# The crashed attempts' JVMs compile with C1 only: each is SIGKILLed within a minute, and the C2
# compilations a fresh JVM starts were a third of their CPU, thrown away with them (measured on the
# chain's crashed part alone: 554 → 380 CPU seconds, wall 307 → 282 s). The attempt that goes on to
# SECOND's start runs the same way; SECOND's own nightly runs in this process, as the nightly does.
# Like every test run, they run their queries interpreted, with the serial collector, on one
# partition (conftest.cli_conf); no test reads their event logs.
SHORT_LIVED_JVM = {"JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1"}


def run_backfill_chain(spark, root: Path, landing: Path, crash_points, kill_at) -> BackfillChain:
    shutil.copytree(landing, root / "landing")
    cfg = config_for(root)
    args = clout("backfill", "--start", str(FIRST), "--end", str(SECOND), root=root)
    conf = cli_conf(root.parent / f"{root.name}-conf", event_log=False)
    # a SIGKILLed driver never runs Spark's shutdown hook, which deletes its scratch directory (the
    # session's copy of the JVM packages, 85 MB, and its block manager's files): the crashed
    # attempts keep theirs under the test's folder, not the machine's temp directory
    scratch = {"SPARK_LOCAL_DIRS": str(root.parent / f"{root.name}-scratch")}

    def start():
        return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True,
                                env={**os.environ, **SHORT_LIVED_JVM, **scratch, "CLOUT_CONF_DIR": str(conf)})

    crashes = []
    for point, trigger, delay in crash_points:
        proc = start()
        kill_at(proc, {**trigger, "date": str(FIRST)}, delay)
        crashes.append((point, proc.returncode,
                        {spec.qualified_name: published_rows(cfg, spec, FIRST) for spec in PUBLISHED}))
    proc = start()                      # completes FIRST, then SIGKILLed as SECOND starts
    events = kill_at(proc, {"event": "start", "date": str(SECOND)}, 0.0)
    assert proc.returncode == -signal.SIGKILL, "the backfill ended before the second date started"
    resumed = [e["job"] for e in events if e["event"] == "resumed" and e.get("date") == str(FIRST)]
    ledger = read_table(spark, cfg, RUNS).where(F.col("run_date") == FIRST)
    completions = {r.job: r["count"] for r in ledger.where(F.col("status") == "succeeded")
                   .groupBy("job").count().collect()}
    first_runs = {r.run_id for r in ledger.select("run_id").distinct().collect()}
    after_crash = nightly_rows(spark, cfg)
    code, stdout = cli_here(spark, args[3:])   # warm: SECOND's nightly needs no fresh driver
    assert code == 0, stdout[-2000:]
    return BackfillChain(cfg, crashes, resumed, completions, after_crash, first_runs, stdout,
                         fingerprint(spark, cfg))


def cli_here(spark, argv: list[str]) -> tuple[int, str]:
    """`clout ARGV` in this process, on the test session, and what it printed. The CLI sets the
    session's checkpoint folder and SQL settings from its own config: both are put back."""
    from pipelines.orchestration.cli import main

    checkpoints = spark.sparkContext._jsc.sc().getCheckpointDir().get()
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            code = main(argv)
    finally:
        use_test_sql(spark)
        spark.sparkContext.setCheckpointDir(checkpoints)
    return code, out.getvalue()


@dataclass(frozen=True)
class ConcurrentRun:
    cfg: Config
    returncode: int          # the backfill of FIRST's
    log: list                # its log lines
    sums: dict | None        # fingerprint() when both finished, if the backfill succeeded


def run_concurrently(spark, root: Path, landing: Path) -> ConcurrentRun:
    """A backfill of FIRST in another process; SECOND's nightly here, started while it ingests."""
    shutil.copytree(landing, root / "landing")
    cfg = config_for(root)
    conf = cli_conf(root.parent / f"{root.name}-conf", event_log=True)   # test_operations reads its log
    proc = subprocess.Popen(clout("backfill", "--start", str(FIRST), "--end", str(FIRST), root=root),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CLOUT_CONF_DIR": str(conf)})
    ingesting, log = threading.Event(), []

    def follow():
        for line in proc.stderr:
            log.append(line)
            if '"start"' in line and '"ingest_bronze"' in line:
                ingesting.set()

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    assert ingesting.wait(timeout=300), "".join(log)[-2000:]
    run_nightly(cfg, SECOND, spark=spark)
    proc.wait(timeout=900)
    reader.join(timeout=60)
    return ConcurrentRun(cfg, proc.returncode, log, fingerprint(spark, cfg) if proc.returncode == 0 else None)


def edge_pairs(spark, cfg: Config, day: dt.date) -> set[tuple[str, str]]:
    edges = read_table(spark, cfg, ENGAGEMENT_EDGES).where(F.col("snapshot_date") == day)
    return {(r.engager_id, r.author_id) for r in edges.select("engager_id", "author_id").collect()}


@dataclass(frozen=True)
class ForgetRun:
    cfg: Config
    subject: dict            # the generator's truth of the forgotten profile
    erased: Erased
    edges_before: set        # SECOND's engager → author pairs before the forget
    slices: object           # ops.partial_slices after SECOND ran again (a local checkpoint)
    partials: object         # silver.daily_partials then
    incremental: dict        # SECOND's snapshot of each published table then
    scratch: dict            # the same once the partials were dropped and SECOND recomputed


def run_forget_then_recompute(spark, chain: BackfillChain, root: Path) -> ForgetRun:
    """On a copy of the chain: forget its most engaged-with multi-network profile that also
    engages others (retention 0: VACUUM removes at once), run SECOND again, then drop the
    partials and recompute SECOND from silver."""
    shutil.copytree(chain.cfg.paths.data_root, root, dirs_exist_ok=True)
    cfg = config_for(root, **{"privacy.retention_hours": 0})
    before = edge_pairs(spark, cfg, SECOND)
    candidates = {p["profile_id"]: p for p in truth_profiles(cfg) if len(p["accounts"]) >= 2 and not p["opted_out"]}
    reach: dict[str, int] = {}
    for _, author in before:
        reach[author] = reach.get(author, 0) + 1
    engages = {e for e, _ in before}
    subject = max((pid for pid in candidates if pid in engages), key=lambda pid: (reach.get(pid, 0), pid))
    erased = forget(spark, cfg, subject)

    def published() -> dict:
        return {spec.qualified_name: read_table(spark, cfg, spec).where(F.col("snapshot_date") == SECOND)
                .localCheckpoint() for spec in PUBLISHED}

    run_nightly(cfg, SECOND, spark=spark)
    slices = read_table(spark, cfg, PARTIAL_SLICES).localCheckpoint()
    partials = read_table(spark, cfg, DAILY_PARTIALS).localCheckpoint()
    incremental = published()
    for spec in (DAILY_PARTIALS, PARTIAL_RETRACTIONS, RETRACTIONS, PARTIAL_SLICES):
        shutil.rmtree(table_path(cfg, spec))
    run_nightly(cfg, SECOND, spark=spark)
    return ForgetRun(cfg, candidates[subject], erased, before, slices, partials, incremental, published())
