"""Operating Clout: backfill that skips and resumes, late data, the run ledger, event logs."""
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading

import pytest
from deltalake import DeltaTable
from pyspark.sql import functions as F
from scipy.stats import spearmanr

from generator import generate
from pipelines.core.fingerprint import config_fingerprint
from pipelines.core.io import read_table, table_path
from pipelines.core.errors import UserError
from jobs import engagement_edges, profiles
from pipelines.core.jobrun import run_job
from pipelines.orchestration.nightly import NIGHTLY, STAGES, NightlyResult, context, run_nightly, run_shadow
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.silver_quarantine import QUARANTINE
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_network_influence import NETWORK_INFLUENCE
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES
from schemas.gold_scores_shadow import SHADOW_SCORES
from schemas.ops_runs import RUNS
from schemas.silver_events import EVENTS
from tests.conftest import DAY, E2E_SAMPLE, checksum, config_for, truth_profiles

FIRST, SECOND = DAY - dt.timedelta(days=1), DAY


def clout(*args, root):
    return [sys.executable, "-m", "pipelines.orchestration.cli", *args, "--data-root", str(root)]


def nightly_rows(spark, cfg):
    return (read_table(spark, cfg, RUNS).where((F.col("job") == NIGHTLY) & (F.col("status") == "succeeded"))
            .select("run_date", "run_id").collect())


