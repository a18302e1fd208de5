"""facepage (Facebook-like): integer user ids, epoch-second timestamps, tag lists."""
from pyspark.sql import functions as F

from jobs.parsers.common import ALWAYS, UNLESS_POST, NetworkShape, RawField, epoch_time

NETWORK = "facepage"

# one valid record (a share), as the network delivers it: the generic contract tests start from it
EXAMPLE = {"event_id": "fp_2", "type": "share", "timestamp": 1790803164,
           "actor": {"uid": 11}, "object": {"post_id": "fp_1", "owner_uid": 10}, "tags": ["SEO"]}

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
