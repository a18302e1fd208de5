"""Analyst access without a JVM: the published Delta tables through delta-rs and DuckDB."""
from __future__ import annotations

import duckdb
from deltalake import DeltaTable

from pipelines.config import Config
from pipelines.errors import UserError
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_network_influence import NETWORK_INFLUENCE
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES
from schemas.gold_scores_shadow import SHADOW_SCORES
from schemas.ops_dq_results import DQ_RESULTS
from schemas.ops_runs import RUNS
from schemas.silver_events import EVENTS
from schemas.silver_profiles import ACCOUNTS, PROFILES
from schemas.silver_quarantine import QUARANTINE

# name analysts type → table spec
QUERYABLE = {spec.name: spec for spec in (SCORES, SHADOW_SCORES, PROFILE_FEATURES, NETWORK_INFLUENCE,
                                          ENGAGEMENT_EDGES, EVENTS, QUARANTINE, ACCOUNTS, PROFILES,
                                          RUNS, DQ_RESULTS)}


def connect(cfg: Config) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with every existing published table registered by name."""
    con = duckdb.connect()
    for name, spec in QUERYABLE.items():
        path = cfg.paths.warehouse / spec.layer / spec.name
        if (path / "_delta_log").is_dir():
            con.register(name, DeltaTable(str(path)).to_pyarrow_dataset())
    return con


def run_query(cfg: Config, sql: str):
    """Run one read-only statement; returns a DuckDB relation. Writes are refused."""
    con = connect(cfg)
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise UserError(f"query: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise UserError("query: give exactly one SQL statement")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise UserError(f"query: only read-only SELECT statements are allowed "
                        f"(got {statements[0].type.name})")
    try:
        return con.sql(sql)
    except duckdb.Error as exc:
        raise UserError(f"query: {str(exc).splitlines()[0]}") from None
