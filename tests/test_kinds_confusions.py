"""Common confusions (`generator.kinds.confusions`): the true/false card of every list item and the
problems reported for a list that cannot make one."""

from __future__ import annotations

from generator.kinds import REGISTRY
from generator.kinds.choice import ChoiceNote, Option
from generator.kinds.lesson import ParsedLesson, parse_lesson
from generator.notes import NO_TEXT, Defaults, Lesson, Text


def parse(text: str, level: str | None = None) -> ParsedLesson:
    lesson = Lesson(
        path="lessons/cats.md",
        rel="cats.md",
        deck="Cats",
        defaults=Defaults(tags=("pets",), level=level),
    )
    return parse_lesson(lesson, text, REGISTRY)


def problems(parsed: ParsedLesson) -> list[tuple[int, str, str, str]]:
    """(line, severity, code, message) of every problem, all reported in the lesson's file."""
    assert {d.path for d in parsed.diagnostics} <= {"lessons/cats.md"}
    return [(d.line, d.severity.value, d.code, d.message) for d in parsed.diagnostics]


def notes(parsed: ParsedLesson) -> list[ChoiceNote]:
    found = [note for note in parsed.notes if isinstance(note, ChoiceNote)]
    assert len(found) == len(parsed.notes)
    return found


def asked(parsed: ParsedLesson) -> list[tuple[str, str, str]]:
    return [
        (note.question.markdown, note.final_answer.markdown, note.explanation.markdown)
        for note in notes(parsed)
    ]


def test_a_false_claim_makes_a_true_false_card() -> None:
    parsed = parse(
        "# Cats\n\n### Common confusions\n\n"
        "- ~~Cats cannot see at night.~~ <!-- id: night -->\n  They see well in dim light.\n",
        level="beginner",
    )
    assert problems(parsed) == []
    (note,) = notes(parsed)
    assert note.question == Text("True or false? Cats cannot see at night.", 5)
    assert note.question_body == NO_TEXT
    assert note.options == (
        Option(Text("True", 5), False, 5),
        Option(Text("False", 5), True, 5),
    )
    assert note.explanation == Text("They see well in dim light.", 6)
    assert note.final_answer == Text("**False.**", 5)
    meta = note.meta
    assert (meta.id, meta.explicit_id, meta.stamp, meta.line) == ("night", True, None, 5)
    assert meta.construct == "confusion"
    assert meta.tags == ("ankigen::confusion", "level::beginner", "pets")
    assert meta.badge == "beginner"
    assert meta.context == "Cats"


def test_a_correction_on_two_lines_keeps_both() -> None:
    parsed = parse("### Common confusions\n\n- ~~Cats hate water.~~ some do\n  and some do not\n")
    assert problems(parsed) == []
    (note,) = notes(parsed)
    assert note.explanation == Text("some do\nand some do not", 3)
    assert note.meta.id == "cats#common-confusions/cats-hate-water"
    assert note.meta.stamp == (3, "cats#common-confusions/cats-hate-water")
    assert note.meta.tags == ("ankigen::confusion", "pets")


def test_a_true_claim_is_never_flipped() -> None:
    # Items 1 and 3 of this card are the flipped ones; true claims stay as written.
    parsed = parse(
        "# Cats\n\n### Common confusions\n\n"
        "- **Cats sleep a lot.** Cats sleep up to sixteen hours.\n"
        "- **Cats purr.** Purring is a low sound.\n"
        "- **Cats groom.** Grooming keeps their fur clean.\n"
        "- **Cats hunt.**\n"
    )
    assert problems(parsed) == []
    assert asked(parsed) == [
        ("True or false? Cats sleep a lot.", "**True.**", "Cats sleep up to sixteen hours."),
        ("True or false? Cats purr.", "**True.**", "Purring is a low sound."),
        ("True or false? Cats groom.", "**True.**", "Grooming keeps their fur clean."),
        ("True or false? Cats hunt.", "**True.**", ""),
    ]
    assert [tuple(o.correct for o in note.options) for note in notes(parsed)] == [(True, False)] * 4


def test_text_outside_the_list_is_reported_once() -> None:
    parsed = parse(
        "# Cats\n\n### Common confusions\n\nSome intro.\n\nMore intro.\n\n"
        "- ~~Cats are reptiles.~~ They are mammals.\n"
    )
    assert problems(parsed) == [
        (
            5,
            "warning",
            "confusions-stray-text",
            "text in 'Common confusions' outside the list is not a card",
        )
    ]
    assert len(notes(parsed)) == 1


def test_a_card_without_a_list() -> None:
    parsed = parse("# Cats\n\n### Common confusions\n\nCats are not reptiles.\n")
    assert problems(parsed) == [
        (
            5,
            "warning",
            "confusions-stray-text",
            "text in 'Common confusions' outside the list is not a card",
        ),
        (
            3,
            "error",
            "confusions-no-list",
            "'Common confusions' needs a list of '~~claim~~ correction'",
        ),
    ]
    assert parsed.notes == ()


def test_an_item_without_a_claim_is_skipped() -> None:
    parsed = parse(
        "# Cats\n\n### Common confusions\n\n- Cats are reptiles.\n- Dogs are cats.\n"
        "- ~~Cats are reptiles.~~ They are mammals.\n"
    )
    no_claim = (
        "a confusion starts with a false claim struck through ('~~…~~') or a true claim in "
        "bold ('**…**')"
    )
    assert problems(parsed) == [
        (5, "error", "confusion-no-claim", no_claim),
        (6, "error", "confusion-no-claim", no_claim),
    ]
    assert [note.meta.line for note in notes(parsed)] == [7]


def test_a_false_claim_without_a_correction() -> None:
    parsed = parse(
        "# Cats\n\n### Common confusions\n\n- ~~Cats are reptiles.~~\n- **Cats purr.**\n"
    )
    assert problems(parsed) == [
        (
            5,
            "error",
            "confusion-no-correction",
            "a confusion needs the correction after the struck-through claim",
        )
    ]
    assert asked(parsed) == [
        ("True or false? Cats are reptiles.", "**False.**", ""),
        ("True or false? Cats purr.", "**True.**", ""),
    ]


def test_the_card_id_decides_which_items_flip() -> None:
    parsed = parse(
        "# Cats\n\n### Common confusions <!-- id: a -->\n\n"
        "- ~~Cats are reptiles.~~ Cats are small mammals.\n"
        "- ~~Cats cannot see at night.~~ Cats see well in dim light.\n"
    )
    assert problems(parsed) == []
    assert asked(parsed) == [
        ("True or false? Cats are reptiles.", "**False.**", "Cats are small mammals."),
        (
            "True or false? Cats see well in dim light.",
            "**True.**",
            "A common confusion is the opposite: ~~Cats cannot see at night.~~",
        ),
    ]
    assert [note.meta.id for note in notes(parsed)] == [
        "a/cats-are-reptiles",
        "a/cats-cannot-see-at-night",
    ]
