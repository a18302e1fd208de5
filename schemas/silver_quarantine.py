from pyspark.sql import types as T

from schemas import PersonalData, TableSpec

REASONS = (
    "invalid_encoding", "oversized", "invalid_json", "missing_field", "wrong_type",
    "unknown_event_type", "future_time", "too_old", "self_interaction", "unknown_network",
    "invalid_id", "unreadable_file", "conflicting_duplicate",
    # a Like, Announce or reply naming a note whose author silver never saw (activitypub)
    "unknown_target",
    # the account-link feed (jobs/transforms/links.py)
    "unknown_record_type", "invalid_profile_id", "invalid_date",
)

QUARANTINE = TableSpec(
    layer="silver",
    name="quarantine",
    schema=T.StructType([
        T.StructField("network", T.StringType(), False),
        T.StructField("landing_date", T.DateType(), False),
        T.StructField("source_file", T.StringType(), False),
        T.StructField("line_number", T.LongType(), False),
        T.StructField("reason", T.StringType(), False),
        T.StructField("payload", T.BinaryType(), False),
        T.StructField("ingest_run_id", T.StringType(), False),
    ]),
    keys=("source_file", "line_number"),
    partition_by=("landing_date",),
    contract="one row per rejected landed line, with the first failing reason code",
    personal=PersonalData(raw_payload=True),
    queryable=True,
)
