"""The state file (ankigen.lock): what it keeps survives a save and a load, and every way it
can be broken gets its own error at its line, without a traceback. One row per breakage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.anki.state import NoteState, NoteTypeState, State, dumps, load, save
from generator.diagnostics import Diagnostics

NOTE = NoteState(
    guid="g1",
    nid=1700000000001,
    hash="h1",
    mod=1700000000,
    deck="Course::Topic",
    construct="reveal",
    note_type="reveal",
)
FULL = NoteState(
    guid="g2",
    nid=1700000000002,
    hash="h2",
    mod=1700000001,
    deck="Course::Sujet élevé",
    construct="cloze",
    note_type="cloze",
    cards=(0, 2),
    texts=("t0", "t2"),
    removed=True,
    home="reveal",
    explicit=False,
    field_hashes=("f0", "f1"),
    source="topic/lesson.md",
    fields=("<b>Q</b>", "A"),
    tags=("course", "topic"),
    options=("one", "two"),
    answer_at=2,
    given=("v1", "v0"),
    synced=1700000005,
    synced_hash="sh",
    anki_deck="Course::Old",
    settled="suspended",
)
TYPE = NoteTypeState(
    model_id=1607392319001,
    name="ankigen reveal",
    hash="th",
    mod=1700000000,
    fields=(("Front", 1), ("Back", 2)),
    templates=(("Card 1", 7),),
)
STATE = State(
    namespace="bio",
    notes={"topic/q": NOTE, "Full": FULL},
    note_types={"reveal": TYPE},
    last_nid=1700000000002,
    last_mod=1700000005,
    package="Biology.apkg",
    package_digest="abc",
    decks={"": "Biology", "topic/": "Biology::Topic"},
)


def loaded(tmp_path: Path, text: str | bytes) -> tuple[State | None, list[str]]:
    path = tmp_path / "ankigen.lock"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    diags = Diagnostics()
    state = load(path, "content/ankigen.lock", diags)
    return state, [d.format() for d in diags.items]


def test_everything_kept_survives_a_save_and_a_load(tmp_path: Path) -> None:
    assert save(tmp_path / "ankigen.lock", STATE) is True
    state, problems = loaded(tmp_path, (tmp_path / "ankigen.lock").read_text(encoding="utf-8"))
    assert problems == []
    assert state == STATE


def test_one_note_per_line_sorted_and_defaults_left_out() -> None:
    text = dumps(State(namespace="n", notes={"b": NOTE, "a": NOTE}, last_nid=5, last_mod=6))
    assert text == (
        "{\n"
        '"version": 2,\n'
        '"namespace": "n",\n'
        '"last_nid": 5,\n'
        '"last_mod": 6,\n'
        '"package": "",\n'
        '"package_digest": "",\n'
        '"note_types": {\n'
        "},\n"
        '"notes": {\n'
        '"a": {"construct": "reveal", "deck": "Course::Topic", "guid": "g1", "hash": "h1", '
        '"mod": 1700000000, "nid": 1700000000001, "note_type": "reveal"},\n'
        '"b": {"construct": "reveal", "deck": "Course::Topic", "guid": "g1", "hash": "h1", '
        '"mod": 1700000000, "nid": 1700000000001, "note_type": "reveal"}\n'
        "}\n"
        "}\n"
    )


def test_text_outside_ascii_is_written_as_is() -> None:
    text = dumps(replace_decks(STATE, {"": "Biología"}))
    assert '"decks": {"": "Biología"},' in text
    assert '"deck": "Course::Sujet élevé"' in text


def replace_decks(state: State, decks: dict[str, str]) -> State:
    return State(
        namespace=state.namespace,
        notes=state.notes,
        note_types=state.note_types,
        last_nid=state.last_nid,
        last_mod=state.last_mod,
        package=state.package,
        package_digest=state.package_digest,
        decks=decks,
    )


def test_saving_the_same_state_again_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ankigen.lock"
    assert save(path, STATE) is True
    before = path.stat().st_mtime_ns
    assert save(path, STATE) is False
    assert path.stat().st_mtime_ns == before
    assert save(path, replace_decks(STATE, {})) is True


def test_no_state_file_is_no_state(tmp_path: Path) -> None:
    diags = Diagnostics()
    assert load(tmp_path / "ankigen.lock", "ankigen.lock", diags) is None
    assert diags.items == []


def test_an_old_state_file_with_kind_is_read(tmp_path: Path) -> None:
    entry = {k: v for k, v in json.loads(line_of(NOTE)).items() if k != "construct"}
    text = wrap(f'"n": {json.dumps({**entry, "kind": "reveal"})}', version=1)
    state, problems = loaded(tmp_path, text)
    assert problems == []
    assert state is not None
    assert state.notes == {"n": NOTE}


def line_of(note: NoteState) -> str:
    return dumps(State(notes={"x": note})).split('"x": ')[1].split("\n")[0]


def wrap(notes: str, *, version: int = 2, types: str = "", extra: str = "") -> str:
    return (
        f'{{\n"version": {version},\n"namespace": "n",\n{extra}"note_types": {{{types}}},\n'
        f'"notes": {{\n{notes}\n}}\n}}\n'
    )


L = "content/ankigen.lock"
RESTORE = (
    "; restore it from version control, or delete it to plan every note against the last "
    "package [state-malformed]"
)
GOOD = f'"good": {line_of(NOTE)}'
BROKEN = [
    pytest.param(
        b'{"version": 2,\n"namespace": "\xff"}',
        [f"{L}: error: state file is not UTF-8 text (at byte 29) [state-unreadable]"],
        id="not UTF-8",
    ),
    pytest.param(
        '{\n"version": 2,\n"namespace": "n"\n"notes": {}}',
        [f"{L}:4: error: state file is not valid JSON: Expecting ',' delimiter [state-malformed]"],
        id="not JSON",
    ),
    pytest.param(
        '{"version": 2, "version": 2}',
        [f"{L}:1: error: state file is malformed: 'version' is written twice [state-malformed]"],
        id="a key written twice",
    ),
    pytest.param(
        "[]",
        [f"{L}:1: error: state file is malformed (it is not an object){RESTORE}"],
        id="not an object",
    ),
    pytest.param(
        wrap("", version=3),
        [
            f"{L}:1: error: state file is malformed (unsupported version 3 (this ankigen reads "
            f"(1, 2))){RESTORE}"
        ],
        id="a version from the future",
    ),
    pytest.param(
        '{"version": 2, "namespace": 5, "note_types": {}, "notes": {}}',
        [f"{L}:1: error: state file is malformed ('namespace' must be str){RESTORE}"],
        id="namespace not text",
    ),
    pytest.param(
        wrap("", extra='"last_nid": true,\n'),
        [f"{L}:1: error: state file is malformed ('last_nid' must be int){RESTORE}"],
        id="a count that is a boolean",
    ),
    pytest.param(
        wrap("", extra='"last_mod": "1",\n'),
        [f"{L}:1: error: state file is malformed ('last_mod' must be int){RESTORE}"],
        id="a time that is text",
    ),
    pytest.param(
        wrap("", extra='"package": 1,\n'),
        [f"{L}:1: error: state file is malformed ('package' must be str){RESTORE}"],
        id="package not text",
    ),
    pytest.param(
        wrap("", extra='"package_digest": null,\n'),
        [f"{L}:1: error: state file is malformed ('package_digest' must be str){RESTORE}"],
        id="digest not text",
    ),
    pytest.param(
        wrap("", extra='"decks": {"": 1},\n'),
        [
            f"{L}:1: error: state file is malformed ('decks' must map folders to deck "
            f"names){RESTORE}"
        ],
        id="a deck name not text",
    ),
    pytest.param(
        wrap("", extra='"decks": ["a"],\n'),
        [
            f"{L}:1: error: state file is malformed ('decks' must map folders to deck "
            f"names){RESTORE}"
        ],
        id="decks not a mapping",
    ),
    pytest.param(
        '{"version": 2, "namespace": "n", "notes": {}}',
        [f"{L}:1: error: state file is malformed ('note_types'){RESTORE}"],
        id="no note types",
    ),
    pytest.param(
        wrap("", types='"reveal": {"model_id": 1}'),
        [
            f"{L}:1: error: state file is malformed (note type 'reveal' lacks fields, hash, mod, "
            f"name, templates){RESTORE}"
        ],
        id="a note type missing keys",
    ),
    pytest.param(
        wrap(
            "",
            types='"reveal": {"model_id": 1, "name": "r", "hash": "h", "mod": 1, '
            '"fields": [["Front", "1"]], "templates": []}',
        ),
        [
            f"{L}:1: error: state file is malformed (note type 'reveal': 'fields' must be a list "
            f"of [name, id] pairs){RESTORE}"
        ],
        id="a field id that is text",
    ),
    pytest.param(
        wrap(
            "",
            types='"reveal": {"model_id": 1, "name": "r", "hash": "h", "mod": 1, '
            '"fields": [["Front", 1, 2]], "templates": []}',
        ),
        [
            f"{L}:1: error: state file is malformed (note type 'reveal': 'fields' must be a list "
            f"of [name, id] pairs){RESTORE}"
        ],
        id="a field pair of three",
    ),
    pytest.param(
        wrap(f'{GOOD},\n"bad": 5'),
        [
            f"{L}:7: error: state file entry is malformed: note 'bad' is not an object "
            "[state-malformed]"
        ],
        id="a note that is not an object",
    ),
    pytest.param(
        wrap(f'"bad": {{"guid": "g"}},\n{GOOD}'),
        [
            f"{L}:6: error: state file entry is malformed: note 'bad' lacks construct, deck, "
            "hash, mod, nid, note_type [state-malformed]"
        ],
        id="a note missing keys",
    ),
    pytest.param(
        wrap(f'"bad": {line_of(NOTE)[:-1]}, "colour": 1, "zeal": 2}}'),
        [
            f"{L}:6: error: state file entry is malformed: note 'bad' has unknown keys: "
            "colour, zeal [state-malformed]"
        ],
        id="a note with unknown keys",
    ),
    pytest.param(
        wrap(f'"bad": {line_of(NOTE)[:-1]}, "cards": [0, "1"]}}'),
        [
            f"{L}:6: error: state file entry is malformed: note 'bad': 'cards' must be a list "
            "of int [state-malformed]"
        ],
        id="a card number that is text",
    ),
    pytest.param(
        wrap(f'"bad": {line_of(NOTE)[:-1]}, "cards": [true]}}'),
        [
            f"{L}:6: error: state file entry is malformed: note 'bad': 'cards' must be a list "
            "of int [state-malformed]"
        ],
        id="a card number that is a boolean",
    ),
    pytest.param(
        wrap(f'"bad": {line_of(NOTE)[:-1]}, "tags": "a b"}}'),
        [
            f"{L}:6: error: state file entry is malformed: note 'bad': 'tags' must be a list "
            "of str [state-malformed]"
        ],
        id="tags that are one text",
    ),
    pytest.param(
        wrap(f'"bad": {line_of(NOTE)[:-1]}, "removed": 1}}'),
        [
            f"{L}:6: error: state file entry is malformed: note 'bad': 'removed' must be bool "
            "[state-malformed]"
        ],
        id="a flag that is a number",
    ),
    pytest.param(
        wrap(f'"bad": {line_of(NOTE).replace("1700000000001", "1.5")}'),
        [
            f"{L}:6: error: state file entry is malformed: note 'bad': 'nid' must be int "
            "[state-malformed]"
        ],
        id="a note id that is not whole",
    ),
    pytest.param(
        wrap(f'{GOOD},\n"GOOD": {line_of(NOTE)}'),
        [
            f"{L}:7: error: note 'GOOD' is in the state file twice (also as 'good'; ids are "
            "compared without case): keep one of the two lines [state-duplicate-note]"
        ],
        id="one note twice, in two cases",
    ),
]


@pytest.mark.parametrize(("text", "problems"), BROKEN)
def test_a_broken_state_file_is_an_error_at_its_line(
    tmp_path: Path, text: str | bytes, problems: list[str]
) -> None:
    state, found = loaded(tmp_path, text)
    assert found == problems
    assert state is not None
    # A broken entry is left out; the good ones are still read.
    assert set(state.notes) <= {"good"}


def test_a_broken_note_leaves_the_others(tmp_path: Path) -> None:
    state, _ = loaded(tmp_path, wrap(f'"bad": 5,\n{GOOD}'))
    assert state is not None
    assert state.notes == {"good": NOTE}
    assert state.namespace == "n"


def test_two_notes_with_one_note_id_keep_both_and_renumber_the_second(tmp_path: Path) -> None:
    other = f'"other": {line_of(NOTE).replace("g1", "g9")}'
    state, problems = loaded(tmp_path, wrap(f"{GOOD},\n{other}"))
    assert problems == [
        f"{L}:7: warning: notes 'good' and 'other' had the same note id; 'other' gets a new one "
        "[state-duplicate-nid]"
    ]
    assert state is not None
    assert state.notes["good"].nid == NOTE.nid
    assert state.notes["other"].nid == 0
    assert state.notes["other"].guid == "g9"


@pytest.mark.parametrize(
    ("markers", "lines"),
    [
        (1, "2"),
        (3, "2, 4, 6"),
        (7, "2, 4, 6, 8, 10, 12, …"),
    ],
)
def test_merge_conflict_markers_say_how_to_resolve(
    tmp_path: Path, markers: int, lines: str
) -> None:
    marks = ["<<<<<<< ours", "=======", ">>>>>>> theirs"]
    body = "\n".join(f"{marks[i % 3]}\nline" for i in range(markers))
    state, problems = loaded(tmp_path, "{\n" + body + "\n}\n")
    assert state == State()
    assert problems == [
        f"{L}:2: error: the state file has git merge conflict markers (lines {lines}). Resolve "
        f"it by keeping one side: `git checkout --theirs {L}` (or --ours), then build again: the "
        "build compares every note with the sources and gives changed notes a newer time. Do "
        "not keep both sides' lines: two entries for one note cannot both be right. "
        "[state-merge-conflict]"
    ]


def test_marker_lookalikes_are_not_conflicts(tmp_path: Path) -> None:
    text = wrap(f'"x": {line_of(NOTE).replace("h1", "<<<<<<< x")}')
    text = text.replace('"namespace": "n",', '"namespace": "n",\n"package": "=======x",')
    state, problems = loaded(tmp_path, text)
    assert problems == []
    assert state is not None
    assert state.package == "=======x"


def test_a_state_file_that_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "ankigen.lock").mkdir()
    diags = Diagnostics()
    assert load(tmp_path / "ankigen.lock", L, diags) == State()
    assert [d.format() for d in diags.items] == [
        f"{L}: error: cannot read state file: Is a directory [state-unreadable]"
    ]
