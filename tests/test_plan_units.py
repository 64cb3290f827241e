"""The change plan made directly from notes and a state, without a course on disk: kept lessons,
removals a sync settled, removals, renamed and renumbered notes, and what each warns."""

from __future__ import annotations

from dataclasses import replace

import pytest

from generator.anki.guids import guid
from generator.anki.notetypes import CardTemplate
from generator.anki.package import PreviousNote
from generator.anki.plan import (
    OTHER_HOME,
    REMOVED_TAG,
    Change,
    Joined,
    Kept,
    KeptPlan,
    NoteHashes,
    Plan,
    PlannedNote,
    Status,
    content_hash,
    field_hash,
    guid_for,
    later_than,
    make_plan,
    needs_previous_fields,
    next_nid_after,
    note_type_hash,
    pack_texts,
    plan_note_types,
    schema,
    short_hash,
    similarity,
    unpack_texts,
    version_hash,
    warn_renumbered,
)
from generator.anki.state import NoteState, NoteTypeState, State
from generator.diagnostics import Diagnostics
from generator.kinds import REGISTRY
from generator.notes import NoteMeta, RenderedNote

NS = "room"
NOW = 1_800_000_000
DECK = "Course::Optics"
OTHER_DECK = "Course::Sound"
LOCK = "content/ankigen.lock"
REVEAL = REGISTRY.note_types["reveal"]
CLOZE = REGISTRY.note_types["cloze"]


def meta(note_id: str, *, deck: str = DECK, line: int = 3, explicit: bool = True) -> NoteMeta:
    return NoteMeta(
        id=note_id,
        explicit_id=explicit,
        stamp=None,
        path="content/optics.md",
        source="optics.md",
        line=line,
        deck=deck,
        construct="reveal",
        tags=("optics",),
        badge="",
        context="",
    )


def reveal(
    note_id: str,
    question: str,
    answer: str,
    *,
    deck: str = DECK,
    line: int = 3,
    explicit: bool = True,
) -> RenderedNote:
    values = {"Question": question, "Answer": answer, "Source": "optics.md", "ID": note_id}
    fields = tuple(values.get(name, "") for name in REVEAL.field_names())
    return RenderedNote(meta(note_id, deck=deck, line=line, explicit=explicit), "reveal", fields)


def cloze(note_id: str, text: str, cards: tuple[int, ...], texts: tuple[str, ...]) -> RenderedNote:
    values = {"Text": text, "Source": "optics.md", "ID": note_id}
    fields = tuple(values.get(name, "") for name in CLOZE.field_names())
    return RenderedNote(meta(note_id), "cloze", fields, cards=cards, texts=texts)


def plan_of(
    notes: list[RenderedNote | Kept],
    old: State,
    diags: Diagnostics | None = None,
    *,
    now: int = NOW,
    previous: dict[str, PreviousNote] | None = None,
    forget_removed: bool = False,
    forget_moved: bool = False,
) -> Plan:
    return make_plan(
        notes,
        old,
        namespace=NS,
        note_types=REGISTRY.note_types,
        templates=REGISTRY.templates,
        now=now,
        lock_path=LOCK,
        diags=diags if diags is not None else Diagnostics(),
        forget_removed=forget_removed,
        forget_moved=forget_moved,
        previous=previous,
    )


def warnings(diags: Diagnostics) -> list[tuple[str, str, int, str]]:
    return [(d.code, d.path, d.line, d.message) for d in diags.items]


