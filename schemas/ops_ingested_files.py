from pyspark.sql import types as T

from schemas import TableSpec

INGESTED_FILES = TableSpec(
    layer="ops",
    name="ingested_files",
    schema=T.StructType([
        T.StructField("source_file", T.StringType(), False),
        T.StructField("landing_date", T.DateType(), False),
        T.StructField("silver_run_id", T.StringType(), False),
        # the file's own reconciliation: lines = accepted + quarantined + duplicates + withheld
        # (null on rows written before per-file counts were kept)
        T.StructField("lines", T.LongType(), True),
        T.StructField("accepted", T.LongType(), True),
        T.StructField("quarantined", T.LongType(), True),
        T.StructField("duplicates", T.LongType(), True),
        T.StructField("withheld", T.LongType(), True),
    ]),
    keys=("source_file",),
    partition_by=(),
    contract="one row per landed file whose lines silver has parsed (quarantined, merged, found "
             "duplicate or withheld), with the count of each outcome",
)
