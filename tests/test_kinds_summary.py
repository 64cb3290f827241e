"""Summaries (`generator.kinds.summary`): one note with every key point, a cloze note per point
with `==…==`, and the problems reported."""

from __future__ import annotations

from generator.kinds import REGISTRY
from generator.kinds.lesson import ParsedLesson, parse_lesson
from generator.kinds.reveal import RevealNote
from generator.notes import Defaults, Lesson, Text


def parse(text: str) -> ParsedLesson:
    lesson = Lesson(
        path="lessons/sky.md",
        rel="sky.md",
        deck="Sky",
        defaults=Defaults(key_facts=("reveal",), cloze_choices=False),
    )
    return parse_lesson(lesson, text, REGISTRY)


def problems(parsed: ParsedLesson) -> list[tuple[int, str, str, str]]:
    """(line, severity, code, message) of every problem, all reported in the lesson's file."""
    assert {d.path for d in parsed.diagnostics} <= {"lessons/sky.md"}
    return [(d.line, d.severity.value, d.code, d.message) for d in parsed.diagnostics]


def test_a_summary_without_a_list() -> None:
    parsed = parse("# Sky\n\n### Summary\n")
    assert problems(parsed) == [
        (3, "error", "summary-no-list", "'Summary' needs a list of key points")
    ]
    assert [d.column for d in parsed.diagnostics] == [0]
    (note,) = parsed.notes
    assert isinstance(note, RevealNote)
    assert note.question == Text("What are the key points of “Sky”?", 3)
    assert note.answer == Text("", 3)


def test_the_subject_is_everything_after_the_first_colon() -> None:
    parsed = parse("# Sky\n\n### Summary: Light: colour and sky\n\n- Blue light scatters most.\n")
    assert problems(parsed) == []
    (note,) = parsed.notes
    assert isinstance(note, RevealNote)
    assert note.question == Text("What are the key points of “Light: colour and sky”?", 3)
    assert note.answer == Text("- Blue light scatters most.", 5)
    assert note.meta.construct == "summary"


def test_a_point_without_a_deletion_does_not_stop_the_others() -> None:
    parsed = parse(
        "# Sky\n\n### Summary\n\n- Light is made of colours.\n"
        "- The sky is ==blue==. <!-- id: sky-blue -->\n"
        "- Sunsets are ==red==.\n"
    )
    assert problems(parsed) == []
    summary, *clozes = parsed.notes
    assert isinstance(summary, RevealNote)
    assert summary.answer == Text(
        "- Light is made of colours.\n- The sky is ==blue==.\n- Sunsets are ==red==.", 5
    )
    assert [(note.meta.id, note.meta.line, note.meta.construct) for note in clozes] == [
        ("sky-blue", 6, "summary"),
        ("sky#summary/sunsets-are-red", 7, "summary"),
    ]


def test_a_subject_right_after_the_colon() -> None:
    parsed = parse("# Sky\n\n### Summary:Light\n\n- Blue light scatters most.\n")
    assert problems(parsed) == []
    assert parsed.notes[0].question == Text("What are the key points of “Light”?", 3)


def test_the_other_answers_of_a_summary_are_the_first_wrong_options() -> None:
    lesson = Lesson(path="lessons/sky.md", rel="sky.md", deck="Sky", defaults=Defaults())
    parsed = parse_lesson(
        lesson,
        "# Sky\n\n### Summary\n\n- The sky is ==blue==.\n- Sunsets are ==red== or ==orange==.\n",
        REGISTRY,
    )
    assert [variant.siblings for variant in parsed.variants] == [
        (Text("red", 6), Text("orange", 6)),
        (Text("blue", 5), Text("orange", 6)),
        (Text("blue", 5), Text("red", 6)),
    ]
