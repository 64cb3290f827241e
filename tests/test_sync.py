"""`ankigen sync` into a real collection file with the `anki` package: each thing it promises,
one scenario at a time (the sync campaign mixes them at random)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from click.testing import CliRunner

from generator.anki.plan import REMOVED_TAG
from generator.anki.state import load as load_state
from generator.cli import main
from generator.diagnostics import Diagnostics
from generator.render.media import extension_of, packaged_name
from generator.sync.connect import AnkiConnect
from generator.sync.plan import Action
from generator.sync.target import TargetError
from tests.anki_helpers import import_package
from tests.conftest import FIXTURES, build_into
from tests.lifecycle import edit, review_all, review_log, scheduling
from tests.sync_helpers import run_sync, sync_config
from tests.test_regeneration import changed_templates

pytestmark = pytest.mark.anki

T1, T2, T3, T4 = (1_800_000_000 + day * 86_400 for day in range(4))
CARDS = Path("10-basics") / "cards.md"
BASICS, MORE = "Fixture Course::Basics", "Fixture Course::More topics"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", target)
    return target


@pytest.fixture
def anki_file(tmp_path: Path) -> Path:
    path = tmp_path / "anki" / "collection.anki2"
    path.parent.mkdir()
    Collection(str(path)).close()
    return path


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


def sync(course: Path, out: Path, anki_file: Path, now: int, **options: object):  # type: ignore[no-untyped-def]
    return run_sync(sync_config(course, out, now=now, collection=anki_file, **options))  # type: ignore[arg-type]


def opened(path: Path) -> Iterator[Collection]:
    col = Collection(str(path))
    try:
        yield col
    finally:
        col.close()


def note_by_id(col: Collection, note_id: str):  # type: ignore[no-untyped-def]
    (nid,) = col.find_notes(f'"ID:{note_id}"')
    return col.get_note(nid)


def reviewed(path: Path) -> tuple[dict[int, tuple[object, ...]], list[tuple[object, ...]]]:
    for col in opened(path):
        review_all(col)
        return scheduling(col), review_log(col)
    raise AssertionError


def test_first_sync_adds_every_note_and_a_second_changes_nothing(
    course: Path, out: Path, anki_file: Path
) -> None:
    first = sync(course, out, anki_file, T1)
    assert first.plan is not None and first.plan.count(Action.ADD) == 30
    for col in opened(anki_file):
        assert len(col.find_notes("")) == 30
        decks = {d.name for d in col.decks.all_names_and_ids()}
        assert {BASICS, MORE} <= decks
        capital = note_by_id(col, "fx-capital")
        assert capital.mod == T1  # the package's time, as an import keeps it
    again = sync(course, out, anki_file, T2)
    assert again.plan is not None
    assert again.plan.summary()["unchanged"] == 30 and not again.plan.writes
    assert again.applied is not None and again.applied.backup == ""  # nothing written


def test_an_edit_updates_the_note_in_place_and_keeps_its_reviews(
    course: Path, out: Path, anki_file: Path
) -> None:
    sync(course, out, anki_file, T1)
    schedule, log = reviewed(anki_file)
    edit(course / CARDS, "Paris.", "Paris, on the Seine.")
    result = sync(course, out, anki_file, T2)
    assert result.plan is not None
    assert [s.id for s in result.plan.steps if s.action is Action.UPDATE] == ["fx-capital"]
    for col in opened(anki_file):
        assert "on the Seine" in note_by_id(col, "fx-capital")["Answer"]
        assert scheduling(col) == schedule and review_log(col) == log
        assert len(col.find_notes("")) == 30
    # Anki's own backup, made before writing (Anki names backups by the second).
    assert list((anki_file.parent / "backups").glob("backup-*.colpkg"))


def test_a_learner_edit_is_kept_shown_with_a_diff_and_replaced_only_with_force(
    course: Path, out: Path, anki_file: Path
) -> None:
    sync(course, out, anki_file, T1)
    for col in opened(anki_file):
        note = note_by_id(col, "fx-capital")
        note["Answer"] = "Paris (my mnemonic: P for Seine)."
        col.update_note(note)
    # Unchanged in the sources: the learner's edit stays, and is named.
    kept = sync(course, out, anki_file, T2)
    assert kept.plan is not None
    (conflict,) = [s for s in kept.plan.steps if s.action is Action.CONFLICT]
    assert conflict.id == "fx-capital"
    assert [(d.name, d.anki) for d in conflict.diff] == [
        ("Answer", "Paris (my mnemonic: P for Seine).")
    ]
    (warning,) = [d for d in kept.diagnostics.items if d.code == "edited-in-anki"]
    assert warning.path.endswith("cards.md") and warning.line > 0
    # Changed in the sources too: still kept.
    edit(course / CARDS, "Paris.", "Paris, on the Seine.")
    sync(course, out, anki_file, T3)
    for col in opened(anki_file):
        assert note_by_id(col, "fx-capital")["Answer"] == "Paris (my mnemonic: P for Seine)."
    # --force replaces it with the sources.
    forced = sync(course, out, anki_file, T4, force=True)
    assert forced.plan is not None and not forced.plan.count(Action.CONFLICT)
    for col in opened(anki_file):
        assert "on the Seine" in note_by_id(col, "fx-capital")["Answer"]
    # And then it is ankigen's again: no conflict on the next sync.
    after = sync(course, out, anki_file, T4 + 1)
    assert after.plan is not None and not after.plan.count(Action.CONFLICT)


def test_a_learner_edit_in_the_same_second_as_ankigen_is_still_an_edit(
    course: Path, out: Path, anki_file: Path
) -> None:
    sync(course, out, anki_file, T1)
    for col in opened(anki_file):
        note = note_by_id(col, "fx-capital")
        note["Answer"] = "Paris, mine."
        col.update_note(note)
        col.db.execute("update notes set mod = ? where id = ?", T1, note.id)
    unchanged = sync(course, out, anki_file, T2)
    assert unchanged.plan is not None
    assert [s.id for s in unchanged.plan.steps if s.action is Action.CONFLICT] == ["fx-capital"]
    edit(course / CARDS, "Paris.", "Paris, on the Seine.")
    changed = sync(course, out, anki_file, T3)
    assert changed.plan is not None
    assert [s.id for s in changed.plan.steps if s.action is Action.CONFLICT] == ["fx-capital"]
    for col in opened(anki_file):
        assert note_by_id(col, "fx-capital")["Answer"] == "Paris, mine."


def test_packages_built_but_never_imported_are_no_edit(
    course: Path, out: Path, anki_file: Path
) -> None:
    """Anki may hold any version ankigen gave it: builds whose packages were not imported do not
    make the note look edited in Anki."""
    sync(course, out, anki_file, T1)
    edit(course / CARDS, "Paris.", "Paris, on the Seine.")
    assert build_into(course, out, now=T2).ok
    edit(course / CARDS, "on the Seine.", "on the river Seine.")
    assert build_into(course, out, now=T3).ok
    result = sync(course, out, anki_file, T4)
    assert result.plan is not None and not result.plan.count(Action.CONFLICT)
    assert [s.id for s in result.plan.steps if s.action is Action.UPDATE] == ["fx-capital"]
    for col in opened(anki_file):
        assert "river Seine" in note_by_id(col, "fx-capital")["Answer"]


def test_a_tag_the_learner_adds_is_not_an_edit_and_is_kept(
    course: Path, out: Path, anki_file: Path
) -> None:
    sync(course, out, anki_file, T1)
    for col in opened(anki_file):
        note = note_by_id(col, "fx-capital")
        note.tags.append("marked")
        col.update_note(note)
    edit(course / CARDS, "Paris.", "Paris, on the Seine.")
    result = sync(course, out, anki_file, T2)
    assert result.plan is not None and not result.plan.count(Action.CONFLICT)
    for col in opened(anki_file):
        note = note_by_id(col, "fx-capital")
        assert "on the Seine" in note["Answer"] and "marked" in note.tags


def test_a_moved_lesson_moves_its_cards_with_their_reviews(
    course: Path, out: Path, anki_file: Path
) -> None:
    sync(course, out, anki_file, T1)
    schedule, log = reviewed(anki_file)
    (course / "20-more-topics" / "cards.md").write_bytes((course / CARDS).read_bytes())
    (course / CARDS).unlink()
    result = sync(course, out, anki_file, T2)
    assert result.plan is not None and result.plan.moves
    for col in opened(anki_file):
        decks = {d.id: d.name for d in col.decks.all_names_and_ids()}
        capital = note_by_id(col, "fx-capital")
        assert {decks[card.did] for card in capital.cards()} == {MORE}
        after = scheduling(col)
        assert {cid: row[:2] + row[3:] for cid, row in after.items()} == {
            cid: row[:2] + row[3:] for cid, row in schedule.items()
        }
        assert review_log(col) == log
        assert BASICS not in decks.values()  # emptied by the move, and it was ankigen's
    # The state file no longer has anything to report about the move.
    built = build_into(course, out, now=T3)
    assert built.plan is not None and not built.plan.moved


def test_a_renamed_course_deck_is_renamed_not_recreated(
    course: Path, out: Path, anki_file: Path
) -> None:
    sync(course, out, anki_file, T1)
    for col in opened(anki_file):
        ids_before = {d.name: d.id for d in col.decks.all_names_and_ids()}
        conf = col.decks.add_config_returning_id("Learner's preset")
        deck = col.decks.by_name(BASICS)
        assert deck is not None
        deck["conf"] = conf
        col.decks.save(deck)
    edit(course / "_index.md", "deck: Fixture Course", "deck: Renamed Course")
    result = sync(course, out, anki_file, T2)
    assert result.plan is not None and result.plan.renames == [("Fixture Course", "Renamed Course")]
    assert not result.plan.moves
    for col in opened(anki_file):
        names = {d.name: d.id for d in col.decks.all_names_and_ids()}
        assert not [name for name in names if name.startswith("Fixture Course")]
        assert names["Renamed Course"] == ids_before["Fixture Course"]
        assert names["Renamed Course::Basics"] == ids_before[BASICS]
        renamed = col.decks.by_name("Renamed Course::Basics")
        assert renamed is not None and renamed["conf"] == conf
    assert load_state(out / "ankigen.lock", "lock", Diagnostics()).decks[""] == "Renamed Course"  # type: ignore[union-attr]


def test_a_rename_and_a_move_in_one_sync(course: Path, out: Path, anki_file: Path) -> None:
    sync(course, out, anki_file, T1)
    edit(course / "_index.md", "deck: Fixture Course", "deck: Renamed Course")
    (course / "20-more-topics" / "cards.md").write_bytes((course / CARDS).read_bytes())
    (course / CARDS).unlink()
    result = sync(course, out, anki_file, T2)
    assert result.plan is not None and result.plan.renames and result.plan.moves
    for col in opened(anki_file):
        decks = {d.id: d.name for d in col.decks.all_names_and_ids()}
        capital = note_by_id(col, "fx-capital")
        assert {decks[card.did] for card in capital.cards()} == {"Renamed Course::More topics"}


def test_a_course_renamed_by_a_build_is_renamed_by_the_next_sync(
    course: Path, out: Path, anki_file: Path
) -> None:
    sync(course, out, anki_file, T1)
    for col in opened(anki_file):
        ids_before = {d.name: d.id for d in col.decks.all_names_and_ids()}
    edit(course / "_index.md", "deck: Fixture Course", "deck: Renamed Course")
    assert build_into(course, out, now=T2).ok  # a package nobody imported
    result = sync(course, out, anki_file, T3)
    assert result.plan is not None and not result.plan.moves
    for col in opened(anki_file):
        names = {d.name: d.id for d in col.decks.all_names_and_ids()}
        assert not [name for name in names if name.startswith("Fixture Course")]
        assert names["Renamed Course::Basics"] == ids_before[BASICS]
        assert names["Renamed Course::More topics"] == ids_before[MORE]


def test_a_renamed_folder_deck_is_renamed(course: Path, out: Path, anki_file: Path) -> None:
    sync(course, out, anki_file, T1)
    edit(course / "10-basics" / "_index.md", "deck: Basics", "deck: Foundations")
    result = sync(course, out, anki_file, T2)
    assert result.plan is not None
    assert result.plan.renames == [(BASICS, "Fixture Course::Foundations")]


def test_removed_notes_are_suspended_and_tagged_then_deleted_when_asked(
    course: Path, out: Path, anki_file: Path
) -> None:
    sync(course, out, anki_file, T1)
    schedule, log = reviewed(anki_file)
    text = (course / CARDS).read_text(encoding="utf-8")
    start = text.index("### What is the capital of France?")
    end = text.index("### What does this print?")
    (course / CARDS).write_text(text[:start] + text[end:], encoding="utf-8")
    result = sync(course, out, anki_file, T2)
    assert result.plan is not None
    assert [s.id for s in result.plan.steps if s.action is Action.SUSPEND] == ["fx-capital"]
    for col in opened(anki_file):
        capital = note_by_id(col, "fx-capital")
        assert REMOVED_TAG in capital.tags
        assert all(card.queue == -1 for card in capital.cards())
        assert review_log(col) == log
    # A build no longer packages nor reports the settled removal.
    built = build_into(course, out, now=T3)
    assert built.plan is not None and built.plan.summary()["removed"] == 0
    again = sync(course, out, anki_file, T3)
    assert again.plan is not None and again.plan.count(Action.SETTLED) == 1
    assert not again.plan.writes
    deleted = sync(course, out, anki_file, T4, delete=True)
    assert deleted.plan is not None and deleted.plan.count(Action.DELETE) == 1
    for col in opened(anki_file):
        assert not col.find_notes('"ID:fx-capital"')
        assert len(col.find_notes("")) == 29
        assert review_log(col) == log  # Anki keeps the log of deleted cards
    assert schedule


def test_a_restored_note_comes_back_unsuspended(course: Path, out: Path, anki_file: Path) -> None:
    sync(course, out, anki_file, T1)
    original = (course / CARDS).read_text(encoding="utf-8")
    start = original.index("### What is the capital of France?")
    end = original.index("### What does this print?")
    (course / CARDS).write_text(original[:start] + original[end:], encoding="utf-8")
    sync(course, out, anki_file, T2)
    (course / CARDS).write_text(original, encoding="utf-8")
    result = sync(course, out, anki_file, T3)
    assert result.plan is not None and not result.plan.count(Action.CONFLICT)
    for col in opened(anki_file):
        capital = note_by_id(col, "fx-capital")
        assert REMOVED_TAG not in capital.tags
        assert all(card.queue != -1 for card in capital.cards())
        assert len(col.find_notes('"ID:fx-capital"')) == 1


def test_notes_ankigen_did_not_make_are_never_touched(
    course: Path, out: Path, anki_file: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    shutil.copytree(FIXTURES / "course", other)
    edit(other / "_index.md", "namespace: fixture-course-1", "namespace: someone-else")
    edit(other / "_index.md", "deck: Fixture Course", "deck: Other Course")
    sync(other, tmp_path / "other-out", anki_file, T1)
    for col in opened(anki_file):
        basic = col.new_note(col.models.by_name("Basic"))  # type: ignore[arg-type]
        basic["Front"], basic["Back"] = "fx-capital", "mine"
        col.add_note(basic, col.decks.id("Fixture Course::Basics"))  # type: ignore[arg-type]
        before = {row[0]: tuple(row) for row in col.db.all("select * from notes")}
    sync(course, out, anki_file, T2)
    for col in opened(anki_file):
        after = {row[0]: tuple(row) for row in col.db.all("select * from notes")}
        assert {nid: after[nid] for nid in before} == before
        assert len(after) == len(before) + 30
        assert len(col.find_notes('"ID:fx-capital"')) == 2  # this course's and the other's


def test_template_changes_update_note_types_in_place(
    course: Path, out: Path, anki_file: Path, tmp_path: Path
) -> None:
    sync(course, out, anki_file, T1)
    registry = changed_templates(tmp_path / "templates")
    result = sync(course, out, anki_file, T2, registry=registry)
    assert result.plan is not None and result.plan.note_types
    for col in opened(anki_file):
        names = sorted(model["name"] for model in col.models.all())
        assert not [name for name in names if name.endswith("+")]
        reveal = col.models.by_name("ankigen Reveal")
        assert reveal is not None and ".ak-lifecycle-marker" in reveal["css"]
        assert "ak-lifecycle-marker" in reveal["tmpls"][0]["afmt"]


def png(width: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x80" * width)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_media_arrive_under_the_package_names(course: Path, out: Path, anki_file: Path) -> None:
    (course / "10-basics" / "dot.png").write_bytes(png(3))
    edit(course / CARDS, "Paris.", "Paris.\n\n![A dot](dot.png)")
    sync(course, out, anki_file, T1)
    name = packaged_name(png(3), extension_of("dot.png"))
    media = anki_file.parent / "collection.media"
    assert (media / name).read_bytes() == png(3)
    # An image that changes gets the name of its new content, in an update.
    (course / "10-basics" / "dot.png").write_bytes(png(5))
    sync(course, out, anki_file, T2)
    renamed = packaged_name(png(5), extension_of("dot.png"))
    assert (media / renamed).read_bytes() == png(5)
    for col in opened(anki_file):
        assert renamed in note_by_id(col, "fx-capital")["Answer"]
    built = build_into(course, tmp_path_out(out), now=T3)
    assert built.output is not None and renamed in json.dumps(media_names(built.output))


def tmp_path_out(out: Path) -> Path:
    return out.parent / "build-out"


def media_names(package: Path) -> list[str]:
    import zipfile  # noqa: PLC0415

    with zipfile.ZipFile(package) as archive:
        return list(json.loads(archive.read("media")).values())


def test_a_collection_open_in_anki_is_refused_with_the_way_out(
    course: Path, out: Path, anki_file: Path
) -> None:
    col = Collection(str(anki_file))
    try:
        with_lock = sync_config(course, out, now=T1, collection=anki_file)
        from generator.sync.run import session  # noqa: PLC0415

        with session(with_lock) as result:
            pass
    finally:
        col.close()
    (error,) = result.diagnostics.errors
    assert error.code == "collection-in-use"
    assert "AnkiConnect" in error.message and "close Anki" in error.message
    assert not (out / "ankigen.lock").exists()


def test_dry_run_changes_nothing(course: Path, out: Path, anki_file: Path) -> None:
    before = anki_file.read_bytes()
    result = run_sync(sync_config(course, out, now=T1, collection=anki_file), dry_run=True)
    assert result.plan is not None and result.plan.count(Action.ADD) == 30
    assert anki_file.read_bytes() == before
    assert not (out / "ankigen.lock").exists()


def test_import_then_sync_finds_nothing_to_do(course: Path, out: Path, anki_file: Path) -> None:
    """A learner who imported packages can switch to sync: what the import gave is ankigen's."""
    built = build_into(course, out, now=T1)
    assert built.output is not None
    for col in opened(anki_file):
        import_package(col, built.output)
    result = sync(course, out, anki_file, T2)
    assert result.plan is not None
    assert result.plan.summary()["unchanged"] == 30 and not result.plan.writes
    # And back: an edit, a build and an import after a sync update the note.
    edit(course / CARDS, "Paris.", "Paris, on the Seine.")
    rebuilt = build_into(course, out, now=T3)
    assert rebuilt.output is not None
    for col in opened(anki_file):
        log = import_package(col, rebuilt.output)
        assert len(log.updated) == 1  # type: ignore[attr-defined]
        assert "on the Seine" in note_by_id(col, "fx-capital")["Answer"]


