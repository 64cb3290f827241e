"""Write an .apkg: Anki's legacy collection format, deterministic and atomically replaced.

genanki supplies the schema and the note type JSON. Notes, cards and the zip are written here
because genanki stamps one wall-clock time on everything and orders media by set iteration.

A collection is made in two steps: its frame (the schema, the decks and the note types: what
the col row holds) and then its notes and cards. A frame depends on a few things only (`frame
key`), so a build keeps it in its cache (`Frames`) and the next build, when it has the same decks
and note types, takes it from there: genanki, and the templates' JSON, are not needed again.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TypeVar

from generator.anki.archive import Pieces, deflated, stored, write_zip
from generator.anki.guids import stable_int
from generator.anki.notetypes import FIELD_SEPARATOR, CardTemplate, NoteType

T = TypeVar("T")
PAGE_SIZE = 16384
"""SQLite's page size for the collection: larger pages make a smaller file, quicker to write."""


@dataclass(frozen=True, slots=True)
class PackagedNote:
    """A note as it goes into the collection."""

    guid: str
    """Stable GUID from the course namespace and the note id."""
    note_type: NoteType
    """Its Anki note type."""
    fields: tuple[str, ...]
    """Rendered HTML, in the note type's field order."""
    tags: tuple[str, ...]
    """Tags without spaces."""
    deck: str
    """Full deck name."""
    note_id: int
    """Row id in the package (Anki matches notes by GUID, not by this)."""
    mod: int
    """Seconds: when the note's content last changed."""
    cards: tuple[int, ...] = (0,)
    """Card ordinals; card ids are the note id plus the ordinal."""
    family: str = ""
    """The source item the note was made from (`family_of` its id): a key fact gives a reveal
    note, a cloze note and a cloze-choice note of one family. Their new cards are spread apart."""


@dataclass(frozen=True, slots=True)
class NoteBatch:
    """Notes given column by column (a steady lesson's, as kept from an earlier build): packaged
    exactly like the same `PackagedNote`s, without making an object per note."""

    guids: tuple[str, ...]
    """GUID of each."""
    note_types: tuple[NoteType, ...]
    """Note type of each."""
    joined: Sequence[str]
    """Fields of each, joined with FIELD_SEPARATOR (read only when its rows are made)."""
    tags: tuple[tuple[str, ...], ...]
    """Tags of each."""
    decks: tuple[str, ...]
    """Deck of each."""
    note_ids: tuple[int, ...]
    """Row id of each."""
    mods: tuple[int, ...]
    """Modification time of each."""
    cards: tuple[tuple[int, ...], ...]
    """Card ordinals of each."""
    families: tuple[str, ...]
    """Family of each (see `PackagedNote.family`)."""

    def __iter__(self) -> Iterator[PackagedNote]:
        for index, guid in enumerate(self.guids):
            yield PackagedNote(
                guid,
                self.note_types[index],
                tuple(self.joined[index].split(FIELD_SEPARATOR)),
                self.tags[index],
                self.decks[index],
                self.note_ids[index],
                self.mods[index],
                self.cards[index],
                self.families[index],
            )


@dataclass(frozen=True, slots=True)
class PackagedNoteType:
    """A note type as it goes into the collection."""

    note_type: NoteType
    """Its schema."""
    template: CardTemplate
    """Its card template and CSS."""
    mod: int
    """Seconds: when its templates or CSS last changed."""


@dataclass(frozen=True, slots=True)
class PackageSpec:
    """Everything that goes into one package."""

    namespace: str
    """Course namespace; seeds deck ids."""
    decks: tuple[str, ...]
    """Every deck name that holds notes."""
    note_types: tuple[PackagedNoteType, ...]
    """Every note type of the registry."""
    notes: tuple[PackagedNote | NoteBatch, ...]
    """Notes in a stable order (a batch stands for its notes, in order)."""
    media: tuple[tuple[str, bytes], ...] = ()
    """Images and sounds: (flat packaged name, bytes), sorted by name."""


def deck_id(namespace: str, name: str) -> int:
    return stable_int("deck", namespace, name)


