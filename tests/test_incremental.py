"""The incremental nightly publishes what a from-scratch recompute publishes, byte for byte.

On a copy of the backfill chain (FIRST, then SECOND, whose deliveries carry late events of
FIRST: the partials were folded over two nights, the second adding a late day), a profile is
forgotten, a chirp delivery lands for THIRD, and the nightly of THIRD folds it onto the partials
as they stand. Then the partials are dropped and THIRD runs again, folding every delivery day
from silver at once: every partial row and every gold table of THIRD must be the same.
"""
import datetime as dt
import gzip
import json
import shutil

import pytest
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from pipelines.core.io import read_table, table_path
from pipelines.orchestration.erasure import forget
from pipelines.orchestration.nightly import run_nightly
from schemas.ops_partial_slices import PARTIAL_SLICES
from schemas.ops_runs import RUNS
from schemas.silver_daily_partials import DAILY_PARTIALS
from tests.conftest import config_for, truth_profiles
from tests.shared_runs import FIRST, PUBLISHED, SECOND

THIRD = SECOND + dt.timedelta(days=1)


CHIRP_TIME = "%a %b %d %H:%M:%S %z %Y"


def deliver_a_day_later(landing, day, later):
    """chirp's delivery of `day` again as `later`'s: new ids, every time a day on (same accounts,
    same content engaged with)."""
    out = landing / "chirp" / f"dt={later}" / "part-00000.jsonl.gz"
    out.parent.mkdir(parents=True)
    with gzip.open(landing / "chirp" / f"dt={day}" / "part-00000.jsonl.gz", "rt") as src, \
            gzip.open(out, "wt") as dst:
        for line in src:
            try:       # the generator's planted bad lines are left out
                record = json.loads(line)
                shifted = dt.datetime.strptime(record["created_at"], CHIRP_TIME) + dt.timedelta(days=1)
                record["id_str"] += "7"
            except (ValueError, KeyError, TypeError):
                continue
            record["created_at"] = shifted.strftime(CHIRP_TIME)
            dst.write(json.dumps(record) + "\n")


def snapshot(spark, cfg, spec):
    return read_table(spark, cfg, spec).where(F.col("snapshot_date") == THIRD).localCheckpoint()


@pytest.fixture(scope="module")
def recomputed(spark, backfill_chain, tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    shutil.copytree(backfill_chain.cfg.paths.data_root, root, dirs_exist_ok=True)
    cfg = config_for(root)
    subject = next(p for p in sorted(truth_profiles(cfg), key=lambda p: p["profile_id"])
                   if len(p["accounts"]) >= 2 and not p["opted_out"])
    erased = forget(spark, cfg, subject["profile_id"])
    deliver_a_day_later(cfg.paths.landing, SECOND, THIRD)
    run_nightly(cfg, THIRD, spark=spark)
    slices = read_table(spark, cfg, PARTIAL_SLICES).localCheckpoint()
    incremental = {spec.qualified_name: snapshot(spark, cfg, spec) for spec in PUBLISHED}
    partials = read_table(spark, cfg, DAILY_PARTIALS).localCheckpoint()
    for spec in (DAILY_PARTIALS, PARTIAL_SLICES):
        shutil.rmtree(table_path(cfg, spec))
    run_nightly(cfg, THIRD, spark=spark)
    scratch = {spec.qualified_name: snapshot(spark, cfg, spec) for spec in PUBLISHED}
    return cfg, erased, slices, partials, incremental, scratch


def test_the_partials_were_folded_night_by_night_and_the_forgotten_profile_left_them(spark, recomputed):
    cfg, erased, slices, partials, _, _ = recomputed
    folded_by = {r.landing_date: r.run_date for r in slices.join(
        read_table(spark, cfg, RUNS).select("run_id", "run_date").distinct(), "run_id").collect()}
    assert folded_by == {**{day: FIRST for day in folded_by if day < SECOND}, SECOND: SECOND, THIRD: THIRD}, \
        "FIRST's backfill folded its days at once; SECOND and THIRD each their own delivery"
    assert partials.where(F.col("landing_date") == SECOND).where(F.col("event_date") < SECOND).count() > 0, \
        "SECOND's delivery holds late events of earlier days"
    assert erased.rows_deleted["silver.daily_partials"] > 0
    named = F.col("actor_account").isin(list(erased.accounts)) | F.col("target_account").isin(list(erased.accounts))
    assert partials.where(named).count() == 0


def test_every_partial_and_gold_table_equals_a_recompute_from_scratch(spark, recomputed):
    cfg, _, _, partials, incremental, scratch = recomputed
    assertDataFrameEqual(read_table(spark, cfg, DAILY_PARTIALS), partials, rtol=0, atol=0)
    for table, published in incremental.items():
        assert published.count() > 0, table
        assertDataFrameEqual(scratch[table], published, rtol=0, atol=0)
