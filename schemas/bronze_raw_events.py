from pyspark.sql import types as T

from schemas import PersonalData, TableSpec

RAW_EVENTS = TableSpec(
    layer="bronze",
    name="raw_events",
    schema=T.StructType([
        T.StructField("network", T.StringType(), False),
        T.StructField("landing_date", T.DateType(), False),
        T.StructField("source_file", T.StringType(), False),
        T.StructField("line_number", T.LongType(), False),
        # the bytes exactly as received: invalid UTF-8 must survive to be quarantined as such
        T.StructField("payload", T.BinaryType(), False),
        T.StructField("ingest_run_id", T.StringType(), False),
    ]),
    keys=("source_file", "line_number"),
    partition_by=("landing_date",),
    contract="one row per line of every landed file; a file is ingested at most once",
    personal=PersonalData(raw_payload=True),
)
