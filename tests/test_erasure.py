"""`clout forget`: a profile and its accounts leave every table, the next nightly neither scores
it nor counts its past engagement for anyone, and after VACUUM no Parquet file holds its ids."""
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pyspark.sql import functions as F

from pipelines.orchestration.erasure import forget
from pipelines.core.errors import UserError
from pipelines.core.io import read_table
from pipelines.orchestration.nightly import run_nightly
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_scores import SCORES
from schemas.silver_profiles import ACCOUNTS
from tests.conftest import DAY, config_for, truth_profiles


def edge_pairs(spark, cfg) -> set[tuple[str, str]]:
    edges = read_table(spark, cfg, ENGAGEMENT_EDGES).where(F.col("snapshot_date") == DAY)
    return {(r.engager_id, r.author_id) for r in edges.select("engager_id", "author_id").collect()}


def files_naming(root: Path, needles: list[str]) -> list[str]:
    """Every Parquet file under `root` (data files and Delta checkpoints) whose values name a needle."""
    found = []
    for path in sorted(root.rglob("*.parquet")):
        text = str(pq.read_table(path).to_pylist())
        found += [f"{path.relative_to(root)}: {n}" for n in needles if n in text]
    return found


@pytest.fixture(scope="module")
def forgotten(spark, e2e, tmp_path_factory):
    """A copy of the reference run; its most engaged-with multi-network profile that also
    engages others is forgotten (retention 0: VACUUM removes at once), then the nightly reruns."""
    reference_cfg, _, _ = e2e
    root = tmp_path_factory.mktemp("erasure")
    shutil.copytree(reference_cfg.paths.data_root, root, dirs_exist_ok=True)
    cfg = config_for(root, **{"privacy.retention_hours": 0})
    before = edge_pairs(spark, reference_cfg)
    candidates = {p["profile_id"]: p for p in truth_profiles(reference_cfg)
                  if len(p["accounts"]) >= 2 and not p["opted_out"]}
    engages = {e for e, _ in before}
    reach = {}
    for _, author in before:
        reach[author] = reach.get(author, 0) + 1
    subject = max((pid for pid in candidates if pid in engages), key=lambda pid: (reach.get(pid, 0), pid))
    erased = forget(spark, cfg, subject)
    run_nightly(cfg, DAY, spark=spark)
    return cfg, candidates[subject], erased, before


def test_forget_deletes_the_profile_everywhere_and_registers_only_hashes(spark, forgotten):
    cfg, subject, erased, _ = forgotten
    assert set(erased.accounts) == {f"{a['network']}:{a['account_id']}" for a in subject["accounts"]}
    for table in ("bronze.raw_events", "silver.events", "gold.engagement_edges", "gold.scores"):
        assert erased.rows_deleted[table] > 0, table
    assert erased.files_vacuumed > 0
    assert read_table(spark, cfg, ACCOUNTS).where(F.col("account").isin(list(erased.accounts))).count() == 0


def test_the_next_nightly_neither_scores_it_nor_counts_its_engagement(spark, forgotten):
    cfg, subject, _, before = forgotten
    pid = subject["profile_id"]
    assert read_table(spark, cfg, SCORES).where(F.col("profile_id") == pid).count() == 0
    after = edge_pairs(spark, cfg)
    assert any(pid in pair for pair in before)
    assert after == {pair for pair in before if pid not in pair}


def test_no_parquet_file_on_disk_names_the_profile_or_its_accounts(forgotten):
    cfg, subject, _, _ = forgotten
    needles = [subject["profile_id"]] + [a["account_id"] for a in subject["accounts"]]
    assert files_naming(cfg.paths.warehouse, needles) == []
    assert not any(p.is_file() for p in cfg.paths.checkpoints.rglob("*"))


def test_forgetting_an_unknown_profile_changes_nothing(spark, forgotten):
    cfg, _, _, _ = forgotten
    with pytest.raises(UserError, match="no profile 'p9999999'"):
        forget(spark, cfg, "p9999999")
