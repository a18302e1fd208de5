"""Daily partials (jobs/transforms/partials.py): what a day's silver events fold into, and
which delivery days must be folded again."""
import datetime as dt

from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from jobs.transforms.partials import (daily_partials, fold_slices, net_retractions, retraction_rows, stale_slices,
                                     withdrawing)
from schemas.ops_ingested_files import INGESTED_FILES
from schemas.ops_partial_slices import PARTIAL_SLICES
from schemas.silver_daily_partials import DAILY_PARTIALS
from schemas.silver_events import EVENTS

D1, D2, D3 = dt.date(2026, 9, 28), dt.date(2026, 9, 29), dt.date(2026, 9, 30)


def silver(spark, rows):
    """silver.events rows from (event_id, event_type, actor, target, content, on, tags, link,
    time, landing day)."""
    return spark.createDataFrame(
        [("chirp", eid, kind, actor, target, content, on, list(tags), link, t, t.date(), "f.jsonl.gz", i + 1,
          landed, "run") for i, (eid, kind, actor, target, content, on, tags, link, t, landed) in enumerate(rows)],
        EVENTS.schema)


def test_a_day_folds_like_events_and_keeps_each_post(spark):
    noon, evening = dt.datetime(2026, 9, 29, 12), dt.datetime(2026, 9, 29, 20)
    rows = [("e1", "post", "chirp:a", None, "c1", None, ["ai"], True, noon, D2),
            ("e2", "post", "chirp:a", None, "c2", None, ["ai"], False, evening, D2),
            # b liked c1 twice in the day (two event ids), once more as a late delivery
            ("e3", "reaction", "chirp:b", "chirp:a", "r1", "c1", [], False, noon, D2),
            ("e4", "reaction", "chirp:b", "chirp:a", "r2", "c1", [], False, evening, D2),
            ("e5", "reaction", "chirp:b", "chirp:a", "r3", "c1", [], False, evening, D3),
            # a share with a link: the link is a post's signal only
            ("e6", "share", "chirp:c", "chirp:a", "s1", "c1", ["ai"], True, noon, D2)]
    expected = spark.createDataFrame([
        (D2, D2, "post", "chirp:a", None, "c1", noon, None, ["ai"], True, 1),
        (D2, D2, "post", "chirp:a", None, "c2", evening, None, ["ai"], False, 1),
        (D2, D2, "reaction", "chirp:b", "chirp:a", None, None, "c1", [], False, 2),
        (D2, D3, "reaction", "chirp:b", "chirp:a", None, None, "c1", [], False, 1),
        (D2, D2, "share", "chirp:c", "chirp:a", None, None, "c1", ["ai"], False, 1)], DAILY_PARTIALS.schema)
    assertDataFrameEqual(daily_partials(silver(spark, rows)), expected)


def test_a_slice_is_stale_until_folded_and_again_when_its_day_gains_a_file(spark):
    ingested = spark.createDataFrame(
        [(f"chirp/dt={d}/{n}.jsonl.gz", d, "r", 10, accepted, 0, 0, 0)
         for d, n, accepted in ((D1, 0, 8), (D2, 0, 9), (D2, 1, 7), (D3, 0, 10))], INGESTED_FILES.schema)
    at = dt.datetime(2026, 10, 1)
    built = spark.createDataFrame(
        [(D1, 1, 8, 8, "r", at),                                   # current
         (D2, 1, 9, 9, "r", at),                                   # a second file came later
         (D3, 1, 4, 4, "r", at), (D3, 1, 10, 10, "r", at + dt.timedelta(hours=1))],   # refolded since
        PARTIAL_SLICES.schema)
    assertDataFrameEqual(stale_slices(ingested, built),
                         spark.createDataFrame([(D2, 2, 16)], "landing_date DATE, files BIGINT, accepted BIGINT"))
    nothing_built = spark.createDataFrame([], PARTIAL_SLICES.schema)
    assert sorted(r.landing_date for r in stale_slices(ingested, nothing_built).collect()) == [D1, D2, D3]
    assert stale_slices(ingested.where(F.lit(False)), built).count() == 0


def test_a_retraction_counts_from_its_delivery_day_on_and_folds_alike_at_once_or_day_by_day(spark):
    """b's like e1 (delivered D1) is retracted on D2; c's like e2 and its retraction share D2;
    d's like e3 arrives on D3 after its retraction (D2); c cannot retract b's like; nobody
    ever saw "zz". Folded day by day or all at once: the same rows, and the window nets them."""
    noon = dt.datetime(2026, 9, 28, 12)
    like = lambda eid, actor, landed: (eid, "reaction", f"chirp:{actor}", "chirp:a", eid, "c1", [], False, noon, landed)
    retract = lambda eid, actor, what, landed: (eid, "retraction", f"chirp:{actor}", None, eid, what, [], False,
                                                noon + dt.timedelta(hours=1), landed)
    rows = [like("e1", "b", D1), retract("x1", "b", "e1", D2), retract("x9", "c", "e1", D2),
            like("e2", "c", D2), retract("x2", "c", "e2", D2),
            retract("x3", "d", "e3", D2), like("e3", "d", D3), retract("x4", "b", "zz", D3)]
    everything = silver(spark, rows)
    oldest = D1 - dt.timedelta(days=30)
    expected = spark.createDataFrame([(D1, D1, "reaction", "chirp:b", "chirp:a", None, None, "c1", [], False, 1),
                                      (D1, D2, "reaction", "chirp:b", "chirp:a", None, None, "c1", [], False, -1)],
                                     DAILY_PARTIALS.schema)
    for kept in (False, True):   # the retractions found among the events, or kept apart (silver.retractions)
        def fold(delivered, days):
            retractions = retraction_rows(delivered) if kept else None
            return fold_slices(delivered, days, oldest_event_date=oldest, retractions=retractions)
        assertDataFrameEqual(fold(everything, [D1, D2, D3]), expected)
        by_day = [fold(everything.where(F.col("landing_date") <= day), [day]) for day in (D1, D2, D3)]
        assertDataFrameEqual(by_day[0].unionByName(by_day[1]).unionByName(by_day[2]), expected)
    for kept_apart in (False, True):   # the rows that withdraw events found in the window, or given
        def as_of(day):
            window = expected.where(F.col("landing_date") <= day)
            withdrawn = withdrawing(window) if kept_apart else None
            return net_retractions(window, withdrawn).select("actor_account", "events")
        assertDataFrameEqual(as_of(D1), spark.createDataFrame([("chirp:b", 1)], "actor_account STRING, events BIGINT"))
        assert as_of(D2).count() == 0
