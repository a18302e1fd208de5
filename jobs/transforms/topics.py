"""What a profile is influential about: topic scores with their evidence (pure DataFrames).

A tag on content (hashtag, tag, LinkUp topic) names a topic of the ontology (conf/topics.yaml);
content about a sub-topic is also about its parent, so every tag maps to its topic and that
topic's parent — the roll-up happens in the mapping, and a post tagged #ai and #cloud counts
once for Technology. A profile's influence on a topic is:

- the engagement its content on the topic earned, weighted like the main score (type, recency,
  engager quality) and discounted like the edge it travelled on (burst, ring, automation);
- plus +K endorsements on the topic, capped per endorser per day and per window, weighted by
  the endorser's quality, and discounted when exchanged inside a +K swap group.

A topic is kept only with evidence: enough engagements on the topic's content, or enough
independent endorsers (a swap partner is not independent). Each row carries that evidence.
"""
from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from jobs.transforms.engagement import edge_discount
from jobs.transforms.scoring import calibrated
from jobs.transforms.sums import exact_sum, fixed_point, fixed_point_sum
from schemas.model import Model
from schemas.ontology import Ontology
from schemas.gold_topic_scores import TOPIC_SCORES

CONTENT_ENGAGEMENTS = ("share", "reply", "reaction")   # interactions that point at a piece of content


def _literal_map(pairs: dict) -> Column:
    return F.create_map(*[F.lit(x) for kv in pairs.items() for x in kv])


def topics_of(tags: Column, ontology: Ontology, *, roll_up: bool = True) -> Column:
    """Distinct topic slugs named by an array of tags (unknown tags ignored); with `roll_up`,
    each topic's parent too."""
    named = {}
    for tag, topic, parent in ontology.tags():
        named[tag] = [topic, parent] if roll_up and parent else [topic]
    lookup = F.create_map(*[x for tag, ts in named.items()
                            for x in (F.lit(tag), F.array(*[F.lit(t) for t in ts]))])
    return F.array_distinct(F.flatten(F.transform(
        tags, lambda t: F.coalesce(F.try_element_at(lookup, t), F.array().cast("array<string>")))))


def parent_of(topic: Column, ontology: Ontology) -> Column:
    parents = {topic: parent for _, topic, parent in ontology.tags() if parent}
    return F.try_element_at(_literal_map(parents), topic)


def content_engagement(interactions: DataFrame, posts: DataFrame, edges: DataFrame,
                       ontology: Ontology) -> DataFrame:
    """Per (profile_id, topic, content_id): engagements and their discounted weight.

    `interactions`: weighted_interactions (engagement.py); `posts`: window events of type post
    (content_id, topics); `edges`: the snapshot's engagement edges, whose weight / raw_weight is
    the anti-gaming discount of everything that travelled on them (engagement.py's edge_discount,
    unless the interactions carry it already). A piece of content is about
    the topics of its post, or — for posts older than the window — the tags the engagement
    carried. The engagements are summed per content and tags first (a content's engagements are
    several rows each: fewer rows to join with the posts and to explode into topics); the weights
    in fixed point, so the two-step sum is the one-step sum's long.
    """
    post_topics = posts.select(F.col("content_id").alias("target_content_id"),
                               F.col("topics").alias("_post_tags")).dropDuplicates(["target_content_id"])
    engaged = interactions.where(F.col("event_type").isin(*CONTENT_ENGAGEMENTS)
                                 & F.col("target_content_id").isNotNull())
    if "_discount" not in engaged.columns:   # not looked up with the interactions' profiles
        engaged = engaged.join(edge_discount(edges), ["actor_id", "target_id"], how="left")
    weight = F.col("w") * F.col("events") * F.coalesce("_discount", F.lit(1.0))
    per_content = (engaged.groupBy("target_content_id", "target_id", "topics")
                   .agg(F.sum("events").alias("events"), F.sum(fixed_point(weight)).alias("_units"))
                   .join(post_topics, "target_content_id", how="left"))
    tags = F.when(F.size(F.coalesce("_post_tags", F.array())) > 0, F.col("_post_tags")).otherwise(F.col("topics"))
    return (per_content.select(F.col("target_id").alias("profile_id"), F.col("target_content_id").alias("content_id"),
                               "_units", "events", F.explode(topics_of(tags, ontology)).alias("topic"))
            .groupBy("profile_id", "topic", "content_id")
            .agg(F.sum("events").alias("engagements"),
                 fixed_point_sum("_units").alias("engagement_weight")))


