"""The window carried across nights (jobs/transforms/carry.py) on tiny hand-built windows: the
carried state is the state built from the window's partials, and the edges and the daily activity
computed from it are those computed from the window's rows."""
import datetime as dt
import random

from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from jobs.transforms.activity import daily_activity
from jobs.transforms.carry import carried, edges_from_state, state_activity, window_state
from jobs.transforms.engagement import engagement_edges, engager_quality
from pipelines.core.config import load_model
from schemas.silver_daily_partials import DAILY_PARTIALS
from tests.conftest import event_frame

D = dt.date(2026, 9, 10)
BEFORE = D - dt.timedelta(days=1)


def partials(spark, rows):
    """silver.daily_partials rows from (event day, delivery day, type, actor, target, events)."""
    return spark.createDataFrame(
        [(day, landed, kind, actor, target, None, None, None, [], False, n)
         for day, landed, kind, actor, target, n in rows], DAILY_PARTIALS.schema)


def day(n):
    return dt.date(2026, 9, n)


def test_a_carried_state_drops_the_day_that_left_adds_the_slice_and_equals_the_state_built_from_the_window(spark):
    delivered_before = [
        (day(7), day(7), "reaction", "a", "b", 2),     # leaves the 3-day window tonight
        (day(7), day(7), "follow", "e", "b", 1),       # leaves too, and with it the pair e → b
        (day(8), day(8), "reply", "a", "b", 1),
        (day(9), day(9), "share", "c", "b", 1),
        (day(9), day(9), "post", "b", None, 1),
        (day(9), day(9), "reaction", "d", None, 1)]    # on content of no known account
    tonight = [
        (day(9), D, "reaction", "a", "b", 1),          # late: an event of yesterday delivered tonight
        (day(9), D, "share", "c", "b", -1),            # c's share retracted tonight
        (D, D, "endorse", "c", "b", 1),
        (D, D, "post", "a", None, 1)]
    window = partials(spark, delivered_before + tonight).where(F.col("event_date") >= day(8))
    before = window_state(partials(spark, delivered_before), snapshot_date=BEFORE, window_days=3)
    folded = carried(before, partials(spark, tonight), snapshot_date=D, window_days=3)
    built = window_state(window, snapshot_date=D, window_days=3)

    def counts(**n):
        return tuple(n.get(t, 0) for t in ("share", "reply", "mention", "reaction", "follow", "endorse"))
    pairs = [(D, day(8), "a", "b", [(day(8), counts(reply=1)), (day(9), counts(reaction=1))]),
             (D, day(8), "c", "b", [(D, counts(endorse=1))])]        # the retracted share's day is gone
    def actions(**n):
        return tuple(n.get(t, 0) for t in ("post", "share", "reply", "mention", "reaction", "follow", "endorse"))
    solo = [(D, day(8), "a", [(D, actions(post=1))]), (D, day(8), "b", [(day(9), actions(post=1))]),
            (D, day(8), "d", [(day(9), actions(reaction=1))])]
    for name, expected, schema in (
            ("pairs", pairs, "as_of DATE, window_start DATE, actor_account STRING, target_account STRING, "
                             "days ARRAY<STRUCT<event_date: DATE, n: STRUCT<share: BIGINT, reply: BIGINT, "
                             "mention: BIGINT, reaction: BIGINT, follow: BIGINT, endorse: BIGINT>>>"),
            ("solo", solo, "as_of DATE, window_start DATE, actor_account STRING, "
                           "days ARRAY<STRUCT<event_date: DATE, n: STRUCT<post: BIGINT, share: BIGINT, "
                           "reply: BIGINT, mention: BIGINT, reaction: BIGINT, follow: BIGINT, endorse: BIGINT>>>")):
        expected = spark.createDataFrame(expected, schema)
        assertDataFrameEqual(built[name].select(*expected.columns), expected)
        assertDataFrameEqual(folded[name].select(*expected.columns), expected)


def test_edges_from_the_state_are_the_edges_from_the_window_rows(spark):
    """Candidate v6 on a 28-day window with a ring (r1..r4 engage each other daily), a burst (a
    hundred reactions to `star` in its last week), an autoposter (`feed` posts every hour) and a
    hyperactive engager (`bot`): every edge, factor and weight the same (weights to the rounding
    of their sums)."""
    rng = random.Random(7)
    days = [D - dt.timedelta(days=k) for k in range(28)]
    people = [f"u{i}" for i in range(12)]
    rows = []
    for d in days:
        rows += [(rng.choice(people), rng.choice(people + ["star", "feed"]),
                  rng.choice(["reaction", "share", "reply"]), d) for _ in range(6)]
        ring = ("r1", "r2", "r3", "r4")
        rows += [(a, b, "reaction", d) for a in ring for b in ring if a != b]
        rows += [("bot", rng.choice(people), "reaction", d) for _ in range(50)]
        rows += [("feed", None, "post", d)] * 3 + [(rng.choice(people), None, "post", d)]
    rows += [(rng.choice(people), "star", "reaction", days[2]) for _ in range(100)]
    rows += [(p, "star", "endorse", days[5]) for p in people[:4]]
    events = event_frame(spark, rows)
    hourly = F.col("event_time") + F.make_interval(hours=F.lit(0), mins=F.monotonically_increasing_id() % 3 * 480)
    events = events.withColumn("event_time", F.when(F.col("actor_id") == "feed", hourly).otherwise(F.col("event_time")))
    model = load_model("v6")
    quality = engager_quality(events, human_daily_actions=model.engager_quality.human_daily_actions)
    # each computed once (the assertions below read them eight times)
    from_rows = engagement_edges(events, quality, model, snapshot_date=D, window_days=28).localCheckpoint()
    rows_of = events.select("event_date", F.col("event_date").alias("landing_date"), "event_type",
                            F.col("actor_id").alias("actor_account"), F.col("target_id").alias("target_account"),
                            "events")
    state = window_state(rows_of, snapshot_date=D, window_days=28)
    pairs = state["pairs"].withColumn("actor_id", F.col("actor_account")).withColumn("target_id", F.col("target_account"))
    activity = state_activity(pairs, state["solo"].withColumn("actor_id", F.col("actor_account")))
    assertDataFrameEqual(activity, daily_activity(events))
    from_state = edges_from_state(pairs, activity, events, model, snapshot_date=D, window_days=28).localCheckpoint()
    exact = ["engager_id", "author_id", "interactions", "engager_quality", "ring_factor", "automation_factor"]
    assertDataFrameEqual(from_state.select(*exact), from_rows.select(*exact))
    assertDataFrameEqual(from_state.orderBy("engager_id", "author_id"), from_rows.orderBy("engager_id", "author_id"),
                         rtol=1e-7, checkRowOrder=True)
    factors = {c: {r[0] for r in from_state.select(c).distinct().collect()}
               for c in ("ring_factor", "automation_factor", "engager_quality")}
    assert min(factors["ring_factor"]) < 1 and min(factors["automation_factor"]) < 1, factors
    assert min(factors["engager_quality"]) < 1
    assert from_state.where((F.col("author_id") == "star") & (F.col("burst_factor") < 1)).count() > 0
