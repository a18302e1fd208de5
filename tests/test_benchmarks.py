"""The benchmarks run the nightly's stages: each stage they time has a unit to rate it by."""
from benchmarks.run import RATE_UNIT
from pipelines.orchestration.nightly import STAGES


def test_every_nightly_stage_has_a_rate_unit():
    assert set(RATE_UNIT) == {name for name, _ in STAGES}
