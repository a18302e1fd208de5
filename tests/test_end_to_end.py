"""The nightly on a generated landing zone, checked against the generator's ground truth."""
import gzip
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from deltalake import DeltaTable
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual
from scipy.stats import spearmanr

from jobs import daily_partials
from jobs.profiles import every_link_record, ingested_link_files, landed_links, opted_out_of
from pipelines.core.config import PROJECT_ROOT
from pipelines.core.io import read_table, table_path
from pipelines.core.jobrun import run_job
from pipelines.orchestration.nightly import context, run_nightly
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_network_influence import NETWORK_INFLUENCE
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES
from schemas.gold_topic_scores import TOPIC_SCORES
from schemas.ops_ingested_files import INGESTED_FILES
from schemas.ops_partial_slices import PARTIAL_SLICES
from schemas.ops_runs import RUNS
from schemas.silver_daily_partials import DAILY_PARTIALS, PARTIAL_RETRACTIONS, RETRACTIONS
from schemas.silver_events import EVENTS
from schemas.silver_quarantine import QUARANTINE
PUBLISHED = (RAW_EVENTS, EVENTS, QUARANTINE, ENGAGEMENT_EDGES, NETWORK_INFLUENCE, PROFILE_FEATURES, SCORES,
             TOPIC_SCORES)


from tests.conftest import DAY, checksum, config_for, truth_profiles

def test_every_planted_bad_record_is_quarantined_with_its_reason(spark, e2e):
    cfg, truth, _ = e2e
    expected = Counter()
    for kind, per_network in truth["bad_records"].items():
        if kind != "duplicate":
            for network, n in per_network.items():
                expected[(truth["expected_reason"][kind], network)] += n
    got = Counter({(r.reason, r.network): r["count"] for r in
                   read_table(spark, cfg, QUARANTINE).groupBy("reason", "network").count().collect()})
    assert got == expected


def test_bronze_keeps_every_line_as_received_with_its_number(spark, e2e):
    cfg, truth, _ = e2e
    source = "chirp/dt=2026-09-29/part-00000.jsonl.gz"
    with gzip.open(cfg.paths.landing / source, "rb") as f:
        lines = f.read().split(b"\n")[:-1]
    bronze = (read_table(spark, cfg, RAW_EVENTS).where(F.col("source_file") == source)
              .orderBy("line_number").select("line_number", "payload").collect())
    assert [r.line_number for r in bronze] == list(range(1, len(lines) + 1))
    assert [bytes(r.payload) for r in bronze] == lines
    landed = sum(truth["lines_written"].values()) + truth["account_records"]["lines_written"]
    assert read_table(spark, cfg, RAW_EVENTS).count() == landed, "every network's and the account links' lines"


def test_counts_reconcile_exactly_with_no_duplicates(spark, e2e):
    cfg, truth, first = e2e
    silver = first.results["ingest_silver"]
    assert silver.rows_in == sum(truth["lines_written"].values())
    assert silver.rows_out + silver.withheld == sum(truth["events_valid"].values())
    assert silver.duplicates == sum(truth["duplicates"].values())
    assert silver.rows_in == silver.rows_out + silver.quarantined + silver.duplicates + silver.withheld
    events = read_table(spark, cfg, EVENTS)
    assert events.count() == events.select("network", "event_id").distinct().count()


def test_events_of_opted_out_profiles_are_withheld_from_silver(spark, e2e):
    cfg, _, first = e2e
    opted_out = {f"{a['network']}:{a['account_id']}" for p in truth_profiles(cfg) if p["opted_out"]
                 for a in p["accounts"]}
    assert opted_out, "the generator planted opt-outs"
    touching = (read_table(spark, cfg, EVENTS)
                .where(F.col("actor_account").isin(sorted(opted_out))
                       | F.col("target_account").isin(sorted(opted_out))).count())
    assert touching == 0
    assert first.results["ingest_silver"].withheld > 0
    scored = read_table(spark, cfg, SCORES).select("profile_id").collect()
    opted_ids = {p["profile_id"] for p in truth_profiles(cfg) if p["opted_out"]}
    assert not opted_ids & {r.profile_id for r in scored}


