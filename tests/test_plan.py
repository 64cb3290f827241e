"""The change plan and the state file, without Anki: what each build says and stamps.

Anki applies an incoming note only when its `mod` is newer, so these tests pin the times and ids
the plan hands out, what the CLI reports about them, and the guards around the state file.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.anki import state
from generator.anki.notetypes import PACKAGED, FieldSpec, NoteType, Templates
from generator.anki.plan import REMOVED_TAG, Status
from generator.cli import main
from generator.config import BuildConfig
from generator.diagnostics import Diagnostics
from generator.kinds import REGISTRY, Registry
from generator.kinds.reveal import RevealNote
from generator.pipeline import BuildResult, build
from tests.conftest import build_into
from tests.package_rows import read_rows

T1, T2, T3, T4, T5 = (1_800_000_000 + day * 86_400 for day in range(5))
OPTICS, SOUND = "Fixture Course::Optics", "Fixture Course::Sound"
CSS_MARKER = ".ak-plan-marker{color:#abcdef}"
TEMPLATE_MARKER = '<div class="ak-plan-marker"></div>'
NEW_CARD = "\n### What is a prism? <!-- id: op-prism -->\n\nGlass that splits light.\n"
# Two lessons of plain cards next to the fixture course, so that removing or moving one card
# touches exactly one note whatever else the fixture grows.
OPTICS_LESSON = """\
# Optics

### What is a lens? <!-- id: op-lens -->

A curved piece of glass.

### What is a mirror? <!-- id: op-mirror -->

A surface that reflects light.
"""
SOUND_LESSON = """\
# Sound

### What is an echo? <!-- id: op-echo -->

