"""activitypub (Mastodon and the fediverse): ActivityStreams 2.0 activities as a server's outbox
or inbox delivers them (docs/landing-formats.md).

The account is the actor's URI. A `Create`'s id is its note's (a `Delete` names the note); any
other activity's is its own `id`. The vocabulary lets `object` and `inReplyTo` be a URI or an
embedded object: both are read. `Like` and `Announce` name a note, not its author: when the note
is not embedded with its `attributedTo`, ingest_silver finds the author from the `Create` it holds
(the shape says `targets_by_content`).
"""
from pyspark.sql import Column
from pyspark.sql import functions as F

from jobs.parsers.common import ALWAYS, NetworkShape, RawField, variant_kind

NETWORK = "activitypub"

URI_PATTERN = r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s\"'\\<>]{0,2000})?$"
TAG = "struct<type:string,href:string,name:string>"
RETRACTABLE = ("Like", "Announce", "Follow")


def _kind_is(path: str, kind: str):
    """Only where the document holds a `kind` (STRING, OBJECT, ARRAY) at `path`."""
    return lambda doc: variant_kind(doc, path) == kind


def _tags(v) -> Column:
    return F.coalesce(v["tag_list"], F.when(v["tag_one"].isNotNull(), F.array(v["tag_one"])),
                      F.array().cast(f"array<{TAG}>"))


def _first_mention(v) -> Column:
    return F.try_element_at(F.filter(_tags(v), lambda t: t["type"] == "Mention"), F.lit(1))["href"]


def _object(v) -> Column:
    """The object's id, whether `object` is a URI or embeds the object."""
    return F.coalesce(v["object_uri"], v["object_id"])


def _reply_to(v) -> Column:
    return F.coalesce(v["reply_to_uri"], v["reply_to_id"])


def _native_type(v) -> Column:
    kind = v["activity_type"]
    note = (F.when(_reply_to(v).isNotNull(), "Create:reply")
            .when(_first_mention(v).isNotNull(), "Create:mention")
            .otherwise("Create:post"))
    return (F.when((kind == "Create") & (v["object_type"] == "Note"), note)
            .when(kind.isin("Announce", "Like", "Follow", "Delete"), kind)
            .when((kind == "Undo") & (v["object_uri"].isNotNull() | v["object_type"].isin(*RETRACTABLE)), kind))


def _event_id(v) -> Column:
    return F.when(v["activity_type"] == "Create", v["object_id"]).otherwise(v["activity_id"])


def _target_content(v) -> Column:
    kind = v["activity_type"]
    return (F.when(kind == "Create", _reply_to(v))
            .when(kind.isin("Announce", "Like", "Undo", "Delete"), _object(v)))


def _target(v) -> Column:
    """The author replied to, mentioned, boosted or liked (when the record says it), or followed."""
    kind = v["activity_type"]
    return (F.when((kind == "Create") & _reply_to(v).isNotNull(), v["reply_to_author"])
            .when(kind == "Create", _first_mention(v))
            .when(kind.isin("Announce", "Like"), v["object_author"])
            .when(kind == "Follow", _object(v)))


# one valid record (a share), as the network delivers it: the generic contract tests start from it
EXAMPLE = {"@context": "https://www.w3.org/ns/activitystreams",
           "id": "https://hachyderm.io/users/mira/statuses/5512/activity", "type": "Announce",
           "actor": "https://hachyderm.io/users/mira", "published": "2026-09-30T21:19:24Z",
           "to": ["https://www.w3.org/ns/activitystreams#Public"],
           "cc": ["https://fosstodon.org/users/kalo", "https://hachyderm.io/users/mira/followers"],
           "object": {"id": "https://fosstodon.org/users/kalo/statuses/113258", "type": "Note",
                      "attributedTo": "https://fosstodon.org/users/kalo"}}

SHAPE = NetworkShape(
    network=NETWORK,
    fields=(
        RawField("activity_id", "$.id", "string", ALWAYS),
        RawField("activity_type", "$.type", "string", ALWAYS),
        RawField("actor", "$.actor", "string", ALWAYS),
        RawField("time_raw", "$.published", "string", ALWAYS),
        RawField("object", "$.object", "variant", ALWAYS),
        RawField("object_uri", "$.object", "string", only_if=_kind_is("$.object", "STRING")),
        RawField("object_id", "$.object.id", "string", lambda v: v["object_uri"].isNull(),
                 only_if=_kind_is("$.object", "OBJECT")),
        RawField("object_type", "$.object.type", "string", only_if=_kind_is("$.object", "OBJECT")),
        RawField("object_author", "$.object.attributedTo", "string",
                 only_if=_kind_is("$.object.attributedTo", "STRING")),
        RawField("reply_to_uri", "$.object.inReplyTo", "string",
                 only_if=_kind_is("$.object.inReplyTo", "STRING")),
        RawField("reply_to_id", "$.object.inReplyTo.id", "string",
                 only_if=_kind_is("$.object.inReplyTo", "OBJECT")),
        RawField("reply_to_author", "$.object.inReplyTo.attributedTo", "string",
                 only_if=_kind_is("$.object.inReplyTo.attributedTo", "STRING")),
        RawField("tag_list", "$.object.tag", f"array<{TAG}>", only_if=_kind_is("$.object.tag", "ARRAY")),
        RawField("tag_one", "$.object.tag", TAG, only_if=_kind_is("$.object.tag", "OBJECT")),
        RawField("text", "$.object.content", "string", only_if=_kind_is("$.object.content", "STRING")),
    ),
    event_types={"Create:post": "post", "Create:reply": "reply", "Create:mention": "mention",
                 "Announce": "share", "Like": "reaction", "Follow": "follow",
                 "Undo": "retraction", "Delete": "retraction"},
    # xsd:dateTime: "2026-10-01T20:19:24Z", with fractions of a second or an offset
    event_time=lambda raw: F.when(raw.rlike(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"),
                                  F.try_to_timestamp(raw)),
    native_type=_native_type,
    event_id=_event_id,
    target=_target,
    target_content=_target_content,
    content_id=_event_id,
    # a note's content is HTML whose hashtag and mention anchors carry URLs: a link is one in the text
    text=lambda v: F.regexp_replace(v["text"], "<[^>]*>", " "),
    topics=lambda v: F.array_distinct(F.transform(
        F.filter(_tags(v), lambda t: (t["type"] == "Hashtag") & t["name"].isNotNull()),
        lambda t: F.lower(F.regexp_replace(t["name"], "^#", "")))),
    account_pattern=URI_PATTERN,
    event_id_pattern=URI_PATTERN,
    targets_by_content=True,
)
