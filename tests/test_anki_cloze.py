"""Real-Anki tier for cloze deletions: build tests/fixtures/course plus a lesson made for clozes,
import the package into a fresh collection, and check what Anki itself makes of the cloze notes
and their multiple-choice variants.

Facts relied on (/work/shared/anki-facts.md, "Cloze"): Anki makes one card per `{{cN::…}}` group
of a cloze note, shows the card's own group as `[...]` (or `[hint]`) on the front and as its text
on the back, and turns any `{{c1::…}}` text in the field into a deletion.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest
from anki.import_export_pb2 import ImportResponse

from generator.notes import RenderedNote
from generator.pipeline import BuildResult
from tests.anki_helpers import collection, import_package, render_errors
from tests.conftest import FIXTURES, build_into
from tests.test_anki_import import (
    CLOZE_SYNTAX,
    ImportedNote,
    cloze_groups,
    elements,
    norm,
    read_notes,
    visible_text,
)

pytestmark = pytest.mark.anki

CLOZE = "ankigen Cloze"
CLOZE_CHOICE = "ankigen Cloze choice"
ANKI_BLANK = "[...]"
CHOICE_BLANK = "[…]"
NOW = 1_767_000_000

LITERAL = "{{c1::x}}"
LESSON = """\
---
title: Cloze lesson
---

# Cloze lesson

## Cells

The ==mitochondria== is the ==powerhouse== of the ==c1::cell==. <!-- id: cz-multi -->

==c1::Left== and ==c1::right== are one card;
==c2::up== is another. <!-- id: cz-shared -->

Water is ==H2O::formula== and ice is ==frozen water::state==. <!-- id: cz-hint -->

```text
Anki writes {{c1::x}} for a deletion; ==this== is not one.
```

Anki's own syntax, `{{c1::x}}`, is text here,
and ==this one== is a deletion. <!-- id: cz-literal -->

### Key facts

Template <!-- id: cz-kf-template -->
:   The layout of a card, with `{{c1::x}}` in a code span and a code block:

    ```text
    {{c1::x}} stays text, ==so does this==
    ```

Deletion <!-- id: cz-kf-deletion -->
:   The hidden part of a cloze sentence.

Hint <!-- id: cz-kf-hint -->
:   Text shown in the blank instead of the dots.

