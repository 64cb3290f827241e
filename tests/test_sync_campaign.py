"""The sync campaign (tests/sync_campaign.py): random edits in the sources and in Anki, each
followed by `ankigen sync` into a reviewed collection file. `make test` runs 30 steps;
`make campaign` runs 300 steps for each of several seeds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.sync_campaign import new_sync_campaign

pytestmark = pytest.mark.anki

STEPS = int(os.environ.get("ANKIGEN_CAMPAIGN_STEPS", "30"))
# Seed 32 meets, within 30 steps, every kind of step the sync must survive (see below).
DEFAULT_SEED = 32
SEEDS = [int(s) for s in os.environ.get("ANKIGEN_CAMPAIGN_SEEDS", str(DEFAULT_SEED)).split(",")]
MUST_MEET = {
    "change kind",
    "learner edits in Anki",
    "sync --force",
    "sync --delete",
    "move lesson",
    "rename course deck",
    "remove card",
    "restore card",
}


@pytest.mark.parametrize("seed", SEEDS)
def test_sync_campaign(tmp_path: Path, seed: int) -> None:
    campaign = new_sync_campaign(tmp_path, seed)
    try:
        campaign.run(STEPS)
    finally:
        campaign.col.close()
    assert campaign.violations == []
    kinds = {step.split(":")[0] for step in campaign.history[1:]}
    assert len(kinds) >= min(8, STEPS // 3), campaign.history
    assert campaign.syncs >= STEPS // 2
    if seed == DEFAULT_SEED and STEPS >= 30:
        assert kinds >= MUST_MEET, sorted(MUST_MEET - kinds)
