"""Nothing an author does loses a review, an edit or a file: identity, the state file and the
machine, each case lived through the real `anki` package where Anki is involved."""

from __future__ import annotations

import errno
import json
import multiprocessing
import multiprocessing.synchronize
import os
import shutil
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from click.testing import CliRunner

from generator.anki import package as package_module
from generator.anki.plan import REMOVED_TAG, Status
from generator.cache.store import FOLDER
from generator.cli import main
from generator.config import BuildConfig
from generator.files import TEMPORARY, course_lock
from generator.pipeline import BuildResult, build
from tests.anki_helpers import collection, import_package
from tests.conftest import FIXTURES, build_into
from tests.lifecycle import build_and_import, edit, review_all, review_log, scheduling

pytestmark = pytest.mark.anki

T1, T2, T3, T4 = (1_800_000_000 + day * 86_400 for day in range(4))
CARDS = Path("10-basics") / "cards.md"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", target)
    return target


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    folder = tmp_path / "anki"
    folder.mkdir()
    with collection(folder) as opened:
        yield opened


def ok(result: BuildResult) -> BuildResult:
    assert result.ok, [d.format() for d in result.diagnostics.sorted()]
    return result


def codes(result: BuildResult) -> Counter[str]:
    return Counter(d.code for d in result.diagnostics.items)


def tagged_removed(col: Collection) -> set[str]:
    return {col.get_note(nid)["ID"] for nid in col.find_notes(f"tag:{REMOVED_TAG}")}


def guids(col: Collection) -> list[str]:
    return [row[0] for row in col.db.all("SELECT guid FROM notes")]


# --- identity --------------------------------------------------------------------------------


def test_changing_the_case_of_an_id_changes_nothing_in_anki(
    course: Path, tmp_path: Path, col: Collection
) -> None:
    out = tmp_path / "out"
    build_and_import(col, course, out, now=T1)
    review_all(col)
    before, log_before = scheduling(col), review_log(col)

    edit(course / CARDS, "<!-- id: fx-capital -->", "<!-- id: FX-Capital -->")
    result, imported = build_and_import(col, course, out, now=T2)

    assert result.plan is not None
    summary = result.plan.summary()
    assert (summary["new"], summary["removed"], summary["changed"]) == (0, 0, 1)
    assert imported.updated == {"FX-Capital"}  # the ID field shows the new spelling
    assert not imported.new and not imported.conflicting
    assert tagged_removed(col) == set()
    assert len(guids(col)) == len(set(guids(col))) == 30
    assert scheduling(col) == before and review_log(col) == log_before


def test_a_note_that_changes_kind_is_a_new_note_and_can_come_back(
    course: Path, tmp_path: Path, col: Collection
) -> None:
    out = tmp_path / "out"
    build_and_import(col, course, out, now=T1)
    review_all(col)
    (capital,) = col.find_notes('"ID:fx-capital"')
    capital_cards = scheduling(col)
    history = review_log(col)

    # Reveal → multiple choice.
    edit(course / CARDS, "Paris.\n", "- [x] Paris\n- [ ] Lyon\n")
    result = ok(build_into(course, out, now=T2))
    assert result.plan is not None
    assert result.plan.summary()["new"] == 1 and result.plan.summary()["removed"] == 1
    (warning,) = [d for d in result.diagnostics.warnings if d.code == "note-type-changed"]
    assert "'fx-capital'" in warning.message and "multiple choice" in warning.message
    assert result.output is not None
    log = import_package(col, result.output)
    assert len(log.new) == 1 and len(log.updated) == 1  # type: ignore[attr-defined]
    assert len(log.conflicting) == 0  # type: ignore[attr-defined]
    assert REMOVED_TAG in col.get_note(capital).tags
    assert {col.get_note(nid).note_type()["name"] for nid in col.find_notes('"ID:fx-capital"')} == {
        "ankigen Reveal",
        "ankigen Multiple choice",
    }

    # And back: the reveal note returns with its reviews; the other is tagged removed.
    edit(course / CARDS, "- [x] Paris\n- [ ] Lyon\n", "Paris.\n")
    result = ok(build_into(course, out, now=T3))
    assert result.plan is not None
    assert result.plan.summary()["changed"] == 1 and result.plan.summary()["removed"] == 1
    assert result.output is not None
    log = import_package(col, result.output)
    assert len(log.new) == 0 and len(log.updated) == 2  # type: ignore[attr-defined]
    assert len(log.conflicting) == 0  # type: ignore[attr-defined]
    assert REMOVED_TAG not in col.get_note(capital).tags
    for card_id in col.get_note(capital).card_ids():
        assert scheduling(col)[card_id] == capital_cards[card_id]
    assert review_log(col)[: len(history)] == history


