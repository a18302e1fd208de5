"""bluesky (the AT Protocol): Jetstream events as Jetstream emits them (docs/landing-formats.md).

The account is the repository's DID; a record's id is its AT URI (at://<did>/<collection>/<rkey>),
which likes, reposts, replies and quotes name as their subject, and deletes name by collection
and rkey. The time is Jetstream's `time_us` (when the relay saw the commit), not the client's
`createdAt`. Field names follow the app.bsky.* lexicons.
"""
from pyspark.sql import Column
from pyspark.sql import functions as F

from jobs.parsers.common import ALWAYS, NetworkShape, RawField, epoch_time

NETWORK = "bluesky"

POST, LIKE, REPOST, FOLLOW = ("app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.feed.repost",
                              "app.bsky.graph.follow")
COLLECTIONS = (POST, LIKE, REPOST, FOLLOW)
QUOTE, QUOTE_WITH_MEDIA = "app.bsky.embed.record", "app.bsky.embed.recordWithMedia"
MENTION_FACET, TAG_FACET = "app.bsky.richtext.facet#mention", "app.bsky.richtext.facet#tag"
DID_PATTERN = r"^did:[a-z]+:[A-Za-z0-9._:%\-]{1,2040}$"
# a record's AT URI, or a delete or identity event named after one
AT_URI_PATTERN = r"^at://did:[a-z]+:[A-Za-z0-9._:%\-]{1,2040}(/[A-Za-z0-9.\-]+/[A-Za-z0-9._~:\-]{1,512})?(#[A-Za-z0-9_@.\-]+)?$"
URI_DID = r"^at://([^/]+)/"
FACETS = "array<struct<features:array<struct<`$type`:string,did:string,tag:string>>>>"


def _is(path: str, *values: str):
    """Only where the document's `path` holds one of `values` (a collection, an embed type)."""
    return lambda doc: F.try_variant_get(doc, path, "string").isin(*values)


def _creates(v) -> Column:
    return (v["kind"] == "commit") & (v["operation"] == "create")


def _commits(v) -> Column:
    return v["kind"] == "commit"


def _quoted(v) -> Column:
    return F.coalesce(v["quote_uri"], v["quote_media_uri"])


def _features(v) -> Column:
    """Every rich-text facet's features (mentions, tags, links), in the post's order."""
    return F.flatten(F.transform(F.coalesce(v["facets"], F.array()), lambda f: f["features"]))


def _first_mention(v) -> Column:
    return F.try_element_at(F.filter(_features(v), lambda x: x["$type"] == MENTION_FACET), F.lit(1))["did"]


def _native_type(v) -> Column:
    """kind, operation and collection (and for a post: reply, quote, mention) → one native type."""
    collection = v["collection"]
    post = (F.when(v["reply_parent"].isNotNull(), "reply")
            .when(_quoted(v).isNotNull(), "quote")
            .when(_first_mention(v).isNotNull(), "mention")
            .otherwise("post"))
    created = (F.when(collection == POST, post).when(collection == LIKE, "like")
               .when(collection == REPOST, "repost").when(collection == FOLLOW, "follow"))
    return (F.when(v["kind"].isin("identity", "account"), v["kind"])
            .when(_creates(v), created)
            .when(_commits(v) & (v["operation"] == "delete") & collection.isin(*COLLECTIONS), "delete"))


def _record_uri(v) -> Column:
    return F.concat(F.lit("at://"), v["did"], F.lit("/"), v["collection"], F.lit("/"), v["rkey"])


def _event_id(v) -> Column:
    """A created record: its AT URI; a delete: that URI marked as its deletion (the record's own id
    stays the record's); identity and account events: the DID marked with the kind and time."""
    return (F.when(v["kind"].isin("identity", "account"),
                   F.concat(F.lit("at://"), v["did"], F.lit("#"), v["kind"], F.lit("@"), v["time_raw"].cast("string")))
            .when(v["operation"] == "delete", F.concat(_record_uri(v), F.lit("#delete@"), v["time_raw"].cast("string")))
            .otherwise(_record_uri(v)))


