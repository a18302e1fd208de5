"""Operating Clout: backfill that skips and resumes, late data, the run ledger, event logs."""
import datetime as dt

import pytest
from deltalake import DeltaTable
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual
from scipy.stats import spearmanr

from pipelines.core.config import load_config, load_model, load_topics
from pipelines.core.fingerprint import config_fingerprint
from pipelines.core.io import read_table, table_path
from pipelines.core.errors import UserError
from jobs import profiles, window
from pipelines.core.jobrun import run_job
from pipelines.orchestration.nightly import NIGHTLY, STAGES, NightlyResult, context, run_shadow
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.silver_quarantine import QUARANTINE
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_network_influence import NETWORK_INFLUENCE
from schemas.gold_scores import SCORES
from schemas.gold_scores_shadow import SHADOW_SCORES
from schemas.ops_model_validity import MODEL_VALIDITY
from schemas.ops_runs import RUNS
from schemas.silver_events import EVENTS, SCORED_TYPES
from tests.conftest import checksum
from jobs.transforms.gaming import swap_ring_members
from jobs.transforms.topics import topic_scores
from jobs.transforms.validity import OUTCOMES, PREDICTORS
from tests.shared_runs import FIRST, SECOND, UNSMOOTHED, cli_here, nightly_rows


def test_backfill_resumes_after_a_crash_without_redoing_completed_dates(spark, backfill_chain):
    """The backfill chain (tests/shared_runs.py) was SIGKILLed as SECOND started, FIRST completed;
    run again, it skips FIRST and completes SECOND."""
    cfg = backfill_chain.cfg
    assert [r.run_date for r in backfill_chain.after_crash] == [FIRST]
    first_run = backfill_chain.after_crash[0].run_id
    assert f"{FIRST} already completed by run {first_run}" in backfill_chain.stdout
    rows = nightly_rows(spark, cfg)
    assert sorted(r.run_date for r in rows) == [FIRST, SECOND]
    jobs_for_first = (read_table(spark, cfg, RUNS).where(F.col("run_date") == FIRST)
                      .select("run_id").distinct().collect())
    assert {r.run_id for r in jobs_for_first} == backfill_chain.first_runs, "the first date ran again"
    published = read_table(spark, cfg, SCORES).groupBy("snapshot_date").count().collect()
    assert {r.snapshot_date for r in published} == {FIRST, SECOND}


def test_ledger_rows_name_the_delta_versions_they_wrote(spark, backfill_chain):
    cfg = backfill_chain.cfg
    row = (read_table(spark, cfg, RUNS).where((F.col("job") == "scores") & (F.col("run_date") == SECOND))
           .first())
    version = row.tables_written["gold.scores"]
    history = DeltaTable(table_path(cfg, SCORES)).history()
    commit = next(h for h in history if h["version"] == version)
    assert commit["operation"] == "WRITE"
    as_of = spark.read.format("delta").option("versionAsOf", version).load(table_path(cfg, SCORES))
    assert as_of.where(F.col("snapshot_date") == SECOND).count() == row.rows_out
    assert row.config_hash == config_fingerprint(cfg) and row.inputs_hash
    assert row.model_version == cfg.pipeline.model_version
    staged = {r.job for r in read_table(spark, cfg, RUNS).where(F.col("run_date") == SECOND).collect()}
    assert staged == {name for name, _ in STAGES} | {NIGHTLY}


def rerun_window(spark, cfg, day, include_late=False):
    """The nightly's stages up to the first that reads the window, for a past date: profiles
    (account links and opt-outs known by then) and window."""
    ctx = context(spark, cfg, day, include_late)
    run_job(ctx, profiles.JOB, profiles.run)
    return run_job(ctx, window.JOB, window.run)


def test_a_past_snapshot_sees_late_events_only_when_asked(spark, backfill_chain):
    """Events of FIRST delivered on SECOND: a rerun of FIRST's window reproduces the published
    snapshot; asked to include late data it counts them."""
    cfg = backfill_chain.cfg
    late = (read_table(spark, cfg, EVENTS)    # the window's rows read count them, opted-out profiles' too
            .where((F.col("event_date") <= FIRST) & (F.col("landing_date") > FIRST))
            .where(F.col("event_type").isin(*SCORED_TYPES)).count())
    assert late > 0, "the generator delivers some events days late"
    published = checksum(spark, cfg, ENGAGEMENT_EDGES)
    again = rerun_window(spark, cfg, FIRST)
    assert checksum(spark, cfg, ENGAGEMENT_EDGES) == published
    with_late = rerun_window(spark, cfg, FIRST, include_late=True)
    assert with_late.rows_in == again.rows_in + late
    assert checksum(spark, cfg, ENGAGEMENT_EDGES) != published


