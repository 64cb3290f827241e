"""A collection made from the last build's, after an edit.

After an edit, nearly every note is one the last build packaged already, row for row: a lesson
kept whole (a `NoteBatch`) is packaged exactly as the last build packaged it. Each build keeps
its collection in the cache (`Keeping`); the next one attaches it and SQLite copies the kept
notes' rows from it, merged with the rows made again, in one statement per table, instead of
every row being made in Python and inserted one by one (each insert waits for the interpreter's
lock, which the build's main thread holds meanwhile).

The result is the collection a build from nothing makes, byte for byte: both fill the empty
tables of the same frame with the same rows in rowid order, in one transaction.

The kept collection is used only when its bytes are the ones it was kept with (its CRC-32), and
only when it holds what the batches say: every kept note, every card of each, no other card of
them. The rows of a kept note are the ones its lesson's block and its state entry gave the last
build, which made that collection; the positions of new cards are compared one by one.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import tempfile
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from generator.anki.archive import Pieces, first_crc
from generator.anki.package import (
    Due,
    Frames,
    Making,
    NoteBatch,
    PackagedNote,
    PackageSpec,
    begin_collection,
    card_row,
    deck_id,
    joined_fields,
    note_row,
    zipped,
)
from generator.cache.store import Store

COLLECTIONS = "collections"
"""Kind of cache entry: a build's collection, as SQLite wrote it (see `collection_name`)."""

BATCHED_SHARE = 2
"""The kept collection is read when at least 1/BATCHED_SHARE of the notes are in batches
(after an edit): otherwise making every row costs less than finding which ones to keep."""


class PackageMaking:
    """A package being made: begun where the build's other work is done (`begin_package`),
    finished in a thread of its own (`finish`)."""

    def __init__(
        self, spec: PackageSpec, making: Making, pieces: Pieces | None, store: Store | None
    ) -> None:
        self.spec = spec
        self.making = making
        self.pieces = pieces
        self.store = store

    def finish(self) -> tuple[bytes, Keeping | None]:
        """The package's zip; and its collection being kept for the next build (None when
        there is no store to keep it in)."""
        collection = self.making.finish()
        package = zipped(self.spec, collection, self.pieces)
        if self.store is None:
            return package, None
        # The zip recorded the collection's CRC-32: not computed again over its 15 MB.
        return package, Keeping.start(self.store, package, collection, first_crc(package))


class Keeping:
    """A collection being written for the next build, in a thread of its own: the build goes
    on meanwhile, records the collection's name (known from the start) with what it keeps, and
    waits for the writing last (`result`). Into the cache when it is there; else (a first
    build) into a temporary file with no name, copied into the cache once the build has
    succeeded: a build that fails leaves the output folder as it found it, and one that is
    killed leaves nothing behind (the system frees a file no folder names when its process
    ends). A collection whose writing fails is missing when the next build looks for it, which
    then makes every row itself."""

    def __init__(self, store: Store, name: str, staged: IO[bytes] | None) -> None:
        self.store = store
        self.name = name
        self.staged = staged
        self.written = False
        self.thread: threading.Thread | None = None

    @classmethod
    def start(cls, store: Store, package: bytes, collection: bytes, crc: int) -> Keeping:
        """`collection`, kept as the collection of `package`; `crc` is its CRC-32 (which the
        package records)."""
        name = collection_name(package, crc)
        staged = None
        if not store.root.is_dir():
            try:
                # Closed by `result` or `close`, once the build is done with it.
                staged = tempfile.TemporaryFile(prefix="ankigen-collection-")  # noqa: SIM115
            except OSError:
                return cls(store, "", None)
        keeping = cls(store, name, staged)
        keeping.thread = threading.Thread(
            target=keeping.write, args=(collection,), name="keep-collection", daemon=True
        )
        keeping.thread.start()
        return keeping

    def write(self, collection: bytes) -> None:
        if self.staged is None:
            self.written = self.store.write_raw(COLLECTIONS, self.name, collection)
            return
        try:
            self.staged.write(collection)
            self.staged.flush()
        except OSError:
            return
        self.written = True

    def result(self) -> str:
        """The name it is kept under in the cache, once it is there; "" when it could not be
        kept."""
        if self.thread is not None:
            self.thread.join()
        if not self.written:
            self.close()
            return ""
        if self.staged is not None:
            copied = self.store.copy_raw(COLLECTIONS, self.name, self.staged)
            self.close()
            if not copied:
                return ""
        return self.name

    def close(self) -> None:
        """Wait for the writing; let go of a temporary file."""
        if self.thread is not None:
            self.thread.join()
        if self.staged is not None:
            with contextlib.suppress(OSError):
                self.staged.close()
            self.staged = None


