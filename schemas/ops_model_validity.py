from pyspark.sql import types as T

from schemas import TableSpec

# How well each model version's snapshot foretold the engagement after it (`clout validate`,
# jobs/validate.py): one row per predictor and outcome, the model's own and the naive rankings
# side by side, so an analyst sees how every version performed.
MODEL_VALIDITY = TableSpec(
    layer="ops",
    name="model_validity",
    schema=T.StructType([
        T.StructField("snapshot_date", T.DateType(), False),
        T.StructField("horizon_days", T.IntegerType(), False),
        T.StructField("model_version", T.StringType(), False),
        T.StructField("published", T.BooleanType(), False),        # false: a candidate run in shadow
        T.StructField("outcome", T.StringType(), False),           # jobs/transforms/validity.py OUTCOMES
        T.StructField("predictor", T.StringType(), False),         # the model's score, a sub-score, or a naive ranking
        T.StructField("naive", T.BooleanType(), False),
        T.StructField("spearman", T.DoubleType(), False),
        T.StructField("spearman_low", T.DoubleType(), False),      # 95% bootstrap interval
        T.StructField("spearman_high", T.DoubleType(), False),
        T.StructField("top_decile_precision", T.DoubleType(), False),
        T.StructField("precision_low", T.DoubleType(), False),
        T.StructField("precision_high", T.DoubleType(), False),
        T.StructField("scored", T.LongType(), False),               # profiles in the snapshot
        T.StructField("posted", T.LongType(), False),               # ... that posted in the horizon: ranked
        T.StructField("evaluated", T.LongType(), False),            # ... in the sample the figures use
        T.StructField("silent_in_top_decile", T.LongType(), False),  # the score's top decile, posting nothing after D
        T.StructField("resamples", T.IntegerType(), False),
        T.StructField("run_id", T.StringType(), False),
        T.StructField("computed_at", T.TimestampType(), False),
    ]),
    keys=("snapshot_date", "horizon_days", "model_version", "outcome", "predictor"),
    partition_by=(),
    contract="one row per (snapshot date, horizon, model version, outcome, predictor): the latest "
             "evaluation of that snapshot replaces the previous one",
    queryable=True,
)