def test_the_carried_window_reads_what_the_window_rows_give(spark, backfill_chain):
    """The window stage of a model that carries (v6) reads the state and only the rows it needs;
    on SECOND (late events in: the states stay in memory), with opted-out profiles in the sample,
    it gets the same daily activity, posts and shares, topic interactions and topic scores as the
    stage reading every row, and the same edges to the rounding of their sums."""
    ctx = context(spark, backfill_chain.cfg, SECOND, include_late=True)
    model = load_model("v6")
    rows, carried = window.from_rows(ctx, model), window.from_state(ctx, model)
    try:
        assert carried.how == "window state built (late events: not kept)"
        assert carried.rows == rows.rows
        assertDataFrameEqual(carried.activity, rows.activity)
        assertDataFrameEqual(carried.authored.select(*rows.authored.columns), rows.authored)
        edges = carried.edges.localCheckpoint()
        from_state = carried.interactions(edges)
        from_rows = rows.interactions(edges).where(F.col("event_type").isin(*window.TOPIC_INTERACTIONS))
        assertDataFrameEqual(from_state.drop("_discount"), from_rows)
        posts = rows.authored.where(F.col("event_type") == "post")
        swaps = swap_ring_members(from_rows.where(F.col("event_type") == "endorse"), model.anti_gaming)
        topics = [topic_scores(i, posts, edges, swaps, model, load_topics(), snapshot_date=SECOND).localCheckpoint()
                  for i in (from_state, from_rows)]
        assert topics[1].count() > 0
        assertDataFrameEqual(*topics)
        pair = ["engager_id", "author_id"]
        assertDataFrameEqual(carried.edges.orderBy(*pair), rows.edges.orderBy(*pair), rtol=1e-7, checkRowOrder=True)
    finally:
        rows.release()
        carried.release()


def test_event_logs_are_written_for_the_history_server(concurrent_run):
    """The backfill the CLI ran in its own process (conf/local.yaml) left one complete event log."""
    logs = load_config("local", {"paths.data_root": str(concurrent_run.cfg.paths.data_root)}).paths.spark_events
    (app,) = [p for p in logs.iterdir() if p.name.startswith("eventlog_v2_")]
    app_id = app.name.removeprefix("eventlog_v2_")
    files = {p.name for p in app.iterdir()}
    assert f"events_1_{app_id}" in {name.split(".")[0] for name in files}, files
    assert f"appstatus_{app_id}" in files, files   # `.inprogress` until the application ends


def test_a_candidate_model_runs_in_shadow_without_touching_published_scores(spark, backfill_chain):
    cfg = backfill_chain.cfg
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


def test_the_published_model_cannot_be_its_own_shadow(spark, backfill_chain):
    cfg = backfill_chain.cfg
    ctx = context(spark, cfg, SECOND)
    with pytest.raises(UserError, match="published model"):
        run_shadow(ctx, cfg.pipeline.model_version, NightlyResult(ctx.run_id, {}, {}))


# what a date computes from its own inputs (see shared_runs.UNSMOOTHED)
COMPUTED = ("gold.engagement_edges", "gold.network_influence", "gold.profile_features", "unsmoothed scores")
# ... and what SECOND computes from its inputs and where its influence started: from FIRST's
# snapshot when FIRST was published before SECOND's influence ran (always in the chain; in the
# concurrent run only if FIRST's backfill got there first), from uniform ranks otherwise. Both
# end within the tolerance of the same fixed point; the checks below compare SECOND's influence
# and unsmoothed scores with that allowance, everything else of SECOND to the byte.
STARTED_FROM_FIRST = ("gold.network_influence", "unsmoothed scores")


def day_values(spark, cfg, spec, day, column) -> dict:
    return {r.profile_id: r[column] for r in read_table(spark, cfg, spec)
            .where(F.col("snapshot_date") == day).select("profile_id", column).collect()}


