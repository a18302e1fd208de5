"""Constants and tunables of the synthetic social-activity generator.

Everything that shapes the data (persona mix, rates, rhythms, bad-record kinds) lives here so
that a reader can see the whole model on one page. The landing-zone contract these values must
respect is docs/landing-formats.md.
"""
from __future__ import annotations

GENERATOR_VERSION = "1.1.0"

# Four invented networks, then two real protocols in their published wire formats (Bluesky's
# Jetstream events, ActivityPub/ActivityStreams 2.0 activities).
NETWORKS = ("chirp", "facepage", "linkup", "vidtube", "bluesky", "activitypub")
# Share of accounts each network gets when a person picks networks (Efraimidis weights).
NETWORK_WEIGHT = (0.28, 0.24, 0.16, 0.12, 0.12, 0.08)
# Relative generation cost per line (rendering + gzip of longer lines), for spreading networks
# over worker processes.
RENDER_COST = {"bluesky": 2.2, "activitypub": 1.6}
# Networks whose users retract what they published (deletes, Undo): docs "Retractions".
OPEN_NETWORKS = ("bluesky", "activitypub")

# Normalised event types (docs/landing-formats.md); int codes are used in numpy columns.
# The first seven are scored; retraction, identity and account exist only on the open
# networks (kept by silver, never scored).
POST, SHARE, REPLY, MENTION, REACTION, FOLLOW, ENDORSE, RETRACTION, IDENTITY, ACCOUNT = range(10)
EVENT_TYPES = ("post", "share", "reply", "mention", "reaction", "follow", "endorse",
               "retraction", "identity", "account")
SCORED_TYPES = EVENT_TYPES[:RETRACTION]

# Native type names per network; a type missing here never occurs on that network.
NATIVE_TYPES = {
    "chirp": {POST: "tweet", SHARE: "retweet", REPLY: "reply", MENTION: "mention",
              REACTION: "like", FOLLOW: "follow"},
    "facepage": {POST: "post", SHARE: "share", REPLY: "comment", REACTION: "reaction"},
    "linkup": {POST: "POST", SHARE: "SHARE", REPLY: "COMMENT", REACTION: "LIKE",
               MENTION: "MENTION", ENDORSE: "ENDORSE"},
    "vidtube": {POST: "upload", SHARE: "share", REPLY: "comment", REACTION: "like",
                FOLLOW: "subscribe"},
    # Jetstream: the record's collection (a share is a repost, or a quote post; a reply and a
    # mention are posts with reply refs / a mention facet); retractions are `delete` commits.
    "bluesky": {POST: "app.bsky.feed.post", SHARE: "app.bsky.feed.repost", REPLY: "app.bsky.feed.post",
                MENTION: "app.bsky.feed.post", REACTION: "app.bsky.feed.like",
                FOLLOW: "app.bsky.graph.follow", RETRACTION: "delete", IDENTITY: "identity",
                ACCOUNT: "account"},
    # ActivityStreams: the activity's type (Undo of a Like/Announce/Follow, or Delete of a note).
    "activitypub": {POST: "Create", SHARE: "Announce", REPLY: "Create", MENTION: "Create",
                    REACTION: "Like", FOLLOW: "Follow", RETRACTION: "Undo"},
}

# ---- personas -------------------------------------------------------------------------------
PERSONAS = ("regular", "lurker", "focused", "broad", "celebrity", "expert", "paused_expert",
            "autoposter", "bot", "ring", "kswap", "bursty", "multi_account")
P = {name: code for code, name in enumerate(PERSONAS)}

# frac: share of registered profiles; min: floor so that tiny runs still contain the persona.
# post_rate: posts per account per weekday; propensity: relative chance of being drawn as an
# engager; influence: multiplier of the latent log-normal influence; followers: median audience.
PERSONA_PARAMS = {
    "regular":       dict(frac=0.0,   min=2, post_rate=0.18, propensity=1.0, influence=1.0, followers=150),
    "lurker":        dict(frac=0.25,  min=2, post_rate=0.01, propensity=0.3, influence=0.4, followers=40),
    "focused":       dict(frac=0.08,  min=2, post_rate=0.2,  propensity=1.0, influence=1.2, followers=200),
    "broad":         dict(frac=0.05,  min=2, post_rate=0.2,  propensity=1.0, influence=1.0, followers=200),
    "celebrity":     dict(frac=0.0005, min=2, post_rate=0.6, propensity=0.3, influence=12.0, followers=200_000),
    "expert":        dict(frac=0.02,  min=2, post_rate=0.06, propensity=0.5, influence=6.0, followers=600),
    "paused_expert": dict(frac=0.005, min=2, post_rate=0.06, propensity=0.5, influence=6.0, followers=600),
    "autoposter":    dict(frac=0.005, min=2, post_rate=0.0,  propensity=0.0, influence=0.08, followers=300),
    "bot":           dict(frac=0.004, min=2, post_rate=0.02, propensity=40.0, influence=0.03, followers=30),
    "ring":          dict(frac=0.015, min=5, post_rate=0.5,  propensity=1.0, influence=0.5, followers=120),
    "kswap":         dict(frac=0.01,  min=4, post_rate=0.2,  propensity=1.0, influence=0.6, followers=150),
    "bursty":        dict(frac=0.01,  min=2, post_rate=0.02, propensity=0.2, influence=0.8, followers=150),
    "multi_account": dict(frac=0.02,  min=2, post_rate=0.18, propensity=1.0, influence=1.0, followers=150),
}
# Public-only people (accounts with no registered profile) are drawn from this mix.
PUBLIC_PERSONA_MIX = {"regular": 0.62, "lurker": 0.35, "bot": 0.03}
PUBLIC_ONLY_SHARE = 0.10      # of all active accounts

