"""New cards made from one source item never come up back to back, in Anki's own queue."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from generator.anki.notetypes import PACKAGED
from generator.anki.package import SIBLING_GAP, PackagedNote, family_of, new_card_order
from generator.kinds import REGISTRY
from tests.anki_helpers import collection, import_package
from tests.conftest import CONTENT, FIXTURES, build_into


def note(family: str, note_id: int, deck: str = "D", cards: tuple[int, ...] = (0,)) -> PackagedNote:
    return PackagedNote(
        guid=str(note_id),
        note_type=REGISTRY.note_type("reveal"),
        fields=(),
        tags=(),
        deck=deck,
        note_id=note_id,
        mod=0,
        cards=cards,
        family=family,
    )


def order(notes: list[PackagedNote]) -> list[str]:
    due = new_card_order(notes)
    families = {(n.note_id, o): n.family for n in notes for o in n.cards}
    return [families[card] for card in sorted(due, key=due.__getitem__)]


def test_siblings_are_kept_apart_in_source_order_otherwise() -> None:
    # Six key facts: reveal and cloze of each, then their choice cards (as a lesson makes them).
    facts = [f"f{i}" for i in range(6)]
    notes = [note(fact, 10 * i + k) for i, fact in enumerate(facts) for k in (1, 2)]
    notes += [note(fact, 100 + i) for i, fact in enumerate(facts)]
    shown = order(notes)
    assert shown[:5] == facts[:5]
    assert all(x != y for x, y in pairwise(shown)), shown
    # Where enough other cards wait, siblings are at least SIBLING_GAP cards apart.
    first = {fact: shown.index(fact) for fact in facts}
    assert shown.index("f0", first["f0"] + 1) - first["f0"] > SIBLING_GAP


def test_a_small_deck_still_parts_neighbours() -> None:
    notes = [note("a", 1), note("b", 2), note("c", 3), note("d", 4), note("d", 5)]
    shown = order(notes)
    assert all(x != y for x, y in pairwise(shown)), shown


def test_decks_are_ordered_on_their_own() -> None:
    notes = [note("x", 1, deck="A"), note("y", 2, deck="B"), note("x", 3, deck="A")]
    due = new_card_order(notes)
    assert due[(1, 0)] < due[(3, 0)]
    assert sorted(due.values()) == [1, 2, 3]


def test_cards_of_one_cloze_note_are_spread_too() -> None:
    notes = [note("s", 1, cards=(0, 1)), note("t", 2), note("u", 3)]
    assert order(notes)[0] == "s" and order(notes)[1] != "s"


@pytest.mark.anki
@pytest.mark.parametrize("content", [CONTENT, FIXTURES / "tour", FIXTURES / "course"])
def test_anki_never_shows_two_cards_of_one_fact_in_a_row(content: Path, tmp_path: Path) -> None:
    result = build_into(content, tmp_path / "out")
    assert result.output is not None
    assert PACKAGED is REGISTRY.templates
    with collection(tmp_path) as col:
        import_package(col, result.output)
        config = col.decks.get_config(1)
        assert config is not None
        config["new"]["perDay"] = 9999
        col.decks.update_config(config)
        for deck in col.decks.all_names_and_ids():
            if "::" in deck.name or deck.name == "Default":
                continue
            col.decks.select(deck.id)
            queued = col.sched.get_queued_cards(fetch_limit=5000).cards
            families = [family_of(col.get_card(entry.card.id).note()["ID"]) for entry in queued]
            assert len(families) == len(col.find_cards(f'"deck:{deck.name}"'))
            pairs = [(a, b) for a, b in pairwise(families) if a == b]
            assert pairs == [], f"{deck.name}: siblings back to back {pairs} in {families}"


def test_family_of_generated_notes() -> None:
    assert family_of("kf-term/cloze/choice-c1") == "kf-term"
    assert family_of("kf-term/cloze") == "kf-term"
    assert family_of("analogy/mapping/choice") == "analogy/mapping"
    assert family_of("summary-point/choice-c12") == "summary-point"
    assert family_of("lesson#heading") == "lesson#heading"
    # "/c" in a path is no suffix.
    assert family_of("10-cells/concepts#what-is-a-cell") == "10-cells/concepts#what-is-a-cell"
    assert family_of("10-cells/concepts#a/cloze") == "10-cells/concepts#a"
