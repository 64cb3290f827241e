"""Labelled fields inside a card (`**Hint:** …`): how a body splits, and the warning an author
gets for every label that is not read as one. One row per way of writing it."""

from __future__ import annotations

import pytest

from generator.diagnostics import Diagnostics
from generator.source.fields import has_label, split_fields
from generator.source.outline import Line, mark_fences

LABELS = {"answer": "answer", "why": "why", "hint": "hint"}
KNOWN = {"options": "multiple-choice questions", "explanation": "self-check prompts"}
FORM = (
    "is not read as a field label, so it is part of the text above it: write '**Hint:**' "
    "(in bold with two asterisks, the colon inside or after) [label-form]"
)


def split(body: str) -> tuple[dict[str, tuple[int, str, int]], list[str], list[str]]:
    """Fields (key → label line, Markdown, its line), preamble lines, diagnostics."""
    diags = Diagnostics()
    lines = [Line(number, text) for number, text in enumerate(body.split("\n"), start=5)]
    card = split_fields(mark_fences(lines), LABELS, path="p.md", diags=diags, known=KNOWN)
    fields = {k: (f.line, f.text.markdown, f.text.line) for k, f in card.fields.items()}
    return fields, [line.text for line in card.preamble], [d.format() for d in diags.items]


SPLITS = [
    pytest.param(
        "Question text\n\n**Answer:** yes\nmore\n\n**Hint:**\n\nthink\n\n",
        {"answer": (7, "yes\nmore", 7), "hint": (10, "think", 12)},
        ["Question text", ""],
        id="preamble, then fields up to the next label, blank lines trimmed",
    ),
    pytest.param(
        "**ANSWER**  :  spaced\n\n**why :** because",
        {"answer": (5, "spaced", 5), "why": (7, "because", 7)},
        [],
        id="case, spaces and the colon after the bold",
    ),
    pytest.param(
        "```\n**Answer:** code\n```\n\n**Hint:** h",
        {"hint": (9, "h", 9)},
        ["```", "**Answer:** code", "```", ""],
        id="a label inside a code block is code",
    ),
]


@pytest.mark.parametrize(("body", "fields", "preamble"), SPLITS)
def test_a_body_splits_at_its_labels(
    body: str, fields: dict[str, tuple[int, str, int]], preamble: list[str]
) -> None:
    found, before, problems = split(body)
    assert problems == []
    assert found == fields
    assert before == preamble


WARNINGS = [
    (
        "**Optoins:** x",
        "p.md:5:1: warning: '**Optoins:**' is not a field label; did you mean '**Options:**' "
        "(a field of multiple-choice questions)? (kept as text) [label-near-miss]",
    ),
    (
        "**Explanation:** y",
        "p.md:5:1: warning: '**Explanation:**' is not a field of this card, so it is kept as "
        "text (it is a field of self-check prompts) [label-other-kind]",
    ),
    (
        "** Explanation :** y",
        "p.md:5:1: warning: '**Explanation:**' is not a field of this card, so it is kept as "
        "text (it is a field of self-check prompts) [label-other-kind]",
    ),
    (
        "**Hnt:** z",
        "p.md:5:1: warning: '**Hnt:**' is not a field label here; did you mean 'hint'? "
        "(kept as text) [label-near-miss]",
    ),
    (
        "**Answr:** a",
        "p.md:5:1: warning: '**Answr:**' is not a field label here; did you mean 'answer'? "
        "(kept as text) [label-near-miss]",
    ),
    ("Hint: x", f"p.md:5:1: warning: 'Hint:' {FORM}"),
    ("*Hint:* x", f"p.md:5:1: warning: '*Hint:*' {FORM}"),
    ("_Hint_: x", f"p.md:5:1: warning: '_Hint_:' {FORM}"),
    ("__Hint__: x", f"p.md:5:1: warning: '__Hint__:' {FORM}"),
    ("**Hint** x", f"p.md:5:1: warning: '**Hint**' {FORM}"),
    ("*Hint* x", f"p.md:5:1: warning: '*Hint*' {FORM}"),
    (
        "**Hint:**x\n**Why:** y",
        "p.md:6:1: warning: '**Why:**' does not start a paragraph, so it is read as part of the "
        "text above it: put a blank line before it [label-mid-paragraph]",
    ),
    (
        "**Hint:** a\n\n**Hint:** b",
        "p.md:7:1: error: field 'hint' given twice in one card (first at line 5) [field-twice]",
    ),
]


@pytest.mark.parametrize(("body", "problem"), WARNINGS)
def test_labels_not_read_are_reported(body: str, problem: str) -> None:
    _, _, problems = split(body)
    assert problems == [problem]


@pytest.mark.parametrize(
    "body",
    [
        # Far from every label (a similarity of 0.6 is not a near miss).
        "**Why not:** it is plain bold text",
        "**Opt:** plain bold",
        # Prose that merely starts with a word and a colon, or a link.
        "Note: this is prose",
        "http://example.com is a link",
    ],
)
def test_text_that_is_no_label_is_not_reported(body: str) -> None:
    fields, preamble, problems = split(body)
    assert problems == []
    assert fields == {}
    assert preamble == body.split("\n")


def test_a_field_given_twice_keeps_the_first() -> None:
    fields, _, _ = split("**Hint:** a\n\n**Hint:** b\n\n**Why:** c")
    assert fields == {"hint": (5, "a", 5), "why": (9, "c", 9)}


@pytest.mark.parametrize(
    ("body", "label", "found"),
    [
        ("text\n\n**Hint:** h", "hint", True),
        ("text\n**Hint:** h", "hint", False),
        ("```\n**Hint:** h\n```", "hint", False),
        ("**Why:** w", "hint", False),
    ],
)
def test_has_label(body: str, label: str, found: bool) -> None:
    lines = [Line(n, t) for n, t in enumerate(body.split("\n"), start=1)]
    assert has_label(mark_fences(lines), label) is found