def entry(note_id: str, **changes: object) -> NoteState:
    base = NoteState(
        guid=guid(NS, note_id),
        nid=1_700_000_000_000,
        hash="old-hash",
        mod=1_700_000_000,
        deck=DECK,
        construct="reveal",
        note_type="reveal",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- kept lessons ----------------------------------------------------------------------------


def kept_of(state: State, ids: tuple[str, ...]) -> Kept:
    joined, sizes = pack_texts(f"Q {note_id}\x1fA {note_id}" for note_id in ids)
    return Kept(
        ids=ids,
        paths=tuple(f"content/{note_id}.md" for note_id in ids),
        lines=tuple(10 * (index + 1) for index in range(len(ids))),
        decks=tuple(f"Course::Kept{index}" for index in range(len(ids))),
        note_types=("reveal",) * len(ids),
        joined=joined,
        sizes=sizes,
        tags=tuple((f"tag-{note_id}",) for note_id in ids),
        cards=tuple((0,) for _ in ids),
    )


def test_a_kept_lesson_packages_each_note_with_its_recorded_guid_id_and_time() -> None:
    first = plan_of([reveal("a", "Qa", "Aa"), reveal("b", "Qb", "Ab")], State(namespace=NS))
    old = first.state
    kept = kept_of(old, ("a", "b"))
    plan = plan_of([kept], old, now=NOW + 500)
    assert plan.notes == [
        PlannedNote(
            old.notes[note_id].guid,
            old.notes[note_id].nid,
            old.notes[note_id].mod,
            "reveal",
            (f"Q {note_id}", f"A {note_id}"),
            (f"tag-{note_id}",),
            f"Course::Kept{index}",
            (0,),
        )
        for index, note_id in enumerate(("a", "b"))
    ]
    assert plan.changes == [
        Change(Status.UNCHANGED, "a", "content/a.md", 10, "Course::Kept0", note_type="reveal"),
        Change(Status.UNCHANGED, "b", "content/b.md", 20, "Course::Kept1", note_type="reveal"),
    ]
    assert plan.state.notes["a"] is old.notes["a"]
    assert plan.state.notes["b"] is old.notes["b"]
    assert plan.summary() == {
        "new": 0,
        "changed": 0,
        "unchanged": 2,
        "removed": 0,
        "moved": 0,
    }
    assert list(plan.planned_changes()) == []


def test_a_kept_plan_keeps_the_note_type_of_each_note() -> None:
    priors = (entry("a", nid=11, mod=5, guid="ga"), entry("b", nid=22, mod=6, guid="gb"))
    joined, sizes = pack_texts(("x\x1fy\x1fz", "w"))
    kept = Kept(
        ids=("a", "b"),
        paths=("p", "p"),
        lines=(1, 2),
        decks=(DECK, OTHER_DECK),
        note_types=("reveal", "typein"),
        joined=joined,
        sizes=sizes,
        tags=((), ("t",)),
        cards=((0,), (0, 1)),
    )
    segment = KeptPlan(kept, priors)
    assert len(segment) == 2
    assert segment.planned() == [
        PlannedNote("ga", 11, 5, "reveal", ("x", "y", "z"), (), DECK, (0,)),
        PlannedNote("gb", 22, 6, "typein", ("w",), ("t",), OTHER_DECK, (0, 1)),
    ]
    assert [change.note_type for change in segment.changes()] == ["reveal", "typein"]


@pytest.mark.parametrize(
    "texts",
    [(), ("",), ("a", "", "b"), ("é\x1fü", "日本", "\x00\x1e\x1f\n"), ("x" * 70_000, "y")],
)
def test_packed_texts_come_back_as_they_were(texts: tuple[str, ...]) -> None:
    packed, sizes = pack_texts(texts)
    assert unpack_texts(packed, sizes) == texts
    assert len(sizes) == len(texts)


def test_packed_texts_with_other_sizes_are_refused() -> None:
    packed, sizes = pack_texts(("ab", "c"))
    assert sizes == (2, 1)
    with pytest.raises(ValueError, match="differ"):
        unpack_texts(packed, (2, 2))


def test_a_kept_lessons_joined_fields_are_unpacked_once_and_only_when_read() -> None:
    kept = kept_of(State(namespace=NS), ("a", "b"))
    joined = Joined(kept)
    assert len(joined) == 2 and joined.texts is None  # counted from the sizes
    assert joined[1] == "Q b\x1fA b"
    first = joined.texts
    assert list(joined) == ["Q a\x1fA a", "Q b\x1fA b"]
    assert joined.texts is first
    assert joined[:1] == ("Q a\x1fA a",)


def test_kept_notes_and_planned_ones_keep_source_order() -> None:
    first = plan_of([reveal("a", "Qa", "Aa"), reveal("b", "Qb", "Ab")], State(namespace=NS))
    plan = plan_of([kept_of(first.state, ("a",)), reveal("c", "Qc", "Ac")], first.state)
    assert [(c.id, c.status) for c in plan.changes] == [
        ("a", Status.UNCHANGED),
        ("c", Status.NEW),
        ("b", Status.REMOVED),
    ]
    assert [n.guid for n in plan.notes] == [
        first.state.notes["a"].guid,
        guid(NS, "c"),
        first.state.notes["b"].guid,
    ]
    assert plan.count(Status.UNCHANGED) == 1
    assert plan.count(Status.NEW) == 1


# --- removals -------------------------------------------------------------------------------


def test_a_removal_a_sync_settled_is_kept_but_neither_packaged_nor_counted() -> None:
    prior = entry(
        "gone",
        nid=1_700_000_123_000,
        mod=1_700_000_999,
        deck=OTHER_DECK,
        cards=(0, 2),
        removed=True,
        settled="deleted",
        tags=("old", REMOVED_TAG),
        note_type="cloze",
    )
    old = State(namespace=NS, notes={"gone": prior})
    plan = plan_of([], old)
    assert plan.changes == [
        Change(
            Status.REMOVED,
            "gone",
            "",
            0,
            OTHER_DECK,
            note_type="cloze",
            packaged=False,
            settled="deleted",
        )
    ]
    assert plan.notes == [
        PlannedNote(
            prior.guid,
            1_700_000_123_000,
            1_700_000_999,
            "cloze",
            None,
            ("old", REMOVED_TAG),
            OTHER_DECK,
            (0, 2),
        )
    ]
    assert plan.state.notes == {"gone": prior}
    assert plan.count(Status.REMOVED) == 0
    assert plan.summary()["removed"] == 0


def test_a_settled_note_left_behind_by_a_type_change_is_reported_under_its_id() -> None:
    prior = entry("x", removed=True, settled="suspended", note_type="typein")
    plan = plan_of([], State(namespace=NS, notes={"x@typein": prior}))
    assert [(c.id, c.settled, c.note_type) for c in plan.changes] == [("x", "suspended", "typein")]
    assert plan.state.notes == {"x@typein": prior}


def test_forget_removed_drops_settled_and_tombstoned_notes() -> None:
    old = State(
        namespace=NS,
        notes={
            "s": entry("s", removed=True, settled="deleted"),
            "t": entry("t", removed=True, fields=("q",), nid=5),
        },
    )
    plan = plan_of([], old, forget_removed=True)
    assert plan.changes == []
    assert plan.state.notes == {}


def test_a_note_leaving_the_sources_is_given_once_more_with_the_removal_tag() -> None:
    prior = entry("gone", mod=NOW + 50, synced=NOW + 80, field_hashes=("f1", "f2"))
    found = PreviousNote(
        guid=prior.guid,
        nid=prior.nid,
        model_id=REVEAL.model_id,
        mod=prior.mod,
        fields=("Q", "A"),
        tags=("zeta", "alpha"),
        deck=DECK,
        cards=(0,),
    )
    diags = Diagnostics()
    plan = plan_of(
        [], State(namespace=NS, notes={"gone": prior}), diags, previous={prior.guid: found}
    )
    assert warnings(diags) == []
    assert plan.changes == [
        Change(Status.REMOVED, "gone", "", 0, DECK, first_removal=True, note_type="reveal")
    ]
    tags = ("alpha", REMOVED_TAG, "zeta")
    assert plan.notes == [
        PlannedNote(prior.guid, prior.nid, NOW + 81, "reveal", ("Q", "A"), tags, DECK, (0,))
    ]
    after = plan.state.notes["gone"]
    assert (after.removed, after.mod, after.fields, after.tags) == (
        True,
        NOW + 81,
        ("Q", "A"),
        tags,
    )
    assert plan.count(Status.REMOVED) == 1

    again = plan_of([], plan.state, now=NOW + 1000)
    assert again.changes == [
        Change(Status.REMOVED, "gone", "", 0, DECK, first_removal=False, note_type="reveal")
    ]
    assert again.notes[0].mod == NOW + 81
    assert again.state.notes["gone"].given == after.given


def test_a_removed_note_the_previous_package_lacks_is_reported_and_not_packaged() -> None:
    prior = entry("gone", nid=0)
    diags = Diagnostics()
    plan = plan_of(
        [], State(namespace=NS, notes={"gone@cloze": replace(prior, note_type="cloze")}), diags
    )
    assert warnings(diags) == [
        (
            "removed-note-unknown",
            LOCK,
            0,
            "removed note 'gone' is not in the previous package, so it cannot be tagged "
            f'{REMOVED_TAG}; find it in Anki with "ID:gone"',
        )
    ]
    assert [(c.id, c.packaged, c.first_removal) for c in plan.changes] == [("gone", False, True)]
    assert plan.notes[0].fields is None
    assert plan.notes[0].nid == NOW * 1000


# --- renamed notes ---------------------------------------------------------------------------


def test_similarity_is_the_share_of_filled_fields_in_common() -> None:
    assert similarity(("a", "b", "", "c"), ("a", "x", "", "c")) == pytest.approx(2 / 3)
    assert similarity(("a", ""), ("a", "")) == 1.0
    assert similarity(("a", ""), ("", "a")) == 0.0
    assert similarity(("a", "b"), ("a", "")) == 0.5
    assert similarity(("", "b"), ("a", "b")) == 0.5
    assert similarity(("", ""), ("", "")) == 0.0
    assert similarity((), ()) == 0.0
    assert similarity(("a",), ("a", "b")) == 0.0
    assert similarity(("a", "b"), ("a",)) == 0.0


def derived_state(*notes: RenderedNote) -> State:
    return plan_of(list(notes), State(namespace=NS)).state


def test_a_reworded_heading_names_the_old_and_new_id() -> None:
    old = derived_state(
        reveal("optics/lens", "What is a lens?", "Curved glass.", explicit=False),
        reveal("optics/mirror", "What is a mirror?", "It reflects.", explicit=False),
    )
    diags = Diagnostics()
    plan_of(
        [
            reveal("optics/a-lens", "What is a lens?", "Curved glass!", line=7, explicit=False),
            reveal("optics/mirror", "What is a mirror?", "It reflects.", explicit=False),
        ],
        old,
        diags,
    )
    assert renamed_warnings(diags) == [
        (
            "derived-id-changed",
            "content/optics.md",
            7,
            "note 'optics/lens' became 'optics/a-lens': its id was derived from the heading and "
            "file, which changed. Anki will add it as a new note, its reviews start over, and the "
            f"old note is tagged {REMOVED_TAG}. To keep the reviews, write "
            "'<!-- id: optics/lens -->' at the end of this line, then build again; run "
            "'ankigen ids' to pin every derived id.",
        )
    ]


def renamed_warnings(diags: Diagnostics) -> list[tuple[str, str, int, str]]:
    return [w for w in warnings(diags) if w[0].startswith("derived-id")]


def test_a_note_too_different_from_the_gone_one_is_not_taken_for_it() -> None:
    old = derived_state(reveal("optics/lens", "What is a lens?", "Curved glass.", explicit=False))
    diags = Diagnostics()
    plan_of([reveal("optics/prism", "What is a prism?", "Glass.", explicit=False)], old, diags)
    assert renamed_warnings(diags) == [
        (
            "derived-id-gone",
            LOCK,
            0,
            "note 'optics/lens' (it was in optics.md) is gone from the sources (its id was "
            "derived from a heading and file: if you reworded the heading or moved the file, "
            "write '<!-- id: optics/lens -->' on the card to keep its reviews; 'ankigen ids' "
            "pins every derived id). Otherwise it is tagged "
            f"{REMOVED_TAG} in Anki after this import.",
        )
    ]


def test_a_note_of_another_shape_is_not_taken_for_a_gone_one() -> None:
    old = derived_state(reveal("optics/lens", "What is a lens?", "Curved glass.", explicit=False))
    old.notes["optics/lens"] = replace(old.notes["optics/lens"], field_hashes=("x",), source="")
    diags = Diagnostics()
    plan_of(
        [reveal("optics/a-lens", "What is a lens?", "Curved glass.", explicit=False)], old, diags
    )
    assert [
        (code, message.split(" is gone")[0]) for code, _, _, message in renamed_warnings(diags)
    ] == [("derived-id-gone", "note 'optics/lens'")]


def test_an_explicit_id_that_goes_is_not_reported_as_renamed() -> None:
    old = derived_state(reveal("optics/lens", "What is a lens?", "Curved glass."))
    diags = Diagnostics()
    plan_of([reveal("optics/a-lens", "What is a lens?", "Curved glass.")], old, diags)
    assert renamed_warnings(diags) == []


def test_each_new_note_is_taken_for_one_gone_note_only() -> None:
    old = derived_state(
        reveal("a/one", "Same?", "Yes.", explicit=False),
        reveal("a/two", "Same?", "Yes.", explicit=False),
    )
    diags = Diagnostics()
    plan_of([reveal("a/three", "Same?", "Yes.", explicit=False)], old, diags)
    assert [(code, message[:30]) for code, _, _, message in renamed_warnings(diags)] == [
        ("derived-id-changed", "note 'a/one' became 'a/three':"),
        ("derived-id-gone", "note 'a/two' (it was in optics"),
    ]


# --- renumbered deletions --------------------------------------------------------------------


def test_renumbered_deletions_name_each_move_and_choice_card() -> None:
    first = plan_of([cloze("c", "x", (0, 1, 2), ("alpha", "beta", "gamma"))], State(namespace=NS))
    diags = Diagnostics()
    plan_of([cloze("c", "y", (0, 1, 2), ("Beta", "alpha", "gamma"))], first.state, diags)
    assert warnings(diags) == [
        (
            "cloze-renumbered",
            "content/optics.md",
            3,
            "cloze note 'c' renumbered its deletions (c2 → c1, c1 → c2): each card keeps the "
            "review history of its number, not of its text, and so does the multiple-choice "
            "card of each number ('c/choice-c1', 'c/choice-c2', where there is one, now asks "
            "about another deletion). Keep the old numbers with '==cN::…==' to avoid this.",
        )
    ]


def test_deletions_in_place_or_new_texts_do_not_warn() -> None:
    prior = entry("c", cards=(0, 1), texts=(short_hash("a"), short_hash("b")))
    diags = Diagnostics()
    warn_renumbered(cloze("c", "t", (0, 1), ("A", "new")), prior, diags)
    assert diags.items == []
    warn_renumbered(cloze("c", "t", (0, 1), ("b", "a")), replace(prior, texts=("x",)), diags)
    assert diags.items == []
    warn_renumbered(cloze("c", "t", (0,), ()), prior, diags)
    assert diags.items == []


def test_deletion_texts_must_match_the_cards() -> None:
    prior = entry("c", cards=(0, 1), texts=(short_hash("a"), short_hash("b")))
    with pytest.raises(ValueError):
        warn_renumbered(cloze("c", "t", (0, 1), ("b",)), prior, Diagnostics())


# --- times, ids, guids -----------------------------------------------------------------------


def test_new_unchanged_and_changed_notes_get_their_times() -> None:
    first = plan_of([reveal("a", "Q", "A"), reveal("b", "Q", "B")], State(namespace=NS))
    assert [(n.nid, n.mod, n.guid) for n in first.notes] == [
        (NOW * 1000, NOW, guid(NS, "a")),
        (NOW * 1000 + 1000, NOW, guid(NS, "b")),
    ]
    assert first.state.last_nid == NOW * 1000 + 1000
    second = plan_of([reveal("a", "Q", "A"), reveal("b", "Q", "B2")], first.state, now=NOW - 10)
    assert [(c.id, c.status) for c in second.changes] == [
        ("a", Status.UNCHANGED),
        ("b", Status.CHANGED),
    ]
    assert [n.mod for n in second.notes] == [NOW, NOW + 1]
    b = first.state.notes["b"]
    assert second.state.notes["b"].given == (version_hash(REVEAL.field_names(), b.field_hashes),)
    assert second.state.notes["b"].hash == content_hash(
        REVEAL, reveal("b", "Q", "B2").fields, ("optics",)
    )


def test_a_moved_note_is_reported_until_forgotten() -> None:
    first = plan_of([reveal("a", "Q", "A")], State(namespace=NS))
    diags = Diagnostics()
    plan = plan_of([reveal("a", "Q", "A", deck=OTHER_DECK)], first.state, diags)
    assert plan.changes[0].old_deck == DECK
    assert plan.summary()["moved"] == 1
    assert plan.state.notes["a"].anki_deck == DECK
    assert warnings(diags) == [
        (
            "notes-moved",
            "content/optics.md",
            3,
            f"1 note(s) moved from deck '{DECK}' to '{OTHER_DECK}'. An import leaves existing "
            f'cards in their old deck: in the Browser search "deck:{DECK}" ("ID:a"), select all, '
            f"Cards › Change Deck › '{OTHER_DECK}', then build once with --forget-moved; or run "
            "`ankigen sync`, which moves them. Until then every build repeats this.",
        )
    ]
    quiet = Diagnostics()
    forgotten = plan_of(
        [reveal("a", "Q", "A", deck=OTHER_DECK)], plan.state, quiet, forget_moved=True
    )
    assert forgotten.changes[0].old_deck is None
    assert forgotten.state.notes["a"].anki_deck == ""
    assert quiet.items == []


def test_notes_moved_together_are_found_with_one_search() -> None:
    notes = [reveal("a", "Qa", "Aa"), reveal("b", "Qb", "Ab")]
    first = plan_of(notes, State(namespace=NS))
    diags = Diagnostics()
    moved = [reveal(note_id, f"Q{note_id}", f"A{note_id}", deck=OTHER_DECK) for note_id in "ab"]
    plan_of(moved, first.state, diags)
    [(code, _, _, message)] = warnings(diags)
    assert code == "notes-moved"
    assert message.startswith(f"2 note(s) moved from deck '{DECK}' to '{OTHER_DECK}'")
    assert f'"deck:{DECK}" ("ID:a" OR "ID:b"), select all' in message


def test_lost_cards_are_named() -> None:
    first = plan_of([cloze("c", "x", (0, 1, 2), ("a", "b", "c"))], State(namespace=NS))
    diags = Diagnostics()
    plan = plan_of([cloze("c", "x", (0,), ("a",))], first.state, diags)
    assert plan.changes[0].lost_cards == (1, 2)
    assert warnings(diags) == [
        (
            "cards-lost",
            "content/optics.md",
            3,
            "note 'c' no longer has card(s) 2, 3: their review history stays on orphaned cards "
            "in Anki (Tools › Check Database / Empty Cards), and renumbered deletions move "
            "history to the wrong text",
        )
    ]


def test_ids_and_times_never_go_back() -> None:
    old = State(namespace=NS, last_nid=NOW * 1000 + 5, notes={"x": entry("x", nid=7)})
    assert next_nid_after(old, NOW) == NOW * 1000 + 1005
    assert next_nid_after(State(notes={"x": entry("x", nid=NOW * 2000)}), NOW) == NOW * 2000 + 1000
    assert next_nid_after(State(), NOW) == NOW * 1000
    prior = entry("x", mod=100, synced=300)
    assert later_than(prior, 50) == 301
    assert later_than(replace(prior, synced=0), 50) == 101
    assert later_than(prior, 1000) == 1000


def test_a_note_type_other_than_the_home_gets_its_own_guid() -> None:
    assert guid_for(NS, "a", "reveal", "reveal") == guid(NS, "a")
    assert guid_for(NS, "a", "typein", "reveal") == guid(NS, "a\x1ftypein")


def test_hashes_made_in_advance_are_used_as_given() -> None:
    note = reveal("a", "Q", "A")
    made = NoteHashes("given-hash", ("f",) * 12, ())
    plan = make_plan(
        [note],
        State(namespace=NS),
        namespace=NS,
        note_types=REGISTRY.note_types,
        templates=REGISTRY.templates,
        now=NOW,
        lock_path=LOCK,
        diags=Diagnostics(),
        hashes=[made],
    )
    assert plan.state.notes["a"].hash == "given-hash"
    assert plan.state.notes["a"].field_hashes == ("f",) * 12
    assert NoteHashes.of(note, REVEAL).fields == tuple(field_hash(v) for v in note.fields)


# --- note type changes -----------------------------------------------------------------------


def test_a_note_changing_type_is_a_new_note_then_comes_back() -> None:
    first = plan_of([reveal("a", "Q", "A")], State(namespace=NS))
    typein = RenderedNote(meta("a"), "typein", ("Q", "A", "", "", "", "", "optics.md", "a", "", ""))
    diags = Diagnostics()
    second = plan_of([typein], first.state, diags, now=NOW + 10)
    assert [(c.id, c.status, c.kind_change) for c in second.changes] == [
        ("a", Status.NEW, ("reveal", "typein")),
        ("a", Status.REMOVED, None),
    ]
    assert second.notes[0].guid == guid(NS, "a\x1ftypein")
    assert second.notes[1].guid == guid(NS, "a")
    assert sorted(second.state.notes) == ["a", "a@reveal"]
    assert second.state.notes["a"].home == "reveal"
    assert [w for w in warnings(diags) if w[0] == "note-type-changed"] == [
        (
            "note-type-changed",
            "content/optics.md",
            3,
            "note 'a' changed from reveal to type-in. Anki cannot change a note's type on "
            "import, so this import adds it as a new type-in note (its reviews start over) and "
            f"tags the reveal note {REMOVED_TAG}. Changing it back later restores the earlier "
            "note.",
        )
    ]
    back = Diagnostics()
    third = plan_of([reveal("a", "Q", "A")], second.state, back, now=NOW + 20)
    assert [(c.id, c.status, c.kind_change) for c in third.changes] == [
        ("a", Status.CHANGED, ("typein", "reveal")),
        ("a", Status.REMOVED, None),
    ]
    assert third.notes[0].guid == guid(NS, "a")
    assert third.notes[0].nid == first.notes[0].nid
    assert sorted(third.state.notes) == ["a", "a@typein"]
    assert third.state.notes["a"].home == ""
    assert [w[3] for w in warnings(back) if w[0] == "note-type-changed"] == [
        "note 'a' changed from type-in to reveal. Anki cannot change a note's type on import, "
        "so this import brings back its earlier reveal note (with that note's reviews) and tags "
        f"the type-in note {REMOVED_TAG}. Changing it back later restores the earlier note."
    ]


def test_note_type_times_follow_their_templates() -> None:
    card = REGISTRY.templates.card(REVEAL)
    digest = note_type_hash(REVEAL, card)
    fields, templates = schema(REVEAL)
    assert fields == tuple((f.name, f.id) for f in REVEAL.fields)
    assert templates == ((REVEAL.template_name, REVEAL.template_id),)
    types = {"reveal": REVEAL}
    diags = Diagnostics()
    fresh = plan_note_types(types, REGISTRY.templates, {}, NOW, lock_path=LOCK, diags=diags)
    assert fresh == {
        "reveal": NoteTypeState(REVEAL.model_id, REVEAL.name, digest, NOW, fields, templates)
    }
    same = plan_note_types(
        types,
        REGISTRY.templates,
        {"reveal": replace(fresh["reveal"], mod=5)},
        NOW,
        lock_path=LOCK,
        diags=diags,
    )
    assert same["reveal"].mod == 5
    edited = {"reveal": replace(fresh["reveal"], hash="other", mod=NOW + 7)}
    later = plan_note_types(types, REGISTRY.templates, edited, NOW, lock_path=LOCK, diags=diags)
    assert later["reveal"].mod == NOW + 8
    older = {"reveal": replace(fresh["reveal"], hash="other", mod=3)}
    assert (
        plan_note_types(types, REGISTRY.templates, older, NOW, lock_path=LOCK, diags=diags)[
            "reveal"
        ].mod
        == NOW
    )
    assert diags.items == []


def test_a_schema_or_model_id_change_is_refused() -> None:
    types = {"reveal": REVEAL}
    recorded = plan_note_types(
        types, REGISTRY.templates, {}, NOW, lock_path=LOCK, diags=Diagnostics()
    )
    changed = {"reveal": replace(recorded["reveal"], fields=(("Front", 1),))}
    diags = Diagnostics()
    plan_note_types(types, REGISTRY.templates, changed, NOW, lock_path=LOCK, diags=diags)
    moved = {"reveal": replace(recorded["reveal"], model_id=1)}
    plan_note_types(types, REGISTRY.templates, moved, NOW, lock_path=LOCK, diags=diags)
    assert warnings(diags) == [
        (
            "note-type-schema-changed",
            LOCK,
            0,
            f"the schema of note type '{REVEAL.name}' changed (fields or templates added, "
            "removed or renamed). Anki would import it as a copy named "
            f"'{REVEAL.name}+' and stop updating existing notes. Keep the released schema "
            "frozen; a new schema must be a new note type with its own model id, name and "
            "migration note (see docs/format.md, 'Note types').",
        ),
        (
            "note-type-model-id-changed",
            LOCK,
            0,
            f"note type '{REVEAL.name}' changed its model id: existing notes would stop "
            "updating. A new schema needs a new note type key that declares `replaces`.",
        ),
    ]
    assert [d.severity.name for d in diags.items] == ["ERROR", "ERROR"]
    plan = plan_of([reveal("a", "Q", "A")], State(namespace=NS, note_types=moved), Diagnostics())
    assert plan.changes == []
    assert plan.state == State()


def test_a_replaced_note_type_prints_its_migration() -> None:
    recorded = plan_note_types(
        {"reveal": REVEAL}, REGISTRY.templates, {}, NOW, lock_path=LOCK, diags=Diagnostics()
    )
    newer = replace(
        REVEAL,
        key="reveal2",
        name="ankigen Reveal 2",
        model_id=99,
        replaces="reveal",
        migration="Run it.",
    )
    diags = Diagnostics()
    plan_note_types(
        {"reveal2": newer}, REGISTRY.templates, recorded, NOW, lock_path=LOCK, diags=diags
    )
    assert warnings(diags) == [
        (
            "note-type-replaced",
            LOCK,
            0,
            f"note type '{REVEAL.name}' is replaced by 'ankigen Reveal 2'. Run it. Existing "
            "notes keep the old type until you change it: in the Browser search "
            f"'note:\"{REVEAL.name}\"', select all, Notes › Change Note Type › 'ankigen Reveal "
            "2', then import the package again.",
        )
    ]
    both = Diagnostics()
    plan_note_types(
        {"reveal": REVEAL, "reveal2": newer},
        REGISTRY.templates,
        recorded,
        NOW,
        lock_path=LOCK,
        diags=both,
    )
    assert both.items == []


def test_a_changed_namespace_is_an_error() -> None:
    diags = Diagnostics()
    plan_of([reveal("a", "Q", "A")], State(namespace="other"), diags)
    assert warnings(diags) == [
        (
            "namespace-changed",
            LOCK,
            0,
            f"the course namespace changed from 'other' to '{NS}': every note would get a new "
            "GUID and be duplicated in Anki. Restore the namespace, or delete the state file if "
            "you really want a new deck.",
        )
    ]


def test_only_notes_leaving_without_recorded_fields_need_the_package() -> None:
    old = State(
        notes={
            "a": entry("a"),
            "t": entry("t", removed=True),
            "f": entry("f", fields=("x",)),
        }
    )
    assert needs_previous_fields({"a": "reveal"}, old) is False
    assert needs_previous_fields({"a": "typein"}, old) is True
    assert needs_previous_fields({}, old) is True
    assert needs_previous_fields({}, State(notes={"t": entry("t", removed=True)})) is False


def test_content_hashes_are_pinned() -> None:
    values = {"Question": "Q", "Answer": "A", "Source": "s.md", "ID": "x"}
    fields = tuple(values.get(name, "") for name in REVEAL.field_names())
    assert content_hash(REVEAL, fields, ("b", "a")) == "5d73ede1aef1137f336c"
    assert content_hash(REVEAL, fields, ("a", "b")) == "5d73ede1aef1137f336c"
    moved = tuple("t.md" if value == "s.md" else value for value in fields)
    assert content_hash(REVEAL, moved, ("a", "b")) == "5d73ede1aef1137f336c"
    assert content_hash(REVEAL, fields, ()) != content_hash(REVEAL, fields, ("a",))
    assert version_hash(["Q", "Source", "A"], ["h1", "h2", "h3"]) == "bf51e79995acbe69"
    assert version_hash(["A", "Q"], ["h3", "h1"]) == "bf51e79995acbe69"
    assert field_hash("abc") == "ba7816bf"
    assert field_hash("") == ""
    assert short_hash("  Hello   World ") == short_hash("hello world") == "b94d27b9934d"


def test_a_content_hash_needs_every_field() -> None:
    with pytest.raises(ValueError):
        content_hash(REVEAL, ("only one",), ())


def test_note_type_hashes_are_pinned() -> None:
    assert note_type_hash(REVEAL, CardTemplate("f", "b", "c")) == "545303ab4076b06d5804"
    more = CardTemplate("f", "b", "c", more=(("rf", "rb"),))
    assert note_type_hash(REVEAL, more) == "f454fd35708f09d03b14"
    assert note_type_hash(REVEAL, CardTemplate("f", "b", "c é")) == "1c69a93a9cd97ee2755f"
    assert note_type_hash(REVEAL, CardTemplate("f", "b", "c", more=(("rf", "other"),))) != (
        "f454fd35708f09d03b14"
    )


def test_by_default_removed_and_moved_notes_are_remembered() -> None:
    old = State(
        namespace=NS,
        notes={
            "moved": entry("moved", hash="h"),
            "tomb": entry("tomb", removed=True, fields=("q",), nid=5),
        },
    )
    note = reveal("moved", "Q", "A", deck=OTHER_DECK)
    plan = plan_of([note], old)
    assert [(c.id, c.status, c.old_deck) for c in plan.changes] == [
        ("moved", Status.CHANGED, DECK),
        ("tomb", Status.REMOVED, None),
    ]
    assert plan.state.package == ""
    assert plan.state.decks == {}
    assert plan.note_type_mods == dict.fromkeys(REGISTRY.note_types, NOW)
    assert {key: value.mod for key, value in plan.state.note_types.items()} == (plan.note_type_mods)


def test_a_schema_change_is_reported_at_the_state_file() -> None:
    recorded = plan_note_types(
        {"reveal": REVEAL}, REGISTRY.templates, {}, NOW, lock_path=LOCK, diags=Diagnostics()
    )
    old = State(namespace=NS, note_types={"reveal": replace(recorded["reveal"], model_id=1)})
    diags = Diagnostics()
    plan = plan_of([reveal("a", "Q", "A")], old, diags)
    assert [(d.code, d.path, d.line) for d in diags.items] == [
        ("note-type-model-id-changed", LOCK, 0)
    ]
    assert plan.note_type_mods == {}


def test_any_note_leaving_without_fields_needs_the_package() -> None:
    old = State(
        notes={"t": entry("t", removed=True), "f": entry("f", fields=("x",)), "a": entry("a")}
    )
    assert needs_previous_fields({}, old) is True
    assert needs_previous_fields({"a": "reveal"}, old) is False


def test_a_note_keeps_the_guid_anki_has_and_records_its_type() -> None:
    old = State(namespace=NS, notes={"a": entry("a", guid="given-guid", hash="h")})
    diags = Diagnostics()
    plan = make_plan(
        [reveal("a", "Q", "A"), reveal("b", "Q", "B")],
        old,
        namespace=NS,
        note_types=REGISTRY.note_types,
        templates=REGISTRY.templates,
        now=NOW,
        lock_path=LOCK,
        diags=diags,
        package="Course.apkg",
        decks={"": "Course"},
    )
    assert [n.guid for n in plan.notes] == ["given-guid", guid(NS, "b")]
    assert [c.note_type for c in plan.changes] == ["reveal", "reveal"]
    assert [n.note_type for n in plan.notes] == ["reveal", "reveal"]
    assert [plan.state.notes[k].note_type for k in ("a", "b")] == ["reveal", "reveal"]
    assert [plan.state.notes[k].synced for k in ("a", "b")] == [0, 0]
    assert plan.state.notes["b"].synced_hash == ""
    b = reveal("b", "Q", "B")
    assert plan.notes[1] == PlannedNote(
        guid(NS, "b"), NOW * 1000, NOW, "reveal", b.fields, ("optics",), DECK, (0,)
    )
    assert plan.state.notes["a"].home == OTHER_HOME
    assert (plan.state.namespace, plan.state.package, plan.state.decks) == (
        NS,
        "Course.apkg",
        {"": "Course"},
    )


def test_a_note_of_a_replaced_type_keeps_its_guid_and_id() -> None:
    newer = replace(REVEAL, key="reveal2", model_id=99, replaces="reveal")
    types = {**REGISTRY.note_types, "reveal2": newer}
    first = plan_of([reveal("a", "Q", "A")], State(namespace=NS))
    note = replace(reveal("a", "Q", "A"), note_type="reveal2")
    diags = Diagnostics()
    plan = make_plan(
        [note],
        first.state,
        namespace=NS,
        note_types=types,
        templates=REGISTRY.templates,
        now=NOW + 5,
        lock_path=LOCK,
        diags=diags,
    )
    assert [(c.id, c.status, c.kind_change, c.note_type) for c in plan.changes] == [
        ("a", Status.CHANGED, None, "reveal2")
    ]
    assert plan.notes[0].guid == guid(NS, "a")
    assert plan.notes[0].nid == first.notes[0].nid
    assert sorted(plan.state.notes) == ["a"]
    assert (plan.state.notes["a"].note_type, plan.state.notes["a"].home) == ("reveal2", "")
    assert diags.items == []
    other = State(namespace=NS, notes={"c": entry("c", guid="given", hash="h")})
    moved = make_plan(
        [replace(reveal("c", "Q", "A"), note_type="reveal2")],
        other,
        namespace=NS,
        note_types=types,
        templates=REGISTRY.templates,
        now=NOW,
        lock_path=LOCK,
        diags=Diagnostics(),
    )
    assert (moved.notes[0].guid, moved.state.notes["c"].home) == ("given", OTHER_HOME)