def begin_package(
    spec: PackageSpec,
    pieces: Pieces | None,
    frames: Frames | None,
    last: LastCollection | None,
    store: Store | None,
) -> PackageMaking:
    """A package, its collection made from `last` where it can be, kept in `store` (when
    given) for the next build."""
    return PackageMaking(spec, begin_collection(spec, frames, last), pieces, store)


def collection_name(package: bytes, crc: int) -> str:
    """The name a collection is kept under: its package's SHA-256, which no other content has,
    and its own CRC-32, which `LastCollection` checks it against."""
    return f"{hashlib.sha256(package).hexdigest()}-{crc:08x}"


def last_collection(store: Store, name: str) -> LastCollection | None:
    """The collection the last build kept under `name`, to fill a collection from. Its bytes
    are checked (`LastCollection.sound`) in a thread of its own from here on: reading and
    checking them lets go of the interpreter, so the build goes on meanwhile."""
    if not name:
        return None
    return LastCollection(Check(store.path(COLLECTIONS, name), name))


class Check:
    """Whether a kept collection's bytes are the ones it was kept with: its CRC-32, found in a
    thread started when the check is made."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self.sound = False
        self.thread = threading.Thread(target=self.run, name="check-collection", daemon=True)
        self.thread.start()

    def run(self) -> None:
        crc = 0
        try:
            with self.path.open("rb") as file:
                for block in iter(lambda: file.read(1 << 20), b""):
                    crc = zlib.crc32(block, crc)
        except OSError:
            return
        self.sound = self.name.endswith(f"-{crc:08x}")

    def result(self) -> bool:
        self.thread.join()
        return self.sound


@dataclass(frozen=True, slots=True)
class LastCollection:
    """A collection the last build kept; called as a `Fill` (generator.anki.package), it fills
    a collection from it, when that is worth it and it holds what it should."""

    check: Check
    """Its file and the name it was kept under (see `collection_name`), and whether its bytes
    are the ones it was kept with, being found."""

    @property
    def path(self) -> Path:
        """Where it is."""
        return self.check.path

    def __call__(
        self, conn: sqlite3.Connection, spec: PackageSpec, due: Due
    ) -> Callable[[], bool] | None:
        if not worth_reading(spec) or not self.sound():
            return None
        try:
            # Only read; the connection lets go of it when it is closed.
            conn.execute("ATTACH DATABASE ? AS last", (str(self.path),))
            found = changes(conn, spec, due)
        except sqlite3.DatabaseError:
            return None
        if found is None or not stage(conn, found):
            return None
        return partial(merge, conn)

    def sound(self) -> bool:
        """Whether its bytes are the ones it was kept with."""
        return self.check.result()


def worth_reading(spec: PackageSpec) -> bool:
    """Whether most of the notes are in batches (a build after an edit)."""
    batched = sum(len(item.guids) for item in spec.notes if isinstance(item, NoteBatch))
    made = len(spec.notes) - sum(1 for item in spec.notes if isinstance(item, NoteBatch))
    return batched > 0 and batched * BATCHED_SHARE >= batched + made


@dataclass(slots=True)
class Changes:
    """How this build's rows differ from the last collection's."""

    gone_notes: list[tuple[int]]
    """Notes of the last collection that are not kept (gone, or made again)."""
    gone_cards: list[tuple[int]]
    """Cards of the last collection that are not kept as they are (their note's gone, or their
    position among new cards changed)."""
    notes: list[tuple[object, ...]]
    """Rows of the notes made again."""
    cards: list[tuple[object, ...]]
    """Rows of their cards, and of the kept cards whose position changed."""


def changes(conn: sqlite3.Connection, spec: PackageSpec, due: Due) -> Changes | None:
    """How this build's rows differ from those of the attached `last` collection; None when it
    does not hold every kept note as it was given (its GUID and time), with every card of it and
    no other card of it."""
    last_notes = {
        nid: (guid, mod) for nid, guid, mod in conn.execute("SELECT id, guid, mod FROM last.notes")
    }
    last_cards = {
        cid: (nid, position)
        for cid, nid, position in conn.execute("SELECT id, nid, due FROM last.cards")
    }
    kept: set[int] = set()
    made: list[PackagedNote] = []
    moved: list[tuple[object, ...]] = []
    moved_ids: list[tuple[int]] = []
    kept_cards = 0
    for item in spec.notes:
        if isinstance(item, PackagedNote):
            made.append(item)
            continue
        kept.update(item.note_ids)
        # Each kept note as the last build gave it: a note that changed has another time.
        if any(
            last_notes.get(note_id) != (guid, mod)
            for note_id, guid, mod in zip(item.note_ids, item.guids, item.mods, strict=True)
        ):
            return None
        deck_ids = {deck: deck_id(spec.namespace, deck) for deck in set(item.decks)}
        columns = (item.note_ids, item.cards, item.decks, item.mods)
        for note_id, ordinals, deck, mod in zip(*columns, strict=True):
            kept_cards += len(ordinals)
            for ordinal in ordinals:
                found = last_cards.get(note_id + ordinal)
                position = due[(note_id, ordinal)]
                if found is None or found[0] != note_id:
                    return None
                if found[1] != position:
                    moved.append(card_row(note_id, deck_ids[deck], ordinal, mod, due))
                    moved_ids.append((note_id + ordinal,))
    gone_cards = [(cid,) for cid, (nid, _) in last_cards.items() if nid not in kept]
    if len(last_cards) - len(gone_cards) != kept_cards:
        return None
    gone_cards.extend(moved_ids)
    rows = [
        note_row(
            (note.note_id, note.guid, note.note_type, note.mod, note.tags, joined_fields(note))
        )
        for note in made
    ]
    cards = [
        card_row(note.note_id, deck_id(spec.namespace, note.deck), ordinal, note.mod, due)
        for note in made
        for ordinal in note.cards
    ]
    return Changes(
        gone_notes=[(nid,) for nid in last_notes if nid not in kept],
        gone_cards=gone_cards,
        notes=rows,
        cards=cards + moved,
    )


def stage(conn: sqlite3.Connection, found: Changes) -> bool:
    """Put the rows made again, and the ids of the rows not kept, in tables of their own: in
    memory, with the columns (and so the conversions) of the collection's own tables. Whether
    it could; when not, no row is staged and no transaction is open."""
    try:
        conn.execute("PRAGMA temp_store = MEMORY")
        for table in ("notes", "cards"):
            schema = conn.execute(
                "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()[0]
            conn.execute(
                schema.replace(f"CREATE TABLE {table}", f"CREATE TEMP TABLE made_{table}", 1)
            )
            conn.execute(f"CREATE TEMP TABLE gone_{table} (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO temp.gone_notes VALUES (?)", found.gone_notes)
        conn.executemany("INSERT INTO temp.gone_cards VALUES (?)", found.gone_cards)
        conn.executemany("INSERT INTO temp.made_notes VALUES(?,?,?,?,?,?,?,?,?,?,?)", found.notes)
        conn.executemany(
            "INSERT INTO temp.made_cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", found.cards
        )
    except sqlite3.DatabaseError:
        conn.rollback()
        return False
    return True


def merge(conn: sqlite3.Connection) -> bool:
    """Fill the empty notes and cards tables of `conn` from the attached `last` collection and
    the staged rows, merged by id: two statements, in which SQLite does not wait for the
    interpreter. Whether it could; when not, `conn`'s tables are empty."""
    try:
        for table in ("notes", "cards"):
            # Both sides come in rowid order: SQLite merges them as they come.
            conn.execute(
                f"INSERT INTO main.{table} "
                f"SELECT * FROM last.{table} WHERE id NOT IN (SELECT id FROM temp.gone_{table}) "
                f"UNION ALL SELECT * FROM temp.made_{table} ORDER BY 1"
            )
    except sqlite3.DatabaseError:
        conn.rollback()
        return False
    return True