A reflected sound.
"""


# --- helpers ----------------------------------------------------------------------------------


def lock_path(out: Path) -> Path:
    return out / "ankigen.lock"


def package(out: Path) -> Path:
    return out / "fixture-course.apkg"


def load_lock(out: Path) -> state.State:
    diags = Diagnostics()
    loaded = state.load(lock_path(out), "lock", diags)
    assert not diags.items
    return loaded


def ok(result: BuildResult) -> BuildResult:
    assert result.output is not None, [d.format() for d in result.diagnostics.sorted()]
    assert result.plan is not None
    return result


def cli_build(
    monkeypatch: pytest.MonkeyPatch, course: Path, out: Path, now: int, *options: str
) -> Result:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(now))
    args = ["build", str(course), "--out", str(out), "--lock", str(lock_path(out)), "-j", "1"]
    return CliRunner().invoke(main, [*args, *options])


def summary_line(new: int, changed: int, unchanged: int, removed: int, moved: int) -> str:
    return (
        f"changes: {new} new, {changed} changed, {unchanged} unchanged, {removed} removed, "
        f"{moved} moved to another deck"
    )


def ids_with(result: BuildResult, status: Status) -> list[str]:
    assert result.plan is not None
    return [change.id for change in result.plan.changes if change.status is status]


def package_notes(apkg: Path) -> dict[str, tuple[int, int, str]]:
    """ID field → (note id, mod, tags) as the package holds them."""
    with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "collection.anki2"
        db.write_bytes(archive.read("collection.anki2"))
        conn = sqlite3.connect(db)
        try:
            models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
            rows = conn.execute("SELECT id, mid, mod, flds, tags FROM notes").fetchall()
        finally:
            conn.close()
    notes = {}
    for nid, mid, mod, flds, tags in rows:
        names = [f["name"] for f in models[str(mid)]["flds"]]
        fields = dict(zip(names, flds.split("\x1f"), strict=True))
        notes[fields["ID"]] = (nid, mod, tags)
    return notes


def package_model_mods(apkg: Path) -> dict[str, int]:
    with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "collection.anki2"
        db.write_bytes(archive.read("collection.anki2"))
        conn = sqlite3.connect(db)
        try:
            models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
        finally:
            conn.close()
    return {model["name"]: model["mod"] for model in models.values()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def cut_block(path: Path, heading: str) -> str:
    """Remove the `###` card starting with `heading` from a lesson; returns its text."""
    text = path.read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(heading)}.*?(?=^#{{2,3}} |\Z)", text, re.M | re.S)
    assert match, heading
    path.write_text(text[: match.start()] + text[match.end() :], encoding="utf-8")
    return match.group(0)


def optics(course: Path) -> Path:
    return course / "30-optics" / "optics.md"


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def remove_mirror(course: Path) -> None:
    cut_block(optics(course), "### What is a mirror?")


def move_echo(course: Path) -> None:
    block = cut_block(course / "40-sound" / "sound.md", "### What is an echo?")
    path = optics(course)
    path.write_text(path.read_text(encoding="utf-8") + "\n" + block, encoding="utf-8")


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


@pytest.fixture
def lessons(course: Path) -> Path:
    """The fixture course plus two small lessons in their own decks."""
    for rel, text in (("30-optics/optics.md", OPTICS_LESSON), ("40-sound/sound.md", SOUND_LESSON)):
        (course / rel).parent.mkdir()
        (course / rel).write_text(text, encoding="utf-8")
    return course


# --- the plan --------------------------------------------------------------------------------


def test_first_build_is_all_new(
    lessons: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    result = cli_build(monkeypatch, lessons, out, T1)
    assert result.exit_code == 0, result.output
    lock = load_lock(out)
    count = len(lock.notes)
    assert count >= 12
    assert summary_line(count, 0, 0, 0, 0) in result.stdout.splitlines()
    assert {note.mod for note in lock.notes.values()} == {T1}
    assert {nt.mod for nt in lock.note_types.values()} == {T1}
    nids = sorted(note.nid for note in lock.notes.values())
    assert len(set(nids)) == count and nids[0] >= T1 * 1000
    assert all(b - a >= 1000 for a, b in itertools.pairwise(nids))
    assert not any(note.removed for note in lock.notes.values())
    assert lock.namespace == "fixture-course-1"
    assert lock.notes["op-echo"].deck == SOUND


def test_unchanged_rebuild_changes_no_byte(
    lessons: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert cli_build(monkeypatch, lessons, out, T1).exit_code == 0
    before = snapshot(out)
    assert set(before) == {"ankigen.lock", "fixture-course.apkg"}
    count = len(load_lock(out).notes)
    for now in (T2, T1, T1 - 86_400):
        result = cli_build(monkeypatch, lessons, out, now)
        assert result.exit_code == 0, result.output
        assert summary_line(0, 0, count, 0, 0) in result.stdout.splitlines()
        assert snapshot(out) == before, f"bytes changed on an unchanged rebuild at {now}"


EDITS = {
    "fixture-card": ("10-basics/cards.md", "Paris.", "Paris, on the Seine.", "fx-capital"),
    "plain-card": ("30-optics/optics.md", "A curved piece of glass.", "A curved glass.", "op-lens"),
}


@pytest.mark.parametrize("now", [T2, T1, T1 - 86_400], ids=["later", "same-time", "earlier"])
@pytest.mark.parametrize("case", EDITS)
def test_an_edit_changes_exactly_that_note(
    lessons: Path, tmp_path: Path, now: int, case: str
) -> None:
    lesson, old, new, note_id = EDITS[case]
    out = tmp_path / "out"
    ok(build_into(lessons, out, now=T1))
    before = load_lock(out)
    edit(lessons / lesson, old, new)

    result = ok(build_into(lessons, out, now=now))

    assert ids_with(result, Status.CHANGED) == [note_id]
    assert not ids_with(result, Status.NEW) and not ids_with(result, Status.REMOVED)
    assert len(ids_with(result, Status.UNCHANGED)) == len(before.notes) - 1
    after = load_lock(out)
    assert after.notes.keys() == before.notes.keys()
    edited, was = after.notes[note_id], before.notes[note_id]
    assert edited.mod > was.mod
    assert edited.mod == max(now, was.mod + 1)
    assert edited.nid == was.nid and edited.guid == was.guid
    assert edited.hash != was.hash
    for other, note in before.notes.items():
        if other != note_id:
            assert after.notes[other] == note, other
    assert after.note_types == before.note_types
    # The package carries the lock's ids and times.
    packaged = package_notes(package(out))
    assert {k: (nid, mod) for k, (nid, mod, _) in packaged.items()} == {
        k: (v.nid, v.mod) for k, v in after.notes.items()
    }

    # A second edit in the same second still moves the time forward.
    edit(lessons / lesson, new, new + " Really.")
    again = ok(build_into(lessons, out, now=now))
    assert ids_with(again, Status.CHANGED) == [note_id]
    assert load_lock(out).notes[note_id].mod == max(now, edited.mod + 1)


def test_new_notes_get_fresh_note_ids(lessons: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok(build_into(lessons, out, now=T1))
    before = load_lock(out)
    path = optics(lessons)
    path.write_text(
        path.read_text(encoding="utf-8")
        + NEW_CARD
        + "\n### What is a filter? <!-- id: op-filter -->\n\nGlass that lets one colour pass.\n",
        encoding="utf-8",
    )

    # A clock that went backwards must not hand out an id that is already taken.
    result = ok(build_into(lessons, out, now=T1 - 86_400))

    assert ids_with(result, Status.NEW) == ["op-prism", "op-filter"]
    after = load_lock(out)
    used = {note.nid for note in before.notes.values()}
    fresh = [after.notes["op-prism"].nid, after.notes["op-filter"].nid]
    assert fresh[0] != fresh[1]
    assert all(nid > max(used) for nid in fresh)
    # Card ids are note id + ordinal: keep whole blocks of ids apart.
    assert all(abs(a - b) >= 1000 for a in fresh for b in used | {*fresh} if a != b)
    assert {k: v.nid for k, v in after.notes.items() if k in before.notes} == {
        k: v.nid for k, v in before.notes.items()
    }
    # Nor a time earlier than one already given to Anki.
    assert after.notes["op-prism"].mod == T1


def test_a_new_note_never_reuses_a_forgotten_note_id(
    lessons: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--forget-removed` drops a note from the lock; its id must still never come back."""
    out = tmp_path / "out"
    ok(build_into(lessons, out, now=T1))
    path = optics(lessons)
    original = path.read_text(encoding="utf-8")
    path.write_text(original + NEW_CARD, encoding="utf-8")
    ok(build_into(lessons, out, now=T1 + 1))
    ever = {note.nid for note in load_lock(out).notes.values()}
    # Added last, so it holds the highest note id.
    assert load_lock(out).notes["op-prism"].nid == max(ever)
    path.write_text(original, encoding="utf-8")
    ok(build_into(lessons, out, now=T1 + 2))
    assert load_lock(out).notes["op-prism"].removed
    assert cli_build(monkeypatch, lessons, out, T1 + 3, "--forget-removed").exit_code == 0
    assert "op-prism" not in load_lock(out).notes
    path.write_text(
        original + "\n### What is a filter? <!-- id: op-filter -->\n\nA coloured glass.\n",
        encoding="utf-8",
    )

    result = ok(build_into(lessons, out, now=T1 + 4))

    assert ids_with(result, Status.NEW) == ["op-filter"]
    assert load_lock(out).notes["op-filter"].nid not in ever


