from pyspark.sql import types as T

from schemas import TableSpec

# why a landed path was not ingested (jobs/landing.py, jobs/ingest_bronze.py)
DAMAGED = ("empty_file", "not_gzip", "truncated_gzip", "corrupt_gzip")
NOT_BELONGING = ("unknown_feed", "not_a_feed_folder", "not_a_delivery_folder", "not_a_feed_file", "hidden",
                 "symlink_outside_landing")

HELD_FILES = TableSpec(
    layer="ops",
    name="held_files",
    schema=T.StructType([
        T.StructField("path", T.StringType(), False),          # under the landing root
        T.StructField("size_bytes", T.LongType(), False),      # -1 for a folder
        T.StructField("kind", T.StringType(), False),          # damaged | not_belonging
        T.StructField("reason", T.StringType(), False),
        T.StructField("landing_date", T.DateType(), True),
        T.StructField("lines_readable", T.LongType(), True),   # damaged: complete lines before the damage
        T.StructField("detail", T.StringType(), True),
        T.StructField("run_id", T.StringType(), False),        # the run that first saw it so
        T.StructField("seen_at", T.TimestampType(), False),
    ]),
    keys=("path", "size_bytes"),
    partition_by=(),
    contract="one row per landed path (at a given size) that was not ingested: a damaged file, held "
             "whole until a complete copy lands at the same path, or a path that does not belong "
             "to any feed; what every nightly left in the landing zone, accounted for",
    queryable=True,
)
