"""A state rebuilt from the last package, and a recorded state corrected by the package actually
shipped: which notes, keys, hashes, times and tombstones each gives."""

from __future__ import annotations

from dataclasses import replace

from generator.anki.guids import guid
from generator.anki.package import PreviousNote
from generator.anki.plan import OTHER_HOME, REMOVED_TAG, content_hash, field_hash
from generator.anki.recover import reconcile, source_of, state_from_package
from generator.anki.state import NoteState, State
from generator.kinds import REGISTRY

NS = "room"
DECK = "Course::Optics"
REVEAL = REGISTRY.note_types["reveal"]
TYPEIN = REGISTRY.note_types["typein"]


def fields_of(
    note_type_key: str, note_id: str, question: str, source: str = "optics.md"
) -> tuple[str, ...]:
    names = REGISTRY.note_types[note_type_key].field_names()
    values = {"Question": question, "Answer": "ans", "Source": source, "ID": note_id}
    return tuple(values.get(name, "") for name in names)


def shipped_note(
    note_guid: str,
    nid: int,
    note_type_key: str,
    fields: tuple[str, ...],
    *,
    tags: tuple[str, ...] = ("ankigen::reveal", "optics"),
    mod: int = 1_700_000_000,
    cards: tuple[int, ...] = (0,),
) -> PreviousNote:
    return PreviousNote(
        guid=note_guid,
        nid=nid,
        model_id=REGISTRY.note_types[note_type_key].model_id,
        mod=mod,
        fields=fields,
        tags=tags,
        deck=DECK,
        cards=cards,
    )


def test_a_live_note_is_rebuilt_with_everything_the_package_says() -> None:
    fields = fields_of("reveal", "Lens", "What is a lens?", source="topic/optics.md")
    note = shipped_note(guid(NS, "Lens"), 1_700_000_000_000, "reveal", fields, cards=(0, 1))
    state = state_from_package({note.guid: note}, REGISTRY.note_types, NS)
    assert state.notes == {
        "Lens": NoteState(
            guid=guid(NS, "Lens"),
            nid=1_700_000_000_000,
            hash=content_hash(REVEAL, fields, ("ankigen::reveal", "optics")),
            mod=1_700_000_000,
            deck=DECK,
            construct="reveal",
            note_type="reveal",
            cards=(0, 1),
            field_hashes=tuple(field_hash(value) for value in fields),
            source="topic/optics.md",
        )
    }
    assert state.namespace == NS
    assert (state.last_nid, state.last_mod) == (1_700_000_000_000, 1_700_000_000)


def test_a_removed_note_keeps_its_fields_and_tags_and_hashes_without_the_tag() -> None:
    fields = fields_of("reveal", "gone", "Q")
    tags = ("ankigen::key-fact", REMOVED_TAG, "optics")
    note = shipped_note(guid(NS, "gone"), 5, "reveal", fields, tags=tags, mod=9)
    state = state_from_package({note.guid: note}, REGISTRY.note_types, NS)
    entry = state.notes["gone"]
    assert entry.removed is True
    assert entry.fields == fields
    assert entry.tags == tags
    assert entry.construct == "key-fact"
    assert entry.hash == content_hash(REVEAL, fields, ("ankigen::key-fact", "optics"))
    assert entry.home == ""


def test_a_note_whose_type_changed_keeps_the_live_one_under_its_id() -> None:
    old = shipped_note(
        guid(NS, "a"), 10, "reveal", fields_of("reveal", "a", "Q"), tags=(REMOVED_TAG,), mod=20
    )
    new_guid = guid(NS, "a\x1ftypein")
    new = shipped_note(new_guid, 30, "typein", fields_of("typein", "a", "Q"), tags=(), mod=15)
    state = state_from_package({old.guid: old, new.guid: new}, REGISTRY.note_types, NS)
    assert sorted(state.notes) == ["a", "a@reveal"]
    live, left = state.notes["a"], state.notes["a@reveal"]
    assert (live.guid, live.note_type, live.removed, live.home) == (new_guid, "typein", False, "-")
    assert (left.guid, left.note_type, left.removed, left.home) == (old.guid, "reveal", True, "")
    assert left.fields == old.fields
    assert live.fields == ()
    assert live.construct == ""
    assert (state.last_nid, state.last_mod) == (30, 20)


