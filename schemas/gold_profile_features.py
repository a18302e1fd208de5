from pyspark.sql import types as T

from schemas import Between, Suite, TableSpec

PROFILE_FEATURES = TableSpec(
    layer="gold",
    name="profile_features",
    schema=T.StructType([
        T.StructField("snapshot_date", T.DateType(), False),
        T.StructField("profile_id", T.StringType(), False),
        T.StructField("content_volume", T.LongType(), False),     # posts authored in the window
        T.StructField("engagers", T.LongType(), False),           # distinct engaging profiles
        T.StructField("true_reach", T.DoubleType(), False),       # engagers weighted by quality
        T.StructField("reactions", T.DoubleType(), False),        # weighted reactions received
        T.StructField("amplification", T.DoubleType(), False),
        T.StructField("active_days", T.IntegerType(), False),
    ]),
    keys=("snapshot_date", "profile_id"),
    partition_by=("snapshot_date",),
    contract="one row per profile active in the window per snapshot date",
    suite=Suite(
        ranges=tuple(Between(c, 0.0) for c in ("content_volume", "engagers", "true_reach",
                                               "reactions", "amplification", "active_days")),
        row_drift=True,
    ),
)
