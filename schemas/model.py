"""The scoring model's settings: the schema of conf/models/<version>.yaml.

Declared here, beside the tables, so the pure transforms can name the settings they take
(`model: Model`) without importing the loader; pipelines/core/config.py reads and validates the
YAML against these classes. Every key is declared once; an unknown key is an error.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Unknown keys are errors; settings never change after loading."""
    model_config = ConfigDict(extra="forbid", frozen=True)


class InteractionWeights(Strict):
    share: float = Field(ge=0)
    reply: float = Field(ge=0)
    mention: float = Field(ge=0)
    reaction: float = Field(ge=0)
    follow: float = Field(ge=0)
    endorse: float = Field(ge=0)


class EngagerQuality(Strict):
    human_daily_actions: float = Field(gt=0)


class InfluenceSettings(Strict):
    damping: float = Field(gt=0, lt=1)
    tolerance: float = Field(gt=0)
    max_iterations: int = Field(gt=0, le=1000)
    checkpoint_every: int = Field(gt=0)


class ScoreWeights(Strict):
    true_reach: float = Field(ge=0)
    amplification: float = Field(ge=0)
    network: float = Field(ge=0)


class ScoreCalibration(Strict):
    weights: ScoreWeights
    network_unit: float = Field(gt=0)
    scale: float = Field(gt=0)
    max_daily_move: float = Field(gt=0, le=99)   # points a score may move per day (smoothing)


class Automation(Strict):
    min_posts: int = Field(gt=1)
    max_interval_cv: float = Field(ge=0)
    min_link_share: float = Field(gt=0, le=1)
    max_human_daily_posts: float = Field(gt=0)
    factor: float = Field(ge=0, le=1)


class Rings(Strict):
    min_reciprocity: float = Field(gt=0, le=1)
    min_mutual_partners: int = Field(ge=1)
    # a reciprocal partner engages and is engaged back at least this often in the window, both
    # ways (1: any engagement back, models v1 and v2); dense rings have their own floor below
    min_partner_interactions: int = Field(default=1, ge=1)
    # +K swap groups: reciprocity counted over distinct endorsers (models v1 and v2) or over the
    # endorsements themselves (v3: a swap partner endorses daily, an honest endorser now and then)
    swap_reciprocity_of: Literal["endorsers", "endorsements"] = "endorsers"
    min_mutual_weight: float = Field(gt=0)                 # intense: each direction weighs this much
    min_cluster_share: float = Field(gt=0, le=1)           # dense ring: share of received weight
    factor: float = Field(ge=0, le=1)
    member_factor: float = Field(ge=0, le=1)


class Bursts(Strict):
    max_week_ratio: float = Field(ge=1)
    min_week_weight: float = Field(gt=0)
    # where a damped week's loss falls: on that week's interactions (v1–v4), or spread alike over
    # every edge of the author (the same discounted total; a factor a pair sum carried across
    # nights can take, docs/capacity.md)
    spread: Literal["week", "author"] = "week"
    # whether a week's weight counts each interaction at its engager's quality (v1–v5), or at its
    # type and recency alone (v6): then a week is a sum of per-author, per-day sums that a window
    # carried across nights keeps, which tonight's quality of each engager does not move
    engager_quality: bool = True


class AntiGaming(Strict):
    automation: Automation
    rings: Rings
    bursts: Bursts
    hyperactive_engagers_share: float = Field(gt=0, le=1)   # reason shown above this share


class TopicSettings(Strict):
    min_engagements: int = Field(ge=1)        # evidence: engagements on content of the topic ...
    min_endorsers: int = Field(ge=1)          # ... or this many independent endorsers of it
    endorse_daily_cap: int = Field(ge=1)      # +K counted per endorser, profile and topic per day
    endorse_window_cap: int = Field(ge=1)     # ... and in the whole window
    swap_factor: float = Field(ge=0, le=1)    # +K between members of a swap group counts this much
    scale: float = Field(gt=0)                # calibration of the 1–100 topic score
    top_content: int = Field(ge=1, le=20)     # content ids kept as evidence per topic


class StyleSettings(Strict):
    min_actions: int = Field(ge=1)            # fewer own actions in the window: no style
    creating: float = Field(gt=0, lt=1)       # posts / (posts + shares) at or above: creating
    participating: float = Field(gt=0, lt=1)  # replies + mentions share of actions: participating
    broad_bits: float = Field(gt=0)           # topic entropy (bits) at or above: broad
    consistent: float = Field(gt=0, le=1)     # active share of days since first seen: consistent


class Model(Strict):
    version: str = Field(pattern=r"^v\d+$")
    interaction_weights: InteractionWeights
    recency_half_life_days: float = Field(gt=0)
    engager_quality: EngagerQuality
    anti_gaming: AntiGaming
    influence: InfluenceSettings
    score: ScoreCalibration
    topics: TopicSettings
    styles: StyleSettings
