"""Native identifiers, vectorised.

Ids are pure functions of an index: an account's index within its network, or an event's
*serial* ((day + SERIAL_DAY_OFFSET) << 32 | sequence within that day and network). Bijective
scrambles keep them unique without looking sequential, and make them identical on every run
and in every worker process.
"""
from __future__ import annotations

import numpy as np

SERIAL_DAY_OFFSET = 16        # burn-in days are negative; keep serials positive
_MASK48 = np.uint64((1 << 48) - 1)
_B62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
CHIRP_STATUS_BASE = 1_800_000_000_000_000_000
LINKUP_ACTIVITY_BASE = 6_900_000_000_000_000_000


def serial_base(day_idx: int) -> int:
    return (day_idx + SERIAL_DAY_OFFSET) << 32


def mix48(x: np.ndarray, salt: int) -> np.ndarray:
    """Bijection on 48-bit integers (odd multiply and xor-shift are each invertible mod 2^48)."""
    v = (np.asarray(x, dtype=np.uint64) ^ np.uint64(salt)) & _MASK48
    v = (v * np.uint64(0x9E3779B97F4B)) & _MASK48
    v ^= v >> np.uint64(23)
    v = (v * np.uint64(0xBF58476D1CE5)) & _MASK48
    v ^= v >> np.uint64(29)
    return v


def _encode(x: np.ndarray, width: int, alphabet: np.ndarray) -> np.ndarray:
    base = np.uint64(len(alphabet))
    v = np.asarray(x, dtype=np.uint64).copy()
    digits = np.empty((v.size, width), dtype=np.uint8)
    for k in range(width - 1, -1, -1):
        digits[:, k] = alphabet[v % base]
        v //= base
    return digits.view(f"S{width}").ravel()


