"""The incremental nightly publishes what a from-scratch recompute publishes, byte for byte.

The forget run (tests/shared_runs.py): on a copy of the backfill chain — FIRST's backfill folded
its delivery days at once, SECOND's nightly its own delivery, which carries late events of
earlier days — a profile is forgotten and SECOND runs again on the partials as they stand. Then
the partials are dropped and SECOND is recomputed, every delivery day folded again from silver:
every partial row and every gold table of SECOND must be the same. The published model's edges
come from the window's state carried across nights (jobs/carried_window.py): SECOND's night after
the forget carries FIRST's state (the forgotten accounts deleted from it too), the recompute
builds it from the partials.
"""
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from pipelines.core.io import read_table
from schemas.ops_runs import RUNS
from schemas.silver_daily_partials import DAILY_PARTIALS
from tests.shared_runs import FIRST, SECOND


def test_the_partials_were_folded_night_by_night_and_the_forgotten_profile_left_them(spark, forget_run):
    cfg, erased, partials = forget_run.cfg, forget_run.erased, forget_run.partials
    runs = read_table(spark, cfg, RUNS).select("run_id", "run_date").distinct()
    folded_by = {r.landing_date: r.run_date for r in forget_run.slices.join(runs, "run_id").collect()}
    assert folded_by == {**{day: FIRST for day in folded_by if day < SECOND}, SECOND: SECOND}, \
        "FIRST's backfill folded its delivery days at once, SECOND its own, the rerun none"
    assert len(folded_by) > 2
    assert partials.where((F.col("landing_date") == SECOND) & (F.col("event_date") < SECOND)).count() > 0, \
        "SECOND's delivery holds late events of earlier days"
    named = F.col("actor_account").isin(list(erased.accounts)) | F.col("target_account").isin(list(erased.accounts))
    assert erased.rows_deleted["silver.daily_partials"] > 0
    assert partials.where(named).count() == 0


def test_the_night_after_the_forget_carried_the_window_state_and_the_recompute_built_it(spark, forget_run):
    runs = (read_table(spark, forget_run.cfg, RUNS)
            .where((F.col("job") == "window") & (F.col("run_date") == SECOND) & (F.col("status") == "succeeded"))
            .orderBy("started_at").select("message").collect())
    assert [r.message for r in runs][-2:] == ["window state carried", "window state built"]


def test_every_partial_and_gold_table_equals_a_recompute_from_scratch(spark, forget_run):
    cfg = forget_run.cfg
    assertDataFrameEqual(read_table(spark, cfg, DAILY_PARTIALS), forget_run.partials, rtol=0, atol=0)
    for table, published in forget_run.incremental.items():
        assert published.count() > 0, table
        assertDataFrameEqual(forget_run.scratch[table], published, rtol=0, atol=0)
