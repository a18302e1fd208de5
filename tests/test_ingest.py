"""A backlog of deliveries is taken into bronze and parsed into silver a batch of landing dates at a
time (jobs/reconcile.py: landing_batches), and ends exactly as if taken at once: every landed line
in bronze once, numbered in its file, the first delivery of an event the one silver holds, a later
batch finds the content an earlier one admitted, every file reconciles."""
import datetime as dt
import gzip
import json
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from deltalake import DeltaTable

from jobs import ingest_silver
from jobs.reconcile import PendingFile, landing_batches
from pipelines.core.io import read_table, table_path
from pipelines.core.jobrun import run_job
from pipelines.orchestration.nightly import STAGES, context
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.ops_ingested_files import INGESTED_FILES
from schemas.silver_content_authors import CONTENT_AUTHORS
from schemas.silver_events import EVENTS
from schemas.silver_quarantine import QUARANTINE
from tests.bad_inputs import chirp
from tests.conftest import DAY, config_for

INGEST = [stage for stage in STAGES if stage[0] in ("ingest_bronze", "profiles", "ingest_silver")]
D1, D2, D3 = (dt.date(2026, 9, d) for d in (28, 29, 30))


def test_batches_hold_whole_landing_dates_in_order_within_the_line_budget():
    pending = [PendingFile("chirp/dt=2026-09-29/a", D2, 4), PendingFile("vidtube/dt=2026-09-28/a", D1, 3),
               PendingFile("chirp/dt=2026-09-28/a", D1, 2), PendingFile("chirp/dt=2026-09-30/a", D3, 9)]
    names = lambda batches: [[f.source_file for f in batch] for batch in batches]
    lines = lambda f: f.lines
    assert names(landing_batches(pending, 9, size=lines)) == [
        ["chirp/dt=2026-09-28/a", "vidtube/dt=2026-09-28/a", "chirp/dt=2026-09-29/a"],   # 5 + 4 lines
        ["chirp/dt=2026-09-30/a"]]
    assert names(landing_batches(pending, 4, size=lines)) == [   # a date over the budget is a batch of its own
        ["chirp/dt=2026-09-28/a", "vidtube/dt=2026-09-28/a"], ["chirp/dt=2026-09-29/a"], ["chirp/dt=2026-09-30/a"]]
    assert len(landing_batches(pending, 10**9, size=lines)) == 1


def checkpoints(spark) -> set:
    """The files under the session's checkpoint folder."""
    root = Path(urlparse(spark.sparkContext.getCheckpointDir()).path)
    return {p for p in root.rglob("*") if p.is_file()}


def land(landing, network: str, day: dt.date, records: list[dict]) -> None:
    folder = landing / network / f"dt={day}"
    folder.mkdir(parents=True)
    (folder / "part-0.jsonl.gz").write_bytes(gzip.compress(b"\n".join(json.dumps(r).encode() for r in records)))


def activity(kind: str, actor: str, published: str, obj) -> dict:
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{actor}/activities/{kind}", "type": kind,
            "actor": actor, "published": published, "object": obj}


