"""Synthetic multi-network social activity for Clout, written as a landing zone.

    from generator import generate, SCALES
    summary = generate(Path("data/landing"), **SCALES["tiny"], seed=7)

The layout and every field written follow docs/landing-formats.md; `_truth/` holds the latent
ground truth (personas, true influence, planted bad records) that tests and benchmarks score
the pipeline against.
"""
from .config import GENERATOR_VERSION, NETWORKS
from .orchestrate import generate

SCALES: dict[str, dict] = {
    "tiny": {"profiles": 300, "days": 21},
    "small": {"profiles": 10_000, "days": 90},
    "medium": {"profiles": 1_000_000, "days": 90},
    "large": {"profiles": 10_000_000, "days": 90},
}

__all__ = ["generate", "SCALES", "NETWORKS", "GENERATOR_VERSION"]
