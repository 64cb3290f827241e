"""`<!-- lint-ignore -->` lines: which lines each one silences, for which rules, and that the
comment itself never reaches a card. One row per layout of a lesson."""

from __future__ import annotations

import pytest

from generator.source.outline import Line
from generator.source.silences import ALL, Silence, split


def lines_of(text: str) -> list[Line]:
    return [Line(number, line) for number, line in enumerate(text.split("\n"), start=1)]


CASES = [
    pytest.param(
        "# Lesson\n### Card\n<!-- lint-ignore -->\nAnswer\n\n### Next\nMore",
        [Silence(3, frozenset({ALL}), 2, 5)],
        id="inside a card: the whole card, up to the next card",
    ),
    pytest.param(
        "# Lesson\n### Card\nAnswer\n<!-- lint-ignore: lint-a -->\n## Section\nText",
        [Silence(4, frozenset({"lint-a"}), 2, 4)],
        id="inside a card: up to the next section",
    ),
    pytest.param(
        "### Card\nAnswer\n\n<!-- lint-ignore: lint-a, lint-b -->\n\nmore\n#### Detail\nend",
        [Silence(4, frozenset({"lint-a", "lint-b"}), 1, 8)],
        id="inside the last card: to the end, a deeper heading is part of the card",
    ),
    pytest.param(
        "### Card\nAnswer\n#### Detail\n<!-- lint-ignore -->\nmore\n### Next",
        [Silence(4, frozenset({ALL}), 1, 5)],
        id="inside a card, under a minor heading: still the whole card",
    ),
    pytest.param(
        "Intro\n\n<!-- lint-ignore -->\n\nA paragraph\nthat goes on\n\nAnother",
        [Silence(3, frozenset({ALL}), 3, 6)],
        id="lesson text before any heading: the paragraph after it",
    ),
    pytest.param(
        "# Lesson\n## Section\n<!-- lint-ignore:lint-a -->\n- item one\n- item two\n\nLater",
        [Silence(3, frozenset({"lint-a"}), 3, 5)],
        id="lesson text under a section: the list after it",
    ),
    pytest.param(
        "## Section\n<!-- lint-ignore -->\n\n#### Small heading\nText under it\n\nLater",
        [Silence(2, frozenset({ALL}), 2, 5)],
        id="lesson text: blank lines and a minor heading before the text are skipped",
    ),
    pytest.param(
        "Text\n<!-- lint-ignore -->",
        [Silence(2, frozenset({ALL}), 2, 2)],
        id="lesson text with nothing after it: only its own line",
    ),
    pytest.param(
        "### Card\nAnswer\n## Section\n<!-- lint-ignore -->\nParagraph",
        [Silence(4, frozenset({ALL}), 4, 5)],
        id="after a card, under a section: lesson text, not the card above",
    ),
    pytest.param(
        "### One\n<!-- lint-ignore: lint-a -->\n### Two\n<!-- lint-ignore: , -->\nAnswer",
        [Silence(2, frozenset({"lint-a"}), 1, 2), Silence(4, frozenset({ALL}), 3, 5)],
        id="two cards, two silences; no codes at all is every rule",
    ),
]


@pytest.mark.parametrize(("text", "silences"), CASES)
def test_what_each_comment_silences(text: str, silences: list[Silence]) -> None:
    kept, found = split(lines_of(text))
    assert list(found) == silences
    assert [line.text for line in kept] == [
        line for line in text.split("\n") if "lint-ignore" not in line
    ]
    # The kept lines keep their own line numbers.
    assert all(line.text == text.split("\n")[line.number - 1] for line in kept)


@pytest.mark.parametrize(
    "text",
    [
        "### Card\n```\n<!-- lint-ignore -->\n```",
        "### Card\nText <!-- lint-ignore --> more",
        "### Card\n<!-- lint-ignore --> trailing",
        "### Card\n<!-- lint ignore -->",
    ],
)
def test_comments_in_code_or_inside_a_line_are_text(text: str) -> None:
    kept, found = split(lines_of(text))
    assert found == ()
    assert [line.text for line in kept] == text.split("\n")


def test_spacing_inside_the_comment_is_free() -> None:
    _, found = split(lines_of("### Card\n  <!--lint-ignore :  lint-a ,lint-b-->  \nAnswer"))
    assert found == (Silence(2, frozenset({"lint-a", "lint-b"}), 1, 3),)


@pytest.mark.parametrize(
    ("silence", "line", "code", "covered"),
    [
        (Silence(3, frozenset({"lint-a"}), 2, 5), 2, "lint-a", True),
        (Silence(3, frozenset({"lint-a"}), 2, 5), 5, "lint-a", True),
        (Silence(3, frozenset({"lint-a"}), 2, 5), 1, "lint-a", False),
        (Silence(3, frozenset({"lint-a"}), 2, 5), 6, "lint-a", False),
        (Silence(3, frozenset({"lint-a"}), 2, 5), 3, "lint-b", False),
        (Silence(3, frozenset({ALL}), 2, 5), 3, "lint-b", True),
    ],
)
def test_a_silence_covers_its_lines_and_rules(
    silence: Silence, line: int, code: str, covered: bool
) -> None:
    assert silence.covers(line, code) is covered
