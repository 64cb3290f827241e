"""Reveal cards (`generator.kinds.reveal`): an empty answer is reported where the answer belongs."""

from __future__ import annotations

from generator.kinds import REGISTRY
from generator.kinds.lesson import ParsedLesson, parse_lesson
from generator.kinds.reveal import RevealNote
from generator.notes import NO_TEXT, Defaults, Lesson, Text
from generator.render import MarkdownRenderer

EMPTY = (
    "error",
    "empty-answer",
    "empty answer: write the answer under the question",
)


def parse(text: str) -> ParsedLesson:
    lesson = Lesson(path="lessons/sky.md", rel="sky.md", deck="Sky", defaults=Defaults())
    return parse_lesson(lesson, text, REGISTRY)


def problems(parsed: ParsedLesson) -> list[tuple[int, str, str, str]]:
    """(line, severity, code, message) of every problem, all reported in the lesson's file."""
    assert {d.path for d in parsed.diagnostics} <= {"lessons/sky.md"}
    return [(d.line, d.severity.value, d.code, d.message) for d in parsed.diagnostics]


def only_note(parsed: ParsedLesson) -> RevealNote:
    assert len(parsed.notes) == 1
    note = parsed.notes[0]
    assert isinstance(note, RevealNote)
    return note


def test_a_card_without_an_answer_is_reported_at_its_heading() -> None:
    parsed = parse("# Sky\n\n### Why is the sky blue?\n")
    assert problems(parsed) == [(3, *EMPTY)]
    assert [d.column for d in parsed.diagnostics] == [0]
    assert only_note(parsed).answer == NO_TEXT


def test_an_empty_answer_field_is_reported_at_the_field() -> None:
    parsed = parse("# Sky\n\n### Why is the sky blue?\n\nThink of light.\n\n**Answer:**\n")
    assert problems(parsed) == [(7, *EMPTY)]
    note = only_note(parsed)
    assert note.question_body == Text("Think of light.", 5)
    assert note.answer.empty


def test_an_answer_is_no_problem() -> None:
    parsed = parse("# Sky\n\n### Why is the sky blue?\n\nRayleigh scattering.\n")
    assert problems(parsed) == []
    assert only_note(parsed).answer == Text("Rayleigh scattering.", 5)


def test_headings_keep_their_emphasis_and_a_list_marker_stays_text() -> None:
    parsed = parse(
        "# *Why* it matters\n\n### *Why* is the sky blue?\n\nLight.\n\n### - one or two?\n\nTwo.\n"
    )
    md = MarkdownRenderer()
    first, second = (note.render(md) for note in parsed.notes)
    assert first[0] == "<em>Why</em> is the sky blue?"
    assert any("<em>Why</em> it matters" in field for field in first)
    assert second[0] == "- one or two?"
