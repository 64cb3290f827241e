"""True/false cards from common confusions (`generator.kinds.truefalse`): which corrections can be
asked as a claim of their own, what the back then explains, and which items are flipped."""

from __future__ import annotations

import pytest

from generator.kinds import REGISTRY
from generator.kinds.choice import ChoiceNote
from generator.kinds.lesson import parse_lesson
from generator.kinds.truefalse import explanation_after, flips, statement
from generator.notes import Defaults, Lesson, Text


@pytest.mark.parametrize(
    ("correction", "claim"),
    [
        ("Cats are small mammals.", "Cats are small mammals."),
        ("Cats are small mammals. They purr.", "Cats are small mammals."),
        ("Cats  are\nsmall   mammals.\nThey purr.", "Cats are small mammals."),
        ("  Water boils at 100 °C. At sea level.  ", "Water boils at 100 °C."),
        ("Use `git add` first. Then commit.", "Use `git add` first."),
        ("The value is 3.14 here. Roughly.", "The value is 3.14 here."),
        ("Sound is slower than light. *Much* slower.", "Sound is slower than light."),
        ("Nothing is lost in a copy.", "Nothing is lost in a copy."),
        ("Items are kept in order.\n\n`sorted` makes a copy.", "Items are kept in order."),
        ("Dr. Knuth wrote TeX in 1978. It is still used.", "Dr. Knuth wrote TeX in 1978."),
        ("Tools such as e.g. Black use it. Others not.", "Tools such as e.g. Black use it."),
        ("The law is due to J. Smith et al. It held.", "The law is due to J. Smith et al."),
        ("A heap beats a list vs. Sorting it. Mostly.", "A heap beats a list vs. Sorting it."),
        ("Step 2 runs after step 1. Then step 3 follows.", "Step 2 runs after step 1."),
        ("Plan B is a backup plan. Plan A comes first.", "Plan B is a backup plan."),
    ],
)
def test_statement_is_the_first_sentence(correction: str, claim: str | None) -> None:
    assert statement(Text(correction, 12)) == (Text(claim, 12) if claim else None)


@pytest.mark.parametrize(
    "correction",
    [
        "",
        "   \n ",
        "Cats are mammals.",  # three words are too few to stand alone
        "Cats are small mammals",  # no full stop
        "Are cats small mammals?",
        "Cats are small mammals! Really.",
        "No, cats are small mammals.",
        "not at all, it is different.",
        "It is the other way round.",
        "This holds only for cats.",
        "Actually the reverse is true.",
        "In fact the reverse is true.",
        "The opposite holds for most dogs.",
        "Only small cats purr loudly.",
        "Instead, dogs bark very loudly.",
        "Rather, dogs bark very loudly.",
        "But dogs bark very loudly.",
        "True for dogs, false for cats.",
        "Cats are small mammals.\n\n```\ncat --help\n```",
        "Cats are small mammals.\n- one\n- two",
        "Cats are small mammals.\n1. one",
        "Cats are small mammals.\n| a | b |",
        "Cats are small mammals.\n> quoted",
        "Cats are small mammals.\n!!! note",
        "Cats are small mammals.\n~~~\ncode\n~~~",
    ],
)
def test_no_statement(correction: str) -> None:
    assert statement(Text(correction, 3)) is None


def test_a_word_that_only_starts_like_an_answer_is_a_statement() -> None:
    assert statement(Text("Nothing is lost in a copy.", 1)) == Text("Nothing is lost in a copy.", 1)
    assert statement(Text("Italy is in southern Europe.", 1)) == Text(
        "Italy is in southern Europe.", 1
    )
    assert statement(Text("Butter is made from cream.", 1)) == Text("Butter is made from cream.", 1)


def test_explanation_after_a_one_sentence_correction_names_the_mistake() -> None:
    assert explanation_after(Text("Cats are small mammals.", 7), "Cats are reptiles.") == Text(
        "A common confusion is the opposite: ~~Cats are reptiles.~~", 7
    )


def test_explanation_after_keeps_the_rest_of_the_correction() -> None:
    correction = Text(
        "Fine-tuning uses much less data.   It focuses\non one task. Pre-training needs more.", 4
    )
    assert explanation_after(correction, "Fine-tuning needs as much data.") == Text(
        "It focuses on one task. Pre-training needs more.\n\n"
        "A common confusion is the opposite: ~~Fine-tuning needs as much data.~~",
        4,
    )


def test_explanation_after_an_empty_correction() -> None:
    assert explanation_after(Text("", 9), "x") == Text(
        "A common confusion is the opposite: ~~x~~", 9
    )


@pytest.mark.parametrize(
    ("card_id", "first"),
    [("a", 0), ("b", 1), ("d", 1), ("cats#common-confusions", 1), ("conf", 0)],
)
def test_flips_alternate_from_a_start_the_card_id_decides(card_id: str, first: int) -> None:
    assert [flips(card_id, index) for index in range(4)] == [
        bool(first),
        not first,
        bool(first),
        not first,
    ]


CONFUSIONS = """\
# Cats

### Common confusions

- ~~Cats are reptiles.~~ Cats are small mammals. They purr.
- ~~Cats cannot see at night.~~ Cats see well in dim light.
- ~~Cats hate all water.~~ Cats are small mammals
- **Cats sleep a lot.** Up to sixteen hours a day.
"""


def test_every_other_confusion_is_asked_as_its_correction() -> None:
    lesson = Lesson(path="lessons/cats.md", rel="cats.md", deck="Cats", defaults=Defaults())
    parsed = parse_lesson(lesson, CONFUSIONS, REGISTRY)
    assert parsed.diagnostics == ()
    notes = [note for note in parsed.notes if isinstance(note, ChoiceNote)]
    asked = [
        (note.question.markdown, note.final_answer.markdown, note.explanation.markdown)
        for note in notes
    ]
    assert asked == [
        (
            "True or false? Cats are small mammals.",
            "**True.**",
            "They purr.\n\nA common confusion is the opposite: ~~Cats are reptiles.~~",
        ),
        (
            "True or false? Cats cannot see at night.",
            "**False.**",
            "Cats see well in dim light.",
        ),
        ("True or false? Cats hate all water.", "**False.**", "Cats are small mammals"),
        ("True or false? Cats sleep a lot.", "**True.**", "Up to sixteen hours a day."),
    ]
    assert [note.meta.id for note in notes] == [
        "cats#common-confusions/cats-are-reptiles",
        "cats#common-confusions/cats-cannot-see-at-night",
        "cats#common-confusions/cats-hate-all-water",
        "cats#common-confusions/cats-sleep-a-lot",
    ]