def test_silver_withholds_by_the_opt_outs_ingested_and_those_still_in_the_landing_zone(spark, e2e):
    """The opt-outs silver withholds by: the link files the profiles job ingested are read from
    silver.account_links, only the others (a backfill's later deliveries) parsed from the landing
    zone; either source gives every opted-out profile's accounts and no other."""
    cfg = e2e[0]
    opted_out = {f"{a['network']}:{a['account_id']}" for p in truth_profiles(cfg) if p["opted_out"]
                 for a in p["accounts"]}
    ingested = ingested_link_files(spark, cfg)
    assert len(ingested) > 1, "the run ingested the link files"
    landing = cfg.paths.landing
    assert landed_links(spark, landing, cfg.ingest, None, skip=ingested).count() == 0
    from_silver = opted_out_of(every_link_record(spark, cfg, ingested)).collect()
    assert {r.account for r in from_silver} == opted_out
    from_landing = opted_out_of(landed_links(spark, landing, cfg.ingest, None)).collect()
    assert {r.account for r in from_landing} == opted_out
    last = max(ingested)
    unread = landed_links(spark, landing, cfg.ingest, None, skip=ingested - {last}).select("landing_date").distinct()
    assert [str(r.landing_date) for r in unread.collect()] == [last.split("dt=")[1].split("/")[0]]


def test_the_rows_that_withdraw_events_and_the_retractions_are_kept_apart_slice_for_slice(spark, e2e, tmp_path):
    """silver.partial_retractions holds every partial row that withdraws events (a -1 left in its
    slice) and silver.retractions every retraction among silver's events (what it retracts, when
    delivered), written with their slice; a warehouse folded before they were kept gets them from
    the partials and from silver."""
    cfg = e2e[0]
    withdrawing = read_table(spark, cfg, DAILY_PARTIALS).where(F.col("events") < 0)
    assert withdrawing.count() > 0, "the sample retracts events"
    assertDataFrameEqual(read_table(spark, cfg, PARTIAL_RETRACTIONS), withdrawing)
    retractions = read_table(spark, cfg, EVENTS).where(F.col("event_type") == "retraction").select(
        "network", "actor_account", F.col("target_content_id").alias("event_id"), "event_date", "landing_date")
    assertDataFrameEqual(read_table(spark, cfg, RETRACTIONS), retractions.distinct())
    earlier = config_for(tmp_path)
    for spec in (DAILY_PARTIALS, PARTIAL_SLICES, INGESTED_FILES, EVENTS):   # what the fold's stage reads
        shutil.copytree(table_path(cfg, spec), table_path(earlier, spec))
    outcome = run_job(context(spark, earlier, DAY), daily_partials.JOB, daily_partials.run)
    assert outcome.message == "every delivery day's slice is current"
    assertDataFrameEqual(read_table(spark, earlier, PARTIAL_RETRACTIONS), withdrawing)
    assertDataFrameEqual(read_table(spark, earlier, RETRACTIONS), retractions.distinct())


def test_scores_snapshot_is_complete_and_in_range(spark, e2e):
    cfg, truth, _ = e2e
    scores = read_table(spark, cfg, SCORES).where(F.col("snapshot_date") == DAY)
    stats = scores.agg(F.count("*").alias("n"), F.countDistinct("profile_id").alias("ids"),
                       F.min("score").alias("lo"), F.max("score").alias("hi")).first()
    assert stats.n == stats.ids > 0.5 * truth["profiles"]
    assert 1.0 <= stats.lo and stats.hi <= 100.0
    runs = read_table(spark, cfg, RUNS).where(F.col("status") == "succeeded").select("job").distinct()
    assert {r.job for r in runs.collect()} >= {"ingest_bronze", "ingest_silver", "scores"}


def test_scores_follow_the_latent_influence(spark, e2e):
    cfg, truth, _ = e2e
    latent = {p["profile_id"]: p["true_influence"] for p in truth_profiles(cfg)}
    scored = {r.profile_id: r.score for r in read_table(spark, cfg, SCORES).collect() if r.profile_id in latent}
    rho = spearmanr([latent[p] for p in scored], [scored[p] for p in scored]).statistic
    assert rho > 0.3, rho


def test_rerun_of_the_same_date_changes_nothing(spark, e2e):
    cfg, _, _ = e2e
    before = {spec.qualified_name: checksum(spark, cfg, spec) for spec in PUBLISHED}
    again = run_nightly(cfg, DAY, spark=spark)
    after = {spec.qualified_name: checksum(spark, cfg, spec) for spec in PUBLISHED}
    assert after == before
    assert again.results["ingest_bronze"].rows_out == 0
    # after a completed nightly a rerun computes every stage again (resume is only after a crash)
    assert not [name for name, r in again.results.items() if (r.message or "").startswith("resumed")]


