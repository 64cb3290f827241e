"""The package built from a spec and read back with sqlite3 and zipfile: note and card rows, the
col row's decks and note types, the frame cache, batches of notes, the zip and stable ids."""

from __future__ import annotations

import hashlib
import io
import json
import random
import sqlite3
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from generator.anki.archive import (
    DEFLATED,
    PIECE,
    STORED,
    Entry,
    deflated,
    piece_key,
    stored,
    write_zip,
)
from generator.anki.guids import stable_int
from generator.anki.package import (
    NoteBatch,
    PackagedNote,
    PackagedNoteType,
    PackageSpec,
    all_decks,
    card_order,
    collection_bytes,
    deck_id,
    every_note,
    first_field,
    frame_bytes,
    frame_key,
    note_rows,
    package_bytes,
    part_neighbours,
    read_package,
    write_package,
)
from generator.kinds import REGISTRY

NS = "room"
OPTICS, SOUND = "Course::Optics", "Course::Sound"
REVEAL = REGISTRY.note_types["reveal"]
CLOZE = REGISTRY.note_types["cloze"]
TYPES = (
    PackagedNoteType(REVEAL, REGISTRY.templates.card(REVEAL), 1_700_000_001),
    PackagedNoteType(CLOZE, REGISTRY.templates.card(CLOZE), 1_700_000_002),
)


def reveal_fields(question: str, note_id: str) -> tuple[str, ...]:
    values = {"Question": question, "Answer": "An answer", "ID": note_id}
    return tuple(values.get(name, "") for name in REVEAL.field_names())


def cloze_fields(text: str, note_id: str) -> tuple[str, ...]:
    values = {"Text": text, "ID": note_id}
    return tuple(values.get(name, "") for name in CLOZE.field_names())


LENS = PackagedNote(
    "guid-lens",
    REVEAL,
    reveal_fields("What is a lens?", "lens"),
    ("optics", "physics"),
    OPTICS,
    1_000_000,
    1_700_000_100,
)
PRISM = PackagedNote(
    "guid-prism",
    CLOZE,
    cloze_fields("A {{c1::prism}} splits {{c2::light}}", "prism"),
    (),
    OPTICS,
    2_000_000,
    1_700_000_200,
    cards=(0, 1),
)
ECHO = PackagedNote(
    "guid-echo", REVEAL, reveal_fields("Echo", "echo"), ("sound",), SOUND, 3_000_000, 1_700_000_300
)


def spec_of(*notes: PackagedNote | NoteBatch) -> PackageSpec:
    return PackageSpec(NS, (OPTICS, SOUND), TYPES, notes)


def open_collection(data: bytes) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.deserialize(data)
    return conn


def col(data: bytes) -> tuple[str, str]:
    conn = open_collection(data)
    try:
        decks, models = conn.execute("SELECT decks, models FROM col").fetchone()
    finally:
        conn.close()
    return decks, models


def rows(data: bytes, query: str) -> list[tuple[object, ...]]:
    conn = open_collection(data)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def test_note_rows_hold_id_guid_type_time_tags_fields_and_sort_field() -> None:
    data = collection_bytes(spec_of(LENS, PRISM))
    assert rows(data, "SELECT * FROM notes ORDER BY id") == [
        (
            1_000_000,
            "guid-lens",
            REVEAL.model_id,
            1_700_000_100,
            -1,
            " optics physics ",
            "\x1f".join(LENS.fields),
            "What is a lens?",
            0,
            0,
            "",
        ),
        (
            2_000_000,
            "guid-prism",
            CLOZE.model_id,
            1_700_000_200,
            -1,
            "",
            "\x1f".join(PRISM.fields),
            "A {{c1::prism}} splits {{c2::light}}",
            0,
            0,
            "",
        ),
    ]


def test_rows_go_in_by_id_so_pages_are_filled_whatever_the_source_order() -> None:
    """Note ids are in no order in the sources (they are hashes of the note's id): inserted in
    source order, rows would split pages all over the table, leaving them a third empty."""
    ids = list(range(1_000_000, 1_300_000, 1000))
    random.Random(7).shuffle(ids)
    notes = [
        PackagedNote(f"g{n}", REVEAL, reveal_fields(f"Question {n}?", "x" * 400), (), OPTICS, n, 1)
        for n in ids
    ]
    shuffled = collection_bytes(spec_of(*notes))
    by_id = collection_bytes(spec_of(*sorted(notes, key=lambda note: note.note_id)))
    assert [row[0] for row in note_rows(spec_of(*notes))] == sorted(ids)
    try:
        pages = table_pages(shuffled)
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table")
    assert pages == table_pages(by_id)
    assert len(pages) == 10  # 300 rows of about 500 bytes, 16 KiB a page, each filled


