from pyspark.sql import types as T

from schemas import Between, OneOf, Suite, PersonalData, TableSpec

# what an event does (a retraction names the event it withdraws in target_content_id; identity
# and account events are kept, never scored: SCORED_TYPES)
EVENT_TYPES = ("post", "share", "reply", "mention", "reaction", "follow", "endorse",
               "retraction", "identity", "account")
SCORED_TYPES = EVENT_TYPES[:7]
RETRACTION = "retraction"
NETWORKS = ("chirp", "facepage", "linkup", "vidtube", "bluesky", "activitypub")
LINKS_FEED = "accounts"            # account → profile links and opt-outs (schemas/silver_account_links.py)
FEEDS = NETWORKS + (LINKS_FEED,)   # the folders of the landing zone

EVENTS = TableSpec(
    layer="silver",
    name="events",
    schema=T.StructType([
        T.StructField("network", T.StringType(), False),
        T.StructField("event_id", T.StringType(), False),
        T.StructField("event_type", T.StringType(), False),
        T.StructField("actor_account", T.StringType(), False),
        T.StructField("target_account", T.StringType(), True),
        T.StructField("content_id", T.StringType(), True),
        T.StructField("target_content_id", T.StringType(), True),
        T.StructField("topics", T.ArrayType(T.StringType(), True), False),
        T.StructField("has_link", T.BooleanType(), False),         # the text carries a URL
        T.StructField("event_time", T.TimestampType(), False),
        T.StructField("event_date", T.DateType(), False),
        # where the event was first delivered: tells a re-ingest from a re-delivery
        T.StructField("source_file", T.StringType(), False),
        T.StructField("line_number", T.LongType(), False),
        # the delivery date of that first delivery: a snapshot as of D sees events delivered by D
        T.StructField("landing_date", T.DateType(), False),
        T.StructField("ingest_run_id", T.StringType(), False),
    ]),
    keys=("network", "event_id"),
    partition_by=("event_date",),
    contract="one row per distinct activity event (network, event_id), typed, in UTC",
    suite=Suite(allowed=(OneOf("network", NETWORKS), OneOf("event_type", EVENT_TYPES)),
                ranges=(Between("line_number", 1.0),)),
    personal=PersonalData(account_columns=("actor_account", "target_account")),
    queryable=True,
)
