"""The open social web's wire formats (docs/landing-formats.md): Jetstream events and
ActivityPub activities, hand-written from the app.bsky.* lexicons and the ActivityStreams 2.0
vocabulary (tests/fixtures/*.jsonl), including shapes the generator never produces."""
import datetime as dt
from pathlib import Path

from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from jobs.transforms.events import content_authors, parse_all_networks, validate
from tests.test_parsers import bronze
from tests.test_partials import silver

FIXTURES = Path(__file__).parent / "fixtures"
COLUMNS = ("line_number BIGINT, reason STRING, event_type STRING, actor_account STRING, target_account STRING, "
           "target_content_id STRING, topics ARRAY<STRING>, has_link BOOLEAN, event_time TIMESTAMP")

ALICE, BOB, CAROL = (f"did:plc:{name:0<24}" for name in ("alice", "bob", "carol"))
ALICE_POST = f"at://{ALICE}/app.bsky.feed.post/3l3qo2vutsw2b"


def fixture(name: str) -> list[str]:
    return (FIXTURES / name).read_text().splitlines()


def normalised(spark, network, lines, silver_events=None):
    """Parse, find authors of content-only targets (from the batch and `silver_events`), validate."""
    raw = bronze(spark, network, lines)
    known = content_authors(silver_events) if silver_events is not None else None
    parsed = parse_all_networks(raw, max_payload_bytes=65536, known_authors=known, present={network})
    out = validate(parsed, oldest_event_date=dt.date(2004, 1, 1), future_tolerance_days=1)
    return out.select(*[c.split()[0] for c in COLUMNS.split(", ")])


def at(second: int, micro: int = 0) -> dt.datetime:
    return dt.datetime(2026, 9, 30, 21, 19, second, micro)


def test_jetstream_events_normalise_by_collection_and_deletes_retract(spark):
    b = "bluesky:"
    expected = [
        (1, None, "post", b + ALICE, None, None, ["data", "seo"], True, at(24)),        # tag facet + tags, link
        (2, None, "reaction", b + BOB, b + ALICE, ALICE_POST, [], False, at(25)),       # like: subject.uri's DID
        (3, None, "share", b + BOB, b + ALICE, ALICE_POST, [], False, at(26)),          # repost
        (4, None, "reply", b + BOB, b + ALICE, ALICE_POST, [], False, at(27)),          # reply.parent
        (5, None, "share", b + CAROL, b + ALICE, ALICE_POST, [], False, at(28)),        # quote (embed.record)
        (6, None, "share", b + CAROL, b + ALICE, ALICE_POST, [], False, at(29)),        # quote with media
        (7, None, "mention", b + CAROL, b + ALICE, None, ["seo"], False, at(30)),       # mention facet
        (8, None, "post", b + CAROL, None, None, [], False, at(31)),                    # a link card is no quote
        (9, None, "follow", b + BOB, b + ALICE, None, [], False, at(32)),               # subject is a DID
        (10, None, "retraction", b + BOB, None, f"at://{BOB}/app.bsky.feed.like/3l3qp00000001", [], False, at(33)),
        (11, None, "retraction", b + BOB, None, f"at://{BOB}/app.bsky.feed.like/3kzzzzzzzzzzz", [], False, at(34)),
        (12, None, "identity", b + ALICE, None, None, [], False, at(35)),               # a handle change
        (13, None, "account", b + CAROL, None, None, [], False, at(36)),                # deactivation
        (14, "unknown_event_type", None, b + CAROL, None, None, [], False, at(37)),     # app.bsky.actor.profile
        (15, "wrong_type", "reaction", b + BOB, None, None, [], False, at(38)),         # subject a string
        (16, "wrong_type", "follow", b + BOB, b + CAROL, None, [], False, None),        # time_us "yesterday"
        (17, "missing_field", "reaction", b + BOB, None, None, [], False, at(40)),      # a create with no record
        (18, "invalid_id", "follow", b + "alice.bsky.social", b + BOB, None, [], False, at(41)),   # a handle, not a DID
    ]
    assertDataFrameEqual(normalised(spark, "bluesky", fixture("bluesky.jsonl")),
                         spark.createDataFrame(expected, COLUMNS))


