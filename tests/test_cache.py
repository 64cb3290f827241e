"""The build cache (OUT/.ankigen-cache) changes how much a build does, never what it makes.

The property test edits a course at random and builds every step twice: with the cache kept from
step to step, and from scratch without it. Packages, state files and what the command prints
must be the same, byte for byte, at every step. The other tests pin the promises one by one: a
build with no change writes nothing at all; unchanged lessons are not parsed again; a broken or
foreign cache is a silent miss.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import compile as compile_module
from generator import incremental
from generator.anki.notetypes import PACKAGED, Templates
from generator.cache import memo as memo_module
from generator.cache.store import FOLDER
from generator.cli import main
from generator.config import BuildConfig
from generator.kinds import REGISTRY
from generator.kinds import lesson as lesson_module
from generator.pipeline import build, cache_store
from generator.stamp_ids import stamp_ids
from tests.conftest import FIXTURES
from tests.package_rows import read_rows
from tests.test_regeneration_property import OPERATIONS, CourseModel

T0 = 1_900_000_000
DAY = 86_400
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2b1d5a00000000049454e44ae426082"
)
MEDIA_LESSON = """---
title: Pictures
---

# Pictures

### What does the dot show? <!-- id: media-dot -->

![A dot](img/dot.png)

It shows where the light falls.
"""
EXTRA = ("edit-folder", "edit-media", "touch", "no-op", "no-op")


@dataclass
class Built:
    """What one build printed and left behind."""

    code: int
    stdout: str
    stderr: str
    package: bytes | None
    state: bytes | None


def run(content: Path, out: Path, epoch: int, *extra: str) -> Built:
    lock = out / "ankigen.lock"
    args = ["build", str(content), "--out", str(out), "--lock", str(lock), *extra]
    result = CliRunner().invoke(main, args, env={"SOURCE_DATE_EPOCH": str(epoch)})
    assert "Traceback" not in result.output, result.output
    packages = sorted(out.glob("*.apkg")) if out.is_dir() else []
    return Built(
        result.exit_code,
        result.stdout.replace(str(out), "OUT"),
        result.stderr.replace(str(out), "OUT"),
        packages[0].read_bytes() if packages else None,
        lock.read_bytes() if lock.is_file() else None,
    )


def media_course(root: Path) -> Path:
    """The fixture course, its ids written, with a lesson that shows an image."""
    content = root / "content"
    shutil.copytree(FIXTURES / "course", content)
    (content / "10-basics" / "img").mkdir()
    (content / "10-basics" / "img" / "dot.png").write_bytes(PNG)
    (content / "10-basics" / "pictures.md").write_text(MEDIA_LESSON, encoding="utf-8")
    assert not stamp_ids(content, force=True).diagnostics.errors
    return content


def extra_edit(content: Path, operation: str, seed: int, counter: int) -> None:
    """Edits the lesson model does not make: inherited front matter, media, times alone."""
    rng = random.Random(seed)
    if operation == "edit-folder":
        index = content / "10-basics" / "_index.md"
        text = index.read_text(encoding="utf-8")
        tags = rng.choice(["[]", "[alpha]", f"[beta{counter}]"])
        lines = [line for line in text.splitlines() if not line.startswith("tags:")]
        lines.insert(1, f"tags: {tags}")
        index.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif operation == "edit-media":
        image = content / "10-basics" / "img" / "dot.png"
        image.write_bytes(PNG + bytes([rng.randrange(256), counter % 256]))
    elif operation == "touch":
        lessons = sorted(content.rglob("*.md"))
        chosen = rng.choice(lessons)
        chosen.write_bytes(chosen.read_bytes())


def take_step(
    content: Path, model: CourseModel, operation: str, seed: int, step: int
) -> CourseModel:
    """Step `step` of an edit sequence: `operation` made on the course; the model after it."""
    if operation in EXTRA:
        extra_edit(content, operation, seed, step)
        return CourseModel.load(content)
    model.apply(operation, seed)
    model.write()
    return model


steps_strategy = st.lists(
    st.tuples(
        st.sampled_from(OPERATIONS + EXTRA),
        st.integers(min_value=0, max_value=2**32),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=14, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps_strategy)
def test_cached_builds_equal_clean_builds(steps: list[tuple[str, int, bool]]) -> None:
    with tempfile.TemporaryDirectory(prefix="ankigen-cache-") as tmp_name:
        tmp = Path(tmp_name)
        content = media_course(tmp)
        model = CourseModel.load(content)
        cached, clean = tmp / "cached", tmp / "clean"
        for step, (operation, seed, forget) in enumerate([("no-op", 0, False), *steps]):
            model = take_step(content, model, operation, seed, step)
            where = f"step {step}: {operation}"
            flags = ["--forget-removed"] if forget else []
            epoch = T0 + step * DAY
            one = run(content, cached, epoch, *flags)
            other = run(content, clean, epoch, "--no-cache", *flags)
            assert one == other, where
            # Built again at once: the cached build may now answer from its memo.
            again = run(content, cached, epoch, *flags)
            twice = run(content, clean, epoch, "--no-cache", *flags)
            assert again == twice, where


def files_of(*folders: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under `folders`: its modification time and bytes."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                found[str(path)] = (path.stat().st_mtime_ns, path.read_bytes())
    return found


LONG_ANSWER = """
### Why is the sky blue? <!-- id: fx-sky-colour -->

