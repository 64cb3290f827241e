"""After an edit to a few lessons of a large course, those lessons are compiled in a worker
process while the build reads what the cache kept of the others (generator.compile.Ahead). That
changes when the work is done, never what it makes: the builds below are compared, byte for
byte, with clean ones; a worker that dies costs only the time to compile in place."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from generator import compile as compile_module
from generator.cache.store import Packed, Store
from generator.compile import PARALLEL_MIN_LESSONS, Ahead, LessonSource
from generator.kinds import REGISTRY
from generator.notes import Defaults, Lesson
from tests.test_cache import T0, Built, run

LESSONS = PARALLEL_MIN_LESSONS + 6
TWO_CORES = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="a worker aside needs two cores")


def lesson_text(number: int, answer: str = "") -> str:
    return (
        f"---\ntitle: Lesson {number}\n---\n\n# Lesson {number}\n\n"
        f"### What is {number} plus one? <!-- id: sum-{number} -->\n\n"
        f"{answer or number + 1}.\n\n"
        f"### What is {number} times two? <!-- id: double-{number} -->\n\n"
        f"{number * 2}.\n\n"
        f"**Explanation:** twice {number}.\n"
    )


def big_course(root: Path) -> Path:
    content = root / "content"
    (content / "10-numbers").mkdir(parents=True)
    (content / "_index.md").write_text(
        "---\ndeck: Numbers\nnamespace: numbers-ahead-1\n---\n", encoding="utf-8"
    )
    for number in range(LESSONS):
        path = content / "10-numbers" / f"{number:02d}-lesson.md"
        path.write_text(lesson_text(number), encoding="utf-8")
    return content


def edit(content: Path, number: int, answer: str) -> None:
    path = content / "10-numbers" / f"{number:02d}-lesson.md"
    path.write_text(lesson_text(number, answer), encoding="utf-8")


def counted_takes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, for each lesson asked of an `Ahead`, whether its worker had made it."""
    taken: list[bool] = []
    real = Ahead.take

    def take(self: Ahead, key: str) -> bytes | None:
        entry = real(self, key)
        taken.append(entry is not None)
        return entry

    monkeypatch.setattr(Ahead, "take", take)
    return taken


def both(content: Path, root: Path, epoch: int) -> tuple[Built, Built]:
    return run(content, root / "cached", epoch), run(content, root / "clean", epoch, "--no-cache")


@TWO_CORES
def test_an_edited_lesson_is_compiled_ahead_and_builds_what_a_clean_build_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = big_course(tmp_path)
    first, clean = both(content, tmp_path, T0)
    assert first == clean and first.code == 0, first.stderr
    taken = counted_takes(monkeypatch)
    edit(content, 7, "Eight, as ever")
    edit(content, 19, "Twenty")
    one, other = both(content, tmp_path, T0 + 1)
    assert taken == [True, True]
    assert one == other
    assert one.code == 0 and "2 changed" in one.stdout


@TWO_CORES
def test_a_worker_that_dies_leaves_its_lesson_to_be_compiled_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = big_course(tmp_path)
    assert both(content, tmp_path, T0)[0].code == 0
    taken = counted_takes(monkeypatch)
    parent = os.getpid()
    real = compile_module.compile_plain

    def dying(root: Path, source: LessonSource, registry: object) -> bytes:
        if os.getpid() != parent:
            os._exit(3)  # the worker, killed in the middle of its lesson
        return real(root, source, REGISTRY)

    monkeypatch.setattr(compile_module, "compile_plain", dying)
    edit(content, 3, "Four, still")
    one = run(content, tmp_path / "cached", T0 + 1)
    assert taken == [False]
    monkeypatch.undo()
    other = run(content, tmp_path / "clean", T0 + 1, "--no-cache")
    assert one == other
    assert one.code == 0 and "1 changed" in one.stdout


def sources(root: Path, count: int) -> list[LessonSource]:
    return [
        LessonSource(
            Lesson(f"{n:02d}.md", f"{n:02d}.md", "Deck", Defaults()), b"# x\n", key=f"key{n:02d}"
        )
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("cached", "jobs", "started"),
    [
        (LESSONS - 1, 0, True),  # one lesson to make, many kept: worth a worker
        (LESSONS - 1, 1, False),  # --jobs 1: no other process
        (LESSONS, 0, False),  # nothing to make
        (LESSONS - PARALLEL_MIN_LESSONS, 0, False),  # many to make: the usual workers do it
        (PARALLEL_MIN_LESSONS - 1, 0, False),  # few kept: nothing to overlap
    ],
)
def test_a_worker_starts_for_a_few_lessons_among_many(
    tmp_path: Path, cached: int, jobs: int, started: bool
) -> None:
    cache = Packed(Store(tmp_path / "cache"), compile_module.LESSONS)
    given = sources(tmp_path, LESSONS)
    cache.add("pack", [(source.key, 0, 0) for source in given[:cached]])
    ahead = Ahead.start(tmp_path, given, REGISTRY, jobs=jobs, cache=cache)
    try:
        assert (ahead is not None) is (started and (os.cpu_count() or 1) >= 2)
    finally:
        if ahead is not None:
            ahead.close()
    assert Ahead.start(tmp_path, given, REGISTRY, jobs=0, cache=None) is None


def test_no_worker_is_forked_beside_other_threads(tmp_path: Path) -> None:
    cache = Packed(Store(tmp_path / "cache"), compile_module.LESSONS)
    given = sources(tmp_path, LESSONS)
    cache.add("pack", [(source.key, 0, 0) for source in given[1:]])
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert Ahead.start(tmp_path, given, REGISTRY, jobs=0, cache=cache) is None
    finally:
        stop.set()
        thread.join()
