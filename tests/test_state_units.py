"""The state file's readers and writers one by one: each field's check, the defaults of a file
that leaves fields out, and a save that keeps the lines of entries it shares with the last one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.anki.state import (
    Malformed,
    NoteState,
    NoteTypeState,
    State,
    checker,
    dumps,
    entry,
    entry_line,
    load,
    no_duplicates,
    pairs,
    parse,
    record,
    save,
    save_encoded,
    save_text,
    scalar,
    sequence,
    typed,
    written_lines,
)
from generator.diagnostics import Diagnostics

NOTE = NoteState(
    guid="g1",
    nid=11,
    hash="h1",
    mod=100,
    deck="Course::Topic",
    construct="reveal",
    note_type="reveal",
)
OTHER = NoteState(
    guid="g2",
    nid=22,
    hash="h2",
    mod=200,
    deck="Course::Topic",
    construct="cloze",
    note_type="cloze",
    cards=(0, 1),
)


def test_a_list_check_gives_a_tuple_of_its_items() -> None:
    assert sequence(int)([1, 2, 3]) == (1, 2, 3)
    assert sequence(str)(["a", "b"]) == ("a", "b")
    assert sequence(str)([]) == ()
    assert type(sequence(int)([4])) is tuple


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (int, (1, 2)),
        (int, [1, "2"]),
        (int, [True]),
        (str, ["a", 1]),
        (str, "ab"),
        (int, None),
        (int, 3),
    ],
)
def test_a_list_check_refuses_anything_else(kind: type, value: object) -> None:
    with pytest.raises(Malformed, match=rf"^must be a list of {kind.__name__}$"):
        sequence(kind)(value)


def test_a_scalar_check_refuses_booleans_for_numbers() -> None:
    assert scalar(int)(5) == 5
    assert scalar(bool)(True) is True
    assert scalar(str)("x") == "x"
    for kind, value in [(int, True), (int, "5"), (str, 5), (bool, 1), (int, 5.0)]:
        with pytest.raises(Malformed, match=rf"^must be {kind.__name__}$"):
            scalar(kind)(value)


def test_pairs_are_name_and_id() -> None:
    assert pairs([["Front", 1], ["Back", 2]]) == (("Front", 1), ("Back", 2))
    assert pairs([]) == ()
    for value in [[["Front"]], [["Front", "1"]], [[1, 1]], [("Front", 1)], "x"]:
        with pytest.raises(Malformed, match=r"^must be a list of \[name, id\] pairs$"):
            pairs(value)


def test_each_annotation_has_its_check() -> None:
    assert checker("tuple[int, ...]")([1]) == (1,)
    assert checker("tuple[tuple[str, int], ...]")([["a", 1]]) == (("a", 1),)
    with pytest.raises(AssertionError, match="no reader for list"):
        checker("list")
    with pytest.raises(Malformed, match=r"^'cards' must be a list of int$"):
        typed(["0"], "tuple[int, ...]", "'cards'")
    assert typed([0, 2], "tuple[int, ...]", "'cards'") == (0, 2)


def test_an_entry_is_read_with_its_lists_as_tuples() -> None:
    value = {
        "guid": "g",
        "nid": 1,
        "hash": "h",
        "mod": 2,
        "deck": "D",
        "kind": "cloze",
        "note_type": "cloze",
        "cards": [0, 3],
        "texts": ["a", "b"],
    }
    note = entry(NoteState, value, "note 'x'")
    assert note == NoteState("g", 1, "h", 2, "D", "cloze", "cloze", cards=(0, 3), texts=("a", "b"))
    with pytest.raises(Malformed, match=r"^note 'x': 'cards' must be a list of int$"):
        entry(NoteState, {**value, "cards": [0, "1"]}, "note 'x'")
    with pytest.raises(Malformed, match=r"^note 'x' has unknown keys: a, z$"):
        entry(NoteState, {**value, "z": 1, "a": 2}, "note 'x'")
    with pytest.raises(Malformed, match=r"^note 'x' lacks guid, mod$"):
        entry(NoteState, {k: v for k, v in value.items() if k not in ("guid", "mod")}, "note 'x'")
    with pytest.raises(Malformed, match=r"^note 'x' is not an object$"):
        entry(NoteState, [1], "note 'x'")


def minimal(**extra: object) -> dict[str, object]:
    return {"version": 2, "namespace": "n", "note_types": {}, "notes": {}, **extra}


def test_fields_left_out_of_the_file_read_as_their_defaults() -> None:
    diags = Diagnostics()
    assert parse(minimal(), "", "lock", diags) == State(namespace="n")
    state = parse(minimal(), "", "lock", diags)
    assert (state.last_nid, state.last_mod, state.package, state.package_digest) == (0, 0, "", "")
    assert state.decks == {}
    assert diags.items == []


def test_fields_written_in_the_file_are_read() -> None:
    data = minimal(
        version=1,
        last_nid=7,
        last_mod=8,
        package="C.apkg",
        package_digest="dd",
        decks={"": "C"},
        note_types={
            "reveal": {
                "model_id": 3,
                "name": "R",
                "hash": "h",
                "mod": 4,
                "fields": [["Q", 1]],
                "templates": [["T", 2]],
            }
        },
        notes={
            "a": {
                "guid": "g",
                "nid": 1,
                "hash": "h",
                "mod": 2,
                "deck": "D",
                "construct": "c",
                "note_type": "reveal",
            }
        },
    )
    state = parse(data, "", "lock", Diagnostics())
    assert state == State(
        namespace="n",
        notes={"a": NoteState("g", 1, "h", 2, "D", "c", "reveal")},
        note_types={"reveal": NoteTypeState(3, "R", "h", 4, (("Q", 1),), (("T", 2),))},
        last_nid=7,
        last_mod=8,
        package="C.apkg",
        package_digest="dd",
        decks={"": "C"},
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "it is not an object"),
        (minimal(version=3), "unsupported version 3 (this ankigen reads (1, 2))"),
        (minimal(last_mod="1"), "'last_mod' must be int"),
        (minimal(namespace=1), "'namespace' must be str"),
        ({"version": 2, "note_types": {}, "notes": {}}, "'namespace' must be str"),
        (minimal(package=None), "'package' must be str"),
        (minimal(last_nid=True), "'last_nid' must be int"),
        (minimal(decks={"": 1}), "'decks' must map folders to deck names"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(data: object, message: str) -> None:
    with pytest.raises(Malformed) as caught:
        parse(data, "", "lock", Diagnostics())
    assert str(caught.value) == message


def test_two_notes_with_one_id_get_a_warning_and_the_second_a_new_id() -> None:
    value = {
        "guid": "g",
        "nid": 5,
        "hash": "h",
        "mod": 2,
        "deck": "D",
        "construct": "c",
        "note_type": "reveal",
    }
    data = minimal(notes={"a": value, "b": {**value, "guid": "g2"}})
    text = json.dumps(data, indent=0)
    diags = Diagnostics()
    state = parse(data, text, "lock", diags)
    assert [state.notes["a"].nid, state.notes["b"].nid] == [5, 0]
    assert [(d.code, d.line, d.message) for d in diags.items] == [
        (
            "state-duplicate-nid",
            entry_line(text, "b"),
            "notes 'a' and 'b' had the same note id; 'b' gets a new one",
        )
    ]


def test_an_entry_line_is_where_its_key_starts_a_line() -> None:
    text = '{\n"notes": {\n"a": {},\n"b": {}\n}\n}'
    assert entry_line(text, "b") == 4
    assert entry_line(text, "missing") == 1
    assert entry_line('{\n"notes": {\n"a": {},\n"café": {}\n}\n}', "café") == 4


def test_a_key_written_twice_is_refused() -> None:
    assert no_duplicates([("a", 1), ("b", 2)]) == {"a": 1, "b": 2}
    with pytest.raises(Malformed, match=r"^'a' is written twice$"):
        no_duplicates([("b", 1), ("a", 2), ("a", 3)])


def test_a_record_leaves_out_defaults_only() -> None:
    assert record(NOTE) == {
        "guid": "g1",
        "nid": 11,
        "hash": "h1",
        "mod": 100,
        "deck": "Course::Topic",
        "construct": "reveal",
        "note_type": "reveal",
    }
    assert record(OTHER)["cards"] == (0, 1)


# --- saving -----------------------------------------------------------------------------------


def test_a_save_keeps_the_lines_of_the_entries_it_shares_with_the_last_one(tmp_path: Path) -> None:
    old = State(namespace="n", notes={"a": NOTE, "b": OTHER}, last_nid=22, last_mod=200)
    text = dumps(old)
    written = (
        '"a": {"nid": 11, "guid": "g1", "hash": "h1", "mod": 100, "deck": "Course::Topic", '
        '"construct": "reveal", "note_type": "reveal"}'
    )
    fresh = '"a": ' + json.dumps(record(NOTE), sort_keys=True)
    assert fresh in text
    previous_text = text.replace(fresh, written)
    third = NoteState("g3", 33, "h3", 300, "D", "reveal", "reveal")
    new = State(namespace="n", notes={"a": NOTE, "b": OTHER, "c": third}, last_nid=33, last_mod=300)
    path = tmp_path / "ankigen.lock"
    assert save(path, new, (old, previous_text)) is True
    saved = path.read_text(encoding="utf-8")
    assert saved == dumps(new, (old, previous_text))
    assert written in saved.split("\n")[saved.split("\n").index('"notes": {') + 1]
    assert '"c": ' + json.dumps(record(third), sort_keys=True) in saved
    diags = Diagnostics()
    assert load(path, "lock", diags) == new
    assert diags.items == []


def test_an_entry_that_is_a_new_object_is_written_again() -> None:
    old = State(namespace="n", notes={"a": NOTE})
    text = dumps(old).replace('"guid": "g1"', '"guid":"g1"')
    copy = NoteState(**record(NOTE))  # type: ignore[arg-type]
    assert copy == NOTE and copy is not NOTE
    assert '"guid":"g1"' not in dumps(State(namespace="n", notes={"a": copy}), (old, text))
    assert '"guid":"g1"' in dumps(State(namespace="n", notes={"a": NOTE}), (old, text))


def test_the_lines_of_a_text_are_matched_to_its_sorted_entries() -> None:
    old = State(namespace="n", notes={"b": OTHER, "a": NOTE})
    text = dumps(old)
    lines = written_lines((old, text))
    assert list(lines) == ["a", "b"]
    assert lines["a"][0] is NOTE
    # As written: with the comma that ends every entry's line but the last one's.
    assert lines["a"][1] == '"a": ' + json.dumps(record(NOTE), sort_keys=True) + ","
    assert lines["b"][1] == '"b": ' + json.dumps(record(OTHER), sort_keys=True)
    assert written_lines(None) == {}
    assert written_lines((old, "not a state file")) == {}
    assert written_lines((State(notes={"a": NOTE}), text)) == {}
    assert written_lines((State(), dumps(State()))) == {}


def test_saving_the_text_it_holds_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ankigen.lock"
    assert save_text(path, "x\n") is True
    assert save_text(path, "x\n") is False
    assert save_text(path, "y\n") is True
    assert path.read_text(encoding="utf-8") == "y\n"
    path.write_bytes(b"\xff")
    assert save_text(path, "y\n") is True
    assert path.read_text(encoding="utf-8") == "y\n"


def test_saving_without_comparing_writes_the_text_even_when_it_is_there(tmp_path: Path) -> None:
    path = tmp_path / "ankigen.lock"
    path.write_text("y\n", encoding="utf-8")
    before = path.stat().st_ino
    assert save_encoded(path, b"y\n", compare=False) is True
    # Written anew (a new file moved into place), not left as it was.
    assert path.stat().st_ino != before
    assert path.read_text(encoding="utf-8") == "y\n"


def test_an_entry_with_both_the_old_and_new_name_of_construct_is_refused() -> None:
    value = {
        "guid": "g",
        "nid": 1,
        "hash": "h",
        "mod": 2,
        "deck": "D",
        "kind": "old",
        "construct": "new",
        "note_type": "reveal",
    }
    with pytest.raises(Malformed, match=r"^note 'x' has unknown keys: kind$"):
        entry(NoteState, value, "note 'x'")
    without = {k: v for k, v in value.items() if k != "kind"}
    assert entry(NoteState, without, "note 'x'").construct == "new"


def test_notes_are_looked_up_without_case() -> None:
    state = State(notes={"Topic/Lens": NOTE, "b": OTHER})
    assert state.by_key() == {"topic/lens": ("Topic/Lens", NOTE), "b": ("b", OTHER)}
