"""Shared parsing: declared raw fields → typed columns plus a first-failure reason code."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

ALWAYS, UNLESS_POST, IF_ENDORSE, OPTIONAL = "always", "unless_post", "if_endorse", "optional"
# normalised types that name what they act on: without a target account they cannot count
NEEDS_TARGET = ("share", "reply", "mention", "reaction", "follow", "endorse")
LINK_PATTERN = r"https?://"   # a post's text carrying a link (feed autoposters post little else)
# ids become table keys and profile ids: printable, no path separators, quotes or spaces
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9:_.\-]{0,127}$"
BYTE_ORDER_MARK = "^\ufeff"
# the last second a timestamp can hold (9999-12-31T23:59:59Z): an epoch beyond it is a time in the
# far future, not an overflow (converting it would wrap around, or fail the whole job)
MAX_EPOCH_SECONDS = 253_402_300_799
SCALAR_TYPES = ("string", "bigint", "double")


def epoch_time(raw: Column, *, per_second: int) -> Column:
    """An epoch number (seconds: per_second 1, milliseconds: 1000, microseconds: 1_000_000)
    → timestamp; beyond the
    range a timestamp holds it becomes the first or last representable second, so validation
    names it `future_time` or `too_old` instead of the conversion overflowing."""
    bound = float(MAX_EPOCH_SECONDS * per_second)
    in_range = (F.timestamp_micros(raw.cast("bigint")) if per_second == 1_000_000
                else F.timestamp_millis((raw * F.lit(1000 // per_second)).cast("bigint")))
    return (F.when(raw > F.lit(bound), F.lit("9999-12-31 23:59:59").cast("timestamp"))
            .when(raw < F.lit(-bound), F.lit("0001-01-01 00:00:00").cast("timestamp"))
            .otherwise(in_range))


Values = dict[str, Column]    # a record's declared fields by name, typed


@dataclass(frozen=True)
class RawField:
    """One field of a network's native shape."""
    name: str        # the parser's name for it
    path: str        # variant path, e.g. "$.user.id_str"
    spark_type: str  # type it must convert to, e.g. "string", "bigint", "array<string>"
    # a mode (ALWAYS, UNLESS_POST, IF_ENDORSE, OPTIONAL) or a rule on the record's other fields
    required: str | Callable[[Values], Column] = OPTIONAL
    # where a protocol lets one field take several shapes (a URI or an embedded object), the
    # field is read only from the records where this holds (on the parsed document): elsewhere
    # it is absent, neither required nor checked
    only_if: Callable[[Column], Column] | None = None


@dataclass(frozen=True)
class NetworkShape:
    """A network's native shape. By default a record's id, type, accounts and target content are
    the fields named `event_id`, `native_type`, `actor`, `target` and `target_content`; a shape
    whose protocol spreads them over several fields derives them instead (the callables)."""
    network: str
    fields: tuple[RawField, ...]              # must include `text` and `time_raw`
    event_types: dict[str, str]               # native type → normalised type
    event_time: Callable[[Column], Column]    # raw time column → timestamp (null if unparseable)
    content_id: Callable[[Values], Column]
    topics: Callable[[Values], Column]
    native_type: Callable[[Values], Column] = lambda v: v["native_type"]
    event_id: Callable[[Values], Column] = lambda v: v["event_id"]
    actor: Callable[[Values], Column] = lambda v: v["actor"]
    target: Callable[[Values], Column] = lambda v: v["target"]
    target_content: Callable[[Values], Column] = lambda v: v["target_content"]
    text: Callable[[Values], Column] = lambda v: v["text"]    # the words, as a reader sees them
    # what an account id (actor, target) and an event id look like on this network
    account_pattern: str = ID_PATTERN
    event_id_pattern: str = ID_PATTERN
    # True when a record may name content without its author (ActivityPub's Like and Announce):
    # ingest_silver then finds the author from the content silver holds (resolve_targets)
    targets_by_content: bool = False


def _parent_path(path: str) -> str | None:
    head, _, _ = path.rpartition(".")
    return head if head not in ("", "$") else None


def _present(doc: Column, path: str) -> Column:
    value = F.try_variant_get(doc, path, "variant")
    return value.isNotNull() & ~F.coalesce(F.is_variant_null(value), F.lit(False))


def _not_scalar(doc: Column, field: RawField) -> Column:
    """A scalar field (string, number) holding an object or a list: the wrong shape."""
    if field.spark_type not in SCALAR_TYPES:
        return F.lit(False)
    kind = F.schema_of_variant(F.try_variant_get(doc, field.path, "variant"))
    return _present(doc, field.path) & (kind.startswith("OBJECT") | kind.startswith("ARRAY"))


def _parent_not_object(doc: Column, path: str) -> Column:
    parent = _parent_path(path)
    if parent is None:
        return F.lit(False)
    kind = F.schema_of_variant(F.try_variant_get(doc, parent, "variant"))
    return _present(doc, parent) & ~kind.startswith("OBJECT")