def all_decks(decks: Sequence[str]) -> list[str]:
    """Every deck and each of its parents, so the hierarchy does not depend on the importer."""
    names: set[str] = set()
    for deck in decks:
        parts = deck.split("::")
        names.update("::".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(names)


def model_json(packaged: PackagedNoteType) -> dict[str, object]:
    import genanki  # noqa: PLC0415 - only to make a frame the cache does not have

    note_type, template = packaged.note_type, packaged.template
    model = genanki.Model(
        note_type.model_id,
        note_type.name,
        fields=[{"name": f.name, "id": f.id} for f in note_type.fields],
        templates=[
            {
                "name": spec.name,
                "qfmt": template.side(ordinal)[0],
                "afmt": template.side(ordinal)[1],
                "id": spec.id,
            }
            for ordinal, spec in enumerate(note_type.template_specs)
        ],
        css=template.css,
        model_type=genanki.Model.CLOZE if note_type.cloze else genanki.Model.FRONT_BACK,
    )
    data: dict[str, object] = model.to_json(packaged.mod, None)
    return data


GENERATED_SUFFIX = re.compile(r"(?:/cloze)?(?:/choice(?:-c\d+)?)?$")


def family_of(note_id: str) -> str:
    """The id of the source item a note was made from: generated notes append `/cloze` (a key
    fact's cloze), `/choice` (an analogy mapping's choice card) or `/choice-cN` (a deletion's
    choice card) to the id of the item they come from."""
    if "/c" not in note_id:
        return note_id  # most ids: no suffix can be there
    return GENERATED_SUFFIX.sub("", note_id, count=1)


SIBLING_GAP = 4
"""At least this many other new cards between two cards of one family, where the deck has them."""


def new_card_order(notes: Iterable[PackagedNote]) -> dict[tuple[int, int], int]:
    """(note id, ordinal) → `due` (the position of a new card). Anki shows new cards of a deck in
    this order. Cards made from one source item (a key fact's reveal, cloze and cloze choice; a
    cloze note's deletions and their choices) are different notes of different note types, so
    Anki cannot bury them as siblings: they are kept SIBLING_GAP cards apart here instead.

    Per deck (Anki gathers new cards deck by deck), in source order, each next card is the
    earliest one whose family was not among the last SIBLING_GAP cards placed; when every
    waiting card is blocked (the end of a small deck), the earliest goes, and then any two
    siblings left side by side are parted by moving the first one back to where it fits."""
    return card_order((note.note_id, note.deck, note.cards, note.family) for note in notes)


def card_order(
    notes: Iterable[tuple[int, str, tuple[int, ...], str]],
) -> dict[tuple[int, int], int]:
    """`new_card_order` of (note id, deck, card ordinals, family) of each note, in order."""
    decks: dict[str, deque[tuple[str, tuple[int, int]]]] = {}
    for note_id, deck, cards, named in notes:
        family = named or f"note:{note_id}"
        waiting = decks.get(deck)
        if waiting is None:
            waiting = decks[deck] = deque()
        waiting.extend((family, (note_id, ordinal)) for ordinal in cards)
    due: dict[tuple[int, int], int] = {}
    for waiting in decks.values():
        placed: list[tuple[str, tuple[int, int]]] = []
        last: dict[str, int] = {}
        while waiting:
            # The pick is nearly always at the front: a deque takes it in constant time, and
            # the front is looked at before anything else is.
            if len(placed) - last.get(waiting[0][0], -SIBLING_GAP - 1) > SIBLING_GAP:
                pick = 0
            else:
                pick = next(
                    (
                        index
                        for index, (family, _) in enumerate(waiting)
                        if len(placed) - last.get(family, -SIBLING_GAP - 1) > SIBLING_GAP
                    ),
                    0,
                )
            if pick == 0:
                card = waiting.popleft()
            else:
                card = waiting[pick]
                del waiting[pick]
            last[card[0]] = len(placed)
            placed.append(card)
        for _, card_id in part_neighbours(placed):
            due[card_id] = len(due) + 1
    return due


def part_neighbours(order: list[tuple[str, T]]) -> list[tuple[str, T]]:
    """`order` with every card that sits right before a sibling moved back to the latest place
    where neither neighbour is its sibling (when there is one)."""
    order = list(order)

    def fits(family: str, at: int) -> bool:
        before = order[at - 1][0] if at > 0 else None
        return before != family and order[at][0] != family

    for index in range(len(order) - 1, 0, -1):
        if index >= len(order) or order[index][0] != order[index - 1][0]:
            continue
        family = order[index - 1][0]
        left = order[index - 2][0] if index >= 2 else None
        if left == order[index][0]:
            continue
        item = order.pop(index - 1)
        spot = next((at for at in range(index - 2, -1, -1) if fits(family, at)), None)
        order.insert(index - 1 if spot is None else spot, item)
    return order


def schema() -> tuple[list[str], list[str]]:
    """genanki's schema of Anki's legacy collection: the tables, and the indexes (created after
    the rows are in, which is quicker than keeping them up to date row by row)."""
    from genanki.apkg_schema import APKG_SCHEMA  # noqa: PLC0415 - see model_json

    statements = [part.strip() for part in APKG_SCHEMA.split(";") if part.strip()]
    indexes = [part for part in statements if part.upper().startswith("CREATE INDEX")]
    return [part for part in statements if part not in indexes], indexes


Frames = MutableMapping[str, bytes]
"""Frames of earlier collections, by `frame_key`."""


def frame_key(spec: PackageSpec) -> str:
    """What a collection's frame depends on: the decks, the note types with their templates and
    times, the namespace (deck ids) and the page size. (The tool's own version is part of the
    cache's key.)"""
    digest = hashlib.sha256(f"{PAGE_SIZE}\0{spec.namespace}\0".encode())
    digest.update(json.dumps(all_decks(spec.decks)).encode())
    for packaged in spec.note_types:
        template = packaged.template
        parts = [repr(packaged.note_type), template.front, template.back, template.css]
        parts.extend(side for pair in template.more for side in pair)
        digest.update(json.dumps([parts, packaged.mod]).encode())
    return digest.hexdigest()


def frame_bytes(spec: PackageSpec) -> bytes:
    """The empty collection: the tables (no indexes yet), the col row with the decks and the
    note types."""
    import genanki  # noqa: PLC0415 - see model_json
    from genanki.apkg_col import APKG_COL  # noqa: PLC0415

    conn = sqlite3.connect(":memory:")
    try:
        tables, _ = schema()
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        for statement in tables:
            conn.execute(statement)
        conn.executescript(APKG_COL)
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        for name in all_decks(spec.decks):
            deck = genanki.Deck(deck_id(spec.namespace, name), name).to_json()
            deck["mod"] = 0
            decks[str(deck["id"])] = deck
        models = {str(nt.note_type.model_id): model_json(nt) for nt in spec.note_types}
        conn.execute(
            "UPDATE col SET decks = ?, models = ?",
            (json.dumps(decks, sort_keys=True), json.dumps(models, sort_keys=True)),
        )
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


INDEXES = (
    "CREATE INDEX ix_notes_usn on notes (usn)",
    "CREATE INDEX ix_cards_usn on cards (usn)",
    "CREATE INDEX ix_revlog_usn on revlog (usn)",
    "CREATE INDEX ix_cards_nid on cards (nid)",
    "CREATE INDEX ix_cards_sched on cards (did, queue, due)",
    "CREATE INDEX ix_revlog_cid on revlog (cid)",
    "CREATE INDEX ix_notes_csum on notes (csum)",
)
"""The indexes of genanki's schema (`schema()`), kept here so that a collection made from a
cached frame needs nothing of genanki; a test checks that the two agree."""


Due = dict[tuple[int, int], int]
"""(note id, card ordinal) → the card's position among new cards (`new_card_order`)."""

Fill = Callable[[sqlite3.Connection, PackageSpec, Due], "Callable[[], bool] | None"]
"""Finds how to fill the empty notes and cards tables of a collection (its connection, no
transaction open) with the spec's notes other than row by row (generator.anki.update): the
filling, to run when the collection is finished (without committing; whether it could, and
when not, the tables are left empty), or None when it cannot."""


class Making:
    """A collection being made: begun (`begin_collection`) where the build's other work is
    done, finished (`finish`) in a thread of its own, where SQLite works without holding the
    interpreter's lock for long."""

    def __init__(self, spec: PackageSpec, conn: sqlite3.Connection, due: Due) -> None:
        self.spec = spec
        self.conn = conn
        self.due = due
        self.filling: Callable[[], bool] | None = None

    def finish(self) -> bytes:
        """The collection: its notes and cards (filled, when it can be), then the indexes, in
        one transaction."""
        conn, spec = self.conn, self.spec
        try:
            if self.filling is None or not self.filling():
                # Rows go in by rowid, as a reader meets them anyway: each page is filled
                # before the next is begun. Ids follow the sources on a first build, but a note
                # added later has a higher id wherever it is: in source order, such rows would
                # split pages in the middle of the tree (with ids in random order, inserting
                # takes two to three times as long and the collection is an eighth larger).
                conn.executemany("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)", note_rows(spec))
                conn.executemany(
                    "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    sorted(card_rows(spec, self.due), key=first),
                )
            for statement in INDEXES:
                conn.execute(statement)
            conn.commit()
            return conn.serialize()
        finally:
            conn.close()


def begin_collection(
    spec: PackageSpec, frames: Frames | None = None, fill: Fill | None = None
) -> Making:
    """A collection in memory (nothing is left behind if the build dies): its frame (from
    `frames` when it holds it), the new cards' order, and how `fill` would fill it."""
    key = frame_key(spec)
    frame = frames.get(key) if frames is not None else None
    if frame is None:
        frame = frame_bytes(spec)
        if frames is not None:
            frames[key] = frame
    due = card_order(note[:4] for note in every_note(spec))
    # Finished in another thread, after this one is done with it.
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    making = Making(spec, conn, due)
    try:
        conn.deserialize(frame)
        if fill is not None:
            making.filling = fill(conn, spec, due)
    except BaseException:
        conn.close()
        raise
    return making


def collection_bytes(
    spec: PackageSpec, frames: Frames | None = None, fill: Fill | None = None
) -> bytes:
    """The package's collection.anki2 (see `begin_collection` and `Making.finish`)."""
    return begin_collection(spec, frames, fill).finish()


first = itemgetter(0)
"""A row's id."""


def note_rows(spec: PackageSpec) -> Iterator[tuple[object, ...]]:
    """The notes' rows, by note id (see `collection_bytes`), each made as it is taken: a cold
    build's rows hold every note's fields joined, which all at once would take about as much
    memory as the collection."""
    order: list[tuple[int, int, int]] = []  # note id, the item in spec.notes, the note in it
    for number, item in enumerate(spec.notes):
        if isinstance(item, PackagedNote):
            order.append((item.note_id, number, 0))
            continue
        columns = (item.guids, item.note_types, item.mods, item.tags, item.joined)
        if any(len(column) != len(item.note_ids) for column in columns):
            raise ValueError("the columns of a batch of notes differ in length")
        order.extend((note_id, number, index) for index, note_id in enumerate(item.note_ids))
    order.sort()
    for note_id, number, index in order:
        item = spec.notes[number]
        if isinstance(item, PackagedNote):
            yield note_row(
                (note_id, item.guid, item.note_type, item.mod, item.tags, joined_fields(item))
            )
        else:
            yield note_row(
                (
                    note_id,
                    item.guids[index],
                    item.note_types[index],
                    item.mods[index],
                    item.tags[index],
                    item.joined[index],
                )
            )


def joined_fields(note: PackagedNote) -> str:
    return FIELD_SEPARATOR.join(note.fields)


NoteColumns = tuple[int, str, NoteType, int, tuple[str, ...], str]
"""Note id, GUID, note type, mod, tags, joined fields."""


def note_row(note: NoteColumns) -> tuple[object, ...]:
    note_id, guid, note_type, mod, tags, joined = note
    return (
        note_id,
        guid,
        note_type.model_id,
        mod,
        -1,
        f" {' '.join(tags)} " if tags else "",
        joined,
        first_field(joined),
        0,
        0,
        "",
    )


def first_field(joined: str) -> str:
    """The first of the joined fields (the sort field), without copying the others as
    `split` would."""
    end = joined.find(FIELD_SEPARATOR)
    return joined if end < 0 else joined[:end]


def every_note(spec: PackageSpec) -> Iterator[tuple[int, str, tuple[int, ...], str, int]]:
    """(note id, deck, cards, family, mod) of each note, in order."""
    for item in spec.notes:
        if isinstance(item, PackagedNote):
            yield item.note_id, item.deck, item.cards, item.family, item.mod
        else:
            columns = (item.note_ids, item.decks, item.cards, item.families, item.mods)
            yield from zip(*columns, strict=True)


def card_rows(spec: PackageSpec, due: Due) -> Iterator[tuple[object, ...]]:
    decks: dict[str, int] = {}
    for note_id, deck_name, cards, _, mod in every_note(spec):
        deck = decks.get(deck_name)
        if deck is None:
            deck = decks[deck_name] = deck_id(spec.namespace, deck_name)
        for ordinal in cards:
            yield card_row(note_id, deck, ordinal, mod, due)


def card_row(note_id: int, deck: int, ordinal: int, mod: int, due: Due) -> tuple[object, ...]:
    """A new card's row (its id is its note's id plus its ordinal)."""
    return (
        note_id + ordinal,
        note_id,
        deck,
        ordinal,
        mod,
        -1,
        0,
        0,
        due[(note_id, ordinal)],
        *(0,) * 8,
        "",
    )


def write_package(path: Path, spec: PackageSpec, pieces: Pieces | None = None) -> None:
    """Write the package's zip to `path` (a temporary file: see generator.files.replacing);
    `pieces` are compressed pieces of earlier collections (see generator.anki.archive)."""
    path.write_bytes(package_bytes(spec, pieces))


def package_bytes(
    spec: PackageSpec, pieces: Pieces | None = None, frames: Frames | None = None
) -> bytes:
    """The package's zip, in memory."""
    return zipped(spec, collection_bytes(spec, frames), pieces)


def zipped(spec: PackageSpec, collection: bytes, pieces: Pieces | None = None) -> bytes:
    """The package's zip, in memory, of its collection and the spec's media."""
    # Anki's legacy layout: file i is the zip entry "i"; `media` maps "i" to its name.
    names = {str(index): name for index, (name, _) in enumerate(spec.media)}
    entries = [
        deflated("collection.anki2", collection, pieces),
        deflated("media", json.dumps(names).encode()),
    ]
    for index, (name, data) in enumerate(spec.media):
        # Images other than SVG and sounds are compressed already; deflating them again gains
        # nothing.
        entry = deflated if name.endswith(".svg") else stored
        entries.append(entry(str(index), data))
    handle = io.BytesIO()
    write_zip(handle, entries)
    return handle.getvalue()


@dataclass(frozen=True, slots=True)
class PreviousNote:
    """A note as an earlier package gave it to Anki."""

    guid: str
    """Its GUID."""
    nid: int
    """Its row id in that package."""
    model_id: int
    """Its note type."""
    mod: int
    """The modification time Anki received."""
    fields: tuple[str, ...]
    """Field values."""
    tags: tuple[str, ...]
    """Tags."""
    deck: str
    """Deck of its cards (of the first, when they differ)."""
    cards: tuple[int, ...]
    """Card ordinals."""


def read_package(package: Path) -> dict[str, PreviousNote]:
    """GUID → note of an earlier package; empty when there is none or it cannot be read."""
    try:
        with zipfile.ZipFile(package) as archive:
            data = archive.read("collection.anki2")
        conn = sqlite3.connect(":memory:")
        try:
            conn.deserialize(data)
            decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
            names = {int(key): deck["name"] for key, deck in decks.items()}
            cards: dict[int, list[tuple[int, int]]] = {}
            for nid, ordinal, did in conn.execute("SELECT nid, ord, did FROM cards ORDER BY ord"):
                cards.setdefault(nid, []).append((ordinal, did))
            rows = conn.execute("SELECT id, guid, mid, mod, flds, tags FROM notes").fetchall()
        finally:
            conn.close()
    except (OSError, zipfile.BadZipFile, KeyError, sqlite3.DatabaseError, ValueError, TypeError):
        return {}
    notes = {}
    for nid, guid, mid, mod, flds, tags in rows:
        own = cards.get(nid, [])
        notes[guid] = PreviousNote(
            guid=guid,
            nid=int(nid),
            model_id=int(mid),
            mod=int(mod),
            fields=tuple(flds.split(FIELD_SEPARATOR)),
            tags=tuple(tags.split()),
            deck=names.get(own[0][1], "") if own else "",
            cards=tuple(ordinal for ordinal, _ in own) or (0,),
        )
    return notes
