"""Scores over time on hand-built activity: a burst passes, a pause costs little.

One world, three snapshots (before the burst, the last day before the pause, 14 days later).
A small world: 60 background people engage one another; an expert and a paused expert post on
irregular days and 30 followers each engage their posts every other day; the paused one falls silent (no posts,
nothing received) for the last 14 days. A bursty account gets a little steady engagement and,
for one week it posts 30 times as much and its usual audience engages 30 times as much (the
generator's burst). Every snapshot runs the real transforms:
engager quality, edges with anti-gaming, weighted influence, features, the calibrated score.
"""
import datetime as dt

from pyspark.sql import functions as F

from jobs.transforms.engagement import engagement_edges, engager_quality
from jobs.transforms.influence import weighted_pagerank
from jobs.transforms.activity import daily_activity
from jobs.transforms.scoring import profile_features, scores
from pipelines.core.config import load_model
from tests.conftest import DAY, event_frame

MODEL = load_model("v1")
START = DAY - dt.timedelta(days=179)                 # a full 90-day window behind every snapshot
PAUSE = DAY - dt.timedelta(days=14)                  # the paused expert's last active day
BURST = DAY - dt.timedelta(days=44)                  # first day of the burst week
BEFORE = BURST - dt.timedelta(days=1)                # scored before the burst; after it: DAY


def days():
    return [START + dt.timedelta(days=i) for i in range(180)]


def posts_on(i: int) -> bool:
    """A person's posting days: irregular gaps of 1–4 days (posting like a timer would be
    discounted as automation, which is not what these tests are about)."""
    return (i * 7) % 11 < 5


def world() -> list[tuple]:
    rows = []
    for i, d in enumerate(days()):
        rows += [(f"o{k}", f"o{(k * 7 + i) % 60}", "reaction", d) for k in range(60) if (k * 7 + i) % 60 != k]
        for expert in ("expert", "paused"):
            if expert == "paused" and d > PAUSE:
                continue
            if posts_on(i):
                rows.append((expert, None, "post", d))
            rows += [(f"f{k}", expert, "share" if k % 3 == 0 else "reaction", d) for k in range(30) if (k + i) % 2 == 0]
            rows += [(expert, f"o{(i + k) % 60}", "reply", d) for k in range(2)]
        in_burst = BURST <= d < BURST + dt.timedelta(days=7)
        rows += [("bursty", None, "post", d)] * (30 if in_burst else int(posts_on(i)))
        rows += [(f"o{(i + k) % 20}", "bursty", "reaction", d) for k in range(60 if in_burst else 2)]
    return rows


def snapshot(spark, rows, day) -> dict[str, float]:
    """The published score of each profile on `day` (no earlier snapshot: unsmoothed)."""
    window = [r for r in rows if day - dt.timedelta(days=89) <= r[3] <= day]
    ev = event_frame(spark, window)
    quality = engager_quality(ev, human_daily_actions=MODEL.engager_quality.human_daily_actions)
    edges = engagement_edges(ev, quality, MODEL, snapshot_date=day, window_days=90).persist()
    graph = edges.select(F.col("engager_id").alias("src"), F.col("author_id").alias("dst"), "weight", "raw_weight")
    inf = MODEL.influence
    ranks = weighted_pagerank(graph, damping=inf.damping, tolerance=inf.tolerance, max_iterations=inf.max_iterations,
                              checkpoint=lambda df: df.localCheckpoint(eager=True)).ranks
    features = profile_features(daily_activity(ev), edges, MODEL, snapshot_date=day)
    influence = ranks.select(F.col("id").alias("profile_id"), F.col("relative_influence").alias("influence"))
    published = scores(features, influence, MODEL, snapshot_date=day)
    out = {r.profile_id: r.score for r in published.where(F.col("profile_id").isin("expert", "paused", "bursty"))
           .collect()}
    edges.unpersist()
    return out


def test_a_pause_costs_at_most_10_points_and_a_burst_passes(spark):
    rows = world()
    before_burst, at_pause, now = (snapshot(spark, rows, d) for d in (BEFORE, PAUSE, DAY))
    assert at_pause["paused"] == at_pause["expert"], "the same until the pause"
    assert 0 < at_pause["paused"] - now["paused"] <= 10.0, (at_pause, now)
    assert abs(now["bursty"] - before_burst["bursty"]) <= 3.0, (before_burst, at_pause, now)
