"""Table upkeep: compaction leaves fewer files and the same rows, every version readable."""
import datetime as dt

from pyspark.testing import assertDataFrameEqual

from pipelines.core.io import append, read_table, table_path
from pipelines.orchestration.upkeep import active_files, compact
from schemas.silver_daily_partials import DAILY_PARTIALS
from tests.conftest import config_for

DAYS = (dt.date(2026, 9, 28), dt.date(2026, 9, 29))


def partial_rows(spark, landing_date, n):
    """`n` partial rows of each of DAYS delivered on `landing_date`, two files per event day."""
    rows = [(day, landing_date, "reaction", f"a{i}", f"b{i}", None, None, f"c{i}", [], False, 1)
            for day in DAYS for i in range(n)]
    return spark.createDataFrame(rows, DAILY_PARTIALS.schema).repartition(2)


def test_compaction_rewrites_each_partitions_small_files_into_one_and_keeps_every_row(spark, tmp_path):
    cfg = config_for(tmp_path)
    for landing in (dt.date(2026, 9, 29), dt.date(2026, 9, 30), dt.date(2026, 10, 1)):
        append(partial_rows(spark, landing, 6), cfg, DAILY_PARTIALS)
    before = read_table(spark, cfg, DAILY_PARTIALS).collect()
    scattered = active_files(spark, cfg, DAILY_PARTIALS)

    [done] = compact(spark, cfg, (DAILY_PARTIALS,))

    assert scattered > len(DAYS) and (done.files_before, done.files_after) == (scattered, len(DAYS))
    assert done.rewritten == scattered
    assertDataFrameEqual(read_table(spark, cfg, DAILY_PARTIALS), before)
    # the version before compaction is still there for time travel, with the same rows
    assertDataFrameEqual(spark.read.format("delta").option("versionAsOf", 2).load(table_path(cfg, DAILY_PARTIALS)),
                         before)
    [again] = compact(spark, cfg, (DAILY_PARTIALS,))
    assert (again.files_before, again.files_after, again.rewritten) == (len(DAYS), len(DAYS), 0)


def test_compaction_skips_tables_not_written_yet(spark, tmp_path):
    assert compact(spark, config_for(tmp_path), (DAILY_PARTIALS,)) == []
