from pyspark.sql import types as T

from schemas import TableSpec

PARTIAL_SLICES = TableSpec(
    layer="ops",
    name="partial_slices",
    schema=T.StructType([
        T.StructField("landing_date", T.DateType(), False),
        # what ops.ingested_files said of the delivery day when its slice was folded: a slice
        # is stale once more files of that day have been parsed
        T.StructField("files", T.LongType(), False),
        T.StructField("accepted", T.LongType(), False),
        T.StructField("events", T.LongType(), False),       # silver events folded into the slice
        T.StructField("run_id", T.StringType(), False),
        T.StructField("built_at", T.TimestampType(), False),
    ]),
    keys=("landing_date", "built_at"),
    partition_by=(),
    contract="one row each time a delivery day's slice of silver.daily_partials is (re)built, "
             "with the landed files it reflects; the latest row of a day is the slice's state",
)
