"""Each network's native shape parses to the same normalised event; bad lines get a reason."""
import copy
import datetime as dt
import json

import pytest
from pyspark.sql import Row
from pyspark.sql.types import StructType
from pyspark.testing import assertDataFrameEqual, assertSchemaEqual

from jobs.parsers import PARSERS
from jobs.parsers.common import ALWAYS, SCALAR_TYPES

from jobs.transforms.events import accepted_candidates, parse_all_networks, quarantined, validate, with_opt_outs
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.silver_events import EVENTS
from schemas.silver_quarantine import QUARANTINE

DAY = dt.date(2026, 9, 30)


def bronze(spark, network, lines):
    return bronze_of(spark, [(network, line) for line in lines])


def bronze_of(spark, delivered):
    """Bronze rows of (network, line) pairs: each network's lines numbered from 1 in its own file."""
    numbered = {}
    rows = []
    for network, line in delivered:
        numbered[network] = numbered.get(network, 0) + 1
        rows.append((network, DAY, f"{network}/dt={DAY}/part-00000.jsonl.gz", numbered[network],
                     line if isinstance(line, bytes) else line.encode(), "run-1"))
    return spark.createDataFrame(rows, RAW_EVENTS.schema)


def validated_bronze(raw, present=None):
    parsed = parse_all_networks(raw, max_payload_bytes=65536, present=present)
    return validate(parsed, oldest_event_date=dt.date(2004, 1, 1), future_tolerance_days=1)


def validated(spark, network, lines):
    return validated_bronze(bronze(spark, network, lines), present={network})


def assert_reasons(spark, network, lines, expected):
    """The lines' reasons, in line order (None: valid), one row per line."""
    got = validated(spark, network, lines).select("line_number", "reason")
    assertDataFrameEqual(got, spark.createDataFrame(list(enumerate(expected, start=1)),
                                                    "line_number BIGINT, reason STRING"))


# each invented network's example record: a share of content "1"/"fp_1"/… of account 10 by 11
GOOD = {name: PARSERS[name].EXAMPLE for name in ("chirp", "facepage", "linkup", "vidtube")}


# each GOOD event's own id (its content id too) and the id of the content it shares
IDS = {"chirp": ("2", "1"), "facepage": ("fp_2", "fp_1"), "linkup": ("urn:li:activity:2", "urn:li:activity:1"),
       "vidtube": ("vt-2", "v1")}
NORMALISED = ("network STRING, event_id STRING, reason STRING, event_type STRING, actor_account STRING, "
              "target_account STRING, content_id STRING, target_content_id STRING, topics ARRAY<STRING>, "
              "has_link BOOLEAN, event_time TIMESTAMP")


def test_native_shapes_normalise_alike(spark):
    """The same share in each network's own shape, parsed together: one normalised event each."""
    out = validated_bronze(bronze_of(spark, [(network, json.dumps(GOOD[network])) for network in sorted(GOOD)]),
                           present=set(GOOD))
    expected = [(network, IDS[network][0], None, "share", f"{network}:11", f"{network}:10", IDS[network][0],
                 IDS[network][1], ["seo"], False, dt.datetime(2026, 9, 30, 21, 19, 24)) for network in sorted(GOOD)]
    assertDataFrameEqual(out.select(*[c.split()[0] for c in NORMALISED.split(", ")]),
                         spark.createDataFrame(expected, NORMALISED))


