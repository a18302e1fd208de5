"""The bad-input corpus (tests/bad_inputs.py) through ingest: every landed line gets its outcome,
every landed path is ingested or held with its reason, the run never fails on data, and each
file reconciles exactly: landed = accepted + quarantined + duplicates + withheld."""
from pyspark.sql import functions as F

from pipelines.core.io import read_table
from pipelines.core.jobrun import run_job
from pipelines.orchestration.nightly import STAGES, context
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.ops_held_files import HELD_FILES
from schemas.ops_ingested_files import INGESTED_FILES
from schemas.silver_account_links import ACCOUNT_LINKS
from schemas.silver_events import EVENTS
from schemas.silver_quarantine import QUARANTINE
from tests.bad_inputs import FILES, LINES, STRAYS, TRUNCATED, complete, expected, held, write_landing
from tests.conftest import DAY, config_for

INGEST = [stage for stage in STAGES if stage[0] in ("ingest_bronze", "profiles", "ingest_silver")]


def keys(df):
    return {(r.source_file, r.line_number) for r in df.select("source_file", "line_number").collect()}


def test_every_bad_input_gets_its_outcome_and_every_file_reconciles(spark, tmp_path):
    write_landing(tmp_path / "landing", tmp_path / "outside.jsonl.gz")
    cfg = config_for(tmp_path)
    results = {name: run_job(context(spark, cfg, DAY), name, body) for name, body in INGEST}

    want = expected()
    assert keys(read_table(spark, cfg, RAW_EVENTS)) == set(want), "bronze holds the corpus's lines, no held file's"
    reasons = {(r.source_file, r.line_number): r.reason for r in read_table(spark, cfg, QUARANTINE).collect()}
    accepted = keys(read_table(spark, cfg, EVENTS)) | keys(read_table(spark, cfg, ACCOUNT_LINKS))
    got = {key: reasons.get(key) or ("accepted" if key in accepted else "duplicate") for key in want}
    names = dict(zip(want, (name for name, *_ in LINES)))
    assert {names[k]: (want[k], got[k]) for k in want if got[k] != want[k]} == {}, "input: (expected, got)"

    recorded = {r.path: (r.kind, r.reason) for r in read_table(spark, cfg, HELD_FILES).collect()}
    assert {path: reason for path, (_, reason) in recorded.items()} == held()
    truncated = read_table(spark, cfg, HELD_FILES).where(F.col("path") == TRUNCATED).first()
    assert truncated.kind == "damaged" and 0 < truncated.lines_readable < 40, truncated

    per_file = {r.source_file: r for r in read_table(spark, cfg, INGESTED_FILES).collect()}
    for f, r in per_file.items():
        assert r.lines == r.accepted + r.quarantined + r.duplicates + r.withheld, f
        outcomes = [o for (source, _), o in want.items() if source == f]
        assert (r.lines, r.accepted, r.duplicates) == \
            (len(outcomes), outcomes.count("accepted"), outcomes.count("duplicate")), f
    assert set(per_file) == {f for f, _ in want}, "a gzip holding no lines lands nothing to reconcile"

    bronze, links, silver = results["ingest_bronze"], results["profiles"], results["ingest_silver"]
    assert bronze.held == len(held())
    outcomes = list(want.values())
    assert links.rows_in + silver.rows_in == len(want)
    assert links.rows_out + silver.rows_out == outcomes.count("accepted")
    assert links.duplicates + silver.duplicates == outcomes.count("duplicate")
    assert silver.rows_in == silver.rows_out + silver.quarantined + silver.duplicates + silver.withheld
    assert len(LINES) + len(FILES) + len(STRAYS) >= 50

    again = {name: run_job(context(spark, cfg, DAY), name, body) for name, body in INGEST}
    assert again["ingest_bronze"].rows_out == 0 and again["ingest_silver"].rows_in == 0, "a rerun adds nothing"
    assert keys(read_table(spark, cfg, RAW_EVENTS)) == set(want)
    assert read_table(spark, cfg, HELD_FILES).count() == len(held()), "a held path is recorded once"

    # the interrupted upload is delivered again, whole: ingested now, exactly once
    (tmp_path / "landing" / TRUNCATED).write_bytes(complete())
    redelivered = {name: run_job(context(spark, cfg, DAY), name, body) for name, body in INGEST}
    assert redelivered["ingest_bronze"].rows_out == 40 and redelivered["ingest_silver"].rows_out == 40
    lines = read_table(spark, cfg, RAW_EVENTS).where(F.col("source_file") == TRUNCATED)
    assert lines.count() == 40 and lines.select("line_number").distinct().count() == 40
