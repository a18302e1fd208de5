"""The authors of the content some networks' records name without its author (ActivityPub)."""
from pyspark.sql import types as T

from schemas import PersonalData, TableSpec

CONTENT_AUTHORS = TableSpec(
    layer="silver",
    name="content_authors",
    schema=T.StructType([
        T.StructField("network", T.StringType(), False),
        T.StructField("content_id", T.StringType(), False),
        T.StructField("author_account", T.StringType(), False),
    ]),
    keys=("network", "content_id", "author_account"),
    partition_by=(),
    contract="who wrote each piece of content silver.events holds on the networks whose likes, boosts and "
             "replies name the content but not its author (jobs/transforms/events.py: content_authors), "
             "written with each batch of ingest_silver: a later batch resolves those targets here, not by "
             "reading silver's events",
    personal=PersonalData(account_columns=("author_account",)),
)
