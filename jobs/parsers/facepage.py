"""facepage (Facebook-like): integer user ids, epoch-second timestamps, tag lists."""
from pyspark.sql import functions as F

from jobs.parsers.common import ALWAYS, UNLESS_POST, NetworkShape, RawField, epoch_time

NETWORK = "facepage"

SHAPE = NetworkShape(
    network=NETWORK,
    fields=(
        RawField("event_id", "$.event_id", "string", ALWAYS),
        RawField("native_type", "$.type", "string", ALWAYS),
        RawField("time_raw", "$.timestamp", "double", ALWAYS),
        RawField("actor", "$.actor.uid", "bigint", ALWAYS),
        RawField("target", "$.object.owner_uid", "bigint", UNLESS_POST),
        RawField("target_content", "$.object.post_id", "string"),
        RawField("tags", "$.tags", "array<string>"),
        RawField("text", "$.message", "string"),
    ),
    event_types={"post": "post", "comment": "reply", "reaction": "reaction", "share": "share"},
    event_time=lambda raw: epoch_time(raw, per_second=1),
    content_id=lambda v: v["event_id"],
    topics=lambda v: F.transform(v["tags"], F.lower),
)
