"""Regeneration safety against the real `anki` package: edits update in place, history survives."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.anki.notetypes import PACKAGED, Templates
from generator.anki.plan import REMOVED_TAG, Status
from generator.kinds import REGISTRY, Registry
from generator.stamp_ids import stamp_ids
from tests.anki_helpers import collection
from tests.lifecycle import (
    build_and_import,
    edit,
    note_ids_by_nid,
    review_all,
    review_log,
    scheduling,
)

pytestmark = pytest.mark.anki

T1, T2, T3 = 1_800_000_000, 1_800_086_400, 1_800_172_800
CSS_MARKER = ".ak-lifecycle-marker{color:#123456}"
TEMPLATE_MARKER = '<div class="ak-lifecycle-marker"></div>'


def changed_templates(folder: Path) -> Registry:
    """A registry whose stylesheet and reveal back template carry a marker."""
    shutil.copytree(Path(str(PACKAGED.root)), folder)
    with (folder / "base.css").open("a", encoding="utf-8") as css:
        css.write("\n" + CSS_MARKER + "\n")
    back = folder / "reveal" / "back.html"
    text = back.read_text(encoding="utf-8")
    back.write_text(text.replace("</div>\n", f"{TEMPLATE_MARKER}</div>\n", 1), encoding="utf-8")
    return REGISTRY.with_templates(Templates.at(folder))


def test_edit_rebuild_reimport_keeps_history(course: Path, tmp_path: Path) -> None:
    stamped = stamp_ids(course, force=True)
    assert not stamped.diagnostics.errors
    basics, more = course / "10-basics", course / "20-more-topics"
    with collection(tmp_path) as col:
        _, first = build_and_import(col, course, tmp_path / "out", now=T1)
        assert len(first.new) == 30 and not first.updated and not first.conflicting
        review_all(col)
        schedule_before, log_before = scheduling(col), review_log(col)
        assert len(log_before) == 30  # one card per note: each cloze here has one group

        # Edit an answer, a question that has an id, and the lesson's tags.
        cards = basics / "cards.md"
        edit(cards, "Paris.", "Paris, on the Seine.")
        edit(cards, "### What does this print?", "### What does this code print?")
        edit(cards, "difficulty: medium\n", "difficulty: medium\ntags: [geo]\n")
        # Remove a note, move one to another deck, add one; rename and reorder a file.
        review = more / "review.md"
        text = review.read_text(encoding="utf-8")
        confusions = re.search(r"### Common confusions.*?(?=### )", text, re.DOTALL)
        analogy = re.search(r"### Analogy:.*?(?=### )", text, re.DOTALL)
        summary = re.search(r"### Summary.*", text, re.DOTALL)
        assert confusions and analogy and summary
        head = text[: text.index("### Key facts")]
        facts = text[text.index("### Key facts") : confusions.start()]
        new_card = "### What is a lens? <!-- id: fx-lens -->\n\nA curved piece of glass.\n\n"
        review.unlink()
        (more / "05-review.md").write_text(
            head + summary.group(0).rstrip() + "\n\n" + new_card + facts, encoding="utf-8"
        )
        cards.write_text(
            cards.read_text(encoding="utf-8") + "\n" + analogy.group(0), encoding="utf-8"
        )
        registry = changed_templates(tmp_path / "templates")

        result, second = build_and_import(col, course, tmp_path / "out", now=T2, registry=registry)

        assert second.new == {"fx-lens"}
        assert second.conflicting == 0
        circuit = ["fx-circuit", "fx-circuit/voltage", "fx-circuit/current"]
        assert second.updated == {
            "fx-capital",  # answer edited
            "fx-print",  # question edited
            "fx-primes",  # tags changed
            "fx-sky",  # tags changed
            "fx-boiling",  # tags changed
            "fx-boiling/choice-c1",  # tags changed
            *circuit,  # moved into a lesson with other tags
            "fx-circuit/voltage/choice",
            "fx-circuit/current/choice",
            "fx-fall",  # removed: tagged once more
            "fx-light-speed",  # removed: tagged once more
        }
        wavelength = "20-more-topics/review#key-facts/wavelength"
        falling = "20-more-topics/review#summary/objects-fall-at-the-same-rate-in-a-vacuum"
        assert second.duplicate == {
            *(
                f"{term}{suffix}"
                for term in ("fx-photon", "fx-frequency", "fx-amplitude", wavelength)
                for suffix in ("", "/cloze", "/cloze/choice-c1")
            ),
            "20-more-topics/review#summary",
            "fx-summary-light",
            "fx-summary-light/choice-c1",
            falling,
            f"{falling}/choice-c1",
        }
        plan = result.plan
        assert plan is not None
        assert plan.summary() == {
            "new": 1,
            "changed": 11,
            "unchanged": 17,
            "removed": 2,
            "moved": 5,
        }
        removed = [c.id for c in plan.changes if c.status is Status.REMOVED]
        assert removed == ["fx-fall", "fx-light-speed"]
        assert {(c.id, c.old_deck, c.deck) for c in plan.moved} == {
            (note_id, "Fixture Course::More topics", "Fixture Course::Basics")
            for note_id in [*circuit, "fx-circuit/voltage/choice", "fx-circuit/current/choice"]
        }
        moved = [d.message for d in result.diagnostics.warnings if "moved from deck" in d.message]
        assert moved and '"ID:fx-circuit"' in moved[0]

        # Nothing duplicated, nothing deleted, scheduling and review log untouched.
        ids = note_ids_by_nid(col)
        assert sorted(ids.values()) == sorted({*ids.values()})
        assert len(ids) == 31
        schedule_after = scheduling(col)
        assert {cid: schedule_after[cid] for cid in schedule_before} == schedule_before
        assert review_log(col) == log_before

        by_id = {note_id: col.get_note(nid) for nid, note_id in ids.items()}
        assert "Paris, on the Seine." in by_id["fx-capital"]["Answer"]
        assert "code print" in by_id["fx-print"]["Question"]
        assert "geo" in by_id["fx-primes"].tags
        assert REMOVED_TAG in by_id["fx-fall"].tags
        # The removed true/false card keeps the fields it was last given (asked as its correction).
        assert "All objects fall at the same rate" in by_id["fx-fall"]["Question"]

        # One note type per kind, updated in place; the CSS/template change is visible.
        names = sorted(m["name"] for m in col.models.all() if m["name"].startswith("ankigen"))
        used = {col.get_note(nid).note_type()["name"] for nid in col.find_notes("")}  # type: ignore[index]
        assert names == sorted(used)
        assert set(names) <= {note_type.name for note_type in REGISTRY.note_types.values()}
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            assert CSS_MARKER in card.question()
            if card.note_type()["name"] == "ankigen Reveal":
                assert TEMPLATE_MARKER in card.answer()

        # The moved note's existing card stays where it was, as Anki does.
        circuit_card = col.get_card(by_id["fx-circuit"].card_ids()[0])
        assert col.decks.name(circuit_card.did) == "Fixture Course::More topics"

        # Rebuilding with no change gives the same bytes and changes nothing in Anki.
        assert result.output is not None
        second_bytes = result.output.read_bytes()
        third_result, third = build_and_import(
            col, course, tmp_path / "out", now=T3, registry=registry
        )
        assert third_result.output is not None
        assert third_result.output.read_bytes() == second_bytes
        assert not third.new and not third.updated and not third.conflicting
        assert scheduling(col) == schedule_after


def test_one_answer_edit_updates_exactly_that_note(course: Path, tmp_path: Path) -> None:
    with collection(tmp_path) as col:
        build_and_import(col, course, tmp_path / "out", now=T1)
        review_all(col)
        before = scheduling(col)
        edit(course / "10-basics" / "cards.md", "Paris.", "Paris (Île-de-France).")
        _, imported = build_and_import(col, course, tmp_path / "out", now=T2)
        assert imported.updated == {"fx-capital"}
        assert not imported.new and not imported.conflicting
        assert len(imported.duplicate) == 29
        assert scheduling(col) == before


def test_fresh_clone_without_state_still_imports_cleanly(course: Path, tmp_path: Path) -> None:
    """Without the state file every note counts as changed: updated, never duplicated."""
    with collection(tmp_path) as col:
        build_and_import(col, course, tmp_path / "first", now=T1)
        review_all(col)
        before = scheduling(col)
        _, imported = build_and_import(col, course, tmp_path / "fresh", now=T2)
        assert not imported.new and not imported.conflicting
        assert len(imported.updated) == 30
        assert scheduling(col) == before