def endorsement(interactions: DataFrame, swap_members: DataFrame, model: Model,
                ontology: Ontology) -> DataFrame:
    """Per (profile_id, topic): +K counted after the caps, independent endorsers, and the
    weight (endorser quality × the endorse interaction weight, swap exchanges discounted)."""
    t = model.topics
    endorse = interactions.where(F.col("event_type") == "endorse")
    per_day = (endorse.select("actor_id", "target_id", "event_date", "w", "events",
                              F.explode(topics_of(F.col("topics"), ontology)).alias("topic"))
               .groupBy("actor_id", "target_id", "topic", "event_date")
               .agg(F.least(F.sum("events"), F.lit(t.endorse_daily_cap)).alias("_n"), F.max("w").alias("_w")))
    per_pair = (per_day.groupBy("actor_id", "target_id", "topic")
                .agg(F.least(F.sum("_n"), F.lit(t.endorse_window_cap)).alias("_n"), F.max("_w").alias("_w")))
    endorsed_back = endorse.select(F.col("target_id").alias("actor_id"), F.col("actor_id").alias("target_id"),
                                   F.lit(True).alias("_back")).distinct()
    members = swap_members.select(F.col("author_id").alias("target_id"), F.lit(True).alias("_member"))
    swapped = F.coalesce(F.col("_back") & F.col("_member"), F.lit(False))
    return (per_pair.join(endorsed_back, ["actor_id", "target_id"], how="left")
            .join(members, "target_id", how="left")
            .select(F.col("target_id").alias("profile_id"), "topic", "_n", swapped.alias("_swapped"),
                    (F.col("_n") * F.col("_w") * F.when(swapped, F.lit(t.swap_factor)).otherwise(F.lit(1.0)))
                    .alias("_weight"))
            .groupBy("profile_id", "topic")
            .agg(F.sum("_n").alias("endorsements"),
                 F.sum((~F.col("_swapped")).cast("long")).alias("endorsers"),
                 exact_sum("_weight").alias("endorsement_weight")))


def topic_scores(interactions: DataFrame, posts: DataFrame, edges: DataFrame, swap_members: DataFrame,
                 model: Model, ontology: Ontology, *, snapshot_date: dt.date) -> DataFrame:
    """gold.topic_scores for the snapshot: one row per profile and topic with evidence."""
    t = model.topics
    per_content = content_engagement(interactions, posts, edges, ontology)
    best_first = Window.partitionBy("profile_id", "topic").orderBy(F.desc("engagement_weight"), "content_id")
    engaged = (per_content.withColumn("_rank", F.row_number().over(best_first))
               .groupBy("profile_id", "topic")
               .agg(F.sum("engagements").alias("engagements"),
                    exact_sum("engagement_weight").alias("engagement_weight"),
                    F.sort_array(F.collect_list(F.when(F.col("_rank") <= t.top_content,
                                                       F.struct("_rank", "content_id"))))
                    .alias("_top")))
    joined = (engaged.join(endorsement(interactions, swap_members, model, ontology),
                           ["profile_id", "topic"], how="full")
              .fillna({"engagements": 0, "engagement_weight": 0.0, "endorsements": 0, "endorsers": 0,
                       "endorsement_weight": 0.0}))
    evidenced = joined.where((F.col("engagements") >= t.min_engagements)
                             | (F.col("endorsers") >= t.min_endorsers))
    weight = F.col("engagement_weight") + F.col("endorsement_weight")
    return TOPIC_SCORES.conform(evidenced.select(
        F.lit(snapshot_date).alias("snapshot_date"), "profile_id", "topic",
        parent_of(F.col("topic"), ontology).alias("parent_topic"),
        F.round(calibrated(F.log1p(weight), t.scale), 2).alias("topic_score"),
        "engagements", F.round("engagement_weight", 6).alias("engagement_weight"),
        "endorsements", "endorsers", F.round("endorsement_weight", 6).alias("endorsement_weight"),
        F.coalesce(F.transform("_top", lambda x: x["content_id"]), F.array().cast("array<string>"))
        .alias("top_content"),
        F.lit(ontology.version).alias("ontology_version"),
        F.lit(model.version).alias("model_version")))


def topic_entropy(events: DataFrame, ontology: Ontology) -> DataFrame:
    """Per profile: entropy (bits) of the fields (top-level topics) of what it wrote — 0 for one
    field, log2(k) for k fields equally. A profile that wrote nothing tagged is judged by what it
    shared. Fields, not sub-topics: SEO and branding are one focus, SEO and astronomy are two."""
    fields = {tag: parent or topic for tag, topic, parent in ontology.tags()}
    lookup = _literal_map(fields)
    tagged = (events.where(F.col("event_type").isin("post", "share"))
              .select("actor_id", "event_type", "events",
                      F.explode(F.array_distinct(F.filter(F.transform("topics", lambda t: F.try_element_at(lookup, t)),
                                                          lambda f: f.isNotNull()))).alias("field")))
    counts = tagged.groupBy("actor_id", "field").agg(
        *[F.sum(F.when(F.col("event_type") == kind, F.col("events")).otherwise(0)).alias(f"_{kind}s")
          for kind in ("post", "share")])
    wrote = F.sum("_posts").over(Window.partitionBy("actor_id")) > 0
    own = (counts.withColumn("_c", F.when(wrote, F.col("_posts")).otherwise(F.col("_shares")))
           .where(F.col("_c") > 0))
    per_profile = own.groupBy(F.col("actor_id").alias("profile_id")).agg(
        F.sum("_c").alias("_n"), exact_sum(F.col("_c") * F.log2("_c")).alias("_clogc"))
    entropy = F.log2("_n") - F.col("_clogc") / F.col("_n")
    return per_profile.select("profile_id", F.round(F.greatest(entropy, F.lit(0.0)), 6).alias("topic_entropy"))
