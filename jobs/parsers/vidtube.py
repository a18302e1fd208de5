"""vidtube (YouTube-like): channel ids, ISO-8601 millisecond timestamps, video tags."""
from pyspark.sql import functions as F

from jobs.parsers.common import ALWAYS, UNLESS_POST, NetworkShape, RawField

NETWORK = "vidtube"

# one valid record (a share), as the network delivers it: the generic contract tests start from it
EXAMPLE = {"eventId": "vt-2", "eventType": "share", "publishedAt": "2026-09-30T21:19:24.000Z",
           "channelId": "11", "videoId": "v1", "videoChannelId": "10", "tags": ["SEO"]}

SHAPE = NetworkShape(
    network=NETWORK,
    fields=(
        RawField("event_id", "$.eventId", "string", ALWAYS),
        RawField("native_type", "$.eventType", "string", ALWAYS),
        RawField("time_raw", "$.publishedAt", "string", ALWAYS),
        RawField("actor", "$.channelId", "string", ALWAYS),
        RawField("target", "$.videoChannelId", "string", UNLESS_POST),
        RawField("target_content", "$.videoId", "string"),
        RawField("tags", "$.tags", "array<string>"),
        RawField("text", "$.title", "string"),
    ),
    event_types={"upload": "post", "comment": "reply", "like": "reaction", "share": "share",
                 "subscribe": "follow"},
    event_time=lambda raw: F.try_to_timestamp(raw, F.lit("yyyy-MM-dd'T'HH:mm:ss.SSSX")),
    # an upload's own content is its video (reactions point at that video id)
    content_id=lambda v: F.coalesce(F.when(v["native_type"] == "upload", v["target_content"]), v["event_id"]),
    topics=lambda v: F.transform(v["tags"], F.lower),
)
