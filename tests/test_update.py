"""After an edit, the collection is made from the one the last build kept (generator.anki.update):
the kept lessons' rows are copied from it, merged with the rows made again. What comes out is
the collection a build from nothing makes, byte for byte; a kept collection that is damaged,
or that does not hold what the kept lessons say, is not used."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from generator.anki import update
from generator.anki.archive import first_crc
from generator.anki.package import (
    NoteBatch,
    PackagedNote,
    PackageSpec,
    card_order,
    collection_bytes,
    every_note,
    frame_bytes,
    package_bytes,
    zipped,
)
from generator.cache.store import FOLDER, Store
from tests.test_cache import DAY, T0, Built, run
from tests.test_package_rows import ECHO, LENS, PRISM, reveal_fields, spec_of
from tests.test_safety import deny_writes

LESSON = """---
title: Topic {topic}
---

# Topic {topic}

{cards}
"""
CARD = """### What is fact {topic}.{number}? <!-- id: t{topic}-f{number} -->

Fact {topic}.{number} is {answer}.
"""
CHOICE = """### Which one is fact {topic}.{number}? <!-- id: t{topic}-c{number} -->

- [x] fact {topic}.{number}
- [ ] fact {topic}.{other}
- [ ] neither of them
"""


def lesson(topic: int, count: int, answer: str = "true") -> str:
    cards = [CARD.format(topic=topic, number=n, answer=answer) for n in range(count)]
    cards.append(CHOICE.format(topic=topic, number=count, other=count + 1))
    return LESSON.format(topic=topic, cards="\n".join(cards))


def course(root: Path, topics: int = 6, count: int = 5) -> Path:
    content = root / "content"
    content.mkdir()
    (content / "_index.md").write_text(
        "---\ndeck: Update Course\nnamespace: update-course-1\n---\n", encoding="utf-8"
    )
    for topic in range(topics):
        folder = content / f"{topic:02d}-topic"
        folder.mkdir()
        (folder / "lesson.md").write_text(lesson(topic, count), encoding="utf-8")
    return content


class Merges:
    """Counts the collections filled from a kept one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.filled = 0
        real = update.merge

        def counting(conn: sqlite3.Connection) -> bool:
            done = real(conn)
            self.filled += done
            return done

        monkeypatch.setattr(update, "merge", counting)


def both(content: Path, tmp: Path, epoch: int) -> tuple[Built, Built]:
    one = run(content, tmp / "cached", epoch)
    other = run(content, tmp / "clean", epoch, "--no-cache")
    assert one.code == 0, one.stderr
    return one, other


def kept_collections(out: Path) -> list[Path]:
    return sorted((out / FOLDER).glob(f"*/{update.COLLECTIONS}/*.bin"))


def test_after_an_edit_the_kept_rows_come_from_the_last_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = course(tmp_path)
    merges = Merges(monkeypatch)
    one, other = both(content, tmp_path, T0)
    assert one == other
    assert merges.filled == 0  # a first build has nothing to take rows from
    assert len(kept_collections(tmp_path / "cached")) == 1
    edited = content / "03-topic" / "lesson.md"
    for step, answer in enumerate(["false", "unknown", "true"], start=1):
        edited.write_text(lesson(3, 5, answer), encoding="utf-8")
        one, other = both(content, tmp_path, T0 + step * DAY)
        assert one == other
        assert "5 changed" in one.stdout
        assert merges.filled == step
        assert len(kept_collections(tmp_path / "cached")) == 1  # the last one only


