"""ingest_silver: bronze.raw_events not yet parsed (delivery dates <= D) → silver.events + silver.quarantine.

A batch of landing dates at a time, oldest first (jobs/reconcile.py: landing_batches): one on a
normal night, several when a backlog of deliveries waits (ingest.max_batch_lines).

Parses each network's native shape, quarantines every failing line with a reason code, and
MERGEs valid events into silver.events on (network, event_id), so a re-delivered event is
dropped as a duplicate and a rerun inserts nothing. Events touching a profile that opted out
(in any landed link record so far) or a forgotten one (ops.erasures) are withheld: not admitted,
only counted. Then it reconciles each file: every landed line is accepted (silver holds it as the first
delivery), quarantined, a duplicate, or withheld — exactly (jobs/reconcile.py). The same event id
delivered again with different content is a conflicting duplicate: the first delivery stays,
the later version is quarantined as `conflicting_duplicate` and counted. The authors of the
content admitted go to silver.content_authors, where a later batch's ActivityPub likes, boosts
and replies find them (silver's events are not read for them).
"""
from __future__ import annotations

import sys

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.transforms.events import (accepted_candidates, content_authors, parse_all_networks, quarantined,
                                   validate, with_opt_outs)
from jobs.profiles import opted_out_accounts
from jobs.reconcile import (PendingFile, batch_rows, in_batch, ingest_in_batches, outcome_counts, pending_files,
                            with_outcome)
from pipelines.core.io import drop_checkpoint, merge_insert_new, read_table, replace_where, table_exists
from pipelines.core.erasures import erased_hashes
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from schemas.silver_content_authors import CONTENT_AUTHORS
from schemas.silver_events import EVENTS, NETWORKS
from schemas.silver_quarantine import QUARANTINE

JOB = "ingest_silver"
# what an event says: two deliveries of one event id that differ here conflict
CONTENT = ["event_type", "actor_account", "target_account", "content_id", "target_content_id",
           "topics", "has_link", "event_time"]
KEYS = ["network", "event_id"]


def run(ctx: JobContext) -> JobResult:
    """Parse, validate, quarantine and MERGE the bronze lines not yet parsed into silver, a batch
    of landing dates at a time (one on a normal night)."""
    pending = pending_files(ctx, NETWORKS)
    if not pending:
        return JobResult(rows_in=0, rows_out=0, quarantined=0, duplicates=0,
                         message="no bronze files waiting to be parsed")
    return ingest_in_batches(ctx, JOB, pending, ctx.cfg.ingest.max_batch_lines, lambda batch: ingest(ctx, batch))


def ingest(ctx: JobContext, batch: list[PendingFile]) -> dict[str, dict[str, int]]:
    """One batch of bronze files into silver: its lines' outcomes per file."""
    ing = ctx.cfg.ingest
    landed = batch_rows(ctx, batch)
    parsed = parse_all_networks(landed, max_payload_bytes=ing.max_payload_bytes, known_authors=known_authors(ctx),
                                present={f.source_file.split("/", 1)[0] for f in batch})
    # checkpointed: the six parsers' plan is optimised and run once; the MERGEs and counts that
    # follow plan over the saved rows instead of that plan again (the test sample's second night:
    # this job 25 → 13.6 s, docs/capacity.md's tuning table). Dropped after the batch, so a
    # backlog's batches never hold more than one batch's rows on disk
    validated = with_opt_outs(
        validate(parsed,
                 oldest_event_date=ing.oldest_event_date, future_tolerance_days=ing.future_tolerance_days),
        opted_out_accounts(ctx), erased_hashes(ctx.spark, ctx.cfg, "account")).checkpoint(eager=True)
    try:
        return merged(ctx, validated, in_batch(batch))
    finally:
        drop_checkpoint(validated)


def known_authors(ctx: JobContext) -> DataFrame:
    """silver.content_authors: the authors of the content admitted so far; a warehouse whose silver
    was parsed by a release that did not keep them gets them from silver.events once."""
    spark, cfg = ctx.spark, ctx.cfg
    if not table_exists(spark, cfg, CONTENT_AUTHORS):
        admitted = (read_table(spark, cfg, EVENTS) if table_exists(spark, cfg, EVENTS)
                    else spark.createDataFrame([], EVENTS.schema))
        replace_where(authorship(admitted), cfg, CONTENT_AUTHORS, "true")
    return read_table(spark, cfg, CONTENT_AUTHORS)


def authorship(events: DataFrame) -> DataFrame:
    """silver.events rows → silver.content_authors rows (distinct)."""
    return CONTENT_AUTHORS.conform(content_authors(events).distinct())


def merged(ctx: JobContext, validated: DataFrame, of_batch: str) -> dict[str, dict[str, int]]:
    """MERGE a batch's validated lines into silver.quarantine and silver.events; their outcomes
    per file. `of_batch`: in_batch(), the quarantine MERGE's condition."""
    merge_insert_new(ctx.spark, quarantined(validated), ctx.cfg, QUARANTINE,
                     extra_condition=of_batch)
    good = accepted_candidates(validated).persist()  # read twice: its dates, then the MERGE
    event_dates = [r.event_date for r in good.select("event_date").distinct().collect()]
    date_list = ", ".join(f"DATE'{d}'" for d in event_dates) or "NULL"
    merge_insert_new(ctx.spark, good, ctx.cfg, EVENTS,
                     extra_condition=f"t.event_date IN ({date_list}) AND t.event_date = s.event_date")
    good.unpersist()
    silver = (read_table(ctx.spark, ctx.cfg, EVENTS)
              .where(F.col("event_date").isin(event_dates) if event_dates else F.lit(False)))
    classified = with_outcome(validated, silver, KEYS, CONTENT).persist()
    per_file = outcome_counts(classified)
    # the content silver now holds as its first delivery: its authors, for the batches that follow
    merge_insert_new(ctx.spark, authorship(classified.where(F.col("outcome") == "accepted")), ctx.cfg,
                     CONTENT_AUTHORS)
    if any(counts["conflicting"] for counts in per_file.values()):   # rare: no MERGE without one
        conflicting = classified.where(F.col("outcome") == "conflicting").withColumn(
            "reason", F.lit("conflicting_duplicate"))
        merge_insert_new(ctx.spark, QUARANTINE.conform(conflicting), ctx.cfg, QUARANTINE,
                         extra_condition=of_batch)
    classified.unpersist()
    return per_file


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
