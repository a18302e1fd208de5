"""chirp (Twitter-like): string ids, Twitter's `created_at` text timestamps, hashtag entities."""
from pyspark.sql import functions as F

from jobs.parsers.common import ALWAYS, UNLESS_POST, NetworkShape, RawField

NETWORK = "chirp"


def _event_time(raw):
    # "Wed Oct 01 20:19:24 +0000 2026": Spark cannot parse day names, so drop the first 4 chars
    return F.try_to_timestamp(F.substring(raw, 5, 100), F.lit("MMM dd HH:mm:ss Z yyyy"))


# one valid record (a share), as the network delivers it: the generic contract tests start from it
EXAMPLE = {"id_str": "2", "kind": "retweet", "created_at": "Wed Sep 30 21:19:24 +0000 2026",
           "user": {"id_str": "11", "screen_name": "b"}, "entities": {"hashtags": [{"text": "SEO"}]},
           "ref": {"status_id_str": "1", "user_id_str": "10"}}

SHAPE = NetworkShape(
    network=NETWORK,
    fields=(
        RawField("event_id", "$.id_str", "string", ALWAYS),
        RawField("native_type", "$.kind", "string", ALWAYS),
        RawField("time_raw", "$.created_at", "string", ALWAYS),
        RawField("actor", "$.user.id_str", "string", ALWAYS),
        RawField("target", "$.ref.user_id_str", "string", UNLESS_POST),
        RawField("target_content", "$.ref.status_id_str", "string"),
        RawField("hashtags", "$.entities.hashtags", "array<struct<text:string>>"),
        RawField("text", "$.text", "string"),
    ),
    event_types={"tweet": "post", "retweet": "share", "reply": "reply", "mention": "mention",
                 "like": "reaction", "follow": "follow"},
    event_time=_event_time,
    content_id=lambda v: v["event_id"],
    topics=lambda v: F.transform(v["hashtags"], lambda h: F.lower(h["text"])),
)
