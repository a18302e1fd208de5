from pyspark.sql import types as T

from schemas import TableSpec

NETWORK_INFLUENCE = TableSpec(
    layer="gold",
    name="network_influence",
    schema=T.StructType([
        T.StructField("snapshot_date", T.DateType(), False),
        T.StructField("profile_id", T.StringType(), False),
        T.StructField("influence", T.DoubleType(), False),   # sums to 1 over the snapshot
        T.StructField("iterations", T.IntegerType(), False),
        T.StructField("residual", T.DoubleType(), False),    # final L1 change
    ]),
    keys=("snapshot_date", "profile_id"),
    partition_by=("snapshot_date",),
    contract="one row per profile in the engagement graph per snapshot date; influence sums to 1",
)
