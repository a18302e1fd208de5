from dataclasses import replace

from schemas.gold_scores import SCORES

# A candidate model's scores, beside (never instead of) the published ones: same columns, one
# partition per snapshot date and model version, so no candidate ever rewrites gold.scores.
SHADOW_SCORES = replace(
    SCORES,
    name="scores_shadow",
    keys=("snapshot_date", "model_version", "profile_id"),
    partition_by=("snapshot_date", "model_version"),
    contract="one row per profile per snapshot date per candidate model run in shadow",
    suite=None,   # not published to analysts as the score: compared, then promoted or dropped
)