def test_without_a_state_file_the_plan_is_what_anki_does(
    course: Path, tmp_path: Path, col: Collection
) -> None:
    out = tmp_path / "out"
    build_and_import(col, course, out, now=T2)
    (out / "ankigen.lock").unlink()
    edit(course / CARDS, "Paris.", "Paris, on the Seine.")

    # A clock older than what the last package gave Anki must not make the edit vanish.
    result, imported = build_and_import(col, course, out, now=T1)

    assert result.plan is not None and result.plan.basis == "package"
    summary = result.plan.summary()
    assert (summary["new"], summary["changed"], summary["unchanged"]) == (0, 1, 29)
    assert imported.updated == {"fx-capital"}
    assert len(imported.duplicate) == 29 and not imported.new and not imported.conflicting
    (nid,) = col.find_notes('"ID:fx-capital"')
    assert "on the Seine" in col.get_note(nid)["Answer"]


def test_removed_notes_are_remembered_without_a_state_file(
    course: Path, tmp_path: Path, col: Collection
) -> None:
    out = tmp_path / "out"
    build_and_import(col, course, out, now=T1)
    cards = course / CARDS
    text = cards.read_text(encoding="utf-8")
    start = text.index("### What is the capital of France?")
    cards.write_text(text[:start] + text[text.index("### What does this print?") :], "utf-8")
    build_and_import(col, course, out, now=T2)
    assert tagged_removed(col) == {"fx-capital"}
    (out / "ankigen.lock").unlink()

    result, imported = build_and_import(col, course, out, now=T3)

    assert result.plan is not None and result.plan.basis == "package"
    assert [c.id for c in result.plan.changes if c.status is Status.REMOVED] == ["fx-capital"]
    assert not imported.new and not imported.updated and not imported.conflicting
    assert tagged_removed(col) == {"fx-capital"}