def _required(field: RawField, event_type: Column, values: Values) -> Column:
    # an unknown event type needs only the always-required fields: it is reported as unknown
    if callable(field.required):
        return F.coalesce(field.required(values), F.lit(False))
    return {ALWAYS: F.lit(True), UNLESS_POST: F.coalesce(event_type != "post", F.lit(False)),
            IF_ENDORSE: F.coalesce(event_type == "endorse", F.lit(False)),
            OPTIONAL: F.lit(False)}[field.required]


def variant_kind(doc: Column, path: str) -> Column:
    """The JSON kind at `path`: OBJECT, ARRAY, STRING, BIGINT, … (null when absent)."""
    return F.regexp_extract(F.schema_of_variant(F.try_variant_get(doc, path, "variant")), r"^[A-Z]+", 0)


def parse(raw: DataFrame, shape: NetworkShape, *, max_payload_bytes: int) -> DataFrame:
    """Add `event_type`, the normalised columns and `_shape_reason` (null when valid).

    Input: bronze rows (payload as bytes). Staged selects keep the plan small: the JSON is
    parsed once into a variant column, then each declared field is read from it once.
    Checks run in a fixed order and the first failure names the reason.
    """
    text = F.col("payload").cast("string")
    staged = raw.select(
        "*", F.is_valid_utf8(text).alias("_decodable"),
        (F.octet_length("payload") <= max_payload_bytes).alias("_small"))
    staged = staged.withColumn(   # a UTF-8 byte order mark (a file's first line) is not content
        "_doc", F.when(F.col("_decodable") & F.col("_small"),
                       F.try_parse_json(F.regexp_replace(text, BYTE_ORDER_MARK, ""))))
    doc = F.col("_doc")
    columns = []
    for f in shape.fields:
        applies = F.coalesce(f.only_if(doc), F.lit(False)) if f.only_if else F.lit(True)
        columns += [F.when(applies, F.try_variant_get(doc, f.path, f.spark_type)).alias(f"_v_{f.name}"),
                    (applies & _present(doc, f.path)).alias(f"_p_{f.name}"), applies.alias(f"_a_{f.name}"),
                    (applies & (_parent_not_object(doc, f.path) | _not_scalar(doc, f))).alias(f"_bad_parent_{f.name}")]
    staged = staged.select("*", *columns)
    values = {f.name: F.col(f"_v_{f.name}") for f in shape.fields}
    type_map = F.create_map(*[F.lit(x) for kv in shape.event_types.items() for x in kv])
    staged = staged.select("*", F.element_at(type_map, shape.native_type(values)).alias("event_type"),
                           shape.event_time(values["time_raw"]).alias("event_time"),
                           shape.event_id(values).alias("_event_id"), shape.actor(values).alias("_actor"),
                           shape.target(values).alias("_target"))
    event_type = F.col("event_type")
    missing = F.lit(False)
    wrong = F.col("_p_time_raw") & F.col("event_time").isNull()
    for f in shape.fields:
        present, bad_parent = F.col(f"_p_{f.name}"), F.col(f"_bad_parent_{f.name}")
        missing = missing | (_required(f, event_type, values) & F.col(f"_a_{f.name}") & ~present & ~bad_parent)
        wrong = wrong | bad_parent | (present & values[f.name].isNull())
    # a type that acts on someone, with no one named (unless the author is found from the content)
    nameless = F.coalesce(event_type.isin(*NEEDS_TARGET) & F.col("_target").isNull(), F.lit(False))
    if shape.targets_by_content:
        nameless = nameless & shape.target_content(values).isNull()
    missing = missing | (nameless & ~wrong)
    bad_id = F.coalesce(~F.col("_event_id").rlike(shape.event_id_pattern), F.lit(False))
    for name in ("_actor", "_target"):
        bad_id = bad_id | F.coalesce(~F.col(name).rlike(shape.account_pattern), F.lit(False))
    reason = (F.when(F.col("line_number") == 0, "unreadable_file")   # a whole file, not a line
              .when(~F.col("_decodable"), "invalid_encoding")
              .when(~F.col("_small"), "oversized")
              .when(doc.isNull(), "invalid_json")
              .when(missing, "missing_field")
              .when(wrong, "wrong_type")
              .when(event_type.isNull(), "unknown_event_type")
              .when(bad_id, "invalid_id"))
    return staged.select(
        *raw.columns,
        reason.alias("_shape_reason"),
        "event_type",
        F.col("_event_id").alias("event_id"),
        F.concat(F.lit(f"{shape.network}:"), F.col("_actor")).alias("actor_account"),
        F.when(F.col("_target").isNotNull(),
               F.concat(F.lit(f"{shape.network}:"), F.col("_target"))).alias("target_account"),
        shape.content_id(values).alias("content_id"),
        F.when(event_type != "post", shape.target_content(values)).alias("target_content_id"),
        F.coalesce(shape.topics(values), F.array().cast("array<string>")).alias("topics"),
        F.coalesce(shape.text(values).rlike(LINK_PATTERN), F.lit(False)).alias("has_link"),
        "event_time",
    )