@pytest.fixture(scope="module")
def backfilled(spark, tmp_path_factory):
    """A backfill of two dates, SIGKILLed while the second date runs, then run again."""
    root = tmp_path_factory.mktemp("backfill")
    generate(root / "landing", **E2E_SAMPLE, log=lambda _: None)
    args = clout("backfill", "--start", str(FIRST), "--end", str(SECOND), root=root)
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    for line in proc.stderr:
        if line.startswith("{"):
            event = json.loads(line)
            if event.get("date") == str(SECOND) and event.get("event") == "start":
                os.killpg(proc.pid, signal.SIGKILL)
                break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the backfill ended before the second date started"
    cfg = config_for(root)
    after_crash = nightly_rows(spark, cfg)
    resumed = subprocess.run(args, capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    return cfg, after_crash, resumed.stdout


def test_backfill_resumes_after_a_crash_without_redoing_completed_dates(spark, backfilled):
    cfg, after_crash, stdout = backfilled
    assert [r.run_date for r in after_crash] == [FIRST]
    first_run = after_crash[0].run_id
    assert f"{FIRST} already completed by run {first_run}" in stdout
    rows = nightly_rows(spark, cfg)
    assert sorted(r.run_date for r in rows) == [FIRST, SECOND]
    jobs_for_first = (read_table(spark, cfg, RUNS).where(F.col("run_date") == FIRST)
                      .select("run_id").distinct().collect())
    assert [r.run_id for r in jobs_for_first] == [first_run], "the first date ran again"
    published = read_table(spark, cfg, SCORES).groupBy("snapshot_date").count().collect()
    assert {r.snapshot_date for r in published} == {FIRST, SECOND}


def test_ledger_rows_name_the_delta_versions_they_wrote(spark, backfilled):
    cfg, _, _ = backfilled
    row = (read_table(spark, cfg, RUNS).where((F.col("job") == "scores") & (F.col("run_date") == SECOND))
           .first())
    version = row.tables_written["gold.scores"]
    history = DeltaTable(table_path(cfg, SCORES)).history()
    commit = next(h for h in history if h["version"] == version)
    assert commit["operation"] == "WRITE"
    as_of = spark.read.format("delta").option("versionAsOf", version).load(table_path(cfg, SCORES))
    assert as_of.where(F.col("snapshot_date") == SECOND).count() == row.rows_out
    assert row.config_hash == config_fingerprint(cfg) and row.inputs_hash and row.model_version == "v1"
    staged = {r.job for r in read_table(spark, cfg, RUNS).where(F.col("run_date") == SECOND).collect()}
    assert staged == {name for name, _ in STAGES} | {NIGHTLY}


def rerun_window(spark, cfg, day, include_late=False):
    """The nightly's stages up to the first that reads the window, for a past date: profiles
    (account links and opt-outs known by then) and engagement_edges."""
    ctx = context(spark, cfg, day, include_late)
    run_job(ctx, profiles.JOB, profiles.run)
    return run_job(ctx, engagement_edges.JOB, engagement_edges.run)


def test_a_past_snapshot_sees_late_events_only_when_asked(spark, backfilled):
    """Events of FIRST delivered on SECOND: a rerun of FIRST's window reproduces the published
    snapshot; asked to include late data it counts them."""
    cfg, _, _ = backfilled
    opted_out = sorted(f"{a['network']}:{a['account_id']}" for p in truth_profiles(cfg) if p["opted_out"]
                       for a in p["accounts"])
    late = (read_table(spark, cfg, EVENTS)
            .where((F.col("event_date") <= FIRST) & (F.col("landing_date") > FIRST))
            .where(~F.col("actor_account").isin(opted_out)
                   & ~F.coalesce(F.col("target_account").isin(opted_out), F.lit(False))).count())
    assert late > 0, "the generator delivers some events days late"
    published = checksum(spark, cfg, ENGAGEMENT_EDGES)
    again = rerun_window(spark, cfg, FIRST)
    assert checksum(spark, cfg, ENGAGEMENT_EDGES) == published
    with_late = rerun_window(spark, cfg, FIRST, include_late=True)
    assert with_late.rows_in == again.rows_in + late
    assert checksum(spark, cfg, ENGAGEMENT_EDGES) != published


def test_event_logs_are_written_for_the_history_server(spark, cfg):
    logs = cfg.paths.spark_events
    app = spark.sparkContext.applicationId
    assert any(app in p.name for p in logs.iterdir()), sorted(logs.iterdir())  # eventlog_v2_<app id>


def test_a_candidate_model_runs_in_shadow_without_touching_published_scores(spark, backfilled):
    cfg, _, _ = backfilled
    published = checksum(spark, cfg, SCORES)
    ctx = context(spark, cfg, SECOND)
    result = run_shadow(ctx, "v2", NightlyResult(ctx.run_id, {}, {}))
    assert checksum(spark, cfg, SCORES) == published
    shadow = read_table(spark, cfg, SHADOW_SCORES).where(F.col("snapshot_date") == SECOND)
    assert {r.model_version for r in shadow.select("model_version").distinct().collect()} == {"v2"}
    current = {r.profile_id: r.score for r in
               read_table(spark, cfg, SCORES).where(F.col("snapshot_date") == SECOND).collect()}
    candidate = {r.profile_id: r.score for r in shadow.collect()}
    both = sorted(current.keys() & candidate.keys())
    assert result.shift.profiles == len(both) > 0
    expected = spearmanr([current[p] for p in both], [candidate[p] for p in both]).statistic
    assert result.shift.spearman == pytest.approx(expected, abs=1e-9)
    assert any(current[p] != candidate[p] for p in both), "v2 weighs differently: scores must move"
    assert "Spearman" in result.shift_lines[0]


def test_the_published_model_cannot_be_its_own_shadow(spark, backfilled):
    cfg, _, _ = backfilled
    ctx = context(spark, cfg, SECOND)
    with pytest.raises(UserError, match="published model"):
        run_shadow(ctx, "v1", NightlyResult(ctx.run_id, {}, {}))


def snapshot_checksum(spark, cfg, spec, day, columns=None):
    df = read_table(spark, cfg, spec).where(F.col("snapshot_date") == day)
    row = df.select(F.xxhash64(*(columns or df.columns)).alias("h")).agg(
        F.count("h").alias("n"), F.sum(F.col("h").cast("decimal(38,0)")).alias("s")).first()
    return row.n, row.s


# what a date computes from its own inputs; a score's smoothing also reads the latest earlier
# snapshot, which depends on which run published first, so scores are compared before smoothing
COMPUTED = ((ENGAGEMENT_EDGES, None), (NETWORK_INFLUENCE, None), (PROFILE_FEATURES, None),
            (SCORES, ["profile_id", "raw_score", "true_reach_score", "amplification_score", "network_score"]))


def test_a_backfill_and_the_nightly_at_once_compute_what_each_would_alone(spark, backfilled, tmp_path):
    """A backfill of FIRST in another process, today's nightly (SECOND) here, started while the
    backfill ingests: both complete; each date computes what it did alone; nothing is ingested
    twice (Delta's optimistic concurrency, conflicting commits retried)."""
    alone_cfg, _, _ = backfilled        # FIRST, then SECOND, one after the other, on the same sample
    reference_cfg = alone_cfg
    generate(tmp_path / "landing", **E2E_SAMPLE, log=lambda _: None)
    cfg = config_for(tmp_path)
    proc = subprocess.Popen(clout("backfill", "--start", str(FIRST), "--end", str(FIRST), root=tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
    errors = [line for line in log if "Exception" in line or "Error" in line or "error" in line]
    assert proc.returncode == 0, "".join(errors[:5])[:3000] or "".join(log)[-2000:]
    assert sorted(r.run_date for r in nightly_rows(spark, cfg)) == [FIRST, SECOND]
    for spec, columns in COMPUTED:
        assert snapshot_checksum(spark, cfg, spec, SECOND, columns) == \
            snapshot_checksum(spark, reference_cfg, spec, SECOND, columns), spec.qualified_name
        if spec is not ENGAGEMENT_EDGES:  # the late-data test rewrote FIRST's edges in `backfilled`
            assert snapshot_checksum(spark, cfg, spec, FIRST, columns) == \
                snapshot_checksum(spark, alone_cfg, spec, FIRST, columns), spec.qualified_name
    for spec in (RAW_EVENTS, EVENTS, QUARANTINE):
        assert checksum(spark, cfg, spec) == checksum(spark, reference_cfg, spec), spec.qualified_name


def test_a_day_without_new_activity_moves_no_score_more_than_the_smoothing_bound(spark, backfilled):
    """The day after SECOND, nothing new has landed: its snapshot differs from SECOND's by at
    most max_daily_move per profile (and, with no new data, far less for nearly everyone)."""
    from pipelines.core.config import load_model
    cfg, _, _ = backfilled
    quiet = SECOND + dt.timedelta(days=1)
    ctx = context(spark, cfg, quiet)
    for name, body in STAGES:
        if name not in ("ingest_bronze", "ingest_silver", "topic_scores"):   # nothing landed to ingest
            run_job(ctx, name, body)
    day = lambda d: {r.profile_id: r.score for r in read_table(spark, cfg, SCORES)
                     .where(F.col("snapshot_date") == d).select("profile_id", "score").collect()}
    before, after = day(SECOND), day(quiet)
    assert before.keys() == after.keys()
    moves = sorted(abs(after[p] - before[p]) for p in before)
    assert moves[-1] <= load_model("v1").score.max_daily_move
    assert moves[len(moves) // 2] < 1.0, "a quiet day moves the median profile by less than a point"
