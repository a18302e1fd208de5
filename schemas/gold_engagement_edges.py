from pyspark.sql import types as T

from schemas import Between, Suite, TableSpec

ENGAGEMENT_EDGES = TableSpec(
    layer="gold",
    name="engagement_edges",
    schema=T.StructType([
        T.StructField("snapshot_date", T.DateType(), False),
        T.StructField("engager_id", T.StringType(), False),
        T.StructField("author_id", T.StringType(), False),
        T.StructField("interactions", T.LongType(), False),
        T.StructField("weight", T.DoubleType(), False),
    ]),
    keys=("snapshot_date", "engager_id", "author_id"),
    partition_by=("snapshot_date",),
    contract="one row per engager profile → author profile pair per snapshot date; never a self-edge",
    suite=Suite(ranges=(Between("interactions", 1.0), Between("weight", 0.0)), row_drift=True),
)