def table_pages(collection: bytes) -> list[tuple[int, int, int]]:
    """(page number, cells, payload bytes) of each leaf page of the notes table."""
    return rows(
        collection,
        "SELECT pageno, ncell, payload FROM dbstat WHERE name = 'notes' AND pagetype = 'leaf' "
        "ORDER BY pageno",
    )


def test_the_sort_field_is_the_first_field() -> None:
    assert first_field("front\x1fback\x1fmore") == "front"
    assert first_field("only") == "only"
    assert first_field("\x1fback") == ""


def test_card_rows_follow_their_note_deck_and_time() -> None:
    data = collection_bytes(spec_of(LENS, PRISM, ECHO))
    zeros = (0,) * 8
    assert rows(data, "SELECT * FROM cards ORDER BY id") == [
        (1_000_000, 1_000_000, deck_id(NS, OPTICS), 0, 1_700_000_100, -1, 0, 0, 2, *zeros, ""),
        (2_000_000, 2_000_000, deck_id(NS, OPTICS), 0, 1_700_000_200, -1, 0, 0, 1, *zeros, ""),
        (2_000_001, 2_000_000, deck_id(NS, OPTICS), 1, 1_700_000_200, -1, 0, 0, 3, *zeros, ""),
        (3_000_000, 3_000_000, deck_id(NS, SOUND), 0, 1_700_000_300, -1, 0, 0, 4, *zeros, ""),
    ]
    indexes = {name for (name,) in rows(data, "SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"ix_notes_usn", "ix_cards_nid", "ix_cards_sched", "ix_notes_csum"} <= indexes


def test_every_deck_and_parent_is_in_the_col_row_with_no_time() -> None:
    decks_text, _ = col(collection_bytes(spec_of(LENS)))
    decks = json.loads(decks_text)
    assert decks_text == json.dumps(decks, sort_keys=True)
    ours = {int(key): deck for key, deck in decks.items() if key != "1"}
    assert {deck["name"]: key for key, deck in ours.items()} == {
        name: deck_id(NS, name) for name in ("Course", OPTICS, SOUND)
    }
    assert all(deck["mod"] == 0 for deck in ours.values())
    assert all(sorted(deck) == sorted(decks["1"]) for deck in ours.values())
    assert all_decks(["A::B::C", "A::D"]) == ["A", "A::B", "A::B::C", "A::D"]


def test_note_types_are_written_with_their_kind_time_and_templates() -> None:
    _, models_text = col(collection_bytes(spec_of(LENS)))
    models = json.loads(models_text)
    assert models_text == json.dumps(models, sort_keys=True)
    assert sorted(models) == [str(REVEAL.model_id), str(CLOZE.model_id)]
    reveal, cloze = models[str(REVEAL.model_id)], models[str(CLOZE.model_id)]
    assert (reveal["type"], cloze["type"]) == (0, 1)
    assert (reveal["mod"], cloze["mod"]) == (1_700_000_001, 1_700_000_002)
    assert reveal["name"] == REVEAL.name
    assert (reveal["id"], cloze["id"]) == (str(REVEAL.model_id), str(CLOZE.model_id))
    assert [(f["name"], f["id"]) for f in reveal["flds"]] == [(f.name, f.id) for f in REVEAL.fields]
    template = REGISTRY.templates.card(REVEAL)
    assert [(t["name"], t["id"], t["qfmt"], t["afmt"]) for t in reveal["tmpls"]] == [
        (REVEAL.template_name, REVEAL.template_id, template.front, template.back)
    ]
    assert reveal["css"] == template.css


def test_a_frame_is_kept_in_the_cache_and_taken_from_it(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = spec_of(LENS)
    frames: dict[str, bytes] = {}
    first = collection_bytes(spec, frames)
    assert frames == {frame_key(spec): frame_bytes(spec)}

    def no_frame(spec: PackageSpec) -> bytes:
        raise AssertionError("the frame was made again")

    monkeypatch.setattr("generator.anki.package.frame_bytes", no_frame)
    assert collection_bytes(spec, frames) == first


def test_a_batch_is_packaged_like_its_notes() -> None:
    batch = NoteBatch(
        guids=(LENS.guid, PRISM.guid),
        note_types=(REVEAL, CLOZE),
        joined=("\x1f".join(LENS.fields), "\x1f".join(PRISM.fields)),
        tags=(LENS.tags, PRISM.tags),
        decks=(OPTICS, OPTICS),
        note_ids=(LENS.note_id, PRISM.note_id),
        mods=(LENS.mod, PRISM.mod),
        cards=(LENS.cards, PRISM.cards),
        families=("lens", "prism"),
    )
    assert list(batch) == [replace(LENS, family="lens"), replace(PRISM, family="prism")]
    assert collection_bytes(spec_of(batch, ECHO)) == collection_bytes(spec_of(LENS, PRISM, ECHO))
    assert list(every_note(spec_of(batch))) == [
        (1_000_000, OPTICS, (0,), "lens", 1_700_000_100),
        (2_000_000, OPTICS, (0, 1), "prism", 1_700_000_200),
    ]


def batch_of(**changes: tuple[object, ...]) -> NoteBatch:
    columns: dict[str, tuple[object, ...]] = {
        "guids": ("g1", "g2"),
        "note_types": (REVEAL, REVEAL),
        "joined": ("a", "b"),
        "tags": ((), ()),
        "decks": (OPTICS, OPTICS),
        "note_ids": (1000, 2000),
        "mods": (1, 2),
        "cards": ((0,), (0,)),
        "families": ("", ""),
    }
    columns.update(changes)
    return NoteBatch(**columns)  # type: ignore[arg-type]


@pytest.mark.parametrize("column", ["guids", "note_types", "joined", "tags", "mods"])
def test_a_batch_whose_row_columns_disagree_is_refused(column: str) -> None:
    spec = spec_of(batch_of(**{column: batch_of().__getattribute__(column)[:1]}))
    with pytest.raises(ValueError, match="the columns of a batch of notes differ in length"):
        list(note_rows(spec))


@pytest.mark.parametrize("column", ["decks", "cards", "families", "mods", "note_ids"])
def test_a_batch_whose_card_columns_disagree_is_refused(column: str) -> None:
    spec = spec_of(batch_of(**{column: batch_of().__getattribute__(column)[:1]}))
    with pytest.raises(ValueError):
        list(every_note(spec))


def test_a_package_reads_back_as_what_it_gave(tmp_path: Path) -> None:
    spec = PackageSpec(
        NS,
        (OPTICS, SOUND),
        TYPES,
        (LENS, PRISM, ECHO),
        media=(("a.png", b"\x89PNG data"), ("b.svg", b"<svg/>" * 50)),
    )
    path = tmp_path / "course.apkg"
    pieces: dict[bytes, bytes] = {}
    write_package(path, spec, pieces)
    assert path.read_bytes() == package_bytes(spec)
    collection = collection_bytes(spec)
    assert list(pieces) == [piece_key(memoryview(collection), final=True)]
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert [info.filename for info in infos] == ["collection.anki2", "media", "0", "1"]
        assert [info.compress_type for info in infos] == [8, 8, 0, 8]
        assert json.loads(archive.read("media")) == {"0": "a.png", "1": "b.svg"}
        assert archive.read("0") == b"\x89PNG data"
        assert archive.read("1") == b"<svg/>" * 50
    notes = read_package(path)
    assert sorted(notes) == ["guid-echo", "guid-lens", "guid-prism"]
    prism = notes["guid-prism"]
    assert (prism.nid, prism.model_id, prism.mod, prism.fields, prism.tags) == (
        2_000_000,
        CLOZE.model_id,
        1_700_000_200,
        PRISM.fields,
        (),
    )
    assert (prism.deck, prism.cards) == (OPTICS, (0, 1))
    assert notes["guid-lens"].tags == ("optics", "physics")
    assert notes["guid-echo"].deck == SOUND
    assert read_package(tmp_path / "missing.apkg") == {}


# --- the zip ---------------------------------------------------------------------------------


def test_the_zip_has_fixed_times_permissions_and_order() -> None:
    handle = io.BytesIO()
    write_zip(handle, [stored("b", b"bee"), deflated("a", b"ay" * 100)])
    with zipfile.ZipFile(handle) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert [info.filename for info in infos] == ["b", "a"]
        assert [info.compress_type for info in infos] == [STORED, DEFLATED]
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos)
        assert all(info.external_attr == 0o644 << 16 for info in infos)
        assert all(info.create_system == 3 for info in infos)
        assert archive.read("a") == b"ay" * 100
        assert archive.read("b") == b"bee"


def test_an_empty_zip_is_valid() -> None:
    handle = io.BytesIO()
    write_zip(handle, [])
    with zipfile.ZipFile(handle) as archive:
        assert archive.namelist() == []


def test_large_data_is_deflated_in_pieces_and_cached() -> None:
    data = bytes(range(256)) * (PIECE // 256) + b"tail" * 1000
    pieces: dict[bytes, bytes] = {}
    entry = deflated("big", data, pieces)
    assert (entry.name, entry.method, entry.size, entry.crc) == (
        "big",
        DEFLATED,
        len(data),
        zlib.crc32(data),
    )
    assert zlib.decompress(entry.data, -15) == data
    assert sorted(pieces) == sorted(
        [
            piece_key(memoryview(data)[:PIECE], final=False),
            piece_key(memoryview(data)[PIECE:], final=True),
        ]
    )
    assert piece_key(memoryview(b"x"), final=True) == hashlib.sha256(b"x").digest() + b"F"
    cached = dict(pieces)
    assert deflated("big", data, cached) == entry
    assert cached == pieces
    assert deflated("big", data) == entry
    empty = deflated("e", b"")
    assert zlib.decompress(empty.data, -15) == b""
    assert stored("s", b"xyz") == Entry("s", STORED, zlib.crc32(b"xyz"), 3, b"xyz")


# --- ids ---------------------------------------------------------------------------------------


def test_stable_ints_are_the_top_bits_of_the_hash_with_the_high_bit_set() -> None:
    digest = hashlib.sha256(b"deck\x1fns\x1fCourse").digest()
    top = int.from_bytes(digest[:8], "big")
    assert stable_int("deck", "ns", "Course") == (top >> 12) | (1 << 51)
    assert deck_id("ns", "Course") == stable_int("deck", "ns", "Course")
    assert stable_int("x", bits=16) == (
        int.from_bytes(hashlib.sha256(b"x").digest()[:8], "big") >> 48
    ) | (1 << 15)
    for parts in [("a",), ("a", "b"), ("deck", "room", OPTICS)]:
        value = stable_int(*parts)
        assert 1 << 51 <= value < 1 << 52


def package_with(tmp_path: Path, change: str) -> Path:
    conn = open_collection(collection_bytes(spec_of(LENS, PRISM, ECHO)))
    try:
        conn.execute(change)
        conn.commit()
        data = conn.serialize()
    finally:
        conn.close()
    path = tmp_path / "changed.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki2", data)
    return path


def test_a_note_without_cards_reads_as_one_card_in_no_deck(tmp_path: Path) -> None:
    notes = read_package(package_with(tmp_path, "DELETE FROM cards WHERE nid = 1000000"))
    lens = notes["guid-lens"]
    assert (lens.deck, lens.cards) == ("", (0,))
    assert notes["guid-echo"].cards == (0,)


def test_a_note_with_cards_in_two_decks_reads_as_its_first_cards_deck(tmp_path: Path) -> None:
    change = f"UPDATE cards SET did = {deck_id(NS, SOUND)} WHERE id = 2000001"
    prism = read_package(package_with(tmp_path, change))["guid-prism"]
    assert (prism.deck, prism.cards) == (OPTICS, (0, 1))
    change = f"UPDATE cards SET did = {deck_id(NS, SOUND)} WHERE id = 2000000"
    prism = read_package(package_with(tmp_path, change))["guid-prism"]
    assert (prism.deck, prism.cards) == (SOUND, (0, 1))


def test_a_card_in_an_unknown_deck_reads_as_no_deck(tmp_path: Path) -> None:
    notes = read_package(package_with(tmp_path, "UPDATE cards SET did = 5 WHERE nid = 3000000"))
    assert notes["guid-echo"].deck == ""


def test_a_package_that_cannot_be_read_gives_nothing(tmp_path: Path) -> None:
    not_zip = tmp_path / "a.apkg"
    not_zip.write_bytes(b"not a zip")
    assert read_package(not_zip) == {}
    no_collection = tmp_path / "b.apkg"
    with zipfile.ZipFile(no_collection, "w") as archive:
        archive.writestr("media", "{}")
    assert read_package(no_collection) == {}
    not_sqlite = tmp_path / "c.apkg"
    with zipfile.ZipFile(not_sqlite, "w") as archive:
        archive.writestr("collection.anki2", b"garbage" * 100)
    assert read_package(not_sqlite) == {}
    assert read_package(tmp_path) == {}


# --- new card order ----------------------------------------------------------------------------


def test_a_card_before_its_sibling_moves_back_to_where_it_fits() -> None:
    assert part_neighbours([("a", 1), ("b", 2), ("c", 3), ("c", 4), ("d", 5)]) == [
        ("a", 1),
        ("c", 3),
        ("b", 2),
        ("c", 4),
        ("d", 5),
    ]
    assert part_neighbours([("b", 0), ("a", 1), ("a", 2)]) == [("a", 1), ("b", 0), ("a", 2)]
    assert part_neighbours([("x", 0), ("a", 1), ("a", 2), ("a", 3)]) == [
        ("a", 1),
        ("x", 0),
        ("a", 2),
        ("a", 3),
    ]


def test_siblings_with_nowhere_to_go_stay_in_place() -> None:
    assert part_neighbours([("a", 1), ("a", 2), ("b", 3)]) == [("a", 1), ("a", 2), ("b", 3)]
    assert part_neighbours([("a", 1), ("a", 2)]) == [("a", 1), ("a", 2)]
    assert part_neighbours([]) == []


def test_new_cards_wait_until_enough_others_came_since_a_sibling() -> None:
    notes = [
        (1, "D", (0,), "f"),
        (2, "D", (0,), "f"),
        (3, "D", (0,), "g"),
        (4, "D", (0,), ""),
        (5, "D", (0,), "h"),
        (6, "D", (0,), "i"),
        (7, "D", (0,), "f"),
        (8, "E", (0, 1), ""),
    ]
    due = card_order(notes)
    assert due == {
        (1, 0): 1,
        (3, 0): 2,
        (4, 0): 3,
        (5, 0): 4,
        (2, 0): 5,
        (6, 0): 6,
        (7, 0): 7,
        (8, 0): 8,
        (8, 1): 9,
    }


def test_pairs_of_one_fact_are_shown_round_by_round() -> None:
    notes = [(10 * i + k, "D", (0,), f"f{i}") for i in range(4) for k in (1, 2)]
    due = card_order(notes)
    assert sorted(due, key=due.__getitem__) == [
        (1, 0),
        (11, 0),
        (21, 0),
        (31, 0),
        (2, 0),
        (12, 0),
        (22, 0),
        (32, 0),
    ]
    assert sorted(due.values()) == list(range(1, 9))


def test_a_card_goes_back_past_every_place_next_to_a_sibling() -> None:
    assert part_neighbours([("x", 0), ("c", 1), ("y", 2), ("c", 3), ("c", 4)]) == [
        ("c", 3),
        ("x", 0),
        ("c", 1),
        ("y", 2),
        ("c", 4),
    ]
    assert part_neighbours([("c", 1), ("b", 2), ("c", 3), ("c", 4)]) == [
        ("c", 1),
        ("b", 2),
        ("c", 3),
        ("c", 4),
    ]
    order = [("a", 0), ("b", 1), ("b", 2), ("a", 3), ("b", 4), ("b", 5)]
    assert part_neighbours(order) == [
        ("b", 4),
        ("a", 0),
        ("b", 1),
        ("b", 2),
        ("a", 3),
        ("b", 5),
    ]


def test_a_sibling_waits_for_exactly_the_gap() -> None:
    notes = [(i, "D", (0,), family) for i, family in enumerate("abcdae", start=1)]
    due = card_order(notes)
    assert sorted(due, key=due.__getitem__) == [(1, 0), (2, 0), (3, 0), (4, 0), (6, 0), (5, 0)]
    notes = [(i, "D", (0,), family) for i, family in enumerate("abcdeaf", start=1)]
    due = card_order(notes)
    assert sorted(due, key=due.__getitem__) == [(n, 0) for n in range(1, 8)]


def test_a_frame_key_follows_decks_note_types_and_their_times() -> None:
    base = spec_of(LENS)
    assert frame_key(base) == frame_key(spec_of(PRISM, ECHO))
    assert frame_key(base) != frame_key(PackageSpec(NS, (OPTICS,), TYPES, (LENS,)))
    assert frame_key(base) != frame_key(PackageSpec("other", (OPTICS, SOUND), TYPES, (LENS,)))
    moved = (replace(TYPES[0], note_type=replace(REVEAL, model_id=5)), TYPES[1])
    assert frame_key(base) != frame_key(PackageSpec(NS, (OPTICS, SOUND), moved, (LENS,)))
    later = (replace(TYPES[0], mod=TYPES[0].mod + 1), TYPES[1])
    assert frame_key(base) != frame_key(PackageSpec(NS, (OPTICS, SOUND), later, (LENS,)))


def test_a_note_type_with_two_templates_gives_each_its_sides() -> None:
    twoway = REGISTRY.note_types["twoway"]
    card = REGISTRY.templates.card(twoway)
    spec = PackageSpec(NS, (OPTICS,), (PackagedNoteType(twoway, card, 7),), ())
    _, models_text = col(collection_bytes(spec))
    model = json.loads(models_text)[str(twoway.model_id)]
    assert (model["id"], model["type"], model["mod"]) == (str(twoway.model_id), 0, 7)
    assert [(t["name"], t["id"], t["ord"], t["qfmt"], t["afmt"]) for t in model["tmpls"]] == [
        (spec.name, spec.id, ordinal, *card.side(ordinal))
        for ordinal, spec in enumerate(twoway.template_specs)
    ]
    assert card.side(1) == card.more[0] != card.side(0)


def test_a_collection_is_built_in_memory_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "course.apkg"
    write_package(path, spec_of(LENS))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    frames: dict[str, bytes] = {}
    collection_bytes(spec_of(LENS), frames)
    collection_bytes(spec_of(LENS), frames)
    assert sorted(read_package(path)) == ["guid-lens"]
    assert list(work.iterdir()) == []


def test_a_package_keeps_its_frame_in_the_cache_it_is_given() -> None:
    spec = spec_of(LENS)
    frames: dict[str, bytes] = {}
    made = package_bytes(spec, frames=frames)
    assert frames == {frame_key(spec): frame_bytes(spec)}
    assert package_bytes(spec, {}, frames) == made


def test_the_zip_bytes_are_pinned() -> None:
    handle = io.BytesIO()
    write_zip(handle, [stored("a", b"x"), deflated("bc", b"yy")])
    pinned = (
        "504b0304140000000000000021008316dc8c0100000001000000010000006178"
        "504b030414000000080000002100d819fd960400000002000000020000006263abac0400"
        "504b01021403140000000000000021008316dc8c0100000001000000010000000000000000000000"
        "a4010000000061"
        "504b0102140314000000080000002100d819fd960400000002000000020000000000000000000000"
        "a401200000006263"
        "504b050600000000020002005f000000440000000000"
    )
    assert handle.getvalue().hex() == pinned
    with zipfile.ZipFile(handle) as archive:
        infos = archive.infolist()
        assert [(i.extract_version, i.create_version, i.flag_bits) for i in infos] == [
            (20, 20, 0),
            (20, 20, 0),
        ]
        assert [(i.header_offset, i.compress_size, i.file_size) for i in infos] == [
            (0, 1, 1),
            (32, 4, 2),
        ]


def raw_deflate(data: bytes, mode: int) -> bytes:
    compressor = zlib.compressobj(4, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(mode)


def test_pieces_are_deflated_on_their_own_at_level_four() -> None:
    assert deflated("s", b"small " * 10).data == raw_deflate(b"small " * 10, zlib.Z_FINISH)
    head, middle, tail = b"a" * PIECE, b"b" * PIECE, b"tail"
    data = head + middle + tail
    pieces = {piece_key(memoryview(middle), final=False): b"CACHED"}
    entry = deflated("big", data, pieces)
    assert entry.data == (
        raw_deflate(head, zlib.Z_FULL_FLUSH) + b"CACHED" + raw_deflate(tail, zlib.Z_FINISH)
    )
    assert pieces == {
        piece_key(memoryview(head), final=False): raw_deflate(head, zlib.Z_FULL_FLUSH),
        piece_key(memoryview(middle), final=False): b"CACHED",
        piece_key(memoryview(tail), final=True): raw_deflate(tail, zlib.Z_FINISH),
    }
    assert (entry.size, entry.crc, entry.method) == (len(data), zlib.crc32(data), DEFLATED)
    alone = deflated("one", head + tail, {piece_key(memoryview(head), final=False): b"H"})
    assert alone.data == b"H" + raw_deflate(tail, zlib.Z_FINISH)