@pytest.mark.system
def test_a_backlog_is_parsed_a_batch_of_landing_dates_at_a_time_and_ends_as_one_batch_would(spark, tmp_path, capsys):
    x, y = "https://a.example/users/x", "https://b.example/users/y"
    note = f"{x}/statuses/1"
    landing = tmp_path / "landing"
    land(landing, "chirp", D1, [chirp(id_str="1001", created_at="Mon Sep 28 10:00:00 +0000 2026")])
    land(landing, "activitypub", D1, [activity("Create", x, "2026-09-28T10:00:00Z",
                                               {"id": note, "type": "Note", "attributedTo": x, "content": "hi"})])
    land(landing, "chirp", D2, [chirp(id_str="1002", created_at="Tue Sep 29 10:00:00 +0000 2026")])
    land(landing, "activitypub", D2, [activity("Like", y, "2026-09-29T10:00:00Z", note)])   # the note: day 1
    land(landing, "chirp", D3, [chirp(id_str="1001", created_at="Mon Sep 28 10:00:00 +0000 2026"),   # again
                                chirp(id_str="1002", created_at="Tue Sep 29 10:00:00 +0000 2026",
                                      entities={"hashtags": [{"text": "Data"}]})])            # other content
    # two lines a date, each date's files over a byte: a batch per date in both ingests
    cfg = config_for(tmp_path, **{"ingest.max_batch_lines": 3, "ingest.max_batch_bytes": 1})
    before = checkpoints(spark)
    results = {name: run_job(context(spark, cfg, DAY), name, body) for name, body in INGEST}
    bronze, silver = results["ingest_bronze"], results["ingest_silver"]
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    progress = [(e["job"], e["batch"], e["landing_dates"], e["files"]) for e in logged if e["event"] == "batch"]
    assert progress == [(job, f"{k}/3", f"{d}..{d}", 2 if d != D3 else 1)
                        for job in ("ingest_bronze", "ingest_silver") for k, d in enumerate((D1, D2, D3), start=1)]

    assert bronze.rows_out == 6 and "5 new files in 3 batches" in bronze.message, bronze.message
    merges = DeltaTable(table_path(cfg, RAW_EVENTS)).history()
    assert [int(m["operationMetrics"]["numTargetRowsInserted"]) for m in merges if m["operation"] == "MERGE"] \
        == [2, 2, 2], "one MERGE per batch: a delivery date's two lines each"
    assert sorted((r.source_file, r.line_number) for r in read_table(spark, cfg, RAW_EVENTS).collect()) == \
        sorted([(f"{n}/dt={d}/part-0.jsonl.gz", 1) for n in ("chirp", "activitypub") for d in (D1, D2)]
               + [(f"chirp/dt={D3}/part-0.jsonl.gz", k) for k in (1, 2)])
    assert (silver.rows_in, silver.rows_out, silver.duplicates, silver.quarantined) == (6, 4, 1, 1)
    assert "in 3 batches" in silver.message, silver.message
    assert len(DeltaTable(table_path(cfg, EVENTS)).history()) == 3, "one commit of silver.events per batch"
    assert not checkpoints(spark) - before, "each batch's parsed rows dropped after the batch"
    events = {r.event_id: r for r in read_table(spark, cfg, EVENTS).collect()}
    assert len(events) == 4
    like = next(r for r in events.values() if r.event_type == "reaction")
    assert like.target_account == f"activitypub:{x}", "the like finds its note's author in an earlier batch"
    authors = [tuple(r) for r in read_table(spark, cfg, CONTENT_AUTHORS).collect()]
    assert authors == [("activitypub", note, f"activitypub:{x}")], "kept with the batch that admitted the note"
    shutil.rmtree(table_path(cfg, CONTENT_AUTHORS))   # as a release that did not keep them left it
    assert [tuple(r) for r in ingest_silver.known_authors(context(spark, cfg, DAY)).collect()] == authors
    first = next(r for r in events.values() if r.network == "chirp" and r.event_id.endswith("1002"))
    assert (first.source_file, first.topics) == ("chirp/dt=2026-09-29/part-0.jsonl.gz", ["seo"])
    assert [(r.source_file, r.line_number, r.reason) for r in read_table(spark, cfg, QUARANTINE).collect()] == \
        [("chirp/dt=2026-09-30/part-0.jsonl.gz", 2, "conflicting_duplicate")]
    files = {r.source_file: (r.lines, r.accepted, r.duplicates, r.quarantined)
             for r in read_table(spark, cfg, INGESTED_FILES).collect()}
    assert files == {"chirp/dt=2026-09-28/part-0.jsonl.gz": (1, 1, 0, 0),
                     "activitypub/dt=2026-09-28/part-0.jsonl.gz": (1, 1, 0, 0),
                     "chirp/dt=2026-09-29/part-0.jsonl.gz": (1, 1, 0, 0),
                     "activitypub/dt=2026-09-29/part-0.jsonl.gz": (1, 1, 0, 0),
                     "chirp/dt=2026-09-30/part-0.jsonl.gz": (2, 0, 1, 1)}