def test_notes_added_and_removed_before_others_move_the_new_cards_after_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new card early in the course moves every later new card one place: the kept cards'
    positions change, and their rows are made again."""
    content = course(tmp_path)
    merges = Merges(monkeypatch)
    both(content, tmp_path, T0)
    first = content / "00-topic" / "lesson.md"
    for step, count in enumerate([7, 3, 5], start=1):
        first.write_text(lesson(0, count), encoding="utf-8")
        one, other = both(content, tmp_path, T0 + step * DAY)
        assert one == other
    assert merges.filled == 3


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty"])
def test_a_damaged_kept_collection_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    content = course(tmp_path)
    merges = Merges(monkeypatch)
    both(content, tmp_path, T0)
    [kept] = kept_collections(tmp_path / "cached")
    data = kept.read_bytes()
    middle = len(data) // 2
    damaged = {
        "flip": data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :],
        "truncate": data[:middle],
        "empty": b"",
    }[damage]
    kept.write_bytes(damaged)
    (content / "02-topic" / "lesson.md").write_text(lesson(2, 5, "false"), encoding="utf-8")
    one, other = both(content, tmp_path, T0 + DAY)
    assert one == other
    assert merges.filled == 0


def kept_as(tmp_path: Path, spec: PackageSpec) -> update.LastCollection:
    """The collection of `spec`, kept as a build keeps it."""
    return kept_as_bytes(tmp_path, spec, collection_bytes(spec))


def kept_as_bytes(tmp_path: Path, spec: PackageSpec, collection: bytes) -> update.LastCollection:
    """`collection`, kept as a build keeps the collection of `spec`."""
    store = Store(tmp_path / "store")
    name = update.Keeping.start(
        store, package_bytes(spec), collection, zlib.crc32(collection)
    ).result()
    found = update.last_collection(store, name)
    assert found is not None and found.sound()
    return found


def test_a_kept_collection_is_named_by_its_package_and_the_crc_the_package_recorded(
    tmp_path: Path,
) -> None:
    spec = spec_of(LENS, PRISM, ECHO)
    collection = collection_bytes(spec)
    package = zipped(spec, collection)
    assert first_crc(package) == zlib.crc32(collection)
    store = Store(tmp_path / "store")
    keeping = update.Keeping.start(store, package, collection, first_crc(package))
    assert keeping.name == f"{hashlib.sha256(package).hexdigest()}-{zlib.crc32(collection):08x}"
    assert keeping.result() == keeping.name  # the name is known before the writing ends
    assert (store.root / update.COLLECTIONS / f"{keeping.name}.bin").read_bytes() == collection
    other = update.Keeping.start(store, package, b"other", zlib.crc32(b"other"))
    assert other.name.endswith(f"-{zlib.crc32(b'other'):08x}")
    assert other.result() == other.name


def batch(*notes: PackagedNote) -> NoteBatch:
    return NoteBatch(
        guids=tuple(note.guid for note in notes),
        note_types=tuple(note.note_type for note in notes),
        joined=tuple("\x1f".join(note.fields) for note in notes),
        tags=tuple(note.tags for note in notes),
        decks=tuple(note.deck for note in notes),
        note_ids=tuple(note.note_id for note in notes),
        mods=tuple(note.mod for note in notes),
        cards=tuple(note.cards for note in notes),
        families=tuple("" for _ in notes),
    )


def test_a_collection_filled_from_the_last_equals_one_made_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = kept_as(tmp_path, spec_of(LENS, PRISM, ECHO))
    louder = replace(ECHO, fields=reveal_fields("Echo!", "echo"), mod=ECHO.mod + 1)
    spec = spec_of(batch(LENS, PRISM), louder)
    merges = Merges(monkeypatch)
    assert collection_bytes(spec, fill=last) == collection_bytes(spec)
    assert merges.filled == 1


TWO_CARDS = replace(LENS, cards=(0, 1))


def changed(spec: PackageSpec, statement: str, *values: object) -> bytes:
    """The collection of `spec`, changed by one SQL statement."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(collection_bytes(spec))
        conn.execute(statement, values)
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


NO_PRISM = ("DELETE FROM notes WHERE id = ?", PRISM.note_id)
"""Its row taken out, its cards left."""
LENS_CARD_OF_PRISM = ("UPDATE cards SET nid = ? WHERE id = ?", PRISM.note_id, LENS.note_id)
"""The lens's card given to the prism."""
LENS_EARLIER = ("UPDATE notes SET mod = mod - 1 WHERE id = ?", LENS.note_id)
"""The lens as an earlier version of it."""
LENS_OTHER_GUID = ("UPDATE notes SET guid = 'another' WHERE id = ?", LENS.note_id)
"""Another note under the lens's id."""


@pytest.mark.parametrize(
    ("last_notes", "kept", "change"),
    [
        pytest.param((LENS, ECHO), (LENS, PRISM), None, id="a kept note"),
        pytest.param((LENS, ECHO), (TWO_CARDS,), None, id="a card of a kept note"),
        pytest.param((TWO_CARDS, ECHO), (LENS,), None, id="no other card of a kept note"),
        pytest.param((LENS, PRISM, ECHO), (LENS, PRISM), NO_PRISM, id="a kept note's row"),
        pytest.param(
            (LENS, PRISM, ECHO), (LENS, PRISM), LENS_CARD_OF_PRISM, id="a card of its own"
        ),
        pytest.param((LENS, ECHO), (LENS,), LENS_EARLIER, id="a kept note as it is"),
        pytest.param((LENS, ECHO), (LENS,), LENS_OTHER_GUID, id="a kept note, not another"),
    ],
)
def test_a_last_collection_that_does_not_hold_what_is_kept_is_not_used(
    tmp_path: Path,
    last_notes: tuple[PackagedNote, ...],
    kept: tuple[PackagedNote, ...],
    change: tuple[object, ...] | None,
) -> None:
    """It must hold every kept note as it was given, every card of each, and no other card of
    them."""
    last = kept_as(tmp_path, spec_of(*last_notes))
    if change is not None:
        statement, *values = change
        data = changed(spec_of(*last_notes), str(statement), *values)
        last.path.unlink()
        last = kept_as_bytes(tmp_path, spec_of(*last_notes), data)
    spec = spec_of(batch(*kept), ECHO)
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(frame_bytes(spec))
        assert last(conn, spec, card_order(n[:4] for n in every_note(spec))) is None
    finally:
        conn.close()
    assert collection_bytes(spec, fill=last) == collection_bytes(spec)


