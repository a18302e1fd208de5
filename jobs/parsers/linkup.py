"""linkup (LinkedIn-like): URN ids, epoch-millisecond timestamps, skills for +K endorsements."""
from pyspark.sql import functions as F

from jobs.parsers.common import ALWAYS, IF_ENDORSE, UNLESS_POST, NetworkShape, RawField, epoch_time

NETWORK = "linkup"

# one valid record (a share), as the network delivers it: the generic contract tests start from it
EXAMPLE = {"activityUrn": "urn:li:activity:2", "verb": "SHARE", "actorUrn": "11",
           "createdAt": 1790803164000, "objectUrn": "urn:li:activity:1",
           "objectAuthorUrn": "10", "topics": ["SEO"]}

SHAPE = NetworkShape(
    network=NETWORK,
    fields=(
        RawField("event_id", "$.activityUrn", "string", ALWAYS),
        RawField("native_type", "$.verb", "string", ALWAYS),
        RawField("time_raw", "$.createdAt", "double", ALWAYS),
        RawField("actor", "$.actorUrn", "string", ALWAYS),
        RawField("target", "$.objectAuthorUrn", "string", UNLESS_POST),
        RawField("target_content", "$.objectUrn", "string"),
        RawField("skill", "$.skill", "string", IF_ENDORSE),
        RawField("topic_list", "$.topics", "array<string>"),
        RawField("text", "$.commentary", "string"),
    ),
    event_types={"POST": "post", "SHARE": "share", "COMMENT": "reply", "LIKE": "reaction",
                 "MENTION": "mention", "ENDORSE": "endorse"},
    event_time=lambda raw: epoch_time(raw, per_second=1000),
    content_id=lambda v: v["event_id"],
    topics=lambda v: F.transform(
        F.array_distinct(F.concat(F.coalesce(v["topic_list"], F.array().cast("array<string>")),
                                  F.when(v["skill"].isNotNull(), F.array(v["skill"]))
                                  .otherwise(F.array().cast("array<string>")))),
        F.lower),
)