# --- what the CLI says -----------------------------------------------------------------------


def test_verbose_lists_new_changed_and_removed_notes(
    lessons: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert cli_build(monkeypatch, lessons, out, T1).exit_code == 0
    count = len(load_lock(out).notes)
    path = optics(lessons)
    edit(path, "A curved piece of glass.", "A curved glass.")
    path.write_text(path.read_text(encoding="utf-8") + NEW_CARD, encoding="utf-8")
    remove_mirror(lessons)

    result = cli_build(monkeypatch, lessons, out, T2, "--verbose")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("  ")] == [
        f"  changed   {path}:{line_of(path, 'op-lens')}  op-lens",
        f"  new       {path}:{line_of(path, 'op-prism')}  op-prism",
        f"  removed   (was in {OPTICS})  op-mirror",
    ]
    assert summary_line(1, 1, count - 2, 1, 0) in lines
    assert any(f'"tag:{REMOVED_TAG}"' in line for line in lines)
    # Without --verbose the summary stays, the list goes.
    quiet = cli_build(monkeypatch, lessons, out, T3)
    assert not [line for line in quiet.stdout.splitlines() if line.startswith("  ")]
    assert summary_line(0, 0, count, 1, 0) in quiet.stdout.splitlines()


def test_json_output(lessons: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert cli_build(monkeypatch, lessons, out, T1).exit_code == 0
    edit(optics(lessons), "A curved piece of glass.", "A curved glass.")
    move_echo(lessons)

    result = cli_build(monkeypatch, lessons, out, T2, "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"changes", "notes", "decks", "diagnostics"} <= data.keys()
    count = len(data["notes"])
    assert data["changes"] == {
        "new": 0,
        "changed": 2,
        "unchanged": count - 2,
        "removed": 0,
        "moved": 1,
    }
    for entry in data["notes"]:
        assert {"status", "id", "path", "line", "deck", "old_deck"} <= entry.keys()
    by_id = {entry["id"]: entry for entry in data["notes"]}
    lens = by_id["op-lens"]
    assert (lens["status"], lens["path"], lens["deck"], lens["old_deck"]) == (
        "changed",
        str(optics(lessons)),
        OPTICS,
        None,
    )
    assert lens["line"] == line_of(optics(lessons), "op-lens")
    echo = by_id["op-echo"]
    assert (echo["status"], echo["deck"], echo["old_deck"]) == ("changed", OPTICS, SOUND)
    assert by_id["op-mirror"]["status"] == "unchanged"
    assert by_id["op-mirror"]["old_deck"] is None
    assert {entry["status"] for entry in data["notes"]} == {"changed", "unchanged"}
    assert OPTICS in data["decks"] and SOUND not in data["decks"]
    assert sum(sum(per_type.values()) for per_type in data["decks"].values()) == count
    moved = [d for d in data["diagnostics"] if "moved from deck" in d["message"]]
    assert len(moved) == 1 and moved[0]["severity"] == "warning"
    assert {"path", "line", "severity", "message"} <= moved[0].keys()

    # A failing build is JSON too, with its errors.
    edit(lessons / "_index.md", "namespace: fixture-course-1", "namespace: other")
    failed = cli_build(monkeypatch, lessons, out, T3, "--json")
    assert failed.exit_code == 1
    report = json.loads(failed.stdout)
    assert any(d["severity"] == "error" for d in report["diagnostics"])


def test_dry_run_writes_nothing(
    lessons: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    first = cli_build(monkeypatch, lessons, out, T1, "--dry-run")
    assert first.exit_code == 0, first.output
    assert "dry run: nothing written" in first.stdout
    assert not package(out).exists() and not lock_path(out).exists()
    assert not (lessons / "ankigen.lock").exists()

    assert cli_build(monkeypatch, lessons, out, T1).exit_code == 0
    before = snapshot(out)
    count = len(load_lock(out).notes)
    edit(optics(lessons), "A curved piece of glass.", "A curved glass.")
    remove_mirror(lessons)

    result = cli_build(monkeypatch, lessons, out, T2, "--dry-run", "--verbose")

    assert result.exit_code == 0, result.output
    assert summary_line(0, 1, count - 2, 1, 0) in result.stdout.splitlines()
    assert "  changed   " in result.stdout
    assert snapshot(out) == before
    # The real build afterwards still sees the same plan: the dry run recorded nothing.
    real = ok(build_into(lessons, out, now=T2))
    assert ids_with(real, Status.CHANGED) == ["op-lens"]
    assert ids_with(real, Status.REMOVED) == ["op-mirror"]


# --- removed notes ---------------------------------------------------------------------------


def test_removed_note_is_packaged_once_more_then_forgotten(
    lessons: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    ok(build_into(lessons, out, now=T1))
    rows = read_rows(package(out))["notes"]
    original = next(n for n in rows if n["fields"]["ID"] == "op-mirror")
    was = load_lock(out).notes["op-mirror"]
    remove_mirror(lessons)

    second = ok(build_into(lessons, out, now=T2))

    assert ids_with(second, Status.REMOVED) == ["op-mirror"]
    assert second.plan is not None
    (change,) = [c for c in second.plan.changes if c.status is Status.REMOVED]
    assert change.first_removal and change.deck == OPTICS
    assert not [d for d in second.diagnostics.items if "op-mirror" in d.message]
    rows = [n for n in read_rows(package(out))["notes"] if n["fields"]["ID"] == "op-mirror"]
    assert len(rows) == 1
    assert rows[0]["fields"] == original["fields"]
    assert rows[0]["guid"] == original["guid"] and rows[0]["deck"] == original["deck"]
    assert rows[0]["tags"] == sorted({*original["tags"], REMOVED_TAG})
    tomb = load_lock(out).notes["op-mirror"]
    assert tomb.removed and tomb.nid == was.nid and tomb.guid == was.guid
    assert tomb.mod == T2 > was.mod
    assert package_notes(package(out))["op-mirror"][:2] == (was.nid, T2)
    second_bytes = package(out).read_bytes()

    # Later builds keep packaging it, unchanged: Anki sees nothing new.
    third = ok(build_into(lessons, out, now=T3))
    assert ids_with(third, Status.REMOVED) == ["op-mirror"]
    assert third.plan is not None
    assert not [c for c in third.plan.changes if c.first_removal]
    assert load_lock(out).notes["op-mirror"] == tomb
    assert package(out).read_bytes() == second_bytes

    result = cli_build(monkeypatch, lessons, out, T4, "--forget-removed")

    assert result.exit_code == 0, result.output
    count = len(load_lock(out).notes)
    assert summary_line(0, 0, count, 0, 0) in result.stdout.splitlines()
    assert "op-mirror" not in load_lock(out).notes
    assert "op-mirror" not in package_notes(package(out))
    assert original["guid"] not in {n["guid"] for n in read_rows(package(out))["notes"]}
    # Forgotten stays forgotten.
    assert cli_build(monkeypatch, lessons, out, T5).exit_code == 0
    assert "op-mirror" not in load_lock(out).notes


def test_cli_says_how_to_clean_up_removed_notes(
    lessons: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert cli_build(monkeypatch, lessons, out, T1).exit_code == 0
    remove_mirror(lessons)
    result = cli_build(monkeypatch, lessons, out, T2)
    assert result.exit_code == 0, result.output
    message = next(line for line in result.stdout.splitlines() if "removed note(s)" in line)
    assert f'"tag:{REMOVED_TAG}"' in message and "--forget-removed" in message
    assert message.startswith("1 removed note(s) go into this package")


def test_a_renamed_course_deck_keeps_tracking_removed_notes(
    lessons: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    ok(build_into(lessons, out, now=T1))
    original = next(n for n in read_rows(package(out))["notes"] if n["fields"]["ID"] == "op-mirror")
    index = lessons / "_index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("deck: Fixture Course", "deck: Renamed"),
        encoding="utf-8",
    )
    remove_mirror(lessons)

    for now in (T2, T3):  # the build that renames and removes, and every later one
        result = cli_build(monkeypatch, lessons, out, now)
        assert result.exit_code == 0, result.output
        renamed = out / "renamed.apkg"
        rows = [n for n in read_rows(renamed)["notes"] if n["fields"]["ID"] == "op-mirror"]
        assert len(rows) == 1 and rows[0]["guid"] == original["guid"]
        assert REMOVED_TAG in rows[0]["tags"]
        assert "not in the previous package" not in result.output
        advice = [line for line in result.stdout.splitlines() if "removed note(s)" in line]
        assert len(advice) == 1 and advice[0].startswith("1 removed note(s) go into this package")
        assert load_lock(out).package == "renamed.apkg"
    assert not package(out).exists()


def test_removed_notes_not_packaged_are_not_said_to_be_tagged(
    lessons: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    ok(build_into(lessons, out, now=T1))
    package(out).unlink()
    remove_mirror(lessons)
    for now in (T2, T3):
        result = cli_build(monkeypatch, lessons, out, now)
        assert result.exit_code == 0, result.output
        lines = [line for line in result.stdout.splitlines() if "removed note(s)" in line]
        assert len(lines) == 1 and "not in this package" in lines[0]
        assert '"ID:op-mirror"' in lines[0] and "tagged ankigen::removed:" not in lines[0]


def test_restored_note_comes_back_as_changed(lessons: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok(build_into(lessons, out, now=T1))
    was = load_lock(out).notes["op-mirror"]
    original = optics(lessons).read_text(encoding="utf-8")
    remove_mirror(lessons)
    ok(build_into(lessons, out, now=T2))
    optics(lessons).write_text(original, encoding="utf-8")

    result = ok(build_into(lessons, out, now=T3))

    assert ids_with(result, Status.CHANGED) == ["op-mirror"]
    back = load_lock(out).notes["op-mirror"]
    assert not back.removed and back.nid == was.nid and back.mod == T3
    assert REMOVED_TAG not in package_notes(package(out))["op-mirror"][2].split()


def test_removed_note_without_previous_package_warns(lessons: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok(build_into(lessons, out, now=T1))
    package(out).unlink()
    remove_mirror(lessons)

    result = ok(build_into(lessons, out, now=T2))

    assert ids_with(result, Status.REMOVED) == ["op-mirror"]
    warnings = [d.message for d in result.diagnostics.warnings if "op-mirror" in d.message]
    assert len(warnings) == 1
    assert "'op-mirror'" in warnings[0] and '"ID:op-mirror"' in warnings[0]
    assert not result.diagnostics.errors
    assert "op-mirror" not in package_notes(package(out))
    assert load_lock(out).notes["op-mirror"].removed


def test_deck_move_warns_with_the_browser_search(lessons: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok(build_into(lessons, out, now=T1))
    move_echo(lessons)

    result = ok(build_into(lessons, out, now=T2))

    assert result.plan is not None
    assert [(c.id, c.old_deck, c.deck) for c in result.plan.moved] == [("op-echo", SOUND, OPTICS)]
    (warning,) = [d for d in result.diagnostics.warnings if "moved from deck" in d.message]
    assert f'"deck:{SOUND}"' in warning.message
    assert '"ID:op-echo"' in warning.message
    assert f"'{OPTICS}'" in warning.message and "Change Deck" in warning.message
    assert warning.path == str(optics(lessons))
    assert warning.line == line_of(optics(lessons), "op-echo")
    assert load_lock(out).notes["op-echo"].deck == OPTICS
    assert load_lock(out).notes["op-echo"].anki_deck == SOUND
    # Anki still holds the cards in the old deck: the next build says so again ...
    again = ok(build_into(lessons, out, now=T3))
    assert again.plan is not None
    assert [(c.id, c.old_deck) for c in again.plan.moved] == [("op-echo", SOUND)]
    assert [d for d in again.diagnostics.warnings if "moved from deck" in d.message]
    # ... until the learner says the cards were moved.
    done = ok(build_into(lessons, out, now=T4, forget_moved=True))
    assert done.plan is not None and not done.plan.moved
    assert load_lock(out).notes["op-echo"].anki_deck == ""
    after = ok(build_into(lessons, out, now=T4 + 1))
    assert after.plan is not None and not after.plan.moved
    assert not [d for d in after.diagnostics.warnings if "moved from deck" in d.message]


# --- the state file --------------------------------------------------------------------------


def test_lock_file_is_stable_and_diffable(course: Path, tmp_path: Path) -> None:
    cards = course / "10-basics" / "cards.md"
    cards.write_text(
        cards.read_text(encoding="utf-8")
        + "\n### Upper case <!-- id: AAA-upper -->\n\nSorted by code point.\n"
        + "\n### Last by name <!-- id: zz-last -->\n\nSorted last.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    ok(build_into(course, out, now=T1))
    text = lock_path(out).read_text(encoding="utf-8")

    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "\r" not in text
    data = json.loads(text)
    lines = text.splitlines()
    start = lines.index('"notes": {')
    note_lines = lines[start + 1 : lines.index("}", start)]
    assert len(note_lines) == len(data["notes"])
    keys = []
    for index, line in enumerate(note_lines):
        entry = line.removesuffix(",") if index < len(note_lines) - 1 else line
        assert line.endswith(",") == (index < len(note_lines) - 1)
        (key, value), *rest = json.loads("{" + entry + "}").items()
        assert not rest
        assert entry == f"{json.dumps(key, ensure_ascii=False)}: " + json.dumps(
            value, sort_keys=True, ensure_ascii=False
        )
        keys.append(key)
    assert keys == sorted(keys) == sorted(data["notes"])
    assert keys[-1] == "zz-last" and "AAA-upper" in keys
    assert state.dumps(load_lock(out)) == text

    # The same sources at the same time give the same bytes, wherever they are built.
    ok(build_into(course, tmp_path / "elsewhere", now=T1))
    assert lock_path(tmp_path / "elsewhere").read_text(encoding="utf-8") == text


def corrupt(text: str, how: str) -> str:
    first_note = text.index('"notes": {')
    head, notes = text[:first_note], text[first_note:]
    changes: dict[str, Callable[[], str]] = {
        "truncated": lambda: text[: len(text) // 2],
        "not-json": lambda: "this is not json\n",
        "null": lambda: "null\n",
        "list": lambda: "[]\n",
        "version": lambda: re.sub(r'"version": \d+,', '"version": 99,', text, count=1),
        "no-namespace": lambda: re.sub(r'"namespace": "[^"]*",\n', "", text, count=1),
        "notes-list": lambda: head + '"notes": []\n}\n',
        "extra-key": lambda: head + re.sub(r'("nid": \d+)', r'\1, "x": 1', notes, count=1),
        "nid-text": lambda: head + re.sub(r'"nid": (\d+)', r'"nid": "\1"', notes, count=1),
        "mod-text": lambda: head + re.sub(r'"mod": (\d+)', r'"mod": "soon"', notes, count=1),
        "removed-text": lambda: (
            head + re.sub(r'("nid": \d+)', r'\1, "removed": "no"', notes, count=1)
        ),
        "cards-number": lambda: head + re.sub(r'("nid": \d+)', r'\1, "cards": 0', notes, count=1),
    }
    return changes[how]()


@pytest.mark.parametrize(
    "how",
    [
        "truncated",
        "not-json",
        "null",
        "list",
        "version",
        "no-namespace",
        "notes-list",
        "extra-key",
        "nid-text",
        "mod-text",
        "removed-text",
        "cards-number",
    ],
)
def test_malformed_lock_is_a_clean_error(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    out = tmp_path / "out"
    ok(build_into(course, out, now=T1))
    lock = lock_path(out)
    lock.write_text(corrupt(lock.read_text(encoding="utf-8"), how), encoding="utf-8")
    before = snapshot(out)

    result = cli_build(monkeypatch, course, out, T2)

    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(rf"^{re.escape(str(lock))}:[1-9]\d*: error: ", result.stderr, re.M), (
        result.stderr
    )
    assert snapshot(out) == before


def test_changed_namespace_is_an_error(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    ok(build_into(course, out, now=T1))
    before = snapshot(out)
    edit(course / "_index.md", "namespace: fixture-course-1", "namespace: fixture-course-2")

    result = cli_build(monkeypatch, course, out, T2)

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(
        rf"^{re.escape(str(lock_path(out)))}(:\d+)?: error: .*namespace changed from "
        "'fixture-course-1' to 'fixture-course-2'",
        result.stderr,
        re.M,
    ), result.stderr
    assert snapshot(out) == before


# --- note types ------------------------------------------------------------------------------


def with_field(note_type: NoteType, index: int, **changes: object) -> NoteType:
    fields = list(note_type.fields)
    fields[index] = dataclasses.replace(fields[index], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(note_type, fields=tuple(fields))


def schema_change(how: str, monkeypatch: pytest.MonkeyPatch) -> Registry:
    reveal = REGISTRY.note_type("reveal")
    if how == "rename-field":
        changed = with_field(reveal, 2, name="Tip")
    elif how == "renumber-field":
        changed = with_field(reveal, 2, id=reveal.fields[2].id + 77)
    elif how == "rename-template":
        changed = dataclasses.replace(reveal, template_name="Reveal 2")
    else:
        extra = FieldSpec("Later", reveal.fields[-1].id + 1)
        changed = dataclasses.replace(reveal, fields=(*reveal.fields, extra))
        if how == "add-field":
            # As a developer would: the renderer fills the new field too.
            render = RevealNote.render
            monkeypatch.setattr(RevealNote, "render", lambda self, md: (*render(self, md), ""))
    return REGISTRY.with_note_types(changed)


@pytest.mark.parametrize(
    "how",
    ["rename-field", "renumber-field", "rename-template", "add-field", "add-field-to-type-only"],
)
def test_note_type_schema_is_frozen(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    out = tmp_path / "out"
    ok(build_into(course, out, now=T1))
    before = snapshot(out)
    registry = schema_change(how, monkeypatch)

    result = build_into(course, out, now=T2, registry=registry)

    assert not result.ok
    lines = [d.format() for d in result.diagnostics.sorted()]
    assert any(
        re.match(
            rf"^{re.escape(str(lock_path(out)))}(:\d+)?: error: the schema of note type "
            "'ankigen Reveal' changed",
            line,
        )
        for line in lines
    ), lines
    assert snapshot(out) == before


def edited_templates(folder: Path, *edits: str) -> Registry:
    """A registry whose templates are a copy in `folder` with `edits` made: 'css' changes the
    stylesheet, 'reveal' the reveal card's back."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(Path(str(PACKAGED.root)), folder)
    for what in edits:
        if what == "css":
            with (folder / "base.css").open("a", encoding="utf-8") as css:
                css.write("\n" + CSS_MARKER + "\n")
        if what == "reveal":
            back = folder / "reveal" / "back.html"
            back.write_text(TEMPLATE_MARKER + back.read_text(encoding="utf-8"), encoding="utf-8")
    return REGISTRY.with_templates(Templates.at(folder))


@pytest.mark.parametrize("now", [T2, T1 - 86_400], ids=["later", "earlier"])
def test_template_changes_advance_only_note_type_times(
    course: Path, tmp_path: Path, now: int
) -> None:
    out = tmp_path / "out"
    ok(build_into(course, out, now=T1))
    old = load_lock(out)
    name = {key: nt.name for key, nt in old.note_types.items()}

    # One note type's template: only that type moves.
    reveal = edited_templates(tmp_path / "templates-reveal", "reveal")
    result = ok(build_into(course, out, now=now, registry=reveal))
    assert len(ids_with(result, Status.UNCHANGED)) == len(old.notes)
    after = load_lock(out)
    assert after.notes == old.notes
    assert after.note_types["reveal"].mod == max(now, T1 + 1)
    assert after.note_types["reveal"].hash != old.note_types["reveal"].hash
    for key in old.note_types.keys() - {"reveal"}:
        assert after.note_types[key] == old.note_types[key]
    mods = package_model_mods(package(out))
    used = {note.note_type for note in result.notes}
    assert {key: mods[name[key]] for key in used} == {
        key: nt.mod for key, nt in after.note_types.items() if key in used
    }

    # The same templates again: nothing moves.
    ok(build_into(course, out, now=now + 86_400, registry=reveal))
    assert load_lock(out) == after

    # The stylesheet is shared by every note type: all of them move, no note does.
    both = edited_templates(tmp_path / "templates-both", "reveal", "css")
    later = now + 2 * 86_400
    ok(build_into(course, out, now=later, registry=both))
    css = load_lock(out)
    assert css.notes == old.notes
    for key, nt in css.note_types.items():
        assert nt.mod == max(later, after.note_types[key].mod + 1)
        assert nt.hash != after.note_types[key].hash


def test_unchanged_templates_keep_note_type_times(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok(build_into(course, out, now=T1))
    old = load_lock(out)
    edit(course / "10-basics" / "cards.md", "Paris.", "Paris, on the Seine.")
    ok(build_into(course, out, now=T2))
    assert load_lock(out).note_types == old.note_types


def test_new_model_id_under_the_same_key_is_refused(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    ok(build_into(course, out, now=T1))
    before = snapshot(out)
    reveal = REGISTRY.note_type("reveal")
    registry = REGISTRY.with_note_types(dataclasses.replace(reveal, model_id=reveal.model_id + 1))

    result = build_into(course, out, now=T2, registry=registry)

    assert result.output is None
    assert any("model id" in d.message for d in result.diagnostics.errors), [
        d.format() for d in result.diagnostics.sorted()
    ]
    assert snapshot(out) == before


def test_replaced_note_type_prints_the_migration_once(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    ok(build_into(course, out, now=T1))
    old = load_lock(out)
    reveal = REGISTRY.note_type("reveal")
    successor = dataclasses.replace(
        reveal,
        key="reveal2",
        name="ankigen Reveal 2",
        model_id=1_731_004_299_001,
        replaces="reveal",
        migration="Reveal cards gained a field.",
    )
    registry = REGISTRY.with_note_types(successor, drop=["reveal"])
    monkeypatch.setattr(RevealNote, "note_type", "reveal2")

    result = ok(build_into(course, out, now=T2, registry=registry))

    (warning,) = [d for d in result.diagnostics.warnings if "replaced" in d.message]
    assert "'ankigen Reveal'" in warning.message and "'ankigen Reveal 2'" in warning.message
    assert "Reveal cards gained a field." in warning.message
    assert 'note:"ankigen Reveal"' in warning.message and "Change Note Type" in warning.message
    assert not result.diagnostics.errors
    new = load_lock(out)
    assert set(new.note_types) == (set(old.note_types) - {"reveal"}) | {"reveal2"}
    assert new.note_types["reveal2"].model_id == successor.model_id
    moved = {k for k, v in old.notes.items() if v.note_type == "reveal"}
    assert {k for k, v in new.notes.items() if v.note_type == "reveal2"} == moved
    assert all(new.notes[k].guid == old.notes[k].guid for k in moved)
    assert {m["name"] for m in read_rows(package(out))["note_types"]} >= {"ankigen Reveal 2"}

    again = ok(build_into(course, out, now=T3, registry=registry))
    assert not [d for d in again.diagnostics.warnings if "replaced" in d.message]


def test_library_dry_run_writes_nothing(course: Path, tmp_path: Path) -> None:
    """The library call honours dry_run the same way the CLI flag does."""
    out = tmp_path / "out"
    result = build(BuildConfig(content=course, out_dir=out, jobs=1, now=T1, dry_run=True))
    assert result.output is None and result.plan is not None
    assert not out.exists() and not (course / "ankigen.lock").exists()
