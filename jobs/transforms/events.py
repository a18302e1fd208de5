"""bronze rows → parsed, validated, de-duplicated events (pure)."""
from __future__ import annotations

import datetime as dt
from functools import reduce

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from jobs.parsers import PARSERS
from jobs.parsers.common import NEEDS_TARGET, parse
from schemas.silver_events import EVENTS
from schemas.silver_quarantine import QUARANTINE


def parse_all_networks(bronze: DataFrame, *, max_payload_bytes: int, known_authors: DataFrame | None = None,
                       present: set[str] | None = None) -> DataFrame:
    """Parse each network's rows with its own parser; rows of unknown networks get a reason.
    `present`: the registered networks the rows can hold (their files' folders), when known: the
    plan then carries only their parsers.

    A network whose records may name content without its author (targets_by_content) has those
    authors looked up (resolve_targets) among its own batch and `known_authors`
    (content_authors() of silver): only its rows take part in that join."""
    parsed = []
    for name, module in sorted(PARSERS.items()):
        if present is not None and name not in present:
            continue
        rows = parse(bronze.where(F.col("network") == name), module.SHAPE, max_payload_bytes=max_payload_bytes)
        if module.SHAPE.targets_by_content:
            authors = content_authors(rows)
            if known_authors is not None:
                authors = authors.unionByName(known_authors.where(F.col("network") == name))
            rows = resolve_targets(rows, authors)
        parsed.append(rows)
    if not parsed:   # a batch of unknown networks only: the columns of any parser's output
        parsed = [parse(bronze.limit(0), PARSERS[min(PARSERS)].SHAPE, max_payload_bytes=max_payload_bytes)]
    known = reduce(DataFrame.unionByName, parsed)
    parsed_columns = [F.lit(None).cast(f.dataType).alias(f.name) for f in known.schema.fields
                      if f.name not in bronze.columns and f.name != "_shape_reason"]
    unknown = bronze.where(~F.col("network").isin(*PARSERS)).select(
        "*", F.lit("unknown_network").alias("_shape_reason"), *parsed_columns)
    return known.unionByName(unknown)


CONTENT_TYPES = ("post", "reply", "mention", "share")   # events that are content others can act on


def content_authors(events: DataFrame) -> DataFrame:
    """(network, content_id, author_account) of the content among `events` (silver.events rows,
    or parsed rows) on the networks whose records may need it. A parsed row that failed its
    checks names no author (null, which resolve_targets' least author passes over). Kept, not
    filtered out: a filter on the parse's reason is evaluated apart from the parse, at three times
    its cost (ActivityPub's 87k rows of a 1M-line batch: the authors 13.8 s filtered, 5.5 s kept;
    docs/capacity.md)."""
    valid = F.col("_shape_reason").isNull() if "_shape_reason" in events.columns else F.lit(True)
    networks = sorted(name for name, module in PARSERS.items() if module.SHAPE.targets_by_content)
    return (events.where(F.col("network").isin(*networks)
                         & F.col("event_type").isin(*CONTENT_TYPES) & F.col("content_id").isNotNull())
            .select("network", "content_id", F.when(valid, F.col("actor_account")).alias("author_account")))


def resolve_targets(parsed: DataFrame, authors: DataFrame) -> DataFrame:
    """Fill the target account of a valid event that names content but not its author (an
    ActivityPub Like, Announce or reply) with that content's author; one whose content is unknown
    gets the reason `unknown_target`. `authors`: content_authors() of the batch and of silver."""
    unresolved = (F.col("_shape_reason").isNull() & F.col("target_account").isNull()
                  & F.col("target_content_id").isNotNull() & F.col("event_type").isin(*NEEDS_TARGET))
    known = (authors.groupBy("network", "content_id").agg(F.min("author_account").alias("_author"))
             .withColumnRenamed("content_id", "_content").withColumnRenamed("network", "_network"))
    joined = parsed.join(known, (parsed["network"] == known["_network"])
                         & (F.when(unresolved, parsed["target_content_id"]) == known["_content"]), how="left")
    return joined.select(
        *[c for c in parsed.columns if c not in ("target_account", "_shape_reason")],
        F.coalesce(F.col("target_account"), F.col("_author")).alias("target_account"),
        F.coalesce(F.col("_shape_reason"), F.when(unresolved & F.col("_author").isNull(), "unknown_target"))
        .alias("_shape_reason")).select(*parsed.columns)


def validate(parsed: DataFrame, *, oldest_event_date: dt.date, future_tolerance_days: int) -> DataFrame:
    """Add `reason`: the shape reason, else a time or self-interaction failure, else null."""
    latest_allowed = F.date_add(F.col("landing_date"), 1 + future_tolerance_days).cast("timestamp")
    reason = F.coalesce(
        F.col("_shape_reason"),
        F.when(F.col("event_time") >= latest_allowed, F.lit("future_time")),
        F.when(F.col("event_time") < F.lit(oldest_event_date).cast("timestamp"), F.lit("too_old")),
        F.when(F.col("actor_account") == F.col("target_account"), F.lit("self_interaction")),
    )
    return parsed.withColumn("reason", reason).drop("_shape_reason")


def with_opt_outs(validated: DataFrame, opted_out_accounts: DataFrame,
                  erased_account_hashes: DataFrame | None = None) -> DataFrame:
    """Add `withheld`: a valid event whose actor or target account belongs to an opted-out
    profile, or to a forgotten one (`erased_account_hashes`, column `subject_hash`: SHA-256 of
    the account, as ops.erasures keeps it). Such events are kept out of silver (and never
    quarantined with their payload).

    Both lists are small next to the events: they are broadcast.
    """
    hashes = opted_out_accounts.select(F.sha2("account", 256).alias("subject_hash"))
    if erased_account_hashes is not None:
        hashes = hashes.unionByName(erased_account_hashes.select("subject_hash"))
    hashes = F.broadcast(hashes.distinct())
    actor = hashes.select(F.col("subject_hash").alias("_actor_hash"), F.lit(True).alias("_actor_out"))
    target = hashes.select(F.col("subject_hash").alias("_target_hash"), F.lit(True).alias("_target_out"))
    opted_out = F.coalesce(F.col("_actor_out"), F.lit(False)) | F.coalesce(F.col("_target_out"), F.lit(False))
    return (validated
            .join(actor, F.sha2(F.col("actor_account"), 256) == F.col("_actor_hash"), how="left")
            .join(target, F.sha2(F.col("target_account"), 256) == F.col("_target_hash"), how="left")
            .withColumn("withheld", F.col("reason").isNull() & opted_out)
            .drop("_actor_out", "_target_out", "_actor_hash", "_target_hash"))


def quarantined(validated: DataFrame) -> DataFrame:
    return QUARANTINE.conform(validated.where(F.col("reason").isNotNull()))


def accepted_candidates(validated: DataFrame) -> DataFrame:
    """Valid events not withheld, one per (network, event_id): the earliest delivery in this batch."""
    first_delivery = Window.partitionBy("network", "event_id").orderBy("source_file", "line_number")
    return EVENTS.conform(
        validated.where(F.col("reason").isNull() & ~F.col("withheld"))
        .withColumn("event_date", F.to_date("event_time"))
        .withColumn("_delivery", F.row_number().over(first_delivery))
        .where(F.col("_delivery") == 1)
    )