RING_SIZE = (5, 8)            # engagement-ring group sizes (inclusive)
KSWAP_SIZE = (4, 6)           # +K swap group sizes (inclusive)
RING_ENGAGE_P = 0.85          # chance a ring mate engages each post of another member
SIBLING_ENGAGE_P = 0.9        # chance a multi_account sibling engages its twin's post
KSWAP_ENDORSE_P = 0.2         # per ordered pair per day
BURST_DAYS = 7
BURST_FACTOR = 30.0           # posting and engaging multiplier inside the burst week
PAUSE_DAYS = 14               # paused experts are silent for the last 14 days
AUTOPOST_INTERVALS_S = (3600 * 2, 3600 * 3, 3600 * 4)   # RSS-like, very regular
AUTOPOST_JITTER_S = 20

# ---- engagement model -----------------------------------------------------------------------
MEAN_ENGAGEMENTS_PER_POST = 2.2     # calibrates the base rate, independent of scale
FOLLOWER_EXPONENT = 0.5             # engagement ~ influence * followers**0.5
ENGAGEMENT_CAP_SHARE = 0.03         # a post never gets more than 3% of a network's accounts ...
ENGAGEMENT_CAP_MIN = 30             # ... nor less than this cap
# Share of a post's lifetime engagement arriving on day 0..6 after posting.
DECAY = (0.55, 0.2, 0.1, 0.06, 0.04, 0.03, 0.02)
BURN_IN_DAYS = len(DECAY)           # posts simulated before the window so day 0 has engagement
FOLLOW_RATE = 0.025                 # follow events per account per day (networks with follows)
MENTION_PER_POST = 0.15             # mention events per post (networks with mentions)
ENDORSE_RATE = 0.01                 # organic endorsements per linkup account per day

# Weekly rhythm, Monday first: quieter weekends.
WEEKDAY_FACTOR = (1.0, 1.02, 1.03, 1.0, 0.95, 0.72, 0.68)
# Diurnal rhythm by UTC hour: quiet nights, busy evenings.
HOUR_WEIGHT = (30, 22, 16, 12, 10, 11, 15, 22, 32, 40, 45, 48,
               50, 52, 54, 56, 58, 62, 68, 72, 70, 60, 48, 38)

# ---- retractions and account events (OPEN_NETWORKS only) -----------------------------------
RETRACT_SHARE = 0.03                # of reactions, shares and follows: undone later
RETRACT_POST_SHARE = 0.004          # of posts: deleted later
RETRACT_DELAY_S = (60, 2 * 86_400)  # log-uniform delay between the event and its retraction
UNSEEN_RETRACTIONS = (1.0, 0.0002)  # per day: base + per account, naming records never created
IDENTITY_EVENTS = (1.0, 0.0005)     # per day (bluesky): handle changes, base + per account
ACCOUNT_EVENTS = (0.6, 0.0003)      # per day (bluesky): deactivations (and a few reactivations)
REACTIVATE_SHARE = 0.25             # of account events: reactivations

# ---- delivery -------------------------------------------------------------------------------
LATE_SHARE = 0.02                   # good events delivered 1..3 days after their event date
LATE_MAX_DAYS = 3
BAD_KINDS = ("invalid_json", "truncated", "missing_field", "wrong_type", "unknown_event_type",
             "future_time", "too_old", "self_interaction", "oversized", "invalid_encoding",
             "duplicate")
# Reason code the silver layer is expected to give each kind (docs table); duplicates are
# dropped and counted rather than quarantined, hence None.
EXPECTED_REASON = {
    "invalid_json": "invalid_json", "truncated": "invalid_json",
    "missing_field": "missing_field", "wrong_type": "wrong_type",
    "unknown_event_type": "unknown_event_type", "future_time": "future_time",
    "too_old": "too_old", "self_interaction": "self_interaction", "oversized": "oversized",
    "invalid_encoding": "invalid_encoding", "duplicate": None,
}
MIN_BAD_PER_KIND = 2                # per network per run, whatever bad_rate says
OVERSIZED_BYTES = 64 * 1024

# ---- random streams: one SeedSequence key per purpose, never Python's hash() ----------------
STREAM_POPULATION = 1
STREAM_ACTIVITY = 2
STREAM_DELIVERY = 3
STREAM_SCHEDULE = 4
STREAM_RETRACT = 5
