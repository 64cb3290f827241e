"""Math: `$…$`, `$$…$$`, `\\(…\\)` and `\\[…\\]` become Anki's MathJax delimiters, untouched by
Markdown; prose dollars, escaped dollars and code stay text; cloze parsing agrees with rendering.

Anki's MathJax only recognises `\\(…\\)` and `\\[…\\]` (anki-facts.md, "MathJax"). What Anki
itself makes of math inside a deletion is checked against the real thing in test_anki_tour.py.
"""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.render import deletions
from generator.render.literal import code_ranges
from generator.render.mathjax import find_math
from generator.render.renderer import MarkdownRenderer

ANKI_DELETION = re.compile(r"\{\{c(?P<n>\d+)::")


@pytest.fixture(scope="module")
def md() -> MarkdownRenderer:
    return MarkdownRenderer()


def spans(text: str) -> list[tuple[str, bool]]:
    return [(span.body, span.display) for span in find_math(text).spans]


# --------------------------------------------------------------------------------------------
# Finding math in source text
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("area $\\pi r^2$ here", [("\\pi r^2", False)]),
        ("$$x^2$$", [("x^2", True)]),
        ("$$\n\\int_0^1 x\\,dx\n$$", [("\n\\int_0^1 x\\,dx\n", True)]),
        ("\\(a_1\\) and \\[b_2\\]", [("a_1", False), ("b_2", True)]),
        ("$a$ and $b$", [("a", False), ("b", False)]),
        ("$x$, then", [("x", False)]),
        ("\\(a \\\\ b\\)", [("a \\\\ b", False)]),
        ("\\(\\$5\\)", [("\\$5", False)]),
        ("$\\frac{1}{x^{2}}$", [("\\frac{1}{x^{2}}", False)]),
        ("$a$$b$", [("a", False), ("b", False)]),
    ],
)
def test_math_is_found(text: str, expected: list[tuple[str, bool]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "$5 and $6",  # closing `$` after a space
        "costs $5, or $6 with tax",
        "from $ 5 to 6$",  # opening `$` before a space
        "between $20,000 and $30,000",
        "$x$5",  # closing `$` followed by a digit
        "a $ sign",
        "$$",
        "$$ $$",
        "\\$x\\$",  # escaped dollars
        "\\\\(x\\\\)",  # an escaped backslash, then parentheses
        "$a\n\nb$",  # a blank line ends the paragraph
        "\\(a\n\nb\\)",
        "$unclosed",
        "$a $b",
    ],
)
def test_prose_dollars_are_not_math(text: str) -> None:
    assert spans(text) == []


def test_escaped_dollars_are_reported() -> None:
    scan = find_math("costs \\$3 and $x$")
    assert scan.escaped_dollars == (6,)
    assert [span.body for span in scan.spans] == ["x"]


def test_code_is_skipped() -> None:
    text = "`$a$` and $b$"
    assert [s.body for s in find_math(text, code_ranges(text)).spans] == ["b"]


def test_math_never_crosses_a_code_span() -> None:
    text = "$a `code$` b$"
    assert find_math(text, code_ranges(text)).spans == ()


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("$x_1 * y_2 * z$", "<p>\\(x_1 * y_2 * z\\)</p>"),
        ("$$a_b^c$$", "<p>\\[a_b^c\\]</p>"),
        ("\\(a_b\\)", "<p>\\(a_b\\)</p>"),
        ("\\[a_b\\]", "<p>\\[a_b\\]</p>"),
        ("$a<b$ and $c>d$", "<p>\\(a&lt;b\\) and \\(c&gt;d\\)</p>"),
        ("$a \\& b$", "<p>\\(a \\&amp; b\\)</p>"),
        ("$5 and $6", "<p>$5 and $6</p>"),
        ("a coffee costs \\$3", "<p>a coffee costs &#36;3</p>"),
        ("\\$x\\$", "<p>&#36;x&#36;</p>"),
        ("`$x$`", "<p><code>$x$</code></p>"),
        ("`\\(x\\)`", "<p><code>\\(x\\)</code></p>"),
    ],
)
def test_rendered_math(md: MarkdownRenderer, source: str, expected: str) -> None:
    assert md.block(source) == expected


def test_math_in_fenced_code_stays_code(md: MarkdownRenderer) -> None:
    out = md.block("```\ncost = $5 + $x$\n\\(y\\)\n```")
    assert "cost = $5 + $x$\n\\(y\\)" in out
    assert "\\[" not in out


def test_display_math_keeps_its_lines(md: MarkdownRenderer) -> None:
    out = md.block("Before:\n\n$$\nx = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}\n$$\n\nAfter.")
    assert "<p>\\[\nx = \\frac{-b \\pm \\sqrt{b^2 - 4ac}&#125;{2a}\n\\]</p>" in out
    assert html.unescape(out).count("\\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}") == 1


def test_math_in_a_table_cell_keeps_its_bars(md: MarkdownRenderer) -> None:
    out = md.block("| norm | value |\n| --- | --- |\n| $|x|$ | 1 |\n")
    assert "<td>\\(|x|\\)</td>" in out


