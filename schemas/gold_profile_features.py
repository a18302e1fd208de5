from pyspark.sql import types as T

from schemas import Between, Suite, PersonalData, TableSpec

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
        T.StructField("raw_reactions", T.DoubleType(), False),    # the same before anti-gaming discounts
        T.StructField("amplification", T.DoubleType(), False),
        T.StructField("active_days", T.IntegerType(), False),
        T.StructField("actions", T.LongType(), False),            # its own actions in the window
        T.StructField("active_share", T.DoubleType(), False),     # active days / days since first seen
        T.StructField("topic_entropy", T.DoubleType(), False),    # bits over its content's topics
        # shares of the profile's own actions in the window
        T.StructField("create_ratio", T.DoubleType(), False),
        T.StructField("share_ratio", T.DoubleType(), False),
        T.StructField("reply_ratio", T.DoubleType(), False),
        T.StructField("mention_ratio", T.DoubleType(), False),
        # anti-gaming reason codes that discounted what it earned (jobs/transforms/gaming.py)
        T.StructField("discounts", T.ArrayType(T.StringType(), True), False),
    ]),
    keys=("snapshot_date", "profile_id"),
    partition_by=("snapshot_date",),
    contract="one row per profile active in the window per snapshot date",
    suite=Suite(
        ranges=tuple(Between(c, 0.0) for c in ("content_volume", "engagers", "true_reach", "reactions",
                                               "raw_reactions", "amplification", "active_days",
                                               "actions", "topic_entropy"))
        + (Between("active_share", 0.0, 1.0),)
        + tuple(Between(f"{c}_ratio", 0.0, 1.0) for c in ("create", "share", "reply", "mention")),
        row_drift=True,
    ),
    personal=PersonalData(profile_columns=("profile_id",)),
    queryable=True,
)
