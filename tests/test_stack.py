"""The pinned stack works together: Delta read/write and MERGE on this Spark, delta-rs reads it."""
import pytest
from delta.tables import DeltaTable
from deltalake import DeltaTable as RustDeltaTable
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual


def test_delta_write_read_merge(spark, tmp_path):
    path = str(tmp_path / "t")
    spark.createDataFrame([(1, "a"), (2, "b")], "id INT, v STRING").write.format("delta").save(path)
    updates = spark.createDataFrame([(2, "B"), (3, "c")], "id INT, v STRING")
    (DeltaTable.forPath(spark, path).alias("t").merge(updates.alias("s"), "t.id = s.id")
     .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute())
    assertDataFrameEqual(spark.read.format("delta").load(path),
                         spark.createDataFrame([(1, "a"), (2, "B"), (3, "c")], "id INT, v STRING"))
    history = DeltaTable.forPath(spark, path).history().select("operation").collect()
    assert [r.operation for r in history] == ["MERGE", "WRITE"]


def test_tables_stay_readable_without_a_jvm(spark, tmp_path):
    path = str(tmp_path / "t")
    (spark.range(5).withColumn("day", F.lit("2026-09-30").cast("date"))
     .write.format("delta").partitionBy("day").save(path))
    table = RustDeltaTable(path)
    assert table.to_pyarrow_table().num_rows == 5
    assert table.protocol().min_reader_version <= 3


def test_graphframes_algorithm(spark, cfg):
    """GraphFrames needs its JVM package; see docs/stack.md for why it is not in the set yet."""
    if not any("graphframes" in p for p in cfg.jvm.packages):
        pytest.skip("GraphFrames JVM package (io.graphframes:graphframes-spark4_2.13) is not "
                    "served by this machine's Maven Central; see docs/stack.md")
    from graphframes import GraphFrame
    v = spark.createDataFrame([("a",), ("b",), ("c",)], ["id"])
    e = spark.createDataFrame([("a", "b"), ("b", "c"), ("c", "a")], ["src", "dst"])
    ranks = GraphFrame(v, e).pageRank(resetProbability=0.15, maxIter=10).vertices
    assert ranks.count() == 3
