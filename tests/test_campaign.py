"""The campaign (tests/campaign.py): realistic edit sequences against a reviewed collection.
`make test` runs 30 steps; `make campaign` runs 300 steps for each of several seeds."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from tests.anki_helpers import collection
from tests.campaign import Campaign

pytestmark = pytest.mark.anki

STEPS = int(os.environ.get("ANKIGEN_CAMPAIGN_STEPS", "30"))
SEEDS = [int(seed) for seed in os.environ.get("ANKIGEN_CAMPAIGN_SEEDS", "20261126").split(",")]


@pytest.mark.parametrize("seed", SEEDS)
def test_campaign(tmp_path: Path, seed: int) -> None:
    (tmp_path / "anki").mkdir()
    with collection(tmp_path / "anki") as col:
        campaign = Campaign(tmp_path, col, random.Random(seed))
        campaign.run(STEPS)
        assert campaign.violations == []
        kinds = {step.split(":")[0] for step in campaign.history[1:]}
        # Enough different edits happened for the run to mean something.
        assert len(kinds) >= min(8, STEPS // 3), campaign.history