def test_a_backfill_and_the_nightly_at_once_compute_what_each_would_alone(spark, concurrent_run, backfill_chain):
    """A backfill of FIRST in another process, today's nightly (SECOND) here, started while the
    backfill ingests (tests/shared_runs.py): both complete; each date computes what it does in
    the backfill chain on the same sample (SECOND alone after FIRST; FIRST after five crashes, the
    equality test_reliability asserts in full); nothing is ingested twice (Delta's optimistic
    concurrency, conflicting commits retried)."""
    run, alone = concurrent_run, backfill_chain.sums
    errors = [line for line in run.log if "Exception" in line or "Error" in line or "error" in line]
    assert run.returncode == 0, "".join(errors[:5])[:3000] or "".join(run.log)[-2000:]
    assert sorted(r.run_date for r in nightly_rows(spark, run.cfg)) == [FIRST, SECOND]
    for name in COMPUTED:
        assert run.sums[name, FIRST] == alone[name, FIRST], (name, str(FIRST))
        if name not in STARTED_FROM_FIRST:
            assert run.sums[name, SECOND] == alone[name, SECOND], (name, str(SECOND))
    influence = load_model(backfill_chain.cfg.pipeline.model_version).influence
    tolerance, damping = influence.tolerance, influence.damping
    ours, chain = (day_values(spark, cfg, NETWORK_INFLUENCE, SECOND, "influence") for cfg in (run.cfg, backfill_chain.cfg))
    assert ours.keys() == chain.keys()
    # each run stopped with an L1 step ≤ tolerance: each is within d/(1-d)·tolerance of the fixed point
    assert sum(abs(ours[p] - chain[p]) for p in ours) <= 2 * damping / (1 - damping) * tolerance
    for column in UNSMOOTHED[1:]:   # scores are rounded to 0.01: at most one step apart
        ours, chain = (day_values(spark, cfg, SCORES, SECOND, column) for cfg in (run.cfg, backfill_chain.cfg))
        assert ours.keys() == chain.keys() and max(abs(ours[p] - chain[p]) for p in ours) <= 0.01 + 1e-9, column
    for spec in (RAW_EVENTS, EVENTS, QUARANTINE):
        assert run.sums[spec.qualified_name] == alone[spec.qualified_name], spec.qualified_name


def test_a_day_without_new_activity_moves_no_score_more_than_the_smoothing_bound(spark, backfill_chain):
    """The day after SECOND, nothing new has landed: its snapshot differs from SECOND's by at
    most max_daily_move per profile (and, with no new data, far less for nearly everyone)."""
    cfg = backfill_chain.cfg
    quiet = SECOND + dt.timedelta(days=1)
    ctx = context(spark, cfg, quiet)
    for name, body in STAGES:
        if name not in ("ingest_bronze", "ingest_silver"):   # nothing landed to ingest
            run_job(ctx, name, body)
    day = lambda d: {r.profile_id: r.score for r in read_table(spark, cfg, SCORES)
                     .where(F.col("snapshot_date") == d).select("profile_id", "score").collect()}
    before, after = day(SECOND), day(quiet)
    assert before.keys() == after.keys()
    moves = sorted(abs(after[p] - before[p]) for p in before)
    # a profile held at the bound moved by exactly max_daily_move, up to the float rounding of
    # (previous + bound) - previous
    assert moves[-1] <= load_model(cfg.pipeline.model_version).score.max_daily_move + 1e-9
    assert moves[len(moves) // 2] < 1.0, "a quiet day moves the median profile by less than a point"


def test_validate_ranks_a_snapshot_against_the_days_after_it_and_records_the_figures(spark, backfill_chain):
    """`clout validate` of FIRST over one day (SECOND's nightly ingested it): every predictor
    against every outcome in ops.model_validity, posting and silent profiles counted apart;
    a horizon no nightly has reached yet is the operator's mistake."""
    cfg = backfill_chain.cfg
    root = ["--data-root", str(cfg.paths.data_root)]
    code, out = cli_here(spark, ["validate", "--date", str(FIRST), "--horizon", "1", "--resamples", "20", *root])
    assert code == 0, out
    figures = read_table(spark, cfg, MODEL_VALIDITY).where(F.col("snapshot_date") == FIRST).collect()
    assert {(r.outcome, r.predictor) for r in figures} == {(o, p) for o in OUTCOMES for p in PREDICTORS}
    scored = read_table(spark, cfg, SCORES).where(F.col("snapshot_date") == FIRST).count()
    first = figures[0]
    assert first.scored == scored and 0 < first.posted < scored and first.evaluated == first.posted
    assert all(r.spearman_low <= r.spearman <= r.spearman_high and 0 <= r.top_decile_precision <= 1
               and r.horizon_days == 1 and r.model_version == cfg.pipeline.model_version and r.published
               for r in figures)
    assert f"{scored - first.posted:,} silent (reported apart)" in out and "score − best naive" in out
    code, _ = cli_here(spark, ["validate", "--date", str(SECOND), "--horizon", "1", *root])
    assert code == 2
