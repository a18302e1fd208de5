"""The bad-input corpus (tests/bad_inputs.py) through ingest: every input gets its outcome, the
run never fails on data, and landed = accepted + quarantined + duplicates, exactly."""
from pipelines.core.io import read_table
from pipelines.core.jobrun import run_job
from pipelines.orchestration.nightly import STAGES, context
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.silver_events import EVENTS
from schemas.silver_quarantine import QUARANTINE
from tests.bad_inputs import FILES, LINES, expected, write_landing
from tests.conftest import DAY, config_for

INGEST = [stage for stage in STAGES if stage[0] in ("ingest_bronze", "profiles", "ingest_silver")]


def test_every_bad_input_is_quarantined_with_its_reason_and_counts_reconcile(spark, tmp_path):
    write_landing(tmp_path / "landing")
    cfg = config_for(tmp_path)
    ctx = context(spark, cfg, DAY)
    results = {name: run_job(ctx, name, body) for name, body in INGEST}

    keys = lambda df: {(r.source_file, r.line_number) for r in df.select("source_file", "line_number").collect()}
    landed = keys(read_table(spark, cfg, RAW_EVENTS))
    want = expected()
    assert landed == set(want), "bronze holds exactly the corpus's lines (and one row per unreadable file)"

    reasons = {(r.source_file, r.line_number): r.reason for r in read_table(spark, cfg, QUARANTINE).collect()}
    accepted = keys(read_table(spark, cfg, EVENTS))
    got = {key: reasons.get(key) or ("accepted" if key in accepted else "duplicate") for key in want}
    names = {key: name for key, (name, *_) in zip(want, LINES + [f for f in FILES if f[3]])}
    wrong = {names[k]: (want[k], got[k]) for k in want if got[k] != want[k]}
    assert wrong == {}, "input: (expected, got)"

    silver = results["ingest_silver"]
    outcomes = list(want.values())
    assert silver.rows_in == len(landed)
    assert silver.rows_out == outcomes.count("accepted")
    assert silver.duplicates == outcomes.count("duplicate")
    assert silver.quarantined == len(outcomes) - outcomes.count("accepted") - outcomes.count("duplicate")
    assert silver.rows_in == silver.rows_out + silver.quarantined + silver.duplicates + silver.withheld
    assert len(LINES) + len(FILES) >= 25

    again = {name: run_job(context(spark, cfg, DAY), name, body) for name, body in INGEST}
    assert again["ingest_bronze"].rows_out == 0 and again["ingest_silver"].rows_in == 0, "a rerun adds nothing"
    assert keys(read_table(spark, cfg, RAW_EVENTS)) == set(want)


