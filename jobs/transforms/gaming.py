"""Anti-gaming signals (pure). Each one discounts, none deletes, and each has a reason code.

- automated_posting: an account posting on a timer (gaps between posts far more regular than a
  person's), nearly only feed links, or far above a human posting rate. What it earns counts
  `automation.factor` as much.
- reciprocal_ring: a profile most of whose received engagement comes from people it engages
  back, with several such partners (engagement rings); or one inside a dense cluster of intense
  mutual engagement that brings it a real share of what it receives, however large its honest
  audience besides (dense rings); or whose +K endorsements are mostly swapped with several
  partners (+K swap groups; "mostly" of the endorsers, or of the endorsements from model v3).
  Mutual engagement into it counts `rings.factor` as much, the rest of what it earns
  `rings.member_factor`.
- burst_damped: a week in which a profile received far more than in its other weeks counts at
  most `bursts.max_week_ratio` times their mean.
- hyperactive_engagers: engagers acting far above a human rate weigh less (engager quality,
  jobs/transforms/engagement.py); the reason is shown when most of a profile's engagers are.
Self-engagement across one person's accounts never counts: identity resolution maps the
accounts to one profile and self-edges are dropped.
"""
from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from jobs.transforms.sums import exact_sum
from schemas.model import AntiGaming

REASONS = ("automated_posting", "reciprocal_ring", "burst_damped", "hyperactive_engagers")


def automation(events: DataFrame, settings: AntiGaming) -> DataFrame:
    """Per profile: `automation_factor` (1, or the discount when any of its accounts posts like a
    machine), `posting_cv` (lowest coefficient of variation of gaps between posts over its
    accounts with enough posts) and `link_share` (share of its posts carrying a link).

    Gaps are measured per account: one person's accounts on several networks interleave.
    """
    a = settings.automation
    posts = events.where(F.col("event_type") == "post").select(
        "actor_id", "actor_account", "event_date", "has_link", "events",
        F.unix_millis("event_time").alias("_t"))
    by_time = Window.partitionBy("actor_account").orderBy("_t")
    gaps = posts.withColumn("_gap", (F.col("_t") - F.lag("_t").over(by_time)) / 1000.0)
    per_account = gaps.groupBy("actor_id", "actor_account").agg(
        F.sum("events").alias("_posts"),
        F.try_divide(F.stddev_pop("_gap"), F.avg("_gap")).alias("_cv"),
        F.try_divide(F.sum(F.col("has_link").cast("long") * F.col("events")), F.sum("events")).alias("_links"),
        F.countDistinct("event_date").alias("_days"))
    enough = F.col("_posts") >= a.min_posts
    automated = enough & ((F.coalesce(F.col("_cv"), F.lit(1.0)) < a.max_interval_cv)
                          | (F.col("_links") >= a.min_link_share)
                          | (F.col("_posts") / F.col("_days") > a.max_human_daily_posts))
    return (per_account.groupBy(F.col("actor_id").alias("profile_id"))
            .agg(F.max(automated.cast("int")).alias("_automated"),
                 F.min(F.when(enough, F.col("_cv"))).alias("posting_cv"),
                 F.try_divide(F.sum(F.col("_links") * F.col("_posts")), F.sum("_posts")).alias("link_share"))
            .select("profile_id", "posting_cv", "link_share",
                    F.when(F.col("_automated") == 1, F.lit(a.factor)).otherwise(F.lit(1.0))
                    .alias("automation_factor")))


