"""Styles: how a profile behaved in the window, on four axes — not who it is.

Each axis is a measured share or entropy from gold.profile_features, cut at a threshold of the
model (conf/models/<v>.yaml, `styles`):

- sharing ↔ creating:        posts / (posts + shares) of its own actions
- listening ↔ participating: share of its actions that are replies and mentions
- focused ↔ broad:           entropy (bits) of the fields (top-level topics) it wrote about
- casual ↔ consistent:       share of days it was active since first seen in the window

The four sides pick one of the 16 styles. A profile with too few actions of its own gets none:
there is not enough behaviour to describe.
"""
from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

from schemas.model import StyleSettings

# (creating, participating, broad, consistent) → (style, what the behaviour was)
STYLES: dict[tuple[bool, bool, bool, bool], tuple[str, str]] = {
    (False, False, True, False): ("Observer", "mostly watched; now and then passed something on, across many topics"),
    (False, False, True, True): ("Curator", "passed on the best of many topics day after day, seldom talking"),
    (False, False, False, False): ("Dabbler", "shared now and then within a few topics"),
    (False, False, False, True): ("Syndicator", "steadily re-broadcast the news of one niche"),
    (False, True, True, False): ("Explorer", "joined conversations across many topics, now and then"),
    (False, True, True, True): ("Feeder", "kept a wide audience fed with shares and replies every day"),
    (False, True, False, False): ("Socializer", "shared and chatted within its circle when around"),
    (False, True, False, True): ("Networker", "connected people in one field daily with shares and replies"),
    (True, False, True, False): ("Activist", "posted its own takes on many causes, in bursts, with little back-and-forth"),
    (True, False, True, True): ("Broadcaster", "published its own content on many topics every day, seldom talking"),
    (True, False, False, False): ("Specialist", "posted its own content on one subject when it had something to say"),
    (True, False, False, True): ("Thought Leader", "published steadily on one subject; others came to it"),
    (True, True, True, False): ("Conversationalist", "wrote and replied on whatever came up, when around"),
    (True, True, True, True): ("Celebrity", "created and engaged every day across many topics"),
    (True, True, False, False): ("Pundit", "weighed in with its own takes on one subject, now and then"),
    (True, True, False, True): ("Taste Maker", "created and discussed one field daily, setting its tone"),
}
AXES = ("axis_creating", "axis_participating", "axis_topic_bits", "axis_consistency")


def axes() -> list[Column]:
    """The four axis values from gold.profile_features columns."""
    made = F.col("create_ratio") + F.col("share_ratio")
    return [F.round(F.coalesce(F.try_divide(F.col("create_ratio"), made), F.lit(0.0)), 4).alias("axis_creating"),
            F.round(F.col("reply_ratio") + F.col("mention_ratio"), 4).alias("axis_participating"),
            F.round(F.col("topic_entropy"), 4).alias("axis_topic_bits"),
            F.round(F.col("active_share"), 4).alias("axis_consistency")]


def style(settings: StyleSettings) -> Column:
    """The style named by the axis columns' sides (null below min_actions)."""
    sides = (F.col("axis_creating") >= settings.creating, F.col("axis_participating") >= settings.participating,
             F.col("axis_topic_bits") >= settings.broad_bits, F.col("axis_consistency") >= settings.consistent)
    pick = F.lit(None).cast("string")
    for key, (name, _) in STYLES.items():
        pick = F.when(_all(sides, key), F.lit(name)).otherwise(pick)
    return F.when(F.col("actions") >= settings.min_actions, pick)


def _all(sides: tuple[Column, ...], key: tuple[bool, ...]) -> Column:
    cond = F.lit(True)
    for side, want in zip(sides, key):
        cond = cond & (side if want else ~side)
    return cond


def describe(name: str) -> str:
    """One line on what the behaviour of a style was."""
    return next(text for style_name, text in STYLES.values() if style_name == name)
