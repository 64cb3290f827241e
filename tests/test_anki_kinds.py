"""Real-Anki tier for the card kinds of tests/fixtures/kinds: two-way (reversed) cards, typed
answers, typed clozes and image occlusion, built and imported with Anki's own importer.

Checked against Anki itself: the note types (two templates for two-way, cloze types for typed
clozes and occlusion, with their fixed ids), the cards each note makes, what each card shows and
hides, Anki's type-in comparison on both sides, and a rebuild that turns a card two-way.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection

from generator.kinds import occlusion, twoway, typein
from generator.pipeline import BuildResult
from tests.anki_helpers import collection, import_package, render_errors
from tests.conftest import FIXTURES, build_into

pytestmark = pytest.mark.anki

KINDS = FIXTURES / "kinds"
STYLE = re.compile(r"<style>.*?</style>|<script>.*?</script>", re.DOTALL)


@dataclass
class Imported:
    result: BuildResult
    col: Collection
    log: object


@pytest.fixture(scope="module")
def kinds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    folder = tmp_path_factory.mktemp("kinds")
    result = build_into(KINDS, folder / "build", now=1_700_000_000)
    assert result.output is not None, [d.format() for d in result.diagnostics.sorted()]
    (folder / "anki").mkdir()
    with collection(folder / "anki") as col:
        yield Imported(result, col, import_package(col, result.output))


def visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", STYLE.sub(" ", html)).split())


def cards(col: Collection, note_id: str) -> list[tuple[int, str, str]]:
    (nid,) = col.find_notes(f'"ID:{note_id}"')
    found = [col.get_card(cid) for cid in col.card_ids_of_note(nid)]
    return sorted((card.ord, card.question(), card.answer()) for card in found)


def note_type_of(col: Collection, note_id: str) -> str:
    (nid,) = col.find_notes(f'"ID:{note_id}"')
    return str(col.get_note(nid).note_type()["name"])  # type: ignore[index]


def test_everything_is_new_and_renders(kinds: Imported) -> None:
    log = kinds.log
    assert len(log.new) == len(kinds.result.notes)  # type: ignore[attr-defined]
    assert list(log.conflicting) == list(log.duplicate) == []  # type: ignore[attr-defined]
    for cid in kinds.col.find_cards(""):
        card = kinds.col.get_card(cid)
        for side in (card.question(), card.answer()):
            assert render_errors(side.replace("[[type:", "")) == [], side


@pytest.mark.parametrize(
    ("note_type", "templates"),
    [
        (twoway.NOTE_TYPE, [("Forward", 1_731_004_206_900), ("Reverse", 1_731_004_206_901)]),
        (typein.NOTE_TYPE, [("Type-in", 1_731_004_207_900)]),
        (typein.CLOZE_NOTE_TYPE, [("Cloze type-in", 1_731_004_208_900)]),
        (occlusion.NOTE_TYPE, [("Image occlusion", 1_731_004_209_900)]),
    ],
)
def test_note_types_keep_their_ids(
    kinds: Imported, note_type: object, templates: list[tuple[str, int]]
) -> None:
    model = kinds.col.models.get(note_type.model_id)  # type: ignore[attr-defined]
    assert model is not None
    assert model["name"] == note_type.name  # type: ignore[attr-defined]
    assert [(t["name"], t["id"]) for t in model["tmpls"]] == templates
    assert [f["name"] for f in model["flds"]] == list(note_type.field_names())  # type: ignore[attr-defined]
    assert model["type"] == (1 if note_type.cloze else 0)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# Two-way cards
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note_id", "front", "back"),
    [("de-hund", "der Hund", "the dog"), ("de-katze", "die Katze", "the cat")],
)
def test_a_two_way_note_asks_both_ways(
    kinds: Imported, note_id: str, front: str, back: str
) -> None:
    assert note_type_of(kinds.col, note_id) == "ankigen Two-way"
    (forward_ord, fq, fa), (reverse_ord, rq, ra) = cards(kinds.col, note_id)
    assert (forward_ord, reverse_ord) == (0, 1)
    assert front in visible(fq) and back not in visible(fq)
    assert back in visible(fa)
    # The reverse card shows the answer and asks for the question.
    assert back in visible(rq) and front not in visible(rq)
    assert front in visible(ra)


def test_the_reverse_card_asks_its_own_question(kinds: Imported) -> None:
    _, (_, question, _) = cards(kinds.col, "de-katze")
    assert "Which German word, with its article, means this?" in visible(question)
    assert "Feminine." in question  # the reverse hint, behind a click
    _, (_, default, _) = cards(kinds.col, "de-hund")
    assert twoway.DEFAULT_PROMPT in visible(default)


def test_a_card_can_opt_out_of_the_lesson_default(kinds: Imported) -> None:
    assert note_type_of(kinds.col, "de-pferd") == "ankigen Reveal"
    assert len(cards(kinds.col, "de-pferd")) == 1


def test_key_facts_opt_in_to_two_way(kinds: Imported) -> None:
    (_, fq, _), (_, rq, ra) = cards(kinds.col, "gr-noun")
    assert note_type_of(kinds.col, "gr-noun") == "ankigen Two-way"
    assert "Noun" in visible(fq)
    assert "A word that names a person, place or thing." in visible(rq)
    assert twoway.TERM_PROMPT in visible(rq) and "Noun" not in visible(rq)
    assert "Noun" in visible(ra)


# --------------------------------------------------------------------------------------------
# Typed answers
# --------------------------------------------------------------------------------------------


def test_a_type_in_card_has_anki_s_comparison_on_both_sides(kinds: Imported) -> None:
    ((ordinal, question, answer),) = cards(kinds.col, "de-vogel")
    assert ordinal == 0
    assert note_type_of(kinds.col, "de-vogel") == "ankigen Type-in"
    # The reviewer puts its text box and its comparison where Anki leaves these markers.
    assert question.count("[[type:Answer]]") == 1
    assert answer.count("[[type:Answer]]") == 1
    assert "der Vogel" not in visible(question)
    (nid,) = kinds.col.find_notes('"ID:de-vogel"')
    expected = kinds.col.get_note(nid)["Answer"]
    assert expected == "der Vogel"
    compared = kinds.col.compare_answer(expected, "der Fogel")
    assert "typeGood" in compared and "typeBad" in compared
    assert "typeBad" not in kinds.col.compare_answer(expected, "der Vogel")


def test_a_typed_code_answer_is_compared_as_text(kinds: Imported) -> None:
    (nid,) = kinds.col.find_notes('"ID:git-commit-typed"')
    expected = kinds.col.get_note(nid)["Answer"]
    assert expected == "<code>git commit</code>"
    # Anki compares the text: the code formatting is not typed.
    assert "typeBad" not in kinds.col.compare_answer(expected, "git commit")
    assert "typeMissed" not in kinds.col.compare_answer(expected, "git commit")


def test_typed_clozes_make_one_card_per_deletion_with_the_comparison(kinds: Imported) -> None:
    assert note_type_of(kinds.col, "typed-water") == "ankigen Cloze type-in"
    found = cards(kinds.col, "typed-water")
    assert [ordinal for ordinal, _, _ in found] == [0, 1]
    for ordinal, question, answer in found:
        assert question.count("[[type:cloze:Text]]") == 1
        assert answer.count("[[type:cloze:Text]]") == 1
        hidden = ("100 °C", "0 °C")[ordinal]
        assert f'data-ordinal="{ordinal + 1}">[...]' in question
        assert hidden in visible(answer)


# --------------------------------------------------------------------------------------------
# Image occlusion
# --------------------------------------------------------------------------------------------

REGION = re.compile(
    r'<div class="ak-io-region" data-region="(\d+)" style="[^"]*">'
    r'<span class="(cloze|cloze-inactive)"[^>]*>(.*?)</span>'
)


def test_one_card_per_region_each_asking_its_own(kinds: Imported) -> None:
    found = cards(kinds.col, "heart-parts")
    assert [ordinal for ordinal, _, _ in found] == [0, 1, 2]
    labels = ["Aorta", "Left ventricle", "Right atrium"]
    for ordinal, question, answer in found:
        regions = REGION.findall(question)
        assert [int(n) for n, _, _ in regions] == [1, 2, 3]
        asked = [(n, text) for n, kind, text in regions if kind == "cloze"]
        # The asked region's name is never on the front; the others' are hidden by CSS.
        assert asked == [(str(ordinal + 1), "[...]")]
        assert labels[ordinal] not in visible(question).replace(
            visible(" ".join(t for _, k, t in regions if k != "cloze")), ""
        )
        revealed = [(n, text) for n, kind, text in REGION.findall(answer) if kind == "cloze"]
        assert revealed == [(str(ordinal + 1), labels[ordinal])]
        assert 'data-mode="hide-all"' in question


def test_hide_one_mode_and_the_image_are_on_the_card(kinds: Imported) -> None:
    (_, question, _), _ = cards(kinds.col, "heart-chambers")
    assert 'data-mode="hide-one"' in question
    (name,) = re.findall(r'<img [^>]*src="([^"]+)"', question)
    assert (Path(kinds.col.media.dir()) / name).read_bytes() == (
        KINDS / "20-anatomy/img/heart.png"
    ).read_bytes()
    assert 'width="240"' in question


def test_the_occlusion_card_needs_no_network_and_no_reviewer_script(kinds: Imported) -> None:
    for _, question, answer in cards(kinds.col, "heart-parts"):
        assert "http" not in STYLE.sub("", question + answer)
        assert "anki.imageOcclusion" not in question + answer


# --------------------------------------------------------------------------------------------
# Rebuilds
# --------------------------------------------------------------------------------------------


def test_turning_a_card_two_way_adds_a_note_and_loses_nothing(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(KINDS, content)
    out = tmp_path / "build"
    first = build_into(content, out, now=1_700_000_000)
    assert first.output is not None
    (tmp_path / "anki").mkdir()
    with collection(tmp_path / "anki") as col:
        import_package(col, first.output)
        (nid,) = col.find_notes('"ID:de-pferd"')
        card = col.get_card(col.card_ids_of_note(nid)[0])
        card.start_timer()
        col.sched.answerCard(card, 3)
        lesson = content / "10-language/vocabulary.md"
        lesson.write_text(
            lesson.read_text(encoding="utf-8").replace("**Reverse:** no", "**Reverse:** yes"),
            encoding="utf-8",
        )
        second = build_into(content, out, now=1_700_000_100)
        assert second.output is not None
        log = import_package(col, second.output)
        assert list(log.conflicting) == []  # type: ignore[attr-defined]
        ids = col.find_notes('"ID:de-pferd"')
        kinds_now = sorted(str(col.get_note(n).note_type()["name"]) for n in ids)  # type: ignore[index]
        # The two-way note is a new note; the reveal note keeps its review history.
        assert "ankigen Two-way" in kinds_now
        reviewed = col.get_card(card.id)
        assert reviewed.reps == 1
