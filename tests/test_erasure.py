"""`clout forget`: a profile and its accounts leave every table, the next nightly neither scores
it nor counts its past engagement for anyone, and after VACUUM no Parquet file holds its ids.

On the forget run (tests/shared_runs.py): a copy of the backfill chain, its most engaged-with
multi-network profile that also engages others forgotten with retention 0, SECOND run again."""
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pyspark.sql import functions as F

from pipelines.core.errors import UserError
from pipelines.core.io import read_table
from pipelines.orchestration.erasure import forget
from schemas.gold_scores import SCORES
from schemas.silver_profiles import ACCOUNTS
from tests.shared_runs import SECOND, edge_pairs


def files_naming(root: Path, needles: list[str]) -> list[str]:
    """Every Parquet file under `root` (data files and Delta checkpoints) whose values name a needle."""
    found = []
    for path in sorted(root.rglob("*.parquet")):
        text = str(pq.read_table(path).to_pylist())
        found += [f"{path.relative_to(root)}: {n}" for n in needles if n in text]
    return found


def test_forget_deletes_the_profile_everywhere_and_registers_only_hashes(spark, forget_run):
    cfg, subject, erased = forget_run.cfg, forget_run.subject, forget_run.erased
    assert set(erased.accounts) == {f"{a['network']}:{a['account_id']}" for a in subject["accounts"]}
    for table in ("bronze.raw_events", "silver.events", "silver.daily_partials", "silver.window_pairs",
                  "silver.window_solo", "gold.engagement_edges", "gold.scores"):
        assert erased.rows_deleted[table] > 0, table
    assert erased.files_vacuumed > 0
    assert read_table(spark, cfg, ACCOUNTS).where(F.col("account").isin(list(erased.accounts))).count() == 0


def test_the_next_nightly_neither_scores_it_nor_counts_its_engagement(spark, forget_run):
    cfg, pid, before = forget_run.cfg, forget_run.subject["profile_id"], forget_run.edges_before
    assert read_table(spark, cfg, SCORES).where(F.col("profile_id") == pid).count() == 0
    assert any(pid in pair for pair in before)
    assert edge_pairs(spark, cfg, SECOND) == {pair for pair in before if pid not in pair}


def test_no_parquet_file_on_disk_names_the_profile_or_its_accounts(forget_run):
    cfg, subject = forget_run.cfg, forget_run.subject
    needles = [subject["profile_id"]] + [a["account_id"] for a in subject["accounts"]]
    assert files_naming(cfg.paths.warehouse, needles) == []
    assert not any(p.is_file() for p in cfg.paths.checkpoints.rglob("*"))


def test_forgetting_an_unknown_profile_changes_nothing(spark, forget_run):
    with pytest.raises(UserError, match="no profile 'p9999999'"):
        forget(spark, forget_run.cfg, "p9999999")