def test_activitypub_activities_normalise_and_likes_find_their_note_author(spark):
    a = "activitypub:"
    kalo, mira, ben = (f"https://{host}/users/{name}" for host, name in
                       (("fosstodon.org", "kalo"), ("hachyderm.io", "mira"), ("mas.to", "ben")))
    note = f"{kalo}/statuses/113258"
    expected = [
        (1, None, "post", a + kalo, None, None, ["data"], True, at(24)),
        (2, None, "share", a + mira, a + kalo, note, [], False, at(25, 500000)),   # Announce: author from the Create
        (3, None, "reaction", a + mira, a + kalo, note, [], False, at(26)),        # Like, published with an offset
        (4, None, "reply", a + mira, a + kalo, note, [], False, at(27)),           # inReplyTo wins over its Mention
        (5, None, "mention", a + ben, a + kalo, None, [], False, at(28)),          # `tag` a single object
        (6, None, "follow", a + ben, a + kalo, None, [], False, at(29)),
        (7, None, "retraction", a + mira, None, f"{mira}#likes/8812", [], False, at(30)),     # Undo, object embedded
        (8, None, "retraction", a + ben, None, f"{ben}#follows/999", [], False, at(31)),      # Undo of an unseen id
        (9, None, "retraction", a + ben, None, f"{ben}/statuses/77", [], False, at(32)),      # Delete of a note
        (10, None, "reaction", a + ben, a + "https://example.social/users/zed", "https://example.social/notes/9xk2",
         [], False, at(33)),                                                       # the note embedded: attributedTo
        (11, "unknown_target", "reaction", a + ben, None, "https://example.social/notes/never-seen", [], False, at(34)),
        (12, "unknown_event_type", None, a + ben, None, None, [], False, at(35)),  # Block
        (13, "wrong_type", "reaction", a + '{"id":"https://mas.to/users/ben","type":"Person"}', None, note, [], False,
         at(36)),                                                                  # an embedded actor
        (14, "missing_field", "reaction", a + ben, None, note, [], False, None),   # no `published`
        (15, "wrong_type", "reaction", a + ben, None, note, [], False, None),      # a date, not a dateTime
        (16, "self_interaction", "reaction", a + kalo, a + kalo, note, [], False, at(38)),
        (17, "unknown_event_type", None, a + kalo, None, None, [], False, at(39)),  # Create of a bare URI
    ]
    assertDataFrameEqual(normalised(spark, "activitypub", fixture("activitypub.jsonl")),
                         spark.createDataFrame(expected, COLUMNS))


def test_a_like_finds_its_author_in_silver_when_the_note_came_earlier(spark):
    earlier = silver(spark, [("https://a.example/users/x/statuses/1", "post", "activitypub:https://a.example/users/x",
                              None, "https://a.example/users/x/statuses/1", None, [], False, at(1), dt.date(2026, 9, 29))]
                     ).withColumn("network", F.lit("activitypub"))
    like = ('{"@context":"https://www.w3.org/ns/activitystreams","id":"https://b.example/users/y#likes/1",'
            '"type":"Like","actor":"https://b.example/users/y","published":"2026-09-30T21:19:24Z",'
            '"object":"https://a.example/users/x/statuses/1"}')
    got = normalised(spark, "activitypub", [like], silver_events=earlier).select("reason", "target_account")
    assertDataFrameEqual(got, spark.createDataFrame([(None, "activitypub:https://a.example/users/x")],
                                                    "reason STRING, target_account STRING"))


def test_a_note_whose_create_failed_its_checks_names_no_author(spark):
    def create(note, actor, published):
        return ('{"id":"%s/activity","type":"Create","actor":"%s","published":"%s",'
                '"object":{"id":"%s","type":"Note","attributedTo":"%s","content":"hi"}}'
                % (note, actor, published, note, actor))
    x = "https://a.example/users/x"
    good, bad = f"{x}/statuses/1", f"{x}/statuses/2"
    likes = [('{"id":"https://b.example/users/y#likes/%d","type":"Like","actor":"https://b.example/users/y",'
              '"published":"2026-09-30T21:19:24Z","object":"%s"}' % (n, note)) for n, note in ((1, good), (2, bad))]
    lines = [create(good, x, "2026-09-30T21:19:20Z"), create(bad, x, "yesterday")] + likes
    got = normalised(spark, "activitypub", lines).select("line_number", "reason", "target_account")
    assertDataFrameEqual(got, spark.createDataFrame(
        [(1, None, None), (2, "wrong_type", None), (3, None, f"activitypub:{x}"), (4, "unknown_target", None)],
        "line_number BIGINT, reason STRING, target_account STRING"))