Sunlight is scattered by the molecules of the air, and the short blue wavelengths are scattered
far more than the long red ones, so blue light reaches the eye from every part of the sky while
the sun itself looks slightly yellow when it is high.
"""


def test_card_quality_warnings_are_reported_beside_the_plan_s_and_repeated_by_the_memo(
    tmp_path: Path,
) -> None:
    content = media_course(tmp_path)
    lesson = content / "10-basics" / "cards.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + LONG_ANSWER, encoding="utf-8")
    out = tmp_path / "out"
    first = run(content, out, T0)
    assert first.code == 0, first.stderr
    assert "cards.md:" in first.stderr and "[lint-long-answer]" in first.stderr
    # Another folder, another deck: every build now also says where Anki still holds the cards.
    shutil.move(lesson, content / "20-more-topics" / "cards.md")
    moved = run(content, out, T0 + DAY)
    assert moved.code == 0, moved.stderr
    assert "[lint-long-answer]" in moved.stderr and "[notes-moved]" in moved.stderr
    again = run(content, out, T0 + DAY)
    assert "is up to date" in again.stdout
    assert again.stderr == moved.stderr
    dry = run(content, out, T0 + DAY, "--dry-run")
    assert "[lint-long-answer]" in dry.stderr and "[notes-moved]" in dry.stderr
    # Under --strict the card-quality warning stops the build before anything is written.
    strict_out = tmp_path / "strict"
    strict = run(content, strict_out, T0, "--strict")
    assert strict.code != 0
    assert "[lint-long-answer]" in strict.stderr
    assert "[notes-moved]" not in strict.stderr
    assert strict.package is None and strict.state is None


def test_a_build_with_no_change_writes_nothing_at_all(tmp_path: Path) -> None:
    content = media_course(tmp_path)
    out = tmp_path / "out"
    first = run(content, out, T0)
    assert first.code == 0, first.stderr
    before = files_of(content, out)
    for epoch in (T0 + 1, T0 + 2):
        again = run(content, out, epoch)
        assert again.code == 0 and "is up to date" in again.stdout
        assert files_of(content, out) == before


def test_a_build_with_no_change_is_answered_by_the_memo_without_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = media_course(tmp_path)
    out = tmp_path / "out"
    first = run(content, out, T0)
    assert first.code == 0, first.stderr

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("the memo should have answered")

    monkeypatch.setattr("generator.pipeline.build", no_build)
    again = run(content, out, T0 + 1)
    assert again.code == 0, again.stderr  # the pipeline's build was not called
    assert "is up to date" in again.stdout


def test_without_the_memo_a_build_with_no_change_writes_neither_package_nor_state(
    tmp_path: Path,
) -> None:
    content = media_course(tmp_path)
    out = tmp_path / "out"
    assert run(content, out, T0).code == 0
    for memo in out.glob(f"{FOLDER}/*/memo"):
        shutil.rmtree(memo)
    before = {path: data for path, data in files_of(content, out).items() if FOLDER not in path}
    again = run(content, out, T0 + 1)
    assert again.code == 0 and "nothing written" in again.stdout
    after = {path: data for path, data in files_of(content, out).items() if FOLDER not in path}
    assert after == before


def test_unchanged_lessons_are_neither_parsed_nor_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = media_course(tmp_path)
    config = BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1, now=T0)
    assert build(config).ok
    parsed: list[str] = []
    real = lesson_module.parse_lesson

    def counting(lesson, text, registry):  # type: ignore[no-untyped-def]
        parsed.append(lesson.rel)
        return real(lesson, text, registry)

    monkeypatch.setattr(compile_module, "parse_lesson", counting)
    cards = content / "10-basics" / "cards.md"
    cards.write_text(cards.read_text(encoding="utf-8").replace("Paris.", "Paris!"), "utf-8")
    again = build(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1, now=T0 + 9))
    assert again.ok and again.plan is not None
    assert parsed == ["10-basics/cards.md"]
    assert again.plan.summary()["changed"] == 1


def corrupt(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "flip":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    elif how == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif how == "empty":
        path.write_bytes(b"")


@pytest.mark.parametrize("how", ["truncate", "flip", "garbage", "empty"])
def test_a_corrupted_cache_is_a_silent_miss(tmp_path: Path, how: str) -> None:
    content = media_course(tmp_path)
    cached, clean = tmp_path / "cached", tmp_path / "clean"
    assert run(content, cached, T0).code == 0
    assert run(content, clean, T0, "--no-cache").code == 0
    cards = content / "10-basics" / "cards.md"
    cards.write_text(cards.read_text(encoding="utf-8").replace("Paris.", "Paris?"), "utf-8")
    entries = list((cached / FOLDER).rglob("*.bin"))
    assert entries
    for entry in entries:
        corrupt(entry, how)
    one = run(content, cached, T0 + DAY)
    other = run(content, clean, T0 + DAY, "--no-cache")
    assert one == other
    assert one.code == 0 and "1 changed" in one.stdout


def test_a_foreign_cache_is_a_silent_miss(tmp_path: Path) -> None:
    """Another course's cache, copied in place of this one's, is never used."""
    first = media_course(tmp_path / "one")
    second = tmp_path / "two" / "content"
    shutil.copytree(first, second)
    cards = second / "10-basics" / "cards.md"
    cards.write_text(cards.read_text(encoding="utf-8").replace("Paris.", "Lyon."), "utf-8")
    foreign, cached, clean = tmp_path / "foreign", tmp_path / "cached", tmp_path / "clean"
    assert run(first, foreign, T0).code == 0
    assert run(second, cached, T0).code == 0
    assert run(second, clean, T0, "--no-cache").code == 0
    (ours,) = [path for path in (cached / FOLDER).iterdir() if path.is_dir()]
    shutil.rmtree(ours)
    (theirs,) = [path for path in (foreign / FOLDER).iterdir() if path.is_dir()]
    shutil.copytree(theirs, ours)
    cards.write_text(cards.read_text(encoding="utf-8").replace("Lyon.", "Lyon!"), "utf-8")
    for day, changed in ((1, "1 changed"), (2, "0 changed")):
        one = run(second, cached, T0 + day * DAY)
        other = run(second, clean, T0 + day * DAY, "--no-cache")
        assert one == other
        assert one.code == 0 and changed in one.stdout


def test_the_memo_is_checked_on_its_first_field_in_plain_form() -> None:
    """`memo.check` reads what a memo depends on (its `Basis`, the first field) before decoding
    what it prints."""
    first = dataclasses.fields(memo_module.Memo)[0]
    assert first.type in (memo_module.Basis, "Basis")


def built_with(
    content: Path,
    out: Path,
    epoch: int,
    meanwhile: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
) -> Built:
    """A build during which `meanwhile` runs after the build read the course, just before it
    keeps its memo."""
    real = memo_module.files_read

    def late(**kwargs):  # type: ignore[no-untyped-def]
        meanwhile()
        return real(**kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(memo_module, "files_read", late)
        return run(content, out, epoch)


def test_a_lesson_edited_after_the_build_read_it_is_built_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memo records the bytes the build read, not those on disk when it is kept: a lesson
    edited in between (keeping its size) makes the next build run, and build the edit."""
    content = media_course(tmp_path)
    out = tmp_path / "out"
    assert run(content, out, T0).code == 0
    lesson = content / "10-basics" / "pictures.md"

    def edit_again() -> None:
        text = lesson.read_text(encoding="utf-8")
        lesson.write_text(text.replace("light falls", "light lands"), encoding="utf-8")

    # A first edit, which the build reads; a second one after the build read it.
    lesson.write_text(MEDIA_LESSON.replace("dot show", "dot mean"), encoding="utf-8")
    assert built_with(content, out, T0 + 1, edit_again, monkeypatch).code == 0
    assert "light lands" in lesson.read_text(encoding="utf-8")
    after = run(content, out, T0 + 2)
    assert "is up to date" not in after.stdout and "1 changed" in after.stdout
    (package,) = out.glob("*.apkg")
    fields = json.dumps(read_rows(package)["notes"])
    assert "light lands" in fields and "light falls" not in fields