def test_chirp_reasons(spark):
    good = GOOD["chirp"]
    lines = [
        json.dumps(good),
        '{"id_str": "3", "kind": "li',                                    # truncated
        b'{"id_str": "4", "kind": "like\xff\xfe"}',                        # invalid UTF-8
        json.dumps({**good, "text": "x" * 70_000}),                       # oversized
        json.dumps({k: v for k, v in good.items() if k != "id_str"}),     # missing id
        json.dumps({**good, "user": "11"}),                               # user not an object
        json.dumps({**good, "created_at": {"when": "today"}}),            # time not a string
        json.dumps({**good, "created_at": "yesterday-ish"}),              # unparseable time
        json.dumps({**good, "kind": "poke"}),
        json.dumps({**good, "created_at": "Fri Oct 02 21:19:24 +0000 2026"}),
        json.dumps({**good, "created_at": "Fri Oct 02 21:19:24 +0000 1999"}),
        json.dumps({**good, "ref": {"user_id_str": "11"}}),               # retweets oneself
        json.dumps({**good, "ref": {"status_id_str": "1"}}),              # target missing
        json.dumps({**good, "surprise": {"new": "field"}}),               # schema drift: fine
        json.dumps({k: v for k, v in good.items() if k != "ref"} | {"kind": "poke"}),  # unknown, no target
    ]
    assert_reasons(spark, "chirp", lines, [
        None, "invalid_json", "invalid_encoding", "oversized", "missing_field", "wrong_type",
        "wrong_type", "wrong_type", "unknown_event_type", "future_time", "too_old",
        "self_interaction", "missing_field", None, "unknown_event_type"])
    assertSchemaEqual(quarantined(validated(spark, "chirp", lines)).schema, QUARANTINE.schema)


def test_posts_need_no_target_but_endorsements_need_a_skill(spark):
    post = {"activityUrn": "urn:li:activity:1", "verb": "POST", "actorUrn": "10", "createdAt": 1790803164000}
    endorse = {"activityUrn": "urn:li:activity:3", "verb": "ENDORSE", "actorUrn": "11",
               "createdAt": 1790803164000, "objectAuthorUrn": "10"}
    assert_reasons(spark, "linkup", [json.dumps(post), json.dumps(endorse), json.dumps({**endorse, "skill": "seo"})],
                   [None, "missing_field", None])


def test_a_facepage_post_is_the_content_its_engagement_names(spark):
    """facepage names a post fp_post_<hex> in the records acting on it, while the post's own record
    is event fp_<hex>: the post's content id is the name the reaction uses."""
    post = {"event_id": "fp_77ab12", "type": "post", "timestamp": 1790803164, "actor": {"uid": 10}, "tags": ["seo"]}
    reaction = {"event_id": "fp_8f3a9c", "type": "reaction", "timestamp": 1790803200, "actor": {"uid": 11},
                "object": {"post_id": "fp_post_77ab12", "owner_uid": 10}, "reaction": "LOVE", "tags": ["seo"]}
    got = validated(spark, "facepage", [json.dumps(post), json.dumps(reaction)]).select(
        "event_id", "event_type", "content_id", "target_content_id")
    assertDataFrameEqual(got, spark.createDataFrame(
        [("fp_77ab12", "post", "fp_post_77ab12", None), ("fp_8f3a9c", "reaction", "fp_8f3a9c", "fp_post_77ab12")],
        "event_id STRING, event_type STRING, content_id STRING, target_content_id STRING"))


def test_wrong_types_per_network(spark):
    fp = {**GOOD["facepage"], "timestamp": {"s": 1}}
    vt = {**GOOD["vidtube"], "publishedAt": 1790803164}
    li = {**GOOD["linkup"], "createdAt": [1790803164000]}
    got = validated_bronze(bronze_of(spark, [("facepage", json.dumps(fp)), ("vidtube", json.dumps(vt)),
                                             ("linkup", json.dumps(li))]),
                           present={"facepage", "vidtube", "linkup"}).select("network", "reason")
    assertDataFrameEqual(got, spark.createDataFrame([("facepage", "wrong_type"), ("vidtube", "wrong_type"),
                                                     ("linkup", "wrong_type")], "network STRING, reason STRING"))


def test_unknown_network_is_quarantined(spark):
    assert_reasons(spark, "myspace", ['{"anything": 1}'], ["unknown_network"])


def test_duplicate_in_batch_keeps_first_delivery(spark):
    line = json.dumps(GOOD["chirp"])
    nobody = spark.createDataFrame([], "account string")
    out = accepted_candidates(with_opt_outs(validated(spark, "chirp", [line, line, line]), nobody))
    assertSchemaEqual(out.schema, EVENTS.schema)
    # the whole silver.events row of GOOD["chirp"], as first delivered (line 1)
    expected = [("chirp", "2", "share", "chirp:11", "chirp:10", "2", "1", ["seo"], False,
                 dt.datetime(2026, 9, 30, 21, 19, 24), DAY, f"chirp/dt={DAY}/part-00000.jsonl.gz", 1, DAY, "run-1")]
    assertDataFrameEqual(out, spark.createDataFrame(expected, EVENTS.schema))


