"""facepage (Facebook-like): integer user ids, epoch-second timestamps, tag lists.

A post's record carries only its event id, fp_<hex>; the network's reactions, comments and shares
name the post by its post_id, fp_post_<hex> (the same hex): a post's content id is that post_id,
so that engagement finds the content it acts on (topics, predictive validity)."""
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
    # a post is named by the network's other records as its post_id, fp_post_<hex> for event fp_<hex>
    content_id=lambda v: F.when(v["native_type"] == "post", F.regexp_replace(v["event_id"], r"^fp_", "fp_post_"))
    .otherwise(v["event_id"]),
    topics=lambda v: F.transform(v["tags"], F.lower),
)
