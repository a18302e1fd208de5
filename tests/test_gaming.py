"""Anti-gaming signals on hand-built frames: each discounts the gamed part and nothing else."""
import datetime as dt

import pytest

from jobs.transforms.engagement import engagement_edges, engager_quality
from jobs.transforms.gaming import automation, burst_factors, ring_factors, swap_ring_members
from jobs.transforms.scoring import profile_features
from pipelines.core.config import load_model
from tests.conftest import event_frame

DAY = dt.date(2026, 9, 30)
MODEL = load_model("v1")
AG = MODEL.anti_gaming
START = dt.datetime(2026, 9, 1)


def posts(spark, actor, times, link=False):
    rows = [(actor, f"net:{actor}", "post", None, t, t.date(), link) for t in times]
    return spark.createDataFrame(
        rows, "actor_id STRING, actor_account STRING, event_type STRING, target_id STRING, "
              "event_time TIMESTAMP, event_date DATE, has_link BOOLEAN")


def test_a_posting_timer_is_automation_and_a_person_is_not(spark):
    timer = [START + dt.timedelta(hours=3 * i, seconds=(7 * i) % 20) for i in range(40)]
    person_gaps = [1, 9, 2, 30, 5, 14, 3, 22, 1, 7, 40, 2, 11, 6, 19, 3]   # hours, as irregular as people
    person = [START + dt.timedelta(hours=sum(person_gaps[:i])) for i in range(len(person_gaps))]
    feed = [START + dt.timedelta(hours=sum(person_gaps[:i])) for i in range(len(person_gaps))]
    few = [START, START + dt.timedelta(hours=3)]
    frame = (posts(spark, "timer", timer).union(posts(spark, "person", person))
             .union(posts(spark, "feed", feed, link=True)).union(posts(spark, "few", few)))
    got = {r.profile_id: r for r in automation(frame, AG).collect()}
    assert got["timer"].automation_factor == AG.automation.factor and got["timer"].posting_cv < 0.01
    assert got["feed"].automation_factor == AG.automation.factor and got["feed"].link_share == 1.0
    assert got["person"].automation_factor == 1.0 and got["person"].posting_cv > 0.6
    assert got["few"].automation_factor == 1.0, "too few posts to judge"


def test_mutual_engagement_inside_a_ring_is_discounted_and_a_friend_is_not(spark):
    ring = ["r1", "r2", "r3", "r4"]
    rows = [(a, b, 1.0) for a in ring for b in ring if a != b]
    rows += [("fan1", "r1", 1.0), ("fan1", "star", 1.0), ("fan2", "star", 1.0), ("fan3", "star", 1.0),
             ("friend", "star", 1.0), ("star", "friend", 1.0)]
    edges = spark.createDataFrame(rows, "engager_id STRING, author_id STRING, weight DOUBLE")
    got = {(r.engager_id, r.author_id): r for r in ring_factors(edges, AG).collect()}
    assert got[("r1", "r2")].mutual and got[("r1", "r2")].ring_factor == AG.rings.factor
    assert got[("friend", "star")].mutual and got[("friend", "star")].ring_factor == 1.0
    assert got[("fan1", "star")].ring_factor == 1.0
    assert got[("fan1", "r1")].ring_factor == AG.rings.member_factor, "a member's other engagement counts less too"


def test_a_dense_ring_is_found_behind_a_large_honest_audience_and_a_celebrity_clique_is_not(spark):
    heavy = AG.rings.min_mutual_weight + 2.0
    ring, stars = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    rows = [(a, b, heavy) for group in (ring, stars) for a in group for b in group if a != b]
    rows += [(f"fan{i}", "r1", 1.0) for i in range(30)]                 # reciprocity 15/45 < 0.5
    rows += [(f"fan{i}", c, 1.0) for i in range(1000) for c in stars]   # the clique: 1.5% of it
    rows += [("f1", "f2", heavy), ("f2", "f1", heavy), ("fan0", "f1", 1.0)]   # two close friends
    edges = spark.createDataFrame(rows, "engager_id STRING, author_id STRING, weight DOUBLE")
    got = {(r.engager_id, r.author_id): r.ring_factor for r in ring_factors(edges, AG).collect()}
    assert got[("r2", "r1")] == AG.rings.factor and got[("fan3", "r1")] == AG.rings.member_factor
    assert got[("c2", "c1")] == 1.0 and got[("fan3", "c1")] == 1.0
    assert got[("f2", "f1")] == 1.0 and got[("fan0", "f1")] == 1.0


def test_a_burst_week_counts_at_most_the_ratio_of_the_other_weeks(spark):
    weekly = {week: 2.0 for week in range(1, 13)} | {0: 60.0}          # 30× in the last week
    rows = [("bursty", week, w) for week, w in weekly.items()] + [("steady", week, 2.0) for week in range(13)]
    interactions = spark.createDataFrame(rows, "target_id STRING, week INT, w DOUBLE")
    got = {(r.target_id, r.week): r.burst_factor for r in burst_factors(interactions, AG, window_days=91).collect()}
    others_mean = sum(w for week, w in weekly.items() if week) / 12
    assert got[("bursty", 0)] * 60.0 == pytest.approx(AG.bursts.max_week_ratio * others_mean)
    assert got[("bursty", 5)] == 1.0
    assert all(got[("steady", week)] == 1.0 for week in range(13))


def test_features_name_the_discounts_and_keep_the_undiscounted_total(spark):
    ring = ["r1", "r2", "r3", "r4"]
    weeks = [DAY - dt.timedelta(days=7 * k) for k in range(13)]       # steady: no burst anywhere
    rows = ([(a, b, "share", d) for a in ring for b in ring if a != b for d in weeks]
            + [("x", "honest", "share", d) for d in weeks])
    ev = event_frame(spark, rows)
    quality = engager_quality(ev, human_daily_actions=MODEL.engager_quality.human_daily_actions)
    edges = engagement_edges(ev, quality, MODEL, snapshot_date=DAY, window_days=91)
    f = {r.profile_id: r for r in profile_features(ev, edges, quality, MODEL, snapshot_date=DAY).collect()}
    assert f["r1"].discounts == ["reciprocal_ring"]
    assert f["r1"].reactions == pytest.approx(f["r1"].raw_reactions * AG.rings.factor)  # all mutual
    assert f["honest"].discounts == [] and f["honest"].reactions == f["honest"].raw_reactions
    assert f["r1"].share_ratio == 1.0 and f["r1"].create_ratio == 0.0


def test_swapped_endorsements_make_a_swap_ring_and_one_way_ones_do_not(spark):
    swap = ["k1", "k2", "k3", "k4"]
    rows = [(a, b) for a in swap for b in swap if a != b] + [(f"fan{i}", "expert") for i in range(6)]
    rows += [("expert", "fan0")]
    got = {r.author_id for r in swap_ring_members(
        spark.createDataFrame(rows, "actor_id STRING, target_id STRING"), AG).collect()}
    assert got == set(swap)
