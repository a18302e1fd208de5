from pyspark.sql import types as T

from schemas import TableSpec

DQ_RESULTS = TableSpec(
    layer="ops",
    name="dq_results",
    schema=T.StructType([
        T.StructField("run_id", T.StringType(), False),
        T.StructField("run_date", T.DateType(), False),
        T.StructField("mode", T.StringType(), False),            # publish (the gate) | audit (clout dq)
        T.StructField("table_name", T.StringType(), False),      # e.g. gold.scores
        T.StructField("check_name", T.StringType(), False),      # readable, e.g. "score in [1, 100]"
        T.StructField("expectation", T.StringType(), False),     # Great Expectations type
        T.StructField("column_name", T.StringType(), True),
        T.StructField("success", T.BooleanType(), False),
        T.StructField("observed_value", T.StringType(), True),   # e.g. rows out of range, a mean
        T.StructField("details", T.StringType(), True),          # JSON: arguments, counts, error
        T.StructField("validated_at", T.TimestampType(), False),
    ]),
    keys=("run_id", "table_name", "check_name"),
    partition_by=(),
    contract="one row per expectation per validated table per run, pass or fail (a rerun adds rows)",
    queryable=True,
)