def test_of_two_removed_versions_the_one_with_the_ids_own_guid_is_the_main_one() -> None:
    first = shipped_note(
        guid(NS, "b\x1ftypein"), 1, "typein", fields_of("typein", "b", "Q"), tags=(REMOVED_TAG,)
    )
    second = shipped_note(
        guid(NS, "b"), 2, "reveal", fields_of("reveal", "b", "Q"), tags=(REMOVED_TAG,)
    )
    state = state_from_package({first.guid: first, second.guid: second}, REGISTRY.note_types, NS)
    assert state.notes["b"].note_type == "reveal"
    assert state.notes["b@typein"].note_type == "typein"
    assert state.notes["b@typein"].home == OTHER_HOME


def test_ids_that_differ_in_case_are_one_note() -> None:
    upper = shipped_note(guid(NS, "Lens"), 1, "reveal", fields_of("reveal", "Lens", "Q"))
    lower = shipped_note(
        guid(NS, "lens\x1ftypein"),
        2,
        "typein",
        fields_of("typein", "lens", "Q"),
        tags=(REMOVED_TAG,),
    )
    state = state_from_package({upper.guid: upper, lower.guid: lower}, REGISTRY.note_types, NS)
    assert sorted(state.notes) == ["Lens", "Lens@typein"]


def test_notes_ankigen_did_not_make_are_left_out() -> None:
    foreign = PreviousNote("g1", 1, 42, 1, ("a", "b"), (), DECK, (0,))
    short = shipped_note("g2", 2, "reveal", ("only", "two"))
    state = state_from_package({"g1": foreign, "g2": short}, REGISTRY.note_types, NS)
    assert state == State(namespace=NS)


def test_the_source_is_read_from_the_source_field() -> None:
    note = shipped_note("g", 1, "reveal", fields_of("reveal", "x", "Q", source="a/b.md"))
    assert source_of(REVEAL, note) == "a/b.md"
    no_source = replace(REVEAL, fields=tuple(f for f in REVEAL.fields if f.name != "Source"))
    assert source_of(no_source, replace(note, fields=note.fields[:-1])) == ""


# --- reconcile --------------------------------------------------------------------------------


