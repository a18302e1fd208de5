"""The e2e reference run with all six networks (the generator renders Bluesky Jetstream events
and ActivityPub activities beside the four invented shapes): reconciliation per network,
retractions, and the profiles that live only on the open networks."""
from pyspark.sql import functions as F

from jobs.transforms.engagement import window_start
from pipelines.core.io import read_table
from pipelines.orchestration.cli import main as clout
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_scores import SCORES
from schemas.ops_ingested_files import INGESTED_FILES
from schemas.silver_events import EVENTS, NETWORKS, SCORED_TYPES
from schemas.silver_profiles import ACCOUNTS
from tests.conftest import DAY, truth_profiles

OPEN_WEB = ("bluesky", "activitypub")


def test_every_network_reconciles_exactly_against_what_the_generator_wrote(spark, e2e):
    cfg, truth, _ = e2e
    files = read_table(spark, cfg, INGESTED_FILES).withColumn("network", F.split("source_file", "/")[0])
    per_network = {r.network: r for r in files.groupBy("network").agg(
        F.sum("lines").alias("lines"), F.sum("accepted").alias("accepted"), F.sum("quarantined").alias("quarantined"),
        F.sum("duplicates").alias("duplicates"), F.sum("withheld").alias("withheld")).collect()}
    assert set(NETWORKS) <= set(per_network)
    for network in NETWORKS:
        got = per_network[network]
        assert got.lines == truth["lines_written"][network], network
        assert got.lines == got.accepted + got.quarantined + got.duplicates + got.withheld, network
        assert got.accepted + got.withheld == truth["events_valid"][network], network
        assert got.duplicates == truth["duplicates"][network], network


def _profiles(spark, cfg, events, account_col, profile_col):
    accounts = (read_table(spark, cfg, ACCOUNTS).where(F.col("as_of") == DAY)
                .select(F.col("account").alias(account_col), F.col("profile_id").alias("_linked")))
    return (events.join(accounts, account_col, how="left")
            .withColumn(profile_col, F.coalesce("_linked", F.concat(F.lit("pub:"), account_col))).drop("_linked"))


def test_retracted_engagement_is_absent_from_the_edges(spark, e2e):
    """Pairs whose only engagement in the window was retracted (a Bluesky delete, an ActivityPub
    Undo) have no edge; pairs with engagement left keep theirs."""
    cfg, _, _ = e2e
    silver = read_table(spark, cfg, EVENTS).where(
        (F.col("landing_date") <= DAY) & (F.col("event_date") >= window_start(DAY, cfg.pipeline.window_days)))
    retractions = (silver.where(F.col("event_type") == "retraction")
                   .select("network", "actor_account", F.col("target_content_id").alias("event_id"),
                           F.lit(True).alias("retracted")))
    engagement = (silver.where(F.col("event_type").isin(*SCORED_TYPES) & (F.col("event_type") != "post"))
                  .join(retractions, ["network", "actor_account", "event_id"], how="left"))
    pairs = _profiles(spark, cfg, _profiles(spark, cfg, engagement, "actor_account", "engager_id"),
                      "target_account", "author_id").where(F.col("engager_id") != F.col("author_id"))
    by_pair = pairs.groupBy("engager_id", "author_id").agg(
        F.sum(F.when(F.col("retracted"), 1).otherwise(0)).alias("retracted"),
        F.sum(F.when(F.col("retracted").isNull(), 1).otherwise(0)).alias("left"))
    gone = by_pair.where((F.col("retracted") > 0) & (F.col("left") == 0))
    edges = read_table(spark, cfg, ENGAGEMENT_EDGES).where(F.col("snapshot_date") == DAY)
    assert gone.count() > 0, "the generator planted retractions of a pair's only engagement"
    assert gone.join(edges, ["engager_id", "author_id"]).count() == 0
    kept = by_pair.where((F.col("retracted") > 0) & (F.col("left") > 0))
    assert kept.join(edges, ["engager_id", "author_id"]).count() == kept.count()
    # a retraction of a record never seen is accepted and counted, not an error
    seen = silver.select("network", "actor_account", "event_id")
    unseen = {r.network: r["count"] for r in retractions.join(seen, ["network", "actor_account", "event_id"], how="left_anti")
              .groupBy("network").count().collect()}
    assert set(unseen) == set(OPEN_WEB) and all(n > 0 for n in unseen.values())


def test_profiles_only_on_the_open_networks_are_scored_and_explained(spark, e2e, capsys):
    cfg, _, _ = e2e
    only_open = sorted(p["profile_id"] for p in truth_profiles(cfg)
                       if p["accounts"] and all(a["network"] in OPEN_WEB for a in p["accounts"]))
    assert only_open, "the generator made people who live on the open networks alone"
    scores = read_table(spark, cfg, SCORES).where(F.col("snapshot_date") == DAY)
    scored = {r.profile_id for r in scores.where(F.col("profile_id").isin(only_open)).select("profile_id").collect()}
    assert len(scored) >= 0.5 * len(only_open), (len(scored), len(only_open))
    public = [scores.where(F.col("profile_id").startswith(prefix)).orderBy(F.desc("score"), "profile_id")
              .first().profile_id for prefix in ("pub:bluesky:did:", "pub:activitypub:https://")]
    for profile in [min(scored), *public]:
        assert clout(["explain", profile, "--date", str(DAY), "--data-root", str(cfg.paths.data_root)]) == 0
        out = capsys.readouterr()
        assert out.out.startswith(f"{profile} scores "), out
