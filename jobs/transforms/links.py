"""Account-link records (the `accounts` feed) → validated records with a reason code (pure).

The contract of a record (docs/landing-formats.md): one JSON object with `record` (link |
opt_out), `profile_id` (a registered id, p + digits), `at` (YYYY-MM-DD, not before the oldest
event date, not after its delivery date plus the tolerance) and, for a link, `network` (a known
network) and `account_id` (an id like the events'). The first failing check names the reason,
in the order of the `reason` expression below.
"""
from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from jobs.parsers import PARSERS
from jobs.parsers.common import BYTE_ORDER_MARK, ID_PATTERN
from schemas.silver_account_links import ACCOUNT_LINKS, PROFILE_ID_PATTERN, RECORD_TYPES

FIELDS = ("record", "profile_id", "network", "account_id", "at")
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _scalar_string(doc: Column, name: str) -> tuple[Column, Column, Column]:
    """(value as string, present, present but not a JSON string) of a top-level field."""
    value = F.try_variant_get(doc, f"$.{name}", "variant")
    present = value.isNotNull() & ~F.coalesce(F.is_variant_null(value), F.lit(False))
    not_string = present & (F.schema_of_variant(value) != F.lit("STRING"))
    return F.try_variant_get(doc, f"$.{name}", "string"), present, not_string


def _account_id_valid(network: Column, account_id: Column, networks: tuple[str, ...]) -> Column:
    """An account id as the network's own events name accounts (a DID, an actor URI, …)."""
    check = F.lit(False)
    for name in networks:
        pattern = PARSERS[name].SHAPE.account_pattern if name in PARSERS else ID_PATTERN
        check = F.when(network == name, account_id.rlike(pattern)).otherwise(check)
    return F.coalesce(check, F.lit(False))


def parse_links(raw: DataFrame, *, networks: tuple[str, ...], max_payload_bytes: int,
                oldest_date: dt.date, future_tolerance_days: int) -> DataFrame:
    """Bronze rows of the accounts feed → the link columns, `link_id` and `reason` (null: valid)."""
    text = F.col("payload").cast("string")
    decodable, small = F.is_valid_utf8(text), F.octet_length("payload") <= max_payload_bytes
    doc = F.when(decodable & small, F.try_parse_json(F.regexp_replace(text, BYTE_ORDER_MARK, "")))
    staged = raw.select("*", decodable.alias("_decodable"), small.alias("_small"), doc.alias("_doc"))
    parts = {name: _scalar_string(F.col("_doc"), name) for name in FIELDS}
    staged = staged.select("*", *[parts[n][0].alias(f"_{n}") for n in FIELDS],
                           *[parts[n][1].alias(f"_has_{n}") for n in FIELDS],
                           *[parts[n][2].alias(f"_bad_{n}") for n in FIELDS])
    is_link = F.col("_record") == "link"
    at = F.when(F.col("_at").rlike(DATE_PATTERN), F.try_to_date(F.col("_at"), "yyyy-MM-dd"))
    missing = (~F.col("_has_record") | ~F.col("_has_profile_id") | ~F.col("_has_at")
               | (is_link & (~F.col("_has_network") | ~F.col("_has_account_id"))))
    wrong_type = F.lit(False)
    for name in FIELDS:
        wrong_type = wrong_type | F.col(f"_bad_{name}")
    latest = F.date_add(F.col("landing_date"), future_tolerance_days)
    reason = (F.when(~F.col("_decodable"), "invalid_encoding")
              .when(~F.col("_small"), "oversized")
              .when(F.col("_doc").isNull(), "invalid_json")
              .when(missing, "missing_field")
              .when(wrong_type, "wrong_type")
              .when(~F.col("_record").isin(*RECORD_TYPES), "unknown_record_type")
              .when(~F.col("_profile_id").rlike(PROFILE_ID_PATTERN), "invalid_profile_id")
              .when(is_link & ~F.col("_network").isin(*networks), "unknown_network")
              .when(is_link & ~_account_id_valid(F.col("_network"), F.col("_account_id"), networks), "invalid_id")
              .when(at.isNull(), "invalid_date")
              .when(at > latest, "future_time")
              .when(at < F.lit(oldest_date), "too_old"))
    account = F.when(is_link, F.concat_ws(":", F.col("_network"), F.col("_account_id")))
    identity = F.concat_ws("\u0001", F.col("_record"), F.col("_profile_id"), F.coalesce(account, F.lit("")),
                           at.cast("string"))
    return staged.select(
        *raw.columns, reason.alias("reason"),
        F.sha2(identity, 256).alias("link_id"), F.col("_record").alias("record"),
        F.col("_profile_id").alias("profile_id"),
        F.when(is_link, F.col("_network")).alias("link_network"),   # beside the raw row's feed `network`
        F.when(is_link, F.col("_account_id")).alias("account_id"),
        account.alias("account"), at.alias("at"))


def accepted_links(parsed: DataFrame) -> DataFrame:
    """Valid records, one per `link_id`: the earliest delivery in this batch."""
    valid = parsed.where(F.col("reason").isNull()).drop("network").withColumnRenamed("link_network", "network")
    first = valid.groupBy("link_id").agg(F.min(F.struct("source_file", "line_number")).alias("_first"))
    return ACCOUNT_LINKS.conform(
        valid.join(first, "link_id", how="inner")
        .where((F.col("source_file") == F.col("_first.source_file"))
               & (F.col("line_number") == F.col("_first.line_number"))))
