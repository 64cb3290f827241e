"""Stale cache entries go, but a build does not look at every entry every time: an author's cache
gains an entry per save, and a tool upgrade leaves a whole course's entries behind."""

from __future__ import annotations

import os
import time
from pathlib import Path

from generator.cache.store import PRUNED, Store

DAY = 86_400


def store_with(tmp_path: Path, ages: dict[str, float]) -> Store:
    """A store whose `lessons` entries were written `ages[key]` seconds ago."""
    store = Store(tmp_path / "cache")
    now = time.time()
    for key, age in ages.items():
        store.write("lessons", key, key)
        os.utime(store.path("lessons", key), (now - age, now - age))
    return store


def test_entries_not_kept_and_older_than_the_limit_are_removed(tmp_path: Path) -> None:
    store = store_with(tmp_path, {"kept": 3 * DAY, "old": 2 * DAY, "new": 60})
    store.prune("lessons", {"kept"}, older_than=DAY)
    assert store.keys("lessons") == {"kept", "new"}


def test_nothing_is_looked_at_while_the_others_are_few(tmp_path: Path) -> None:
    store = store_with(tmp_path, {"kept": 0, "old": 2 * DAY, "older": 3 * DAY})
    store.prune("lessons", {"kept"}, older_than=DAY, slack=2)
    assert store.keys("lessons") == {"kept", "old", "older"}
    store.prune("lessons", {"kept"}, older_than=DAY, slack=1)
    assert store.keys("lessons") == {"kept"}


def test_a_cache_pruned_lately_is_not_pruned_again(tmp_path: Path) -> None:
    store = store_with(tmp_path, {"kept": 0, "old": 2 * DAY})
    store.prune("lessons", {"kept"}, older_than=DAY, every=3600)
    assert store.keys("lessons") == {"kept"}
    marker = store.root / "lessons" / PRUNED
    assert marker.is_file()
    stale = store_with(tmp_path, {"stale": 2 * DAY})
    stale.prune("lessons", {"kept"}, older_than=DAY, every=3600)
    assert stale.keys("lessons") == {"kept", "stale"}  # pruned a moment ago: not looked at
    an_hour_ago = time.time() - 3601
    os.utime(marker, (an_hour_ago, an_hour_ago))
    stale.prune("lessons", {"kept"}, older_than=DAY, every=3600)
    assert stale.keys("lessons") == {"kept"}


def test_a_read_only_store_prunes_nothing(tmp_path: Path) -> None:
    store_with(tmp_path, {"old": 2 * DAY})
    reading = Store(tmp_path / "cache", writable=False)
    reading.prune("lessons", set(), older_than=DAY, every=3600)
    assert reading.keys("lessons") == {"old"}
    assert not (reading.root / "lessons" / PRUNED).exists()