def test_a_lesson_made_while_the_build_ran_is_built_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lesson that appears after discovery, before the build keeps its memo: the next build
    must not answer "up to date" without it."""
    content = media_course(tmp_path)
    out = tmp_path / "out"
    assert run(content, out, T0).code == 0
    made = content / "10-basics" / "zz-late.md"

    def make_lesson() -> None:
        made.write_text(MEDIA_LESSON.replace("media-dot", "late-dot"), encoding="utf-8")

    (content / "10-basics" / "pictures.md").write_text(
        MEDIA_LESSON.replace("dot show", "dot mean"), encoding="utf-8"
    )
    assert built_with(content, out, T0 + 1, make_lesson, monkeypatch).code == 0
    after = run(content, out, T0 + 2)
    assert "is up to date" not in after.stdout and "1 new" in after.stdout, after.stdout


def test_the_memo_counts_as_read_what_discovery_reads(tmp_path: Path) -> None:
    """`memo.discovered` says of each Markdown file what discovery does: read (a lesson, an
    `_index.md`) or left out (a name starting with '_', or in such a folder)."""
    content = media_course(tmp_path)
    for rel in ("_drafts/x.md", "_notes.md", "10-basics/_aside.md", "_drafts/_index.md"):
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text("# Aside\n", encoding="utf-8")
    (content / "_drafts" / "sub").mkdir()
    (content / "_drafts" / "sub" / "y.md").write_text("# Y\n", encoding="utf-8")
    config = BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1, now=T0)
    result = build(config)
    assert result.ok
    read = {source.lesson.rel for source in result.sources} | set(result.indexes)
    walked = {
        rel
        for rel in (path.relative_to(content).as_posix() for path in content.rglob("*.md"))
        if not any(part.startswith(".") for part in rel.split("/"))
    }
    assert {rel for rel in walked if memo_module.discovered(rel)} == read
    assert "_notes.md" in walked - read and "_drafts/x.md" in walked - read


def test_a_build_returns_with_its_package_s_pieces_and_frame_kept(tmp_path: Path) -> None:
    content = media_course(tmp_path)
    config = BuildConfig(content=content, out_dir=tmp_path / "out", now=T0)
    result = build(config)
    assert result.ok and result.output is not None
    assert not [t for t in threading.enumerate() if t.name == "save-pieces"]
    store = cache_store(config)
    assert store is not None
    kept = incremental.load_pieces(store)
    assert kept is not None and kept.known
    with zipfile.ZipFile(result.output) as package:
        entry = package.getinfo("collection.anki2")
    # The pieces are the collection's compressed bytes, cut where the package joined them.
    assert sum(len(piece) for piece in kept.known.values()) == entry.compress_size
    package_bytes = result.output.read_bytes()
    assert all(piece in package_bytes for piece in kept.known.values())
    assert store.keys(incremental.FRAMES)


def test_the_registry_s_fingerprint_is_made_once_and_follows_its_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[object] = []
    digest = compile_module.templates_digest
    monkeypatch.setattr(
        compile_module,
        "templates_digest",
        lambda registry: made.append(registry) or digest(registry),
    )
    folders = [tmp_path / "one", tmp_path / "two"]
    for folder in folders:
        shutil.copytree(Path(str(PACKAGED.root)), folder)
    with (folders[1] / "base.css").open("a", encoding="utf-8") as css:
        css.write("\n.changed { color: red; }\n")
    one, two = (REGISTRY.with_templates(Templates.at(folder)) for folder in folders)
    first = compile_module.registry_fingerprint(one)
    assert compile_module.registry_fingerprint(one) == first
    assert made == [one]
    assert compile_module.registry_fingerprint(two) != first
    assert made == [one, two]