def recorded_note(note_guid: str, **changes: object) -> NoteState:
    base = NoteState(
        guid=note_guid,
        nid=100,
        hash="h-rec",
        mod=50,
        deck=DECK,
        construct="reveal",
        note_type="reveal",
        source="optics.md",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_reconcile_takes_what_the_package_gave_anki() -> None:
    same = recorded_note("g-same", hash="h-same")
    edited = recorded_note("g-edit", mod=50, field_hashes=("x",))
    older = recorded_note("g-older", mod=80)
    never = recorded_note("g-never")
    tomb = recorded_note("g-tomb", removed=True, fields=("F",))
    dropped = recorded_note("g-drop")
    recorded = State(
        namespace=NS,
        notes={
            "same": same,
            "edit": edited,
            "older": older,
            "never": never,
            "tomb": tomb,
            "drop": dropped,
        },
        last_nid=500,
        last_mod=40,
        package="Course.apkg",
        package_digest="d1",
    )
    shipped = State(
        namespace=NS,
        notes={
            "Same": replace(same, nid=1, mod=1),
            "edit": recorded_note("g-edit", hash="h-new", mod=70, nid=7),
            "older": recorded_note("g-older", hash="h-new", mod=60),
            "fresh": recorded_note("g-fresh", hash="h-fresh", mod=90),
            "drop": recorded_note(
                "g-drop", removed=True, fields=("Q",), tags=(REMOVED_TAG,), mod=45
            ),
        },
        last_nid=300,
        last_mod=90,
    )
    result = reconcile(recorded, shipped)
    assert sorted(result.notes) == ["drop", "edit", "fresh", "older", "same", "tomb"]
    assert result.notes["same"] is same
    assert result.notes["tomb"] is tomb
    assert result.notes["edit"] == replace(edited, hash="h-new", mod=70)
    assert result.notes["older"] == replace(older, hash="h-new", mod=80)
    assert result.notes["fresh"] is shipped.notes["fresh"]
    assert result.notes["drop"] == replace(
        dropped, removed=True, fields=("Q",), tags=(REMOVED_TAG,), mod=50
    )
    assert (result.last_nid, result.last_mod) == (500, 90)
    assert (result.namespace, result.package, result.package_digest) == (
        NS,
        "Course.apkg",
        "d1",
    )
    assert recorded.notes["edit"] is edited


def test_reconcile_brings_back_a_note_the_package_still_gives_live() -> None:
    tomb = recorded_note("g", removed=True, fields=("F",), tags=("t",), mod=90)
    recorded = State(notes={"a": tomb}, last_nid=1, last_mod=90)
    shipped = State(notes={"a": recorded_note("g", mod=20)}, last_nid=100, last_mod=20)
    result = reconcile(recorded, shipped)
    assert result.notes == {"a": replace(tomb, removed=False, hash="h-rec", fields=(), tags=())}
    assert (result.last_nid, result.last_mod) == (100, 90)


def test_reconcile_with_an_empty_package_keeps_only_tombstones() -> None:
    tomb = recorded_note("g1", removed=True)
    recorded = State(notes={"a": recorded_note("g0"), "b": tomb}, last_nid=3, last_mod=4)
    result = reconcile(recorded, State())
    assert result.notes == {"b": tomb}
    assert (result.last_nid, result.last_mod) == (3, 4)


def test_a_foreign_note_does_not_hide_the_notes_after_it() -> None:
    foreign = PreviousNote("g1", 1, 42, 1, ("a", "b"), (), DECK, (0,))
    mine = shipped_note(guid(NS, "x"), 2, "reveal", fields_of("reveal", "x", "Q"))
    state = state_from_package({"g1": foreign, mine.guid: mine}, REGISTRY.note_types, NS)
    assert sorted(state.notes) == ["x"]


def test_a_note_type_without_an_id_field_is_not_read() -> None:
    no_id = replace(REVEAL, fields=tuple(f for f in REVEAL.fields if f.name != "ID"))
    note = shipped_note("g", 1, "reveal", fields_of("reveal", "x", "Q")[:-1])
    assert len(note.fields) == len(no_id.fields)
    assert state_from_package({"g": note}, {"reveal": no_id}, NS) == State(namespace=NS)


def test_a_lone_removed_note_under_another_guid_is_kept_under_its_id() -> None:
    note = shipped_note(
        guid(NS, "y\x1ftypein"), 4, "typein", fields_of("typein", "y", "Q"), tags=(REMOVED_TAG,)
    )
    state = state_from_package({note.guid: note}, REGISTRY.note_types, NS)
    assert sorted(state.notes) == ["y"]
    assert (state.notes["y"].home, state.notes["y"].removed) == (OTHER_HOME, True)


def test_the_live_version_writes_the_id_key() -> None:
    lower = shipped_note(
        guid(NS, "lens\x1ftypein"),
        2,
        "typein",
        fields_of("typein", "lens", "Q"),
        tags=(REMOVED_TAG,),
    )
    upper = shipped_note(guid(NS, "Lens"), 1, "reveal", fields_of("reveal", "Lens", "Q"))
    state = state_from_package({lower.guid: lower, upper.guid: upper}, REGISTRY.note_types, NS)
    assert sorted(state.notes) == ["Lens", "Lens@typein"]