def collections_checked(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The kept collections the builds from now on read to check, in order."""
    read: list[Path] = []
    real = update.Check.run

    def run(self: update.Check) -> None:
        read.append(self.path)
        real(self)

    monkeypatch.setattr(update.Check, "run", run)
    return read


def test_a_dry_run_after_an_edit_does_not_read_a_kept_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a build that makes a package reads it (nor do `check` and `sync`, which build as a
    dry run does)."""
    content = course(tmp_path)
    both(content, tmp_path, T0)
    read = collections_checked(monkeypatch)
    (content / "02-topic" / "lesson.md").write_text(lesson(2, 5, "false"), encoding="utf-8")
    assert run(content, tmp_path / "cached", T0 + DAY, "--dry-run").code == 0
    assert read == []
    assert run(content, tmp_path / "cached", T0 + DAY).code == 0
    assert len(read) == 1  # the build after it does


def test_a_cold_build_does_not_read_a_kept_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = course(tmp_path)
    both(content, tmp_path, T0)
    read = collections_checked(monkeypatch)
    for topic in range(6):  # every lesson edited: nothing is kept whole
        (content / f"{topic:02d}-topic" / "lesson.md").write_text(
            lesson(topic, 5, "edited"), encoding="utf-8"
        )
    one, other = both(content, tmp_path, T0 + DAY)
    assert one == other
    assert read == []


def test_after_an_edit_the_kept_collection_is_checked_before_the_package_is_begun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its bytes are read and checked in a thread from the moment the kept lessons are found,
    while the build goes on; the package asks for the answer when it is begun. (A cold build
    does not read it: `test_a_cold_build_does_not_read_a_kept_collection`.)"""
    content = course(tmp_path)
    both(content, tmp_path, T0)
    events: list[str] = []
    real_run, real_begin = update.Check.run, update.begin_package

    def checking(self: update.Check) -> None:
        events.append("checking")
        real_run(self)

    def begin_package(*args: Any) -> update.PackageMaking:
        events.append("begun")
        return real_begin(*args)

    monkeypatch.setattr(update.Check, "run", checking)
    monkeypatch.setattr(update, "begin_package", begin_package)
    (content / "02-topic" / "lesson.md").write_text(lesson(2, 5, "false"), encoding="utf-8")
    merges = Merges(monkeypatch)
    assert run(content, tmp_path / "cached", T0 + DAY).code == 0
    assert events == ["checking", "begun"]
    assert merges.filled == 1  # it was sound


def staged_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("ankigen-collection-*"))


def test_a_first_build_keeps_its_collection_outside_the_output_folder_until_it_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    content = course(tmp_path)
    out = tmp_path / "failing"
    out.mkdir()
    deny_writes(out, monkeypatch)
    failed = run(content, out, T0)
    out.chmod(0o755)
    assert failed.code == 1 and "cannot write the package" in failed.stderr
    assert list(out.iterdir()) == []
    assert staged_files(temporary) == []  # removed with the failed build
    monkeypatch.undo()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    assert run(content, tmp_path / "good", T0).code == 0
    assert staged_files(temporary) == []  # moved into the cache
    [kept] = kept_collections(tmp_path / "good")
    assert kept.stat().st_mode & 0o777 == 0o644


def test_a_staged_collection_is_copied_into_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    with tempfile.TemporaryFile() as staged:
        staged.write(b"collection bytes")
        assert store.copy_raw(update.COLLECTIONS, "name", staged)
        kept = store.path(update.COLLECTIONS, "name")
        assert kept.read_bytes() == b"collection bytes"
        assert kept.stat().st_mode & 0o777 == 0o644
        # Kept already: not written again.
        staged.seek(0)
        staged.write(b"other")
        assert store.copy_raw(update.COLLECTIONS, "name", staged)
        assert kept.read_bytes() == b"collection bytes"
        assert not Store(tmp_path / "read-only", writable=False).copy_raw(
            update.COLLECTIONS, "name", staged
        )


KILLED_AFTER_STAGING = """
import os, signal, sys
from generator.anki import update
from generator.cli import main

write = update.Keeping.write

def write_then_die(self, collection):
    write(self, collection)
    os.kill(os.getpid(), signal.SIGKILL)

update.Keeping.write = write_then_die
main(["build", sys.argv[1], "--out", sys.argv[2]])
"""


def test_a_first_build_killed_after_staging_its_collection_leaves_nothing_behind(
    tmp_path: Path,
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    content = course(tmp_path)
    out = tmp_path / "out"
    env = {**os.environ, "TMPDIR": str(temporary), "SOURCE_DATE_EPOCH": str(T0)}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_STAGING, str(content), str(out)],
        env=env,
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    assert list(temporary.iterdir()) == []
    assert not kept_collections(out)
    # The next build is whole, and keeps its collection.
    assert run(content, out, T0).code == 0
    assert len(kept_collections(out)) == 1
