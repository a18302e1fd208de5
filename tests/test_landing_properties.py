"""Property: whatever lands — random bytes, random JSON values, random mutations of valid records,
damaged gzip files — in every network's feed and the account links, ingest completes and every
landed file reconciles exactly: landed = accepted + quarantined + duplicates + withheld, the
counts agreeing with the rows the tables hold for that file."""
import gzip
import json
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import functions as F

from pipelines.core.io import read_table, table_exists
from jobs.parsers import PARSERS
from pipelines.core.jobrun import run_job
from pipelines.orchestration.nightly import STAGES, context
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.ops_held_files import HELD_FILES
from schemas.ops_ingested_files import INGESTED_FILES
from schemas.silver_account_links import ACCOUNT_LINKS
from schemas.silver_events import EVENTS
from schemas.silver_quarantine import QUARANTINE
from tests.bad_inputs import chirp, facepage, link, linkup, vidtube
from tests.conftest import DAY, config_for

pytestmark = pytest.mark.system   # a few ingest runs: minutes, not seconds
INGEST = [stage for stage in STAGES if stage[0] in ("ingest_bronze", "profiles", "ingest_silver")]
VALID = {"chirp": chirp, "facepage": facepage, "linkup": linkup, "vidtube": vidtube, "accounts": link,
         **{name: (lambda name=name: PARSERS[name].EXAMPLE) for name in ("bluesky", "activitypub")}}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**20, max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)


@st.composite
def mutated(draw, feed: str) -> bytes:
    """A valid record of the feed with one key dropped, replaced by a random value, or added."""
    record = dict(VALID[feed]())
    key = draw(st.sampled_from(sorted(record)))
    action = draw(st.sampled_from(("keep", "drop", "replace", "add")))
    if action == "drop":
        record.pop(key)
    elif action == "replace":
        record[key] = draw(json_values)
    elif action == "add":
        record[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
    return json.dumps(record).encode()


def lines_of(feed: str):
    return st.lists(st.one_of(st.binary(max_size=40), json_values.map(lambda v: json.dumps(v).encode()),
                              mutated(feed)), min_size=1, max_size=12)


@st.composite
def landing_files(draw) -> dict[str, bytes]:
    """Per feed one or two files of random lines; some files damaged (cut short or not gzip)."""
    files = {}
    for feed in sorted(VALID):
        for part in range(draw(st.integers(1, 2))):
            body = gzip.compress(b"\n".join(draw(lines_of(feed))), mtime=0)
            damage = draw(st.sampled_from(("none", "none", "none", "cut", "raw")))
            if damage == "cut":
                body = body[: draw(st.integers(0, len(body) - 1))]
            elif damage == "raw":
                body = draw(st.binary(max_size=30))
            files[f"{feed}/dt={DAY}/part-{part:05d}.jsonl.gz"] = body
    return files


def per_file_rows(df):
    return {r.source_file: r["count"] for r in df.groupBy("source_file").count().collect()}


def rows_of(spark, cfg, spec):
    """The table's rows, or none when no run has written it yet (everything landed was held, say)."""
    return read_table(spark, cfg, spec) if table_exists(spark, cfg, spec) else spark.createDataFrame([], spec.schema)


def holds_lines(body: bytes) -> bool:
    """A whole gzip file decompressing to at least one line (an empty one lands nothing)."""
    try:
        return gzip.decompress(body) != b""
    except (OSError, EOFError, zlib.error):
        return True


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(files=landing_files())
def test_whatever_lands_ingest_completes_and_every_file_reconciles(spark, tmp_path_factory, files):
    root = tmp_path_factory.mktemp("property")
    for path, body in files.items():
        (root / "landing" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "landing" / path).write_bytes(body)
    cfg = config_for(root)
    for name, body in INGEST:
        run_job(context(spark, cfg, DAY), name, body)

    held = {r.path for r in rows_of(spark, cfg, HELD_FILES).collect()}
    recorded = {r.source_file: r for r in rows_of(spark, cfg, INGESTED_FILES).collect()}
    landed = {path for path, body in files.items() if holds_lines(body)}
    assert set(recorded) | held == landed, "every landed file is ingested and reconciled, or held"
    assert not set(recorded) & held
    bronze = per_file_rows(rows_of(spark, cfg, RAW_EVENTS))
    quarantined = per_file_rows(rows_of(spark, cfg, QUARANTINE))
    accepted = {**per_file_rows(rows_of(spark, cfg, EVENTS)), **per_file_rows(rows_of(spark, cfg, ACCOUNT_LINKS))}
    for path, r in recorded.items():
        assert r.lines == r.accepted + r.quarantined + r.duplicates + r.withheld, path
        assert (r.lines, r.quarantined, r.accepted) == \
            (bronze.get(path, 0), quarantined.get(path, 0), accepted.get(path, 0)), path
    assert rows_of(spark, cfg, RAW_EVENTS).where(F.col("source_file").isin(sorted(held))).count() == 0