def _target_content(v) -> Column:
    """What a record acts on: the replied, quoted, liked or reposted post; for a delete, the
    record it retracts."""
    return (F.when(v["operation"] == "delete", _record_uri(v))
            .otherwise(F.coalesce(v["reply_parent"], _quoted(v), v["subject_uri"])))


def _target(v) -> Column:
    """The account acted on: the DID of the post named, the followed DID, the first mentioned one."""
    named = _target_content(v)
    return (F.when(v["operation"] == "delete", F.lit(None).cast("string"))
            .when(v["collection"] == FOLLOW, v["subject_did"])
            .when(named.isNotNull(), F.regexp_extract(named, URI_DID, 1))
            .otherwise(_first_mention(v)))


def _topics(v) -> Column:
    facet_tags = F.transform(F.filter(_features(v), lambda x: (x["$type"] == TAG_FACET) & x["tag"].isNotNull()),
                             lambda x: x["tag"])
    return F.array_distinct(F.transform(
        F.concat(facet_tags, F.coalesce(v["tags"], F.array().cast("array<string>"))), F.lower))


# one valid record (a share), as the network delivers it: the generic contract tests start from it
EXAMPLE = {"did": "did:plc:bob000000000000000000000", "time_us": 1790803164000000, "kind": "commit",
           "commit": {"rev": "3l3qo2vuowo2d", "operation": "create", "collection": "app.bsky.feed.repost",
                      "rkey": "3l3qp00000002", "cid": "bafyreibbbb",
                      "record": {"$type": "app.bsky.feed.repost", "createdAt": "2026-09-30T21:19:24.000Z",
                                 "subject": {"uri": "at://did:plc:alice0000000000000000000/app.bsky.feed.post/3l3qo2vutsw2b",
                                             "cid": "bafyreig2"}}}}

SHAPE = NetworkShape(
    network=NETWORK,
    fields=(
        RawField("did", "$.did", "string", ALWAYS),
        RawField("time_raw", "$.time_us", "bigint", ALWAYS),
        RawField("kind", "$.kind", "string", ALWAYS),
        RawField("operation", "$.commit.operation", "string", _commits),
        RawField("collection", "$.commit.collection", "string", _commits),
        RawField("rkey", "$.commit.rkey", "string", _commits),
        RawField("record", "$.commit.record", "variant", _creates),
        RawField("text", "$.commit.record.text", "string", only_if=_is("$.commit.collection", POST)),
        RawField("facets", "$.commit.record.facets", FACETS, only_if=_is("$.commit.collection", POST)),
        RawField("tags", "$.commit.record.tags", "array<string>", only_if=_is("$.commit.collection", POST)),
        RawField("reply_parent", "$.commit.record.reply.parent.uri", "string",
                 only_if=_is("$.commit.collection", POST)),
        RawField("quote_uri", "$.commit.record.embed.record.uri", "string",
                 only_if=_is("$.commit.record.embed['$type']", QUOTE)),
        RawField("quote_media_uri", "$.commit.record.embed.record.record.uri", "string",
                 only_if=_is("$.commit.record.embed['$type']", QUOTE_WITH_MEDIA)),
        RawField("subject_uri", "$.commit.record.subject.uri", "string",
                 lambda v: _creates(v) & v["collection"].isin(LIKE, REPOST),
                 only_if=_is("$.commit.collection", LIKE, REPOST)),
        RawField("subject_did", "$.commit.record.subject", "string",
                 lambda v: _creates(v) & (v["collection"] == FOLLOW),
                 only_if=_is("$.commit.collection", FOLLOW)),
    ),
    event_types={"post": "post", "reply": "reply", "quote": "share", "mention": "mention",
                 "like": "reaction", "repost": "share", "follow": "follow", "delete": "retraction",
                 "identity": "identity", "account": "account"},
    event_time=lambda raw: epoch_time(raw, per_second=1_000_000),
    native_type=_native_type,
    event_id=_event_id,
    actor=lambda v: v["did"],
    target=_target,
    target_content=_target_content,
    content_id=lambda v: F.when(_creates(v), _record_uri(v)).otherwise(_event_id(v)),
    topics=_topics,
    account_pattern=DID_PATTERN,
    event_id_pattern=AT_URI_PATTERN,
)
