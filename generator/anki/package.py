"""Write an .apkg: Anki's legacy collection format, deterministic and atomically replaced.

genanki supplies the schema and the note type JSON. Notes, cards and the zip are written here
because genanki stamps one wall-clock time on everything and orders media by set iteration.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from generator.anki.guids import stable_int
from generator.anki.notetypes import CardTemplate, NoteType

T = TypeVar("T")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FIELD_SEPARATOR = "\x1f"


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
    notes: tuple[PackagedNote, ...]
    """Notes in a stable order."""
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
    return GENERATED_SUFFIX.sub("", note_id, count=1)


SIBLING_GAP = 4
"""At least this many other new cards between two cards of one family, where the deck has them."""


def new_card_order(notes: Sequence[PackagedNote]) -> dict[tuple[int, int], int]:
    """(note id, ordinal) → `due` (the position of a new card). Anki shows new cards of a deck in
    this order. Cards made from one source item (a key fact's reveal, cloze and cloze choice; a
    cloze note's deletions and their choices) are different notes of different note types, so
    Anki cannot bury them as siblings: they are kept SIBLING_GAP cards apart here instead.

    Per deck (Anki gathers new cards deck by deck), in source order, each next card is the
    earliest one whose family was not among the last SIBLING_GAP cards placed; when every
    waiting card is blocked (the end of a small deck), the earliest goes, and then any two
    siblings left side by side are parted by moving the first one back to where it fits."""
    decks: dict[str, list[tuple[str, tuple[int, int]]]] = {}
    for note in notes:
        family = note.family or f"note:{note.note_id}"
        for ordinal in note.cards:
            decks.setdefault(note.deck, []).append((family, (note.note_id, ordinal)))
    due: dict[tuple[int, int], int] = {}
    for waiting in decks.values():
        placed: list[tuple[str, tuple[int, int]]] = []
        last: dict[str, int] = {}
        while waiting:
            pick = next(
                (
                    index
                    for index, (family, _) in enumerate(waiting)
                    if len(placed) - last.get(family, -SIBLING_GAP - 1) > SIBLING_GAP
                ),
                0,
            )
            last[waiting[pick][0]] = len(placed)
            placed.append(waiting.pop(pick))
        for _, card in part_neighbours(placed):
            due[card] = len(due) + 1
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


def collection_bytes(spec: PackageSpec) -> bytes:
    """The package's collection.anki2, built in memory (nothing is left behind if the build
    dies)."""
    conn = sqlite3.connect(":memory:")
    try:
        cursor = conn.cursor()
        cursor.executescript(APKG_SCHEMA)
        cursor.executescript(APKG_COL)
        decks = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
        for name in all_decks(spec.decks):
            deck = genanki.Deck(deck_id(spec.namespace, name), name).to_json()
            deck["mod"] = 0
            decks[str(deck["id"])] = deck
        models = {str(nt.note_type.model_id): model_json(nt) for nt in spec.note_types}
        cursor.execute(
            "UPDATE col SET decks = ?, models = ?",
            (json.dumps(decks, sort_keys=True), json.dumps(models, sort_keys=True)),
        )
        due = new_card_order(spec.notes)
        for note in spec.notes:
            cursor.execute(
                "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                (
                    note.note_id,
                    note.guid,
                    note.note_type.model_id,
                    note.mod,
                    -1,
                    f" {' '.join(note.tags)} " if note.tags else "",
                    FIELD_SEPARATOR.join(note.fields),
                    note.fields[0],
                    0,
                    0,
                    "",
                ),
            )
            for ordinal in note.cards:
                cursor.execute(
                    "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        note.note_id + ordinal,
                        note.note_id,
                        deck_id(spec.namespace, note.deck),
                        ordinal,
                        note.mod,
                        -1,
                        0,
                        0,
                        due[(note.note_id, ordinal)],
                        *(0,) * 8,
                        "",
                    ),
                )
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


def write_package(path: Path, spec: PackageSpec) -> None:
    """Write the package's zip to `path` (a temporary file: see generator.files.replacing)."""
    collection = collection_bytes(spec)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        add_entry(archive, "collection.anki2", collection)
        # Anki's legacy layout: file i is the zip entry "i"; `media` maps "i" to its name.
        names = {str(index): name for index, (name, _) in enumerate(spec.media)}
        add_entry(archive, "media", json.dumps(names).encode())
        for index, (name, data) in enumerate(spec.media):
            add_entry(archive, str(index), data, compress=name.endswith(".svg"))


def add_entry(archive: zipfile.ZipFile, name: str, data: bytes, *, compress: bool = True) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    # Images other than SVG and sounds are compressed already; deflating them again gains nothing.
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


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