def burst_factors(interactions: DataFrame, settings: AntiGaming, *, window_days: int) -> DataFrame:
    """Per (target_id, week): the factor that damps a week far above the target's other weeks.

    `interactions` has target_id, week (0 = the snapshot's week), w (one interaction's weight),
    w_event (the same before its engager's quality; read with `bursts.engager_quality: false`)
    and events (how many such interactions the row folds).
    A week counts at most max_week_ratio × the mean of the target's other weeks of the window
    (or min_week_weight, whichever is more). With `bursts.spread: author` every week of the
    target gets the share of its weight that its weeks keep in all.
    """
    b = settings.bursts
    weeks_in_window = max(2, -(-window_days // 7))
    weight = F.col("w") if b.engager_quality else F.col("w_event")
    weekly = interactions.groupBy("target_id", "week").agg(exact_sum(weight * F.col("events")).alias("_week_w"))
    # ordered, whole-partition frame: the float sums run in one order on every run (reruns reproduce)
    per_target = (Window.partitionBy("target_id").orderBy("week")
                  .rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing))
    others = (F.sum("_week_w").over(per_target) - F.max("_week_w").over(per_target)) / (weeks_in_window - 1)
    cap = F.greatest(F.lit(b.max_week_ratio) * others, F.lit(b.min_week_weight))
    factor = F.least(F.lit(1.0), F.coalesce(F.try_divide(cap, F.col("_week_w")), F.lit(1.0)))
    damped = weekly.select("target_id", "week", "_week_w", factor.alias("burst_factor"))
    if b.spread == "author":
        # what the author's weeks keep in all, as one factor on each of its weeks: the author's
        # discounted total is the same, a burst week's engagers are damped no more than others
        kept = F.try_divide(F.sum(F.col("burst_factor") * F.col("_week_w")).over(per_target),
                            F.sum("_week_w").over(per_target))
        damped = damped.withColumn("burst_factor", F.coalesce(kept, F.lit(1.0)))
    return damped.drop("_week_w")


def swap_ring_members(endorsements: DataFrame, settings: AntiGaming) -> DataFrame:
    """Profiles in a +K swap group: most of their +K comes from profiles they endorse back, with
    several such partners. "Most" is of the distinct endorsers, or (`rings.swap_reciprocity_of`:
    endorsements) of the endorsements received: a swap partner endorses nearly daily, an honest
    endorser now and then, so a swapper with a real following besides still gets most of its +K
    from the swap. `endorsements`: actor_id → target_id rows with `events`; returns author_id."""
    r = settings.rings
    pairs = (endorsements.groupBy(F.col("actor_id").alias("engager_id"), F.col("target_id").alias("author_id"))
             .agg(F.sum("events").alias("_n")))
    back = pairs.select(F.col("author_id").alias("engager_id"), F.col("engager_id").alias("author_id"),
                        F.lit(1).alias("_back"))
    volume = F.col("_n") if r.swap_reciprocity_of == "endorsements" else F.lit(1)
    per_author = (pairs.join(back, ["engager_id", "author_id"], how="left")
                  .groupBy("author_id").agg(F.count("_back").alias("_mutual"),
                                            F.sum(volume).alias("_received"),
                                            F.sum(F.when(F.col("_back").isNotNull(), volume)).alias("_swapped")))
    return per_author.where((F.col("_mutual") >= r.min_mutual_partners)
                            & (F.col("_swapped") >= F.col("_received") * r.min_reciprocity)).select("author_id")


def _reversed(edges: DataFrame) -> DataFrame:
    """engager_id, author_id of `edges` turned around (the author engaging the engager back)."""
    return edges.select(F.col("author_id").alias("engager_id"), F.col("engager_id").alias("author_id"))


def _both_ways(edges: DataFrame) -> DataFrame:
    """The rows of `edges` whose reverse is among `edges` too (a self-join of only what is given:
    callers pass the edges that can qualify, so the join never moves every edge)."""
    return edges.join(_reversed(edges), ["engager_id", "author_id"], how="left_semi")


def dense_ring_members(edges: DataFrame, settings: AntiGaming) -> DataFrame:
    """Authors inside a dense cluster of intense mutual engagement (returns author_id).

    A pair engages *intensely both ways* when each direction weighs at least
    `rings.min_mutual_weight`. Such a partner q of author a is a *ring partner* when a third
    profile is an intense partner of both (a triangle: a cluster, not a friendship). An author
    with at least `min_mutual_partners` ring partners who together bring `min_cluster_share` of
    the weight it receives is a ring member — however large its honest audience besides (the
    reciprocity rule misses those). Celebrities who engage each other stay out: their clique is
    a sliver of what they receive.
    """
    r = settings.rings
    heavy = edges.where(F.col("weight") >= r.min_mutual_weight).select("engager_id", "author_id")
    intense = _both_ways(heavy).select(F.col("author_id").alias("a"), F.col("engager_id").alias("q"))
    third = intense.select("a", F.col("q").alias("t"))
    closes = intense.select(F.col("a").alias("q"), F.col("q").alias("t"))
    partners = (intense.join(third, "a").where(F.col("q") != F.col("t"))
                .join(closes, ["q", "t"]).select("a", "q").distinct())
    into = edges.select(F.col("author_id").alias("a"), F.col("engager_id").alias("q"), "weight")
    # intense pairs are few: they reach the edges as a broadcast, and only the edges into
    # authors with ring partners are summed
    from_partners = (into.join(F.broadcast(partners), ["a", "q"])
                     .groupBy("a").agg(F.count(F.lit(1)).alias("_partners"), exact_sum("weight").alias("_from")))
    received = (into.join(F.broadcast(partners.select("a").distinct()), "a", how="left_semi")
                .groupBy("a").agg(exact_sum("weight").alias("_in")))
    return (from_partners.join(received, "a")
            .where((F.col("_partners") >= r.min_mutual_partners)
                   & (F.col("_from") >= F.col("_in") * r.min_cluster_share))
            .select(F.col("a").alias("author_id")))


def ring_factors(edges: DataFrame, settings: AntiGaming, swap_members: DataFrame | None = None) -> DataFrame:
    """Edges (engager_id, author_id, interactions, weight) → plus `mutual` (the author engages the
    engager back) and `ring_factor`: for an author inside a reciprocal ring, `factor` on the mutual
    edges and `member_factor` on the rest (taking part in a ring taints what else it earns).

    Reciprocity counts the partners engaged with both ways at least `min_partner_interactions`
    times each (a close community answers now and then; a ring engages nearly every post).
    Only the edges engaged that often meet their reverse (a join of those alone); ring members,
    found from per-author sums, are few and reach every edge as a broadcast."""
    r = settings.rings
    floor = r.min_partner_interactions
    often = F.col("interactions") >= floor if floor > 1 else F.lit(True)
    candidates = edges.where(often)
    back = _reversed(candidates).withColumn("mutual", F.lit(True))
    flagged = (candidates.join(back, ["engager_id", "author_id"], how="left")
               .withColumn("mutual", F.coalesce("mutual", F.lit(False)))
               .unionByName(edges.where(~often).withColumn("mutual", F.lit(False))))
    received = edges.groupBy("author_id").agg(exact_sum("weight").alias("_in"))
    per_author = (flagged.where(F.col("mutual")).groupBy("author_id")
                  .agg(exact_sum("weight").alias("_mutual_in"), F.count(F.lit(1)).alias("_partners")))
    reciprocity = F.coalesce(F.try_divide(F.col("_mutual_in"), F.col("_in")), F.lit(0.0))
    members = (per_author.join(received, "author_id")
               .where((reciprocity >= r.min_reciprocity) & (F.col("_partners") >= r.min_mutual_partners))
               .select("author_id")
               .unionByName(dense_ring_members(edges, settings)))
    if swap_members is not None:
        members = members.unionByName(swap_members.select("author_id"))
    in_ring = F.coalesce(F.col("_member"), F.lit(False))
    factor = (F.when(in_ring & F.col("mutual"), F.lit(r.factor))
              .when(in_ring, F.lit(r.member_factor)).otherwise(F.lit(1.0)))
    return (flagged.join(F.broadcast(members.distinct().select("author_id", F.lit(True).alias("_member"))),
                         "author_id", how="left")
            .withColumn("ring_factor", factor).drop("_member"))