def _spread(v: np.ndarray, width: int) -> np.ndarray:
    """Stretch a 48-bit value over 62**width so the leading characters vary (cosmetic, still
    injective because the factor is a constant)."""
    return v * np.uint64(62 ** width // (1 << 48))


def base62(x: np.ndarray, width: int) -> list[str]:
    return _encode(x, width, _B62).astype(f"U{width}").tolist()


def hex_str(x: np.ndarray, width: int) -> list[str]:
    return _encode(x, width, _HEX).astype(f"U{width}").tolist()


def _affine(idx: np.ndarray, mult: int, add: int, modulus: int) -> np.ndarray:
    """(idx * mult + add) mod modulus: a bijection when gcd(mult, modulus) == 1.

    Python ints, because golden-ratio multipliers (good scatter) overflow int64."""
    return np.array([(i * mult + add) % modulus for i in np.asarray(idx).tolist()], dtype=np.int64)


# ---- accounts: native actor ids (account_id in link records is always the string form) ----
def account_ids(network: str, idx: np.ndarray) -> list:
    """Native actor id per account index: int for facepage, str elsewhere."""
    if network == "chirp":        # numeric strings, 10 digits
        return [str(v) for v in (1_000_000_000 + _affine(idx, 5_562_305_987, 12_345, 9_000_000_000)).tolist()]
    if network == "facepage":     # integer uids
        return (100_000_000 + _affine(idx, 556_230_599, 4_242, 900_000_000)).tolist()
    if network == "linkup":       # urn:li:person: + 6 base62 chars
        return ["urn:li:person:" + s for s in base62(_affine(idx, 35_124_753_397, 777, 62 ** 6), 6)]
    if network == "vidtube":      # UC + 9 base62 chars (62^9 > 2^48)
        return ["UC" + s for s in base62(_spread(mix48(idx, 0x5EED01), 9), 9)]
    if network == "bluesky":      # did:plc: + 24 base32 chars
        return bluesky_dids(idx)
    if network == "activitypub":  # actor URI https://<host>/users/<name>
        return activitypub_actors(idx)
    raise ValueError(f"unknown network {network!r}")


def screen_names(idx: np.ndarray) -> list[str]:
    syll = ("ka", "lo", "mi", "ra", "ben", "tor", "zu", "ella", "dan", "vi", "sol", "ny")
    return [f"{syll[i % 12]}{syll[(i // 12) % 12]}{i}" for i in np.asarray(idx).tolist()]


# ---- events ---------------------------------------------------------------------------------
def chirp_status(serial: np.ndarray) -> list[str]:
    return [str(CHIRP_STATUS_BASE + s) for s in np.asarray(serial).tolist()]


def facepage_hex(serial: np.ndarray) -> list[str]:
    """12 hex chars shared by a post's event_id (fp_<hex>) and its post_id (fp_post_<hex>)."""
    return hex_str(mix48(serial, 0xFACE), 12)


def linkup_activity(serial: np.ndarray) -> list[str]:
    return [f"urn:li:activity:{LINKUP_ACTIVITY_BASE + s}" for s in np.asarray(serial).tolist()]


def vidtube_event(serial: np.ndarray) -> list[str]:
    return ["vt-" + s for s in base62(_spread(mix48(serial, 0x71DE0), 10), 10)]


def vidtube_video(serial: np.ndarray) -> list[str]:
    return ["v_" + s for s in base62(_spread(mix48(serial, 0x0B1D), 9), 9)]


# ---- the open networks: Bluesky (AT Protocol) and ActivityPub --------------------------------
_B32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", np.uint8)       # RFC 4648, lower case
_B32_SORT = np.frombuffer(b"234567abcdefghijklmnopqrstuvwxyz", np.uint8)  # AT Protocol TIDs
# A serial with this bit set is never a real event's (serials stay below 2^47): the id of a
# record that was never created, which a planted retraction names.
PHANTOM_BIT = 1 << 47
TID_EPOCH_PREFIX = 6_500    # TID top bits: rkeys look like 2026's ("3m…")
AP_STATUS_BASE = 113_000_000_000_000_000
AP_HOSTS = ("mastodon.social", "mastodon.social", "mastodon.social", "mastodon.social",
            "fosstodon.org", "fosstodon.org", "hachyderm.io", "hachyderm.io", "mas.to",
            "infosec.exchange", "infosec.exchange", "mstdn.social", "techhub.social",
            "mastodon.online", "social.coop", "indieweb.social")


_SHIFTS = {w: (np.arange(w - 1, -1, -1, dtype=np.uint64) * np.uint64(5)) for w in range(1, 14)}


def _digits(x: np.ndarray, width: int, alphabet: np.ndarray) -> np.ndarray:
    """(n, width) uint8 characters of x in base 32 (the alphabet), most significant first."""
    v = np.asarray(x, dtype=np.uint64).reshape(-1, 1)
    return alphabet[(v >> _SHIFTS[width]) & np.uint64(31)]


def _join(parts: list[np.ndarray], prefix: str = "") -> list[str]:
    chars = np.hstack(parts)
    width = chars.shape[1]
    return [prefix + s for s in np.ascontiguousarray(chars).view(f"S{width}").ravel().astype(f"U{width}").tolist()]


def _salt(salt: int, k: int) -> int:
    """The k-th salt derived from `salt`, differing in the high bits (x ^ salt never aliases
    between neighbouring x and k)."""
    return (salt ^ (k * 0x9E3779B97F4B << 8)) & ((1 << 48) - 1)


def _wide(x: np.ndarray, width: int, salt: int) -> list[np.ndarray]:
    """`width` base32 characters, the first ten a bijection of x (a 48-bit value times 4 plus
    2 bits of noise: 50 bits), the rest pseudo-random filler."""
    x = np.asarray(x, dtype=np.uint64)
    head = mix48(x, salt) * np.uint64(4) + (mix48(x, _salt(salt, 1)) & np.uint64(3))
    parts, left, k = [_digits(head, 10, _B32)], width - 10, 2
    while left > 0:
        w = min(9, left)
        parts.append(_digits(mix48(x, _salt(salt, k)) >> np.uint64(3), w, _B32))
        left, k = left - w, k + 1
    return parts


def bluesky_dids(idx: np.ndarray) -> list[str]:
    """did:plc: + 24 base32 characters, bijective in the account index."""
    return _join(_wide(idx, 24, 0xB1D0), "did:plc:")


def bluesky_handles(idx: np.ndarray) -> list[str]:
    return [f"{s}.bsky.social" for s in screen_names(idx)]


def tid(serial: np.ndarray, salt: int = 0x71D) -> list[str]:
    """13-character TID (sortable base32 of a 63-bit integer): a record key (rkey) or a commit
    revision, unique per serial (the low 48 bits are a bijection of it)."""
    s = np.asarray(serial, dtype=np.uint64)
    top = (np.uint64(TID_EPOCH_PREFIX) + ((s >> np.uint64(32)) & np.uint64(0x3FF))) << np.uint64(48)
    return _join([_digits(top | mix48(s, salt), 13, _B32_SORT)])


def _cid(serial: np.ndarray, salt: int, prefix: str) -> list[str]:
    """A CIDv1 string (multibase b, then 52 characters of a sha-256 digest's base32: the last
    one carries 3 bits, so it is one of every fourth character)."""
    s = np.asarray(serial, dtype=np.uint64)
    parts = _wide(s, 51, salt)
    parts.append(_B32[(mix48(s, _salt(salt, 40)) & np.uint64(7)) * np.uint64(4)].reshape(-1, 1))
    return _join(parts, prefix)


def bluesky_cids(serial: np.ndarray) -> list[str]:
    """The record's CID (dag-cbor, sha-256: bafyrei…)."""
    return _cid(serial, 0xC1D, "bafyrei")


def bluesky_blob_cids(serial: np.ndarray) -> list[str]:
    """An image blob's CID (raw, sha-256: bafkrei…)."""
    return _cid(serial, 0xB10B, "bafkrei")


def activitypub_names(idx: np.ndarray) -> list[str]:
    syll = ("ada", "bo", "cy", "del", "eli", "fen", "gus", "ivy", "jo", "kit", "lu", "mae",
            "nox", "oli", "pip", "rue")
    return [f"{syll[i % 16]}{syll[(i // 16) % 16]}{i}" for i in np.asarray(idx).tolist()]


def activitypub_hosts(idx: np.ndarray) -> list[str]:
    pick = (mix48(idx, 0xF3D1) % np.uint64(len(AP_HOSTS))).tolist()
    return [AP_HOSTS[h] for h in pick]


def activitypub_actors(idx: np.ndarray) -> list[str]:
    """https://<host>/users/<name>: plain lower-case ASCII names, unique per account."""
    return [f"https://{h}/users/{n}" for h, n in zip(activitypub_hosts(idx), activitypub_names(idx))]


def activitypub_status(serial: np.ndarray) -> list[str]:
    """Numeric status id (a note's, or a boost's) of a serial."""
    return [str(AP_STATUS_BASE + s) for s in np.asarray(serial).tolist()]


def activitypub_number(serial: np.ndarray, salt: int) -> list[str]:
    """A unique number per serial for likes and follows (`#likes/<n>`): a bijection of it."""
    return [str(v) for v in mix48(serial, salt).tolist()]