def test_first_build_says_it_cannot_know_what_anki_has(course: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(course), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.stderr
    assert "first build here (no state file, no earlier package)" in result.stdout


def test_a_reworded_heading_without_id_is_named_with_the_fix(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    lesson = course / "30-derived" / "plain.md"
    lesson.parent.mkdir()
    lesson.write_text(
        "### What colour is the sky?\n\nBlue.\n\n### Which gas do plants take in?\n\nCO2.\n",
        encoding="utf-8",
    )
    ok(build_into(course, out, now=T1))
    edit(lesson, "What colour is the sky?", "What colour is the sky on a clear day?")

    result = ok(build_into(course, out, now=T2))

    (warning,) = [d for d in result.diagnostics.warnings if d.code == "derived-id-changed"]
    old, new = (
        "30-derived/plain#what-colour-is-the-sky",
        "30-derived/plain#what-colour-is-the-sky-on-a-clear-day",
    )
    assert f"'{old}' became '{new}'" in warning.message
    assert f"<!-- id: {old} -->" in warning.message and "ankigen ids" in warning.message
    assert (warning.path, warning.line) == (str(lesson), 1)


def test_a_moved_lesson_names_every_note_it_renames(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    lesson = course / "30-derived" / "plain.md"
    lesson.parent.mkdir()
    lesson.write_text("### One?\n\nA.\n\n### Two?\n\nB.\n\n### Three?\n\nC.\n", encoding="utf-8")
    ok(build_into(course, out, now=T1))
    (course / "40-moved").mkdir()
    lesson.rename(course / "40-moved" / "renamed.md")

    result = ok(build_into(course, out, now=T2))

    named = [d.message for d in result.diagnostics.warnings if d.code == "derived-id-changed"]
    assert len(named) == 3
    for word in ("one", "two", "three"):
        assert any(
            f"'30-derived/plain#{word}' became '40-moved/renamed#{word}'" in m for m in named
        )


def test_renumbered_cloze_names_its_choice_cards(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    lesson = course / "30-derived" / "cloze.md"
    lesson.parent.mkdir()
    lesson.write_text("Light is ==fast== and sound is ==slow==. <!-- id: fx-speeds -->\n", "utf-8")
    ok(build_into(course, out, now=T1))
    lesson.write_text("Sound is ==slow== and light is ==fast==. <!-- id: fx-speeds -->\n", "utf-8")

    result = ok(build_into(course, out, now=T2))

    (warning,) = [d for d in result.diagnostics.warnings if d.code == "cloze-renumbered"]
    assert "c2 → c1" in warning.message and "c1 → c2" in warning.message
    assert "'fx-speeds/choice-c1'" in warning.message and "'fx-speeds/choice-c2'" in warning.message


# --- the state file --------------------------------------------------------------------------


def test_merge_conflict_markers_are_named_as_such(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok(build_into(course, out, now=T1))
    lock = out / "ankigen.lock"
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    conflicted = [*lines[:8], "<<<<<<< HEAD\n", lines[8], "=======\n", lines[8], ">>>>>>> other\n"]
    lock.write_text("".join(conflicted + lines[9:]), encoding="utf-8")
    before = (out / "fixture-course.apkg").read_bytes()

    result = build_into(course, out, now=T2)

    assert not result.ok
    (error,) = result.diagnostics.errors
    assert error.code == "state-merge-conflict" and error.line == 9
    assert "merge conflict" in error.message and "git checkout --theirs" in error.message
    assert (out / "fixture-course.apkg").read_bytes() == before


def test_two_notes_with_one_note_id_are_repaired(
    course: Path, tmp_path: Path, col: Collection
) -> None:
    out = tmp_path / "out"
    build_and_import(col, course, out, now=T1)
    lock = out / "ankigen.lock"
    text = lock.read_text(encoding="utf-8")
    data = json.loads(text)
    first, second = sorted(data["notes"])[:2]
    nid = data["notes"][first]["nid"]
    other = data["notes"][second]["nid"]
    lock.write_text(text.replace(f'"nid": {other}', f'"nid": {nid}'), encoding="utf-8")

    result, imported = build_and_import(col, course, out, now=T2)

    assert codes(result)["state-duplicate-nid"] == 1
    assert not imported.new and not imported.updated and not imported.conflicting
    assert len(guids(col)) == 30


def test_one_note_twice_in_the_state_file_is_an_error(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok(build_into(course, out, now=T1))
    lock = out / "ankigen.lock"
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    note_line = next(i for i, line in enumerate(lines) if line.startswith('"fx-capital"'))
    lines.insert(note_line + 1, lines[note_line].rstrip("\n").rstrip(",") + ",\n")
    lock.write_text("".join(lines), encoding="utf-8")

    result = build_into(course, out, now=T2)

    assert not result.ok
    assert [d.code for d in result.diagnostics.errors] == ["state-malformed"]
    assert "written twice" in result.diagnostics.errors[0].message


def test_a_build_stopped_between_state_and_package_is_caught_up(
    course: Path, tmp_path: Path, col: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build_and_import(col, course, out, now=T1)
    edit(course / CARDS, "Paris.", "Paris, the capital.")

    real_replace = Path.replace

    def stop_before_the_package(self: Path, target: Path) -> Path:  # type: ignore[override]
        if str(target).endswith(".apkg"):
            raise KeyboardInterrupt  # the build dies here: state written, package not moved
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", stop_before_the_package)
    with pytest.raises(KeyboardInterrupt):
        build_into(course, out, now=T2)
    monkeypatch.undo()
    assert not [p for p in out.iterdir() if TEMPORARY.match(p.name)]

    # The state is ahead of the package; the next build compares with the package in place.
    result, imported = build_and_import(col, course, out, now=T3)
    assert result.plan is not None
    assert result.plan.summary()["changed"] == 1
    assert imported.updated == {"fx-capital"}
    assert not imported.new and not imported.conflicting


def test_source_date_epoch_that_is_not_a_time_is_an_error(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = build(BuildConfig(content=course, out_dir=tmp_path / "out", jobs=1))
    assert not result.ok
    assert [d.code for d in result.diagnostics.errors] == ["bad-source-date-epoch"]


# --- the machine -----------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    """The files of an output folder, without the build cache (speed only, never output)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and FOLDER not in p.relative_to(folder).parts
    }


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


@pytest.fixture
def built(course: Path, tmp_path: Path) -> Path:
    """The course built once, its package in tmp_path/out and its state file in the course."""
    out = tmp_path / "out"
    code, err = cli(str(course), "--out", str(out))
    assert code == 0, err
    return out


def deny_writes(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `folder` read-only: with permission bits, or, for root (whom they do not stop), by
    failing every file creation in it as the system would."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return
    real = tempfile.mkstemp

    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        where = kwargs.get("dir")
        if where is not None and Path(str(where)).resolve() == folder.resolve():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(where))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def test_read_only_output_folder(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    deny_writes(out, monkeypatch)
    code, err = cli(str(course), "--out", str(out))
    out.chmod(0o755)
    assert code == 1
    assert f"{out / 'fixture-course.apkg'}: error: cannot write the package" in err
    assert "Permission denied" in err
    assert list(out.iterdir()) == []
    assert not (course / "ankigen.lock").exists()


def test_read_only_content_folder(
    course: Path, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(course / CARDS, "Paris.", "Paris, still.")
    before = snapshot(built) | {"lock": (course / "ankigen.lock").read_bytes()}
    deny_writes(course, monkeypatch)
    code, err = cli(str(course), "--out", str(built))
    course.chmod(0o755)
    assert code == 1
    assert "ankigen.lock: error: cannot write the state file: Permission denied" in err
    assert snapshot(built) | {"lock": (course / "ankigen.lock").read_bytes()} == before


def test_read_only_content_folder_builds_when_nothing_changed(
    course: Path, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deny_writes(course, monkeypatch)
    code, err = cli(str(course), "--out", str(built))
    course.chmod(0o755)
    assert code == 0, err


def test_output_path_is_a_folder(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "fixture-course.apkg").mkdir(parents=True)
    code, err = cli(str(course), "--out", str(out))
    assert code == 1
    assert "fixture-course.apkg: error: is a folder" in err
    assert not (course / "ankigen.lock").exists()


def test_disk_full_leaves_the_previous_package(
    course: Path, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(course / CARDS, "Paris.", "Paris, full disk.")
    before = snapshot(built) | {"lock": (course / "ankigen.lock").read_bytes()}

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(package_module, "write_zip", full)
    code, err = cli(str(course), "--out", str(built))
    monkeypatch.undo()
    assert code == 1
    assert "error: cannot write the package: No space left on device" in err
    assert snapshot(built) | {"lock": (course / "ankigen.lock").read_bytes()} == before


def test_a_symlinked_package_stays_a_symlink(course: Path, tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "shared"
    out.mkdir()
    elsewhere.mkdir()
    (elsewhere / "deck.apkg").write_bytes(b"old")
    (out / "fixture-course.apkg").symlink_to(elsewhere / "deck.apkg")
    code, err = cli(str(course), "--out", str(out))
    assert code == 0, err
    assert (out / "fixture-course.apkg").is_symlink()
    assert zipfile.is_zipfile(elsewhere / "deck.apkg")


def test_stale_temporaries_of_a_killed_build_are_removed(course: Path, built: Path) -> None:
    stale = [
        built / ".fixture-course.apkg.k1ll3d_x.ankigen-tmp",
        course / ".ankigen.lock.zz9.ankigen-tmp",
    ]
    for path in stale:
        path.write_bytes(b"half")
    keep = built / "notes.txt"
    keep.write_text("mine", encoding="utf-8")
    code, err = cli(str(course), "--out", str(built))
    assert code == 0, err
    assert not any(path.exists() for path in stale)
    assert keep.read_text(encoding="utf-8") == "mine"


def hold_lock(
    content: str,
    ready: multiprocessing.synchronize.Event,
    release: multiprocessing.synchronize.Event,
) -> None:  # type: ignore[name-defined]
    with course_lock(Path(content), timeout=5):
        ready.set()
        release.wait(30)


def test_one_build_at_a_time(course: Path, tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=hold_lock, args=(str(course), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        config = BuildConfig(content=course, out_dir=tmp_path / "out", jobs=1, lock_timeout=0.3)
        started = time.monotonic()
        waited = build(config)
        assert time.monotonic() - started >= 0.3
        assert not waited.ok
        assert [d.code for d in waited.diagnostics.errors] == ["build-locked"]
        assert not (tmp_path / "out").exists()
    finally:
        release.set()
        holder.join(30)
    assert ok(build(BuildConfig(content=course, out_dir=tmp_path / "out", jobs=1))).output