def test_without_a_state_file_every_difference_is_kept_until_force(
    course: Path, out: Path, anki_file: Path
) -> None:
    """With no record of what ankigen gave, an edit in the sources cannot be told from one in
    Anki: the sync keeps Anki's and says so, and --force lets the sources win."""
    sync(course, out, anki_file, T1)
    (out / "ankigen.lock").unlink()
    edit(course / CARDS, "Paris.", "Paris, on the Seine.")
    kept = sync(course, out, anki_file, T2)
    assert kept.plan is not None
    assert [s.id for s in kept.plan.steps if s.action is Action.CONFLICT] == ["fx-capital"]
    assert kept.plan.count(Action.UNCHANGED) == 29 and not kept.plan.count(Action.ADD)
    forced = sync(course, out, anki_file, T3, force=True)
    assert forced.plan is not None and forced.plan.count(Action.UPDATE) == 1
    again = sync(course, out, anki_file, T4)
    assert again.plan is not None and not again.plan.writes


def no_anki_anywhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No Anki profile, nothing answering where AnkiConnect would; the system's temporary
    folder, empty, is returned."""
    monkeypatch.setenv("ANKI_BASE", str(tmp_path / "no-anki"))
    monkeypatch.setattr("generator.sync.run.DEFAULT_URL", "http://127.0.0.1:9")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    return temporary


def test_no_anki_anywhere_names_both_ways(
    course: Path, out: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    temporary = no_anki_anywhere(monkeypatch, tmp_path)
    result = cli(["sync", str(course), "--out", str(out), "--lock", str(out / "ankigen.lock")])
    assert result.exit_code == 1
    assert "no Anki profile found" in result.output and "AnkiConnect" in result.output
    assert list(temporary.iterdir()) == []  # the AnkiConnect that did not answer left nothing


def test_a_sync_removes_what_a_killed_sync_left_in_the_temporary_folder(
    course: Path, out: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    temporary = no_anki_anywhere(monkeypatch, tmp_path)
    stale = temporary / "ankigen-sync-killed"
    (stale / "inner").mkdir(parents=True)
    (stale / "inner" / "export-0.apkg").write_bytes(b"an export")
    running = temporary / "ankigen-sync-running"  # another course's sync, now
    running.mkdir()
    foreign = temporary / "someone-else"
    foreign.mkdir()
    two_days_ago = time.time() - 2 * 86_400
    for folder in (stale, foreign):
        os.utime(folder, (two_days_ago, two_days_ago))
    args = ["sync", str(course), "--out", str(out), "--lock", str(out / "ankigen.lock")]
    assert cli(args).exit_code == 1  # no Anki: the sync itself fails
    assert sorted(folder.name for folder in temporary.iterdir()) == [
        "ankigen-sync-running",
        "someone-else",
    ]


def test_ankiconnect_makes_its_folder_when_first_needed_and_removes_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    monkeypatch.setattr(AnkiConnect, "call", lambda self, action, **params: 6)
    anki = AnkiConnect("http://127.0.0.1:9", None, tmp_path / "backups")
    assert list(temporary.iterdir()) == []  # connected, nothing exchanged yet
    folder = anki.scratch
    assert folder.parent == temporary and folder.is_dir() and anki.scratch == folder
    anki.close()
    assert list(temporary.iterdir()) == []
    anki.close()  # twice is harmless
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with pytest.raises(TargetError) as refused:
        _ = AnkiConnect("http://127.0.0.1:9", None, tmp_path / "backups").scratch
    assert refused.value.code == "scratch-unwritable"
    assert "TMPDIR" in refused.value.message


def cli(args: list[str], input_text: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, args, input=input_text)


def test_cli_asks_before_deleting_and_says_what_it_did(
    course: Path, out: Path, anki_file: Path
) -> None:
    base = [str(course), "--collection", str(anki_file), "--out", str(out)]
    base += ["--lock", str(out / "ankigen.lock")]
    first = cli(["sync", *base])
    assert first.exit_code == 0, first.output
    assert "sync: 30 new, 0 updated, 0 unchanged" in first.output
    assert "backup:" in first.output
    text = (course / CARDS).read_text(encoding="utf-8")
    start = text.index("### What is the capital of France?")
    end = text.index("### What does this print?")
    (course / CARDS).write_text(text[:start] + text[end:], encoding="utf-8")
    refused = cli(["sync", *base, "--delete"], input_text="n\n")
    assert refused.exit_code == 1
    assert "Delete 1 note(s)" in refused.output
    for col in opened(anki_file):
        assert col.find_notes('"ID:fx-capital"')
    as_json = cli(["sync", *base, "--delete", "--yes", "--json"])
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.stdout)
    assert report["ok"] and report["changes"]["delete"] == 1
    assert [n["id"] for n in report["notes"] if n["action"] == "delete"] == ["fx-capital"]
    for col in opened(anki_file):
        assert not col.find_notes('"ID:fx-capital"')


def test_cli_without_the_anki_package_says_how_to_get_it(
    course: Path, out: Path, anki_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys  # noqa: PLC0415

    monkeypatch.setitem(sys.modules, "anki.collection", None)
    result = cli(["sync", str(course), "--collection", str(anki_file), "--out", str(out)])
    assert result.exit_code == 1
    assert "pip install 'ankigen[anki]'" in result.output
    assert "Traceback" not in result.output


def test_state_of_a_sync_is_read_back_by_the_loader(
    course: Path, out: Path, anki_file: Path
) -> None:
    sync(course, out, anki_file, T1)
    for col in opened(anki_file):
        note = note_by_id(col, "fx-capital")
        note["Answer"] = "edited"
        col.update_note(note)
    edit(course / CARDS, "Paris.", "Paris, on the Seine.")
    sync(course, out, anki_file, T2, force=True)
    recorded = load_state(out / "ankigen.lock", "lock", Diagnostics())
    assert recorded is not None
    capital = recorded.notes["fx-capital"]
    assert capital.synced > 0 and capital.synced_hash and capital.given == ()
    with sqlite3.connect(anki_file) as db:
        (mod,) = db.execute("select mod from notes where flds like '%on the Seine%'").fetchone()
    assert capital.synced == mod
