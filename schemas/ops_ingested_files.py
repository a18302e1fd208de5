from pyspark.sql import types as T

from schemas import TableSpec

INGESTED_FILES = TableSpec(
    layer="ops",
    name="ingested_files",
    schema=T.StructType([
        T.StructField("source_file", T.StringType(), False),
        T.StructField("landing_date", T.DateType(), False),
        T.StructField("silver_run_id", T.StringType(), False),
    ]),
    keys=("source_file",),
    partition_by=(),
    contract="one row per landed file whose lines silver has parsed (quarantined or merged)",
)
