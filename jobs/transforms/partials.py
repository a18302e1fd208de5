"""Daily partials (pure): silver events folded once per event day and delivery day.

A night's window is the sum of its days' partials, so a night folds only what was delivered
since the last one and no gold job reads the window's silver events. Rows stay per account
(links between accounts and profiles change; the window resolves them as of its date) and per
delivery day (a snapshot as of D sees what was delivered by D, a backfill with late events sees
more). Whatever the gold jobs read of an event is kept; the rest (event ids, files, lines,
times of anything but posts) is folded away into the `events` count.
"""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from schemas.silver_daily_partials import DAILY_PARTIALS, RETRACTIONS
from schemas.silver_events import RETRACTION, SCORED_TYPES


RETRACTION_KEYS = ["network", "actor_account", "event_id"]
# A night folds its own delivery day, and a few earlier ones when late files came: what those days
# retract (about a thousandth of a day's events each) is broadcast to the window's events it
# withdraws. A backfill's range is joined by a shuffle.
BROADCAST_DAYS = 7


def retraction_rows(events: DataFrame) -> DataFrame:
    """silver.events rows → silver.retractions rows: what each retraction among them retracts (an
    account's own event: network, actor_account, event_id), its event day and delivery day."""
    return RETRACTIONS.conform(
        events.where((F.col("event_type") == RETRACTION) & F.col("target_content_id").isNotNull())
        .select("network", "actor_account", F.col("target_content_id").alias("event_id"), "event_date",
                "landing_date").distinct())


def first_retractions(retractions: DataFrame) -> DataFrame:
    """silver.retractions rows (retraction_rows()) → (network, actor_account, event_id retracted,
    retracted_on: the first delivery day that retracted it)."""
    return retractions.groupBy(*RETRACTION_KEYS).agg(F.min("landing_date").alias("retracted_on"))


def daily_partials(events: DataFrame, retractions: DataFrame | None = None,
                   retracted: DataFrame | None = None) -> DataFrame:
    """silver.events rows → silver.daily_partials rows (every delivery day they hold).

    Retractions (first_retractions()) make the sums exact for every snapshot date: an event
    delivered on day d and retracted on day r counts +1 in slice d unless r <= d, and -1 in
    slice r when d < r (`retracted`: the silver events retracted in the slices being folded,
    whatever their delivery day). So the snapshots of d..r-1 count it, later ones do not, and an
    event retracted before it arrived never counts. A slice's row whose +1s and -1s cancel is
    dropped; the window nets what remains (net_retractions)."""
    scored = events.where(F.col("event_type").isin(*SCORED_TYPES)).withColumn("_sign", F.lit(1))
    if retractions is not None:
        scored = scored.join(retractions, RETRACTION_KEYS, how="left").where(
            F.col("retracted_on").isNull() | (F.col("retracted_on") > F.col("landing_date")))
        withdrawn = (retracted.where(F.col("event_type").isin(*SCORED_TYPES))
                     .join(retractions, RETRACTION_KEYS)
                     .where(F.col("retracted_on") > F.col("landing_date"))
                     .withColumn("landing_date", F.col("retracted_on")).withColumn("_sign", F.lit(-1)))
        scored = scored.drop("retracted_on").unionByName(withdrawn.drop("retracted_on"))
    post = F.col("event_type") == "post"
    folded = scored.groupBy(
        "event_date", "landing_date", "event_type", "actor_account", "target_account",
        F.when(post, F.col("content_id")).alias("content_id"),
        F.when(post, F.col("event_time")).alias("event_time"),
        "target_content_id", "topics",
        (post & F.col("has_link")).alias("has_link"),
    ).agg(F.sum("_sign").cast("long").alias("events")).where(F.col("events") != 0)
    return DAILY_PARTIALS.conform(folded)


def fold_slices(silver: DataFrame, days: list, *, oldest_event_date,
                retractions: DataFrame | None = None) -> DataFrame:
    """The partial rows of the delivery days `days`, from silver.events as it stands (`silver`:
    at least the partials' columns and the retraction keys). What the days retract is looked
    up among events (and retractions) from `oldest_event_date` on: no window reaching these
    slices goes further back. `retractions`: silver.retractions, the days' own rows included,
    when it is kept; without it the retractions are found by a pass over the window's events."""
    recent = silver.where(F.col("event_date") >= F.lit(oldest_event_date))   # read by event day: pruned
    kept = retraction_rows(recent) if retractions is None else retractions
    first = first_retractions(kept.where(F.col("event_date") >= F.lit(oldest_event_date)))
    events = silver.where(F.col("landing_date").isin(days))
    of_days = first.where(F.col("retracted_on").isin(days)).select(*RETRACTION_KEYS)
    if len(days) <= BROADCAST_DAYS:   # else every recent event would be shuffled to meet a few keys
        of_days = F.broadcast(of_days)
    retracted = recent.join(of_days, RETRACTION_KEYS, how="left_semi")
    return daily_partials(events, first, retracted)


def withdrawing(partials: DataFrame) -> DataFrame:
    """The partial rows that withdraw events (a -1 left in their slice): what net_retractions nets."""
    return partials.where(F.col("events") < 0)


def net_retractions(partials: DataFrame, withdrawn: DataFrame | None = None) -> DataFrame:
    """The window's partial rows with retracted events taken out: a row's key (all but the
    delivery day) that carries a -1 anywhere is summed over its slices and kept only if
    something is left. Other rows pass untouched (a broadcast of the few retracted keys; no
    shuffle of the window). `withdrawn`: the rows of `partials` that carry a -1, when they are
    kept apart (silver.partial_retractions); without it they are found by a pass over `partials`."""
    keys = [c for c in partials.columns if c not in ("landing_date", "events")]
    key_hash = F.xxhash64(*[F.col(c) for c in keys])
    hashed = partials.withColumn("_key", key_hash)
    withdrawn = withdrawing(partials) if withdrawn is None else withdrawn
    touched = F.broadcast(withdrawn.select(key_hash.alias("_key")).distinct().withColumn("_touched", F.lit(True)))
    marked = hashed.join(touched, "_key", how="left")
    untouched = marked.where(F.col("_touched").isNull()).select(*partials.columns)
    netted = (marked.where(F.col("_touched")).groupBy(*[F.col(c) for c in keys])
              .agg(F.max("landing_date").alias("landing_date"), F.sum("events").alias("events"))
              .where(F.col("events") > 0).select(*partials.columns))
    return untouched.unionByName(netted)


def stale_slices(ingested: DataFrame, built: DataFrame) -> DataFrame:
    """Delivery days whose slice is missing or older than their parsed files.

    `ingested`: ops.ingested_files; `built`: ops.partial_slices. Returns landing_date, files and
    accepted as the ledger says now (what the rebuilt slice will reflect)."""
    now = ingested.groupBy("landing_date").agg(
        F.count(F.lit(1)).alias("files"), F.sum(F.coalesce("accepted", F.lit(0))).alias("accepted"))
    latest = (built.groupBy("landing_date")
              .agg(F.max_by(F.struct("files", "accepted"), "built_at").alias("_built"))
              .select("landing_date", F.col("_built.files").alias("_files"),
                      F.col("_built.accepted").alias("_accepted")))
    return (now.join(latest, "landing_date", how="left")
            .where(F.col("_files").isNull() | (F.col("_files") != F.col("files"))
                   | (F.col("_accepted") != F.col("accepted")))
            .select("landing_date", "files", "accepted"))