Group <!-- id: cz-kf-group -->
:   Deletions with the same number, hidden on the same card.
"""

# Cards of every cloze note of the lesson: deletion groups, each with the deletions it hides as
# (answer, hint).
LESSON_CLOZES: dict[str, dict[int, list[tuple[str, str]]]] = {
    "cz-multi": {1: [("cell", "")], 2: [("mitochondria", "")], 3: [("powerhouse", "")]},
    "cz-shared": {1: [("Left", ""), ("right", "")], 2: [("up", "")]},
    "cz-hint": {1: [("H2O", "formula")], 2: [("frozen water", "state")]},
    "cz-literal": {1: [("this one", "")]},
    "cz-kf-template/cloze": {1: [("Template", "")]},
    "cz-kf-deletion/cloze": {1: [("Deletion", "")]},
    "cz-kf-hint/cloze": {1: [("Hint", "")]},
    "cz-kf-group/cloze": {1: [("Group", "")]},
}
# Multiple-choice variants: one per group with a single deletion (cz-shared's group 1 has two).
LESSON_CHOICES = {
    "cz-multi/choice-c1": ("cell", ""),
    "cz-multi/choice-c2": ("mitochondria", ""),
    "cz-multi/choice-c3": ("powerhouse", ""),
    "cz-shared/choice-c2": ("up", ""),
    "cz-hint/choice-c1": ("H2O", "formula"),
    "cz-hint/choice-c2": ("frozen water", "state"),
    "cz-literal/choice-c1": ("this one", ""),
    "cz-kf-template/cloze/choice-c1": ("Template", ""),
    "cz-kf-deletion/cloze/choice-c1": ("Deletion", ""),
    "cz-kf-hint/cloze/choice-c1": ("Hint", ""),
    "cz-kf-group/cloze/choice-c1": ("Group", ""),
}
# tests/fixtures/course: a prose cloze, 4 key facts and 2 summary points, one group each.
COURSE_CLOZES = 7
COURSE_CLOZE_CHOICES = 7
EXPECTED_CLOZE_NOTES = COURSE_CLOZES + len(LESSON_CLOZES)  # 15
EXPECTED_CLOZE_CARDS = COURSE_CLOZES + 12
EXPECTED_CLOZE_CHOICES = COURSE_CLOZE_CHOICES + len(LESSON_CHOICES)  # 18


def add_lesson(content: Path, text: str = LESSON, folder: str = "30-clozes") -> None:
    (content / folder).mkdir()
    (content / folder / "lesson.md").write_text(text, encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Built:
    result: BuildResult
    notes: tuple[ImportedNote, ...]
    log: ImportResponse.Log

    def by_id(self) -> dict[str, ImportedNote]:
        return {note.fields["ID"]: note for note in self.notes}

    def of_type(self, name: str) -> list[ImportedNote]:
        return [note for note in self.notes if note.note_type == name]

    def built(self) -> dict[str, RenderedNote]:
        return {note.meta.id: note for note in self.result.notes}


def build_and_import(content: Path, root: Path) -> Iterator[Built]:
    result = build_into(content, root / "out", now=NOW)
    assert result.output is not None, [d.format() for d in result.diagnostics.sorted()]
    with collection(root) as col:
        log = cast(ImportResponse.Log, import_package(col, result.output))
        yield Built(result, read_notes(col), log)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """tests/fixtures/course with the cloze lesson added, built and imported once."""
    root = tmp_path_factory.mktemp("anki-cloze")
    content = root / "content"
    shutil.copytree(FIXTURES / "course", content)
    add_lesson(content)
    yield from build_and_import(content, root)


def cloze_text(markup: str) -> str:
    (text,) = elements(markup, "div", "ak-cloze-text")
    return text.text


# --------------------------------------------------------------------------------------------
# Build and import
# --------------------------------------------------------------------------------------------


def test_the_build_is_clean_and_every_note_is_new(built: Built) -> None:
    # A short card is reported on its first build (the lesson mixes answers of many forms).
    problems = built.result.diagnostics.sorted()
    # The lesson's examples include a deletion of "up", which the lint rules flag as trivial.
    quiet = ("choice-few-options", "lint-trivial-cloze")
    assert [d.format() for d in problems if d.code not in quiet] == []
    assert len(built.log.new) == len(built.result.notes) == len(built.notes)
    assert list(built.log.conflicting) == list(built.log.duplicate) == []


def test_cloze_note_counts(built: Built) -> None:
    assert len(built.of_type(CLOZE)) == EXPECTED_CLOZE_NOTES
    assert len(built.of_type(CLOZE_CHOICE)) == EXPECTED_CLOZE_CHOICES
    ids = set(built.by_id())
    assert set(LESSON_CLOZES) <= ids
    assert set(LESSON_CHOICES) <= ids
    lesson_choices = {
        note.fields["ID"]
        for note in built.of_type(CLOZE_CHOICE)
        if note.fields["Source"] == "30-clozes/lesson.md"
    }
    assert lesson_choices == set(LESSON_CHOICES)


def test_cloze_notes_have_one_card_per_deletion_group(built: Built) -> None:
    made = built.built()
    total = 0
    for note in built.of_type(CLOZE):
        ordinals = [card.ord for card in note.cards]
        groups = cloze_groups(note.fields["Text"])
        assert ordinals == [group - 1 for group in groups], note.label
        assert ordinals == list(made[note.fields["ID"]].cards), note.label
        expected = LESSON_CLOZES.get(note.fields["ID"])
        if expected is not None:
            assert groups == sorted(expected), note.label
        else:
            assert groups == [1], note.label
        total += len(ordinals)
    assert total == EXPECTED_CLOZE_CARDS
    for note in built.notes:
        if note.note_type != CLOZE:
            assert [card.ord for card in note.cards] == [0], note.label


def test_every_card_renders_without_anki_error_text(built: Built) -> None:
    problems = []
    for note in built.notes:
        for card in note.cards:
            for side, markup in (("front", card.question), ("back", card.answer)):
                if errors := render_errors(markup):
                    problems.append(f"{note.label} card {card.ord + 1} {side}: {errors}")
                if not visible_text(markup):
                    problems.append(f"{note.label} card {card.ord + 1} {side}: blank")
    assert problems == []


# --------------------------------------------------------------------------------------------
# Anki's cloze cards
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("note_id", sorted(LESSON_CLOZES))
def test_anki_blanks_the_group_on_the_front_and_shows_it_on_the_back(
    built: Built, note_id: str
) -> None:
    note = built.by_id()[note_id]
    groups = LESSON_CLOZES[note_id]
    assert len(note.cards) == len(groups)
    every_answer = [answer for deletions in groups.values() for answer, _ in deletions]
    for card in note.cards:
        own = groups[card.ord + 1]
        front = elements(card.question, "span", "cloze")
        back = elements(card.answer, "span", "cloze")
        assert [e.text for e in front] == [f"[{hint}]" if hint else ANKI_BLANK for _, hint in own]
        assert [e.text for e in back] == [answer for answer, _ in own]
        front_text = norm(cloze_text(card.question))
        back_text = norm(cloze_text(card.answer))
        for answer in every_answer:
            # The card's own answers are hidden on the front; every answer is on the back.
            hidden = any(answer == own_answer for own_answer, _ in own)
            assert (norm(answer) in front_text) is not hidden, (card.ord, answer)
            assert norm(answer) in back_text


def test_literal_cloze_syntax_is_text_on_the_card(built: Built) -> None:
    note = built.by_id()["cz-literal"]
    (card,) = note.cards
    for side in (card.question, card.answer):
        assert LITERAL in visible_text(side)
        assert LITERAL not in side  # escaped in the HTML, so Anki never reads it as a deletion
    assert elements(card.question, "span", "cloze")[0].text == ANKI_BLANK


def test_a_code_block_makes_no_card(built: Built) -> None:
    # The code block between the paragraphs is lesson text: no note holds it.
    assert not [
        note.label for note in built.notes if any("Anki writes" in v for v in note.fields.values())
    ]
    # Inside a cloze note, code is shown as written and is no deletion.
    note = built.by_id()["cz-kf-template/cloze"]
    assert [card.ord for card in note.cards] == [0]
    assert cloze_groups(note.fields["Text"]) == [1]
    for side in (note.front, note.back):
        (block,) = [text for text in (e.text for e in elements(side, "pre")) if LITERAL in text]
        assert "{{c1::x}} stays text, ==so does this==" in block
        blocks = re.findall(r"<pre\b.*?</pre>", side, re.DOTALL)
        assert blocks
        assert not [block for block in blocks if 'class="cloze' in block]
    assert len(elements(note.front, "span", "cloze")) == 1


# --------------------------------------------------------------------------------------------
# Multiple-choice cloze cards
# --------------------------------------------------------------------------------------------


def test_every_cloze_choice_card_shows_the_blank_and_its_options(built: Built) -> None:
    checked = 0
    for note in built.of_type(CLOZE_CHOICE):
        (card,) = note.cards
        answer = note.fields["Answer"]
        hint = note.fields["Hint"]
        (blank,) = elements(card.question, "span", "ak-blank")
        assert blank.text == (f"[{hint}]" if hint else CHOICE_BLANK), note.label
        assert norm(answer) not in norm(cloze_text(card.question)), note.label
        front_options = elements(card.question, "li", "ak-option")
        options = [
            norm(option.text).removeprefix(option.attrs["data-letter"].casefold())
            for option in front_options
        ]
        assert 2 <= len(options) <= 4, note.label
        assert len(set(options)) == len(options), note.label
        assert norm(answer) in options, note.label
        # Every option is on the front, in the front's text.
        for option in options:
            assert option in norm(card.question), note.label
        # The back: the same options, the answer marked, the sentence with the answer in place.
        back_options = elements(card.answer, "li", "ak-option")
        assert [
            norm(o.text).removeprefix(o.attrs["data-letter"].casefold()) for o in back_options
        ] == options
        marked = [o for o in back_options if o.attrs.get("data-correct") == "true"]
        assert len(marked) == 1, note.label
        assert norm(marked[0].text).removeprefix(marked[0].attrs["data-letter"].casefold()) == (
            norm(answer)
        )
        (filled,) = elements(card.answer, "mark", "ak-cloze-answer")
        assert norm(filled.text) == norm(answer), note.label
        assert elements(card.answer, "span", "ak-blank") == []
        (section,) = elements(card.answer, "section", "ak-answer")
        assert norm(answer) in norm(section.text)
        checked += 1
    assert checked == EXPECTED_CLOZE_CHOICES


@pytest.mark.parametrize("note_id", sorted(LESSON_CHOICES))
def test_lesson_cloze_choice_cards(built: Built, note_id: str) -> None:
    note = built.by_id()[note_id]
    answer, hint = LESSON_CHOICES[note_id]
    assert note.fields["Answer"] == answer
    (blank,) = elements(note.front, "span", "ak-blank")
    assert blank.text == (f"[{hint}]" if hint else CHOICE_BLANK)
    # Options are answers of the lesson of the same form (a word for a word, a name for a
    # name): up to four, never fewer than two.
    options = elements(note.front, "li", "ak-option")
    assert 2 <= len(options) <= 4
    made = built.built()[note_id]
    assert len(options) == len(made.options) + 1
    # The other groups of the sentence are shown as text on both sides.
    base = note_id.split("/choice-c", maxsplit=1)[0]
    group = int(note_id.rsplit("c", 1)[1])
    for other_group, deletions in LESSON_CLOZES[base].items():
        if other_group != group:
            for other, _ in deletions:
                assert norm(other) in norm(cloze_text(note.front))


# --------------------------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------------------------


def card_html(notes: tuple[ImportedNote, ...]) -> dict[str, list[tuple[int, str, str]]]:
    return {
        note.fields["ID"]: [(card.ord, card.question, card.answer) for card in note.cards]
        for note in notes
    }


def test_two_builds_render_identical_cards(course: Path, tmp_path: Path) -> None:
    add_lesson(course)
    rendered = []
    for name in ("first", "second"):
        root = tmp_path / name
        root.mkdir()
        for imported in build_and_import(course, root):
            rendered.append(card_html(imported.notes))
    first, second = rendered
    assert len(first) > 40
    assert set(first) == set(second)
    for note_id, cards in first.items():
        assert cards == second[note_id], note_id


# --------------------------------------------------------------------------------------------
# Edge cases, each in a course of its own
# --------------------------------------------------------------------------------------------

COURSE_INDEX = "---\ndeck: Edge\nnamespace: cloze-edge-test\n---\n"


def edge_course(tmp_path: Path, lesson: str) -> Iterator[Built]:
    content = tmp_path / "content"
    content.mkdir()
    (content / "_index.md").write_text(COURSE_INDEX, encoding="utf-8")
    (content / "lesson.md").write_text(lesson, encoding="utf-8")
    yield from build_and_import(content, tmp_path)


def test_an_answer_ending_in_a_brace_is_one_deletion(tmp_path: Path) -> None:
    """Anki ends a deletion at the first `}}`: `==x^{2}==` must not become `{{c1::x^{2}}}`."""
    lesson = "# Braces\n\nA square is written ==x^{2}== in LaTeX. <!-- id: brace -->\n"
    for imported in edge_course(tmp_path, lesson):
        (card,) = imported.by_id()["brace"].cards
        assert visible_text(cloze_text(card.question)) == "A square is written [...] in LaTeX."
        assert visible_text(cloze_text(card.answer)) == "A square is written x^{2} in LaTeX."
        assert [e.text for e in elements(card.answer, "span", "cloze")] == ["x^{2}"]


@pytest.mark.parametrize(
    "lesson",
    [
        "# Code\n\nProse with ==a deletion== here. <!-- id: edge -->\n\n"
        "    indented ==code== block\n",
        "# Code\n\n### Key facts\n\nFence <!-- id: edge -->\n:   A block inside a longer fence:\n\n"
        "    ````markdown\n    ```\n    ==not a deletion==\n    ```\n    ````\n",
    ],
    ids=["indented-code", "nested-fences"],
)
def test_code_never_makes_a_phantom_card(tmp_path: Path, lesson: str) -> None:
    for imported in edge_course(tmp_path, lesson):
        problems = [
            f"{note.label} card {card.ord + 1}: {errors}"
            for note in imported.notes
            for card in note.cards
            for errors in (render_errors(card.question), render_errors(card.answer))
            if errors
        ]
        assert problems == []
        for note in imported.of_type(CLOZE):
            groups = cloze_groups(note.fields["Text"])
            assert [card.ord for card in note.cards] == [g - 1 for g in groups], note.label
        for note in imported.notes:
            for value in note.fields.values():
                assert "==c1::" not in value, note.label
        for note in imported.of_type(CLOZE_CHOICE):
            assert len(elements(note.front, "span", "ak-blank")) == 1, note.label


def test_cloze_syntax_helper_reads_hints() -> None:
    """The test's own reading of a cloze field (used above) handles hints and groups."""
    text = "<p>{{c2::a::h}} and {{c1::b}} and {{c2::c}}</p>"
    assert [(m["n"], m["answer"], m["hint"]) for m in CLOZE_SYNTAX.finditer(text)] == [
        ("2", "a", "h"),
        ("1", "b", None),
        ("2", "c", None),
    ]
    assert cloze_groups(text) == [1, 2]
