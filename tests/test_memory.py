"""What a process that builds one course again and again (`ankigen serve`) keeps of the cache
between builds (`incremental.Memory`): the same results as builds that read the cache from
disk, without reading what it holds."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from generator import incremental
from generator.cache.store import Store
from generator.config import BuildConfig
from generator.pipeline import BuildResult, build, cache_store, kept_inputs
from tests.test_cache import (
    DAY,
    MEDIA_LESSON,
    T0,
    media_course,
    run,
    steps_strategy,
    take_step,
)
from tests.test_regeneration_property import CourseModel

Outcome = tuple[bool, list[str], bytes | None, bytes | None]


def built(
    content: Path, out: Path, epoch: int, memory: incremental.Memory | None, *, forget: bool = False
) -> tuple[Outcome, BuildResult]:
    """A build in this process, and what it printed and left: its diagnostics, package and
    state file."""
    lock = out / "ankigen.lock"
    config = configured(content, out, now=epoch, forget_removed=forget)
    result = build(config, memory=memory)
    packages = sorted(out.glob("*.apkg"))
    said = [item.format().replace(str(out), "OUT") for item in result.diagnostics.items]
    package = packages[0].read_bytes() if packages else None
    return (result.ok, said, package, lock.read_bytes() if lock.is_file() else None), result


def configured(content: Path, out: Path, **settings: int | bool) -> BuildConfig:
    return BuildConfig(content=content, out_dir=out, lock=out / "ankigen.lock", **settings)  # type: ignore[arg-type]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps_strategy)
def test_builds_that_share_a_memory_equal_builds_that_read_the_cache(
    steps: list[tuple[str, int, bool]],
) -> None:
    with tempfile.TemporaryDirectory(prefix="ankigen-memory-") as tmp_name:
        tmp = Path(tmp_name)
        content = media_course(tmp)
        model = CourseModel.load(content)
        memory = incremental.Memory()
        for step, (operation, seed, forget) in enumerate([("no-op", 0, False), *steps]):
            model = take_step(content, model, operation, seed, step)
            epoch = T0 + step * DAY
            held = built(content, tmp / "held", epoch, memory, forget=forget)[0]
            read = built(content, tmp / "read", epoch, None, forget=forget)[0]
            assert held == read, f"step {step}: {operation}"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The kinds of cache entries read from now on (a pack as `<kind> pack`)."""
    seen: list[str] = []
    read, read_pack = Store.read, Store.read_pack

    def spy_read(self: Store, kind: str, name: str) -> object:
        seen.append(kind)
        return read(self, kind, name)

    def spy_pack(self: Store, kind: str, name: str) -> Iterator[tuple[str, object]]:
        seen.append(f"{kind} pack")
        return read_pack(self, kind, name)

    monkeypatch.setattr(Store, "read", spy_read)
    monkeypatch.setattr(Store, "read_pack", spy_pack)
    yield seen


def edit(content: Path, counter: int) -> None:
    lesson = content / "10-basics" / "pictures.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("light falls", f"light falls ({counter})"), encoding="utf-8")


def snapshot_of(content: Path, out: Path) -> incremental.Snapshot:
    """The snapshot the cache in `out` holds now."""
    config = configured(content, out)
    store = cache_store(config)
    assert store is not None
    found = incremental.load(store, kept_inputs(config))
    assert found is not None
    return found[0]


def holds_only_what_is_named(memory: incremental.Memory, content: Path, out: Path) -> None:
    snapshot = snapshot_of(content, out)
    assert memory.state is not None and memory.state[0] == snapshot.state
    assert memory.blocks
    assert all(snapshot.packs.get(found) == pack for pack, found in memory.blocks)


def test_an_edit_reads_neither_the_state_nor_the_blocks_the_last_build_kept(
    tmp_path: Path, reads: list[str]
) -> None:
    content = media_course(tmp_path)
    out, ref = tmp_path / "out", tmp_path / "ref"
    memory = incremental.Memory()
    for step in range(3):
        if step:
            edit(content, step)
        reads.clear()
        outcome, result = built(content, out, T0 + step * DAY, memory)
        read = list(reads)
        assert outcome == built(content, ref, T0 + step * DAY, None)[0], f"step {step}"
        if step == 1:
            first = result
    assert first.ok and first.kept_written is not None
    kept = sum(part.block is not None for part in first.parts)
    assert kept == len(first.parts) - 1  # all but the edited lesson
    # The very state the last build wrote, and its blocks, as they were.
    assert result.kept_state is first.kept_written.state
    assert sum(part.block is not None for part in result.parts) == kept
    assert incremental.STATES not in read and f"{incremental.BLOCKS} pack" not in read
    holds_only_what_is_named(memory, content, out)


