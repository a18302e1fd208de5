"""The window's building blocks: silver events folded per event day and delivery day, once."""
from pyspark.sql import types as T

from schemas import PersonalData, TableSpec

DAILY_PARTIALS = TableSpec(
    layer="silver",
    name="daily_partials",
    schema=T.StructType([
        T.StructField("event_date", T.DateType(), False),
        # the delivery day of the events folded here: a snapshot as of D sums the slices
        # delivered by D (or every slice, when a backfill asks for late events)
        T.StructField("landing_date", T.DateType(), False),
        T.StructField("event_type", T.StringType(), False),
        T.StructField("actor_account", T.StringType(), False),
        T.StructField("target_account", T.StringType(), True),
        # a post keeps its own content id and time (topics of the content, gaps between posts);
        # every other event is folded with its like on the day: these are null, has_link false
        T.StructField("content_id", T.StringType(), True),
        T.StructField("event_time", T.TimestampType(), True),
        T.StructField("target_content_id", T.StringType(), True),
        T.StructField("topics", T.ArrayType(T.StringType(), True), False),
        T.StructField("has_link", T.BooleanType(), False),
        T.StructField("events", T.LongType(), False),      # how many silver events this row folds
    ]),
    keys=("event_date", "landing_date", "event_type", "actor_account", "target_account", "content_id",
          "event_time", "target_content_id", "topics", "has_link"),
    partition_by=("event_date",),
    contract="per event day and delivery day, the silver events of a kind between two accounts "
             "(about one piece of content, with one set of tags), folded into one row with their "
             "count; a post stays one row. Rebuilt only for the delivery days whose landed files "
             "changed (ops.partial_slices)",
    personal=PersonalData(account_columns=("actor_account", "target_account")),
)

PARTIAL_RETRACTIONS = TableSpec(
    layer="silver",
    name="partial_retractions",
    schema=DAILY_PARTIALS.schema,
    keys=DAILY_PARTIALS.keys,
    partition_by=(),
    contract="the rows of silver.daily_partials that withdraw events (events < 0), slice for slice, "
             "written with each slice: the keys a window nets (jobs/transforms/partials.py, net_retractions), "
             "found without reading the window's partials",
    personal=PersonalData(account_columns=("actor_account", "target_account")),
)

RETRACTIONS = TableSpec(
    layer="silver",
    name="retractions",
    schema=T.StructType([
        T.StructField("network", T.StringType(), False),
        T.StructField("actor_account", T.StringType(), False),
        T.StructField("event_id", T.StringType(), False),       # the event retracted (the actor's own)
        T.StructField("event_date", T.DateType(), False),       # the retraction's
        T.StructField("landing_date", T.DateType(), False),     # the retraction's delivery day
    ]),
    keys=("network", "actor_account", "event_id", "event_date", "landing_date"),
    partition_by=(),
    contract="the retractions among silver.events (a Bluesky delete, an ActivityPub Undo or Delete): what "
             "each retracts and when it was delivered, slice for slice, written with each slice: the fold "
             "finds what an event's retraction is without reading the window's silver events",
    personal=PersonalData(account_columns=("actor_account",)),
)
