from pyspark.sql import types as T

from schemas import Between, Reconcile, Suite, PersonalData, TableSpec
from schemas.gold_profile_features import PROFILE_FEATURES

SCORES = TableSpec(
    layer="gold",
    name="scores",
    schema=T.StructType([
        T.StructField("snapshot_date", T.DateType(), False),
        T.StructField("profile_id", T.StringType(), False),
        T.StructField("score", T.DoubleType(), False),            # 1..100, smoothed
        T.StructField("raw_score", T.DoubleType(), False),        # 1..100 before smoothing
        T.StructField("true_reach_score", T.DoubleType(), False),
        T.StructField("amplification_score", T.DoubleType(), False),
        T.StructField("network_score", T.DoubleType(), False),
        T.StructField("percentile", T.DoubleType(), False),       # 0..100
        T.StructField("model_version", T.StringType(), False),
        # since the profile's previous snapshot (null for a first score): score and sub-scores
        T.StructField("change", T.DoubleType(), True),
        T.StructField("change_true_reach", T.DoubleType(), True),
        T.StructField("change_amplification", T.DoubleType(), True),
        T.StructField("change_network", T.DoubleType(), True),
        # anti-gaming reason codes applied to what the profile earned (gold.profile_features)
        T.StructField("discounts", T.ArrayType(T.StringType(), True), False),
        # style (jobs/transforms/styles.py; null: too few own actions) and the axes behind it
        T.StructField("style", T.StringType(), True),
        T.StructField("axis_creating", T.DoubleType(), False),       # 0 sharing .. 1 creating
        T.StructField("axis_participating", T.DoubleType(), False),  # 0 listening .. 1 participating
        T.StructField("axis_topic_bits", T.DoubleType(), False),     # 0 focused .. broad (bits)
        T.StructField("axis_consistency", T.DoubleType(), False),    # 0 casual .. 1 consistent
    ]),
    keys=("snapshot_date", "profile_id"),
    partition_by=("snapshot_date",),
    contract="one row per scored profile per snapshot date, published only after the gate",
    suite=Suite(
        ranges=(Between("score", 1.0, 100.0), Between("raw_score", 1.0, 100.0),
                Between("true_reach_score", 0.0, 100.0), Between("amplification_score", 0.0, 100.0),
                Between("network_score", 0.0, 100.0),
                Between("percentile", 0.0, 100.0),
                Between("axis_creating", 0.0, 1.0), Between("axis_participating", 0.0, 1.0),
                Between("axis_topic_bits", 0.0), Between("axis_consistency", 0.0, 1.0)),
        reconcile=Reconcile(PROFILE_FEATURES),   # every featured profile is scored, no other
        row_drift=True,
        mean_drift="score",
    ),
    personal=PersonalData(profile_columns=("profile_id",)),
    queryable=True,
)