def test_a_build_by_another_process_is_read_from_the_cache(
    tmp_path: Path, reads: list[str]
) -> None:
    content = media_course(tmp_path)
    out, ref = tmp_path / "out", tmp_path / "ref"
    broken = content / "10-basics" / "broken.md"
    memory = incremental.Memory()
    read: dict[int, list[str]] = {}
    for step in range(5):
        if step:
            edit(content, step)
        if step == 3:
            # The same id twice: the build fails, and keeps nothing.
            broken.write_text(MEDIA_LESSON, encoding="utf-8")
        if step == 4:
            broken.unlink()
        reads.clear()
        if step == 2:
            # Another process builds an edit: the cache names a state and blocks that memory
            # does not hold.
            assert run(content, out, T0 + step * DAY) == run(content, ref, T0 + step * DAY)
            continue
        outcome, result = built(content, out, T0 + step * DAY, memory)
        read[step] = list(reads)
        assert outcome == built(content, ref, T0 + step * DAY, None)[0], f"step {step}"
        assert outcome[0] == (step != 3)
    assert incremental.STATES in read[3] and f"{incremental.BLOCKS} pack" in read[3]
    # What the failed build read is read no more.
    assert incremental.STATES not in read[4] and f"{incremental.BLOCKS} pack" not in read[4]
    assert result.kept_state is not None
    assert sum(part.block is not None for part in result.parts) == len(result.parts) - 1
    holds_only_what_is_named(memory, content, out)


LESSON = """---
title: Extra {n}
---

# Extra {n}

### What is extra {n}? <!-- id: extra-{n} -->

It is the extra lesson number {n}{tail}.
"""


def test_memory_holds_no_more_than_the_cache_names_when_its_blocks_are_packed_again(
    tmp_path: Path,
) -> None:
    content = media_course(tmp_path)
    out, ref = tmp_path / "out", tmp_path / "ref"
    count = incremental.PACKS + 2
    for n in range(count):
        (content / "10-basics" / f"extra-{n}.md").write_text(
            LESSON.format(n=n, tail=""), encoding="utf-8"
        )
    memory = incremental.Memory()
    packs = []
    # Each edit of another lesson leaves its block in a pack of its own, until they are packed
    # into one again.
    for step in range(count + 1):
        if step:
            extra = content / "10-basics" / f"extra-{step - 1}.md"
            extra.write_text(LESSON.format(n=step - 1, tail=f" (edited {step})"), "utf-8")
        outcome, _ = built(content, out, T0 + step * DAY, memory)
        assert outcome == built(content, ref, T0 + step * DAY, None)[0], f"step {step}"
        packs.append(len(set(snapshot_of(content, out).packs.values())))
        holds_only_what_is_named(memory, content, out)
    assert max(packs) == incremental.PACKS and packs[-1] < incremental.PACKS


def test_a_pack_memory_holds_in_part_is_read(tmp_path: Path, reads: list[str]) -> None:
    content = media_course(tmp_path)
    out = tmp_path / "out"
    built(content, out, T0, None)
    config = configured(content, out)
    store = cache_store(config)
    assert store is not None
    snapshot = snapshot_of(content, out)
    (pack,) = set(snapshot.packs.values())  # a first build keeps every lesson in one pack
    keys = {}
    for block_id, plain in store.read_pack(incremental.BLOCKS, pack):
        block = incremental.block_from(plain)
        assert block is not None
        keys[block_id] = block.key
    wanted = {block_id: keys[block_id] for block_id in snapshot.blocks.values()}
    whole = incremental.blocks_of(store, snapshot, wanted)
    assert len(whole) == len(wanted) > 1
    memory = incremental.Memory()
    first = next(iter(wanted))
    memory.blocks[(pack, first)] = whole[first]
    reads.clear()
    assert incremental.blocks_of(store, snapshot, wanted, memory) == whole
    assert reads == [f"{incremental.BLOCKS} pack"]
    # Now it holds the whole pack.
    reads.clear()
    assert incremental.blocks_of(store, snapshot, wanted, memory) == whole
    assert reads == []
