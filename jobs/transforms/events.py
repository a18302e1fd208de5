"""bronze rows → parsed, validated, de-duplicated events (pure)."""
from __future__ import annotations

import datetime as dt
from functools import reduce

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from jobs.parsers import PARSERS
from jobs.parsers.common import parse
from schemas.silver_events import EVENTS
from schemas.silver_quarantine import QUARANTINE


def parse_all_networks(bronze: DataFrame, *, max_payload_bytes: int) -> DataFrame:
    """Parse each network's rows with its own parser; rows of unknown networks get a reason."""
    parsed = [parse(bronze.where(F.col("network") == name), module.SHAPE,
                    max_payload_bytes=max_payload_bytes)
              for name, module in sorted(PARSERS.items())]
    known = reduce(DataFrame.unionByName, parsed)
    parsed_columns = [F.lit(None).cast(f.dataType).alias(f.name) for f in known.schema.fields
                      if f.name not in bronze.columns and f.name != "_shape_reason"]
    unknown = bronze.where(~F.col("network").isin(*PARSERS)).select(
        "*", F.lit("unknown_network").alias("_shape_reason"), *parsed_columns)
    return known.unionByName(unknown)


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


def with_opt_outs(validated: DataFrame, opted_out_accounts: DataFrame) -> DataFrame:
    """Add `withheld`: a valid event whose actor or target account belongs to an opted-out
    profile. Such events are kept out of silver (and never quarantined with their payload).

    `opted_out_accounts` (column `account`) is small next to the events: it is broadcast.
    """
    accounts = F.broadcast(opted_out_accounts.select("account").distinct())
    actor = accounts.select(F.col("account").alias("actor_account"), F.lit(True).alias("_actor_out"))
    target = accounts.select(F.col("account").alias("target_account"), F.lit(True).alias("_target_out"))
    opted_out = F.coalesce(F.col("_actor_out"), F.lit(False)) | F.coalesce(F.col("_target_out"), F.lit(False))
    return (validated.join(actor, "actor_account", how="left").join(target, "target_account", how="left")
            .withColumn("withheld", F.col("reason").isNull() & opted_out)
            .drop("_actor_out", "_target_out"))


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