def test_spark_submit_with_packages_runs_a_job(e2e, tmp_path):
    """The job as an application, its Delta package resolved by spark-submit: bronze ingest of
    the run date's delivery alone (every feed's dt=DAY folder), line for line."""
    cfg, _, _ = e2e
    day_folders = sorted(cfg.paths.landing.glob(f"*/dt={DAY}"))
    for folder in day_folders:   # copied: a symlink in the landing zone is held, not ingested
        shutil.copytree(folder, tmp_path / "landing" / folder.parent.name / folder.name)
    landed = 0
    for path in (f for folder in day_folders for f in folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rb") as f:
            landed += sum(1 for _ in f)
    spark_submit = str(Path(sys.executable).parent / "spark-submit")
    proc = subprocess.run(
        [spark_submit, "--master", "local[1]", "--driver-memory", "1g",
         "--packages", ",".join(cfg.jvm.packages), "--conf", f"spark.jars.ivy={cfg.jvm.ivy_cache}",
         "jobs/ingest_bronze.py", "--date", str(DAY), "--data-root", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable})
    assert proc.returncode == 0, proc.stderr[-2000:]
    check = config_for(tmp_path)
    bronze = DeltaTable(str(check.paths.warehouse / "bronze" / "raw_events")).to_pyarrow_table()
    assert len(day_folders) >= 5 and bronze.num_rows == landed > 0


def test_one_persons_accounts_never_engage_themselves_in_the_graph(spark, e2e):
    """multi_account people engage their own accounts: silver keeps those events, the graph drops them."""
    cfg, _, _ = e2e
    owner = {f"{a['network']}:{a['account_id']}": p["profile_id"]
             for p in truth_profiles(cfg) if p["persona"] == "multi_account" for a in p["accounts"]}
    pairs = (read_table(spark, cfg, EVENTS).where(F.col("actor_account").isin(list(owner)))
             .select("actor_account", "target_account").collect())
    own = [r for r in pairs if owner.get(r.target_account) == owner[r.actor_account]]
    assert own, "the generator planted self-engagement across one person's accounts"
    edges = read_table(spark, cfg, ENGAGEMENT_EDGES)
    # linked accounts resolve to their person: none may surface as a public-only id in the graph
    unresolved = [f"pub:{account}" for account in owner]
    assert edges.where(F.col("engager_id").isin(unresolved) | F.col("author_id").isin(unresolved)).count() == 0
    assert edges.where(F.col("engager_id") == F.col("author_id")).count() == 0
    assert edges.where(F.col("engager_id").isin(sorted(set(owner.values())))).count() > 0


def test_planted_gaming_is_discounted_with_its_reason_code(spark, e2e):
    cfg, _, _ = e2e
    persona = {p["profile_id"]: p["persona"] for p in truth_profiles(cfg)}
    reasons = {r.profile_id: set(r.discounts) for r in
               read_table(spark, cfg, SCORES).where(F.col("snapshot_date") == DAY).collect()}
    def share_with(kind, reason):
        members = [p for p, k in persona.items() if k == kind and p in reasons]
        assert members, f"no scored {kind}"
        return sum(reason in reasons[p] for p in members) / len(members)
    assert share_with("ring", "reciprocal_ring") >= 0.8
    assert share_with("autoposter", "automated_posting") == 1.0
    assert share_with("regular", "reciprocal_ring") <= 0.1
    assert share_with("regular", "automated_posting") == 0.0


def test_explain_says_why_in_words_and_as_json(spark, e2e):
    cfg, _, _ = e2e
    members = [p["profile_id"] for p in truth_profiles(cfg) if p["persona"] == "ring"]
    ring = (read_table(spark, cfg, SCORES)
            .where(F.col("profile_id").isin(members) & F.array_contains("discounts", "reciprocal_ring"))
            .orderBy("profile_id").first().profile_id)
    words = subprocess.run([sys.executable, "-m", "pipelines.orchestration.cli", "explain", ring, "--date", str(DAY),
                            "--data-root", str(cfg.paths.data_root)], capture_output=True, text=True)
    assert words.returncode == 0, words.stderr
    assert words.stdout.startswith(f"{ring} scores ") and "engages back (a ring)" in words.stdout
    facts = subprocess.run([sys.executable, "-m", "pipelines.orchestration.cli", "explain", ring, "--date", str(DAY),
                            "--data-root", str(cfg.paths.data_root), "--json"], capture_output=True, text=True)
    parsed = json.loads(facts.stdout)
    assert parsed["score"]["profile_id"] == ring and parsed["top_engagers"]
    ring_mates = {p["profile_id"] for p in truth_profiles(cfg)
                  if p["persona"] == "ring" and p["group"] == next(q["group"] for q in truth_profiles(cfg)
                                                                  if q["profile_id"] == ring)} - {ring}
    mates_shown = [e for e in parsed["top_engagers"] if e["engager_id"] in ring_mates]
    assert mates_shown, "the planted ring mates are among its top engagers"
    assert all(e["weight"] < e["raw_weight"] for e in mates_shown), "and their engagement is discounted"
