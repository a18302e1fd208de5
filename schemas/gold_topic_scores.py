from pyspark.sql import types as T

from schemas import Between, Suite, PersonalData, TableSpec

TOPIC_SCORES = TableSpec(
    layer="gold",
    name="topic_scores",
    schema=T.StructType([
        T.StructField("snapshot_date", T.DateType(), False),
        T.StructField("profile_id", T.StringType(), False),
        T.StructField("topic", T.StringType(), False),             # slug in conf/topics.yaml
        T.StructField("parent_topic", T.StringType(), True),       # null for a top-level topic
        T.StructField("topic_score", T.DoubleType(), False),       # 1..100
        # evidence: engagements with the profile's content on the topic and their weight ...
        T.StructField("engagements", T.LongType(), False),
        T.StructField("engagement_weight", T.DoubleType(), False),
        # ... +K on the topic after the caps, independent endorsers (not swap partners), weight
        T.StructField("endorsements", T.LongType(), False),
        T.StructField("endorsers", T.LongType(), False),
        T.StructField("endorsement_weight", T.DoubleType(), False),
        T.StructField("top_content", T.ArrayType(T.StringType(), True), False),  # most engaged first
        T.StructField("ontology_version", T.IntegerType(), False),
        T.StructField("model_version", T.StringType(), False),
    ]),
    keys=("snapshot_date", "profile_id", "topic"),
    partition_by=("snapshot_date",),
    contract="one row per profile and topic with evidence per snapshot date (sub-topics roll up to parents)",
    suite=Suite(
        ranges=(Between("topic_score", 1.0, 100.0), Between("engagements", 0.0),
                Between("engagement_weight", 0.0), Between("endorsements", 0.0), Between("endorsers", 0.0),
                Between("endorsement_weight", 0.0)),
        row_drift=True,
    ),
    personal=PersonalData(profile_columns=("profile_id",)),
    queryable=True,
)
