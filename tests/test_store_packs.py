"""Packs: many cache entries in one file (a build adds one pack of the blocks it keeps, and one of
the lessons it compiled, instead of a file each). A damaged pack is read as far as it is sound;
an unwritable one keeps nothing; the compile cache finds entries through its index."""

from __future__ import annotations

import errno
import io
import os
import shutil
import time
from pathlib import Path

import pytest

from generator.cache.store import PRUNED, Packed, Store, encode, pack_name, unpack
from generator.compile import Pending, store_pending
from generator.config import BuildConfig
from generator.pipeline import build
from tests.conftest import FIXTURES

DAY = 86_400
ENTRIES = [("one", ("a", 1)), ("two", ("b", 2)), ("three", ("c", (3, 4)))]


def written(store: Store) -> str:
    writer = store.pack("blocks")
    for key, payload in ENTRIES:
        writer.add(key, payload)
    return writer.finish()


def test_a_pack_holds_its_entries_and_is_named_by_their_keys(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    name = written(store)
    assert dict(store.read_pack("blocks", name)) == dict(ENTRIES)
    again = Store(tmp_path / "again")
    assert written(again) == name
    assert store.path("blocks", name).read_bytes() == again.path("blocks", name).read_bytes()
    assert oct(store.path("blocks", name).stat().st_mode & 0o777) == oct(0o644)
    assert [path.name for path in (store.root / "blocks").iterdir()] == [f"{name}.bin"]


def test_a_damaged_pack_is_read_as_far_as_it_is_sound(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    path = store.path("blocks", written(store))
    data = path.read_bytes()
    first = len(encode("one", ENTRIES[0][1]))
    path.write_bytes(data[: first + 10])
    assert dict(store.read_pack("blocks", path.stem)) == {"one": ("a", 1)}
    flipped = bytearray(data)
    flipped[first + len(encode("two", ENTRIES[1][1])) - 3] ^= 0xFF
    path.write_bytes(bytes(flipped))
    assert dict(store.read_pack("blocks", path.stem)) == {"one": ("a", 1)}
    assert dict(unpack(b"garbage")) == {}
    assert dict(store.read_pack("blocks", "missing")) == {}


def test_a_pack_of_nothing_or_in_a_read_only_cache_is_not_written(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    assert store.pack("blocks").finish() == ""
    reading = Store(tmp_path / "cache", writable=False)
    writer = reading.pack("blocks")
    writer.add("one", 1)
    assert writer.finish() == ""
    assert not (tmp_path / "cache").exists()


def test_a_pack_that_cannot_be_written_keeps_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "blocks").write_text("a file where the folder should be")
    writer = store.pack("blocks")
    writer.add("one", 1)
    writer.add("two", 2)
    assert writer.finish() == ""


def test_the_compile_cache_finds_entries_through_its_index(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    (store.root / "lessons").mkdir(parents=True)  # as an earlier build left it
    pending = Pending(store)
    for key, payload in ENTRIES:
        pending.append((key, encode(key, payload)))
    assert pending.path is not None and pending.path.parent == store.root / "lessons"
    cache = Packed(store, "lessons")
    assert pending.keep(store.path("lessons", "pack1"))
    cache.add("pack1", pending.entries)
    cache.save({"one", "two", "three"}, older_than=DAY, every=3600)
    found = Packed(store, "lessons")
    assert "two" in found and "four" not in found
    assert [found.read(key) for key, _ in ENTRIES] == [payload for _, payload in ENTRIES]
    assert found.read("four") is None


def test_packs_no_build_asked_of_in_a_day_go_and_their_index_with_them(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    cache = Packed(store, "lessons")
    for pack, key in (("old", "gone"), ("kept", "current"), ("young", "recent")):
        writer = store.pack("lessons")
        writer.add(key, key)
        name = writer.finish()
        store.path("lessons", name).rename(store.path("lessons", pack))
        cache.add(pack, [(key, 0, len(encode(key, key)))])
    two_days = time.time() - 2 * DAY
    for pack in ("old", "kept"):
        os.utime(store.path("lessons", pack), (two_days, two_days))
    cache.save({"current"}, older_than=DAY, every=3600)
    assert store.keys("lessons") == {"kept", "young"}
    found = Packed(store, "lessons")
    assert "gone" not in found
    assert found.read("current") == "current" and found.read("recent") == "recent"
    assert (store.root / "lessons" / PRUNED).is_file()


@pytest.mark.parametrize("earlier", [True, False])
def test_a_build_stores_what_it_compiled_as_one_pack(tmp_path: Path, earlier: bool) -> None:
    """In the cache's folder when an earlier build made it (the file becomes the pack), else
    outside it and copied in: the same pack, the same index."""
    store = Store(tmp_path / "cache")
    if earlier:
        (store.root / "lessons").mkdir(parents=True)
    pending = Pending(store)
    for key, payload in ENTRIES:
        pending.append((key, encode(key, payload)))
    assert (pending.path is not None) is earlier
    store_pending(store, pending, {"one", "two", "three"})
    (pack,) = store.keys("lessons")
    assert pack == pack_name(key for key, _ in ENTRIES)
    found = Packed(store, "lessons")
    assert [found.read(key) for key, _ in ENTRIES] == [payload for _, payload in ENTRIES]
    leftovers = [path.name for path in (store.root / "lessons").iterdir()]
    assert leftovers == [f"{pack}.bin"]


def test_a_failed_build_leaves_no_pending_file_behind(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    (store.root / "lessons").mkdir(parents=True)
    pending = Pending(store)
    pending.append(("one", encode("one", 1)))
    assert pending.path is not None and pending.path.exists()
    left = pending.path
    pending.close()
    assert not left.exists()
    outside = Pending(None)
    outside.append(("one", encode("one", 1)))
    assert outside.path is None and not outside.keep(tmp_path / "x.bin")
    outside.close()


def test_what_a_killed_build_left_in_the_cache_goes_an_hour_later(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    folder = store.root / "blocks"
    folder.mkdir(parents=True)
    old, new = folder / ".blocks.abc123.ankigen-tmp", folder / ".blocks.def456.ankigen-tmp"
    old.write_bytes(b"half a pack")
    new.write_bytes(b"a pack being written")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    store.prune("blocks", set())
    assert not old.exists() and new.exists()


class FullDisk(io.BytesIO):
    def write(self, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_costs_the_compile_cache_not_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    monkeypatch.setattr(Pending, "open", lambda self: FullDisk())
    result = build(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1, now=1))
    assert result.ok and result.output is not None and result.output.is_file()
    (course_cache,) = [
        path for path in (tmp_path / "out" / ".ankigen-cache").iterdir() if path.is_dir()
    ]
    store = Store(course_cache)
    assert store.keys("lessons") == set()
    assert not list((store.root / "lessons").glob("*.ankigen-tmp"))
    monkeypatch.undo()
    cards = content / "10-basics" / "cards.md"
    cards.write_text(cards.read_text(encoding="utf-8").replace("Paris.", "Paris!"), "utf-8")
    again = build(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1, now=2))
    assert again.ok
    assert len(Packed(store, "lessons").index) == 1  # the edited lesson, compiled and kept


def test_pending_gives_up_on_the_first_entry_it_cannot_write() -> None:
    pending = Pending(None)
    pending.file = FullDisk()
    pending.append(("one", b"x"))
    pending.append(("two", b"y"))
    assert pending.failed and pending.entries == [] and list(pending) == []