def test_math_in_headings_lists_and_inline(md: MarkdownRenderer) -> None:
    assert md.inline("Which value does $\\sum_{k=1}^{n} k$ take?") == (
        "Which value does \\(\\sum_{k=1}^{n} k\\) take?"
    )
    assert "<li>\\(a_1\\)</li>" in md.block("- $a_1$\n- $b_2$")


def test_math_and_raw_html(md: MarkdownRenderer) -> None:
    """A raw HTML block is passed through as written (Markdown does not look inside it), so
    only Anki's own delimiters work there; inline HTML is part of a paragraph."""
    assert md.block("<div>$x_1$ \\(y_2\\)</div>") == "<div>$x_1$ \\(y_2\\)</div>"
    assert md.block("text <span>$z_3$</span>") == "<p>text <span>\\(z_3\\)</span></p>"


def test_no_placeholder_ever_leaks(md: MarkdownRenderer) -> None:
    for source in ["$a$ ==b== $c$", "==$a$::$h$==", "<span>$a$</span>", "> $a$\n> $b$"]:
        for mode in ("anki", "blank", "reveal", "mark"):
            out = md.cloze(source, mode, 1)
            assert "\x02" not in out and "\x03" not in out and "wzxhzdk" not in out, out


# --------------------------------------------------------------------------------------------
# Math and cloze deletions
# --------------------------------------------------------------------------------------------


def test_equals_inside_math_is_no_deletion() -> None:
    parsed = deletions.parse("Is $a==b$ and $c==d$ true? ==Yes==.")
    assert [(d.group, d.answer) for d in parsed.deletions] == [(1, "Yes")]


def test_a_deletion_may_hold_math_with_equals() -> None:
    parsed = deletions.parse("so ==the test $x==y$ holds== here")
    assert [d.answer for d in parsed.deletions] == ["the test $x==y$ holds"]


def test_separators_inside_math_are_math() -> None:
    parsed = deletions.parse("==c2::$\\|x\\| :: y$::a norm || $|x|$ | $x^2$==")
    (deletion,) = parsed.deletions
    assert deletion.group == 2
    assert deletion.answer == "$\\|x\\| :: y$"
    assert deletion.hint == "a norm"
    assert deletion.distractors == ("$|x|$", "$x^2$")


def test_math_inside_a_deletion_renders_inside_it(md: MarkdownRenderer) -> None:
    out = md.cloze("Area ==$\\pi r^2$== of a circle.", "anki")
    assert out == "<p>Area {{c1::\\(\\pi r^2\\)}} of a circle.</p>"


def test_closing_braces_in_math_never_end_the_deletion(md: MarkdownRenderer) -> None:
    """`}}` inside math inside a deletion would end Anki's deletion early (anki-facts.md)."""
    out = md.cloze("A ==$\\frac{1}{x^{2}}$== b ==c2::\\(\\sqrt{a_{b_{c}}}\\)==.", "anki")
    deletions = re.findall(r"\{\{c\d+::.*?\}\}", out)
    assert deletions == [
        "{{c1::\\(\\frac{1}{x^{2}&#125;\\)}}",
        "{{c2::\\(\\sqrt{a_{b_{c}&#125;}\\)}}",
    ]
    assert out.count("}}") == 2
    assert html.unescape(deletions[0]) == "{{c1::\\(\\frac{1}{x^{2}}\\)}}"


def test_math_in_blank_and_reveal_modes(md: MarkdownRenderer) -> None:
    source = "The area is ==$\\pi r^2$::a formula== and ==c2::$2\\pi r$== the perimeter."
    assert md.cloze(source, "blank", 1) == (
        '<p>The area is <span class="ak-blank" data-group="1">[a formula]</span> and '
        "\\(2\\pi r\\) the perimeter.</p>"
    )
    assert '<mark class="ak-cloze-answer" data-group="1">\\(\\pi r^2\\)</mark>' in md.cloze(
        source, "reveal", 1
    )


MATH_PIECES = st.sampled_from(
    [
        "$",
        "$$",
        "\\(",
        "\\)",
        "\\[",
        "\\]",
        "\\$",
        "\\\\",
        "==",
        "::",
        "||",
        "|",
        "`",
        "    ",
        "<div>",
        "{",
        "}",
        "}}",
        " ",
        "\n",
        "\n\n",
        "x",
        "5",
        "a b",
        "c2::",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MATH_PIECES, max_size=30).map("".join))
@example("`$`{$\\($}")  # math in braces after code was read as an attribute list
def test_parsed_groups_are_the_rendered_groups_with_math(text: str) -> None:
    """The cards a cloze note reports are the deletions Anki finds in its rendered field."""
    md = MarkdownRenderer()
    parsed = deletions.parse(text)
    out = md.cloze(parsed.canonical, "anki")
    assert sorted({int(n) for n in ANKI_DELETION.findall(out)}) == list(parsed.groups), out
    assert "\x02" not in out and "wzxhzdk" not in out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MATH_PIECES, max_size=30).map("".join))
def test_math_scan_never_raises_and_spans_are_ordered(text: str) -> None:
    scan = find_math(text, code_ranges(text))
    last = 0
    for span in scan.spans:
        assert last <= span.start < span.end <= len(text)
        assert text[span.start : span.end].endswith(("$", "\\)", "\\]"))
        assert span.body.strip()
        last = span.end
