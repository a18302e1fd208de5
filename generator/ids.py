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
    """Native actor id per account index: str for chirp/linkup/vidtube, int for facepage."""
    if network == "chirp":        # numeric strings, 10 digits
        return [str(v) for v in (1_000_000_000 + _affine(idx, 5_562_305_987, 12_345, 9_000_000_000)).tolist()]
    if network == "facepage":     # integer uids
        return (100_000_000 + _affine(idx, 556_230_599, 4_242, 900_000_000)).tolist()
    if network == "linkup":       # urn:li:person: + 6 base62 chars
        return ["urn:li:person:" + s for s in base62(_affine(idx, 35_124_753_397, 777, 62 ** 6), 6)]
    if network == "vidtube":      # UC + 9 base62 chars (62^9 > 2^48)
        return ["UC" + s for s in base62(_spread(mix48(idx, 0x5EED01), 9), 9)]
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
