from pyspark.sql import types as T

from schemas import TableSpec

RUNS = TableSpec(
    layer="ops",
    name="runs",
    schema=T.StructType([
        T.StructField("run_id", T.StringType(), False),
        T.StructField("job", T.StringType(), False),
        T.StructField("run_date", T.DateType(), False),
        T.StructField("status", T.StringType(), False),          # succeeded | failed
        T.StructField("started_at", T.TimestampType(), False),
        T.StructField("ended_at", T.TimestampType(), False),
        T.StructField("rows_in", T.LongType(), True),
        T.StructField("rows_out", T.LongType(), True),
        T.StructField("quarantined", T.LongType(), True),
        T.StructField("duplicates", T.LongType(), True),
        T.StructField("model_version", T.StringType(), True),
        T.StructField("config_hash", T.StringType(), False),
        T.StructField("message", T.StringType(), True),
        # events of opted-out profiles kept out of silver (landed = accepted + quarantined
        # + duplicates + withheld)
        T.StructField("withheld", T.LongType(), True),
        # fingerprint of the landed inputs up to run_date (file names and sizes)
        T.StructField("inputs_hash", T.StringType(), True),
        # Delta table → version this job committed (time travel back to exactly what it wrote)
        T.StructField("tables_written", T.MapType(T.StringType(), T.LongType(), False), True),
        T.StructField("dq_outcome", T.StringType(), True),        # passed | failed | null (no gate)
        # landed paths not ingested: damaged files held whole, paths of no feed (ops.held_files)
        T.StructField("held", T.LongType(), True),
    ]),
    keys=("run_id", "job"),
    partition_by=(),
    contract="one row per job execution and one `nightly` row per completed nightly "
             "(a rerun adds rows with a new run id)",
    queryable=True,
)