def test_events_touching_an_opted_out_account_are_withheld_not_accepted(spark):
    by_actor = dict(GOOD["chirp"], id_str="3", user={"id_str": "77"})
    to_target = dict(GOOD["chirp"], id_str="4", ref={"status_id_str": "9", "user_id_str": "77"})
    unrelated = dict(GOOD["chirp"], id_str="5")
    bad = dict(GOOD["chirp"], id_str="6", user={"id_str": "77"}, created_at="yesterday")
    lines = [json.dumps(e) for e in (by_actor, to_target, unrelated, bad)]
    opted_out = spark.createDataFrame([("chirp:77",)], "account string")
    flagged = with_opt_outs(validated(spark, "chirp", lines), opted_out)
    # "6" is invalid (quarantined, so not withheld) though its actor opted out
    assertDataFrameEqual(flagged.select("event_id", "withheld"), spark.createDataFrame(
        [("3", True), ("4", True), ("5", False), ("6", False)], "event_id STRING, withheld BOOLEAN"))
    assertDataFrameEqual(accepted_candidates(flagged).select("event_id"),
                         spark.createDataFrame([("5",)], "event_id STRING"))


def test_a_post_carrying_a_url_is_flagged_as_a_link(spark):
    post = {"id_str": "8", "kind": "tweet", "created_at": "Wed Sep 30 21:19:24 +0000 2026",
            "user": {"id_str": "11", "screen_name": "b"}, "entities": {"hashtags": []}}
    lines = [json.dumps(dict(post, text="new item https://feeds.example.net/item/1")),
             json.dumps(dict(post, id_str="9", text="thoughts on seo"))]
    got = validated(spark, "chirp", lines).select("line_number", "reason", "has_link")
    assertDataFrameEqual(got, spark.createDataFrame([(1, None, True), (2, None, False)],
                                                    "line_number BIGINT, reason STRING, has_link BOOLEAN"))


def _edited(record: dict, path: str, value=None, *, drop: bool = False) -> dict:
    """A deep copy of `record` with the field at a variant path ("$.a.b") dropped or replaced."""
    out = copy.deepcopy(record)
    *parents, leaf = path.removeprefix("$.").split(".")
    node = out
    for key in parents:
        node = node[key]
    if drop:
        del node[leaf]
    else:
        node[leaf] = value
    return out


def test_every_registered_network_keeps_the_parsing_contract(spark):
    """Generic, for every network in the registry (one batch: the parse plan covers them all
    anyway): its example parses valid; dropping any always-required field is `missing_field`, a
    list in any required scalar `wrong_type`; bytes that are not JSON or not UTF-8 get their
    reasons; executing the parse twice gives the same rows."""
    delivered, expected = [], []
    for network, module in sorted(PARSERS.items()):
        required = [f for f in module.SHAPE.fields if f.required == ALWAYS]
        cases = [(json.dumps(module.EXAMPLE), None)]
        cases += [(json.dumps(_edited(module.EXAMPLE, f.path, drop=True)), "missing_field") for f in required]
        cases += [(json.dumps(_edited(module.EXAMPLE, f.path, [1])), "wrong_type")
                  for f in required if f.spark_type in SCALAR_TYPES]
        cases += [('{"cut short', "invalid_json"), (b"\xff\xfe{}", "invalid_encoding")]
        delivered += [(network, line) for line, _ in cases]
        expected += [(network, n, reason) for n, (_, reason) in enumerate(cases, start=1)]
    parsed = validated_bronze(bronze_of(spark, delivered))
    once = parsed.collect()
    # a second execution of the plan (no cache) gives the same rows: nothing in parsing is random
    # or depends on when or where it runs
    assertDataFrameEqual(parsed.collect(), once)
    # the reasons, checked on those rows (a third execution would only plan the same parse again)
    reasons = spark.createDataFrame(expected, "network STRING, line_number BIGINT, reason STRING")
    assertSchemaEqual(StructType([parsed.schema[c] for c in reasons.columns]), reasons.schema)
    assertDataFrameEqual([Row(**{c: row[c] for c in reasons.columns}) for row in once], reasons.collect())
