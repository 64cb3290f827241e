from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.render import MarkdownRenderer
from generator.render.literal import (
    BacktickRuns,
    Ranges,
    Span,
    code_parts,
    code_ranges,
    code_spans,
    extracted_html_blocks,
    fenced_blocks,
    html_blocks,
    indented_blocks,
    line_spans,
    line_start_find,
    masked,
    next_opening,
    paragraph_code_spans,
    parsed_indented_blocks,
    stray_fences,
)
from generator.render.mathjax import find_math


@pytest.mark.parametrize(
    ("text", "body", "position", "at"),
    [
        ("x <b>\n<b>", "<b>", 0, 6),
        ("   <b>", "<b>", 0, 3),
        ("    <b>", "<b>", 0, -1),
        ("<b>\n<b>", "<b>", 0, 0),
        ("<b>\n<b>", "<b>", 1, 4),
        ("a\n\t<b>", "<b>", 0, -1),
        ("<b>", "<i>", 0, -1),
        ("\n<b>", "<b>", 0, 1),
        ("<b> <b>\n <b>\n<b>", "<b>", 0, 0),
        ("x<b> <b>\n <b>\n<b>", "<b>", 0, 10),
    ],
)
def test_line_start_find(text: str, body: str, position: int, at: int) -> None:
    assert line_start_find(text, body, position) == at


@pytest.mark.parametrize(
    ("text", "blocks"),
    [
        ("<div>a</div>\n\n<div>a</div>\n", [(0, 12), (14, 26)]),
        ("x <div>a</div>\n\n<div>a</div>", [(16, 28)]),
        ("<div>\nopen", [(0, 10)]),
        ("  <div>a</div>\ntext", [(2, 14)]),
        ("plain", []),
        ("<span>a</span>\n\n<div>b</div>", [(16, 28)]),
        ("<div>\na\n</div>\ntext <div>x</div>", [(0, 14)]),
        ("<!-- c -->\n\nx", [(0, 10)]),
        ("   <p>x</p>\n\n<p>x</p>", [(3, 11), (13, 21)]),
        # A tab is four columns: the first line is code, the second starts a block.
        ("\t<div>\n<div>\n==x==\n", [(7, 18)]),
        ("<div>\n\ta\n</div>\tb", [(0, 15)]),
        ("\t\t<div>", []),
        ("<div>\r\nx</div>", [(0, 14)]),
        ("<div>\n\tx</div>", [(0, 14)]),
        ("<div>\na\tb</div>", [(0, 15)]),
        ("<div>\nabc\td</div>", [(0, 17)]),
        ("<div>\n\tx</div> y", [(0, 14)]),
        # A block-level tag after a block, on its line, opens one.
        ("<div>a</div><p>b</p>\n\n<div>c</div>", [(0, 12), (12, 20), (22, 34)]),
        ("<div>a</div> <p>b</p>\n\n<p>c</p>", [(0, 12), (13, 21), (23, 31)]),
        ("<div>a</div>x<p>b</p>\n\n<p>c</p>", [(0, 12), (13, 21), (23, 31)]),
        ("<div>a</div><p>b</p><p>b</p>", [(0, 12), (12, 20), (20, 28)]),
        # Elsewhere, only at the start of a line: the same tag inline before it is no block.
        ("x <p>b</p>\n<p>b</p>", [(11, 19)]),
        ("<p>x</p>\n\ntext <p>x</p>\n\n<p>x</p>", [(0, 8), (25, 33)]),
        ("<div>a</div>\n\n    <p>b</p>", [(0, 12)]),
        # The extractor stores a comment or a character reference after a block, on its line,
        # in front of the next block (after any comment block between them): that block is found
        # without it. (A comment is literal wherever it stands: `inline_comments`.)
        ("<div>a</div> <!-- c -->\n<p>d</p>\n\n<p>e</p>", [(0, 12), (24, 32), (34, 42)]),
        ("<div>a</div> &amp; x\n\n<p>d</p>", [(0, 12), (22, 30)]),
        ("<div>a</div> <!-- c --><!-- e -->\n\nt\n\n<p>d</p>", [(0, 12), (38, 46)]),
        ("<div>a</div> <!-- c -->\n<!-- d -->\n<p>e</p>", [(0, 12), (24, 34), (35, 43)]),
        ("<div>a</div> <!-- c -->", [(0, 12), (13, 23)]),
        ("<div>a</div> <!-- c --> x &amp;", [(0, 12), (26, 31)]),
        ("<p>d</p>\n\n<div>a</div> <!-- c -->\n<p>d</p>", [(0, 8), (10, 22), (34, 42)]),
        # … and so does it what else it takes as an empty tag.
        ("<div>a</div> <![CDATA[z]]>\n<p>d</p>", [(0, 12), (27, 35)]),
        ("<div>a</div> <?x y?>\n<p>d</p>", [(0, 12), (21, 29)]),
        ("<div>a</div><hr/>\n<p>d</p>", [(0, 12), (18, 26)]),
        ('<div>a</div> <hr class="k">\n<p>d</p>', [(0, 12), (28, 36)]),
        ("<div>a</div> <!DOCTYPE html>\n<p>d</p>", [(0, 12), (29, 37)]),
        ('<div>a</div> <img src="a"/>\n<p>d</p>', [(0, 12), (28, 36)]),
        # A block after a carriage return alone is not found (see below); those after it are.
        ("\r<div>a</div>\n\n<p>d</p>", [(15, 23)]),
        # A carriage return alone splits a line: the text is read as it is.
        ("<div>\ra</div>\n\n<p>b</p>", [(0, 13), (15, 23)]),
    ],
)
def test_html_blocks(text: str, blocks: list[Span]) -> None:
    assert html_blocks(text) == blocks


@pytest.mark.parametrize(
    ("text", "blocks"),
    [
        ("a\n\n    code\n    more\nafter", [(3, 21)]),
        ("    first\ntext", [(0, 10)]),
        ("a\n    not code", []),
        ("# h\n    code", [(4, 12)]),
        ("> q\n>     code", []),
        (">     code", [(0, 10)]),
        ("\tcode\n\n\tmore", [(0, 6), (7, 12)]),
        ("---\n    code", [(4, 12)]),
        ("a\n\n    \n    x", [(8, 13)]),
        (">     code\n>     more\n> text", [(0, 22)]),
        ("> a\n>\n>     code", [(6, 16)]),
        ("    a\n\n    b", [(0, 6), (7, 12)]),
        ("> q\n>>     deep", [(4, 15)]),
        ("  # h\n    x", []),
        # A line of `=` alone is text, and the indented line continues it.
        ("===\n    x", []),
        ("a\n***\n    x", [(6, 11)]),
        ("    x\n    ", [(0, 6)]),
        ("- a\n\n        x", [(5, 14)]),
        ("    x\n\t y\nz", [(0, 10)]),
        # A list item's continuation is its text; code in it is indented once more.
        ("- a\n\n    b", []),
        ("1. a\n\n1. \n    b", [(10, 15)]),
        ("1. a\n2. b\n\n    c\n\n        d", [(18, 27)]),
        ("- a\n\n    b\n\n        c\n\n    d", [(12, 22)]),
        ("> - a\n>\n>     b", []),
        ("> - a\n>\n>         b", [(8, 19)]),
        # A rule or a setext underline in a list item ends the paragraph before the code.
        ("- a\n\n    b\n    ---\n        c", [(19, 28)]),
        ("- a\n\n    b\n    ---\n    c", []),
        # Two spaces and a tab make four columns.
        ("  \tx", [(0, 4)]),
        # Definitions, footnotes and admonitions hold indented text as lists do.
        ("t\n: d\n\n    e\n\n        f", [(14, 23)]),
        ("[^1]: a\n\n    b\n\n        c\n\nx[^1]", [(16, 26)]),
        ("!!! note\n    a\n\n        b", [(16, 25)]),
        # Raw HTML is no code, and code may follow it at once.
        ("<div>\n\n    a\n</div>\n    b", [(20, 25)]),
        # A footnote's definition between two lines of code is no code, though they are one
        # block once it is taken out.
        ("    a\n[^1]: b\n\n\n    c", [(0, 6), (16, 21)]),
        # The tag characters in a text are not mistaken for tags.
        ("    \ue0103\ue011", [(0, 7)]),
    ],
)
def test_indented_blocks(text: str, blocks: list[Span]) -> None:
    assert indented_blocks(text) == blocks


def test_line_spans_end_at_the_line_end_or_the_text_end() -> None:
    lines = ["ab", "c", "", "de"]
    assert line_spans(lines, [(0, 0), (1, 2), (3, 3), (0, 3)]) == ((0, 3), (3, 6), (6, 8), (0, 8))


def test_where_a_tag_changes_a_line_the_others_still_place_the_code() -> None:
    # Tagged, the underline is no underline, and `c` would continue the paragraph.
    parsed_indented_blocks.cache_clear()
    assert indented_blocks("- a\n\n    b\n    ---\n        c") == [(19, 28)]


@pytest.mark.parametrize(
    ("text", "blocks", "spans"),
    [
        # A paragraph of plain lines is one text: its backticks pair across lines.
        ("`a\nb`", [], [(0, 5)]),
        # Each term of a definition list is a text of its own, and so are a paragraph and the
        # quote that follows it.
        ("```\n==x==\n`a`\nt\n: d", [], [(10, 13)]),
        ("```\n==x==\n> > ```", [], []),
        # Lines a quote continues lazily are one text, code before them or not.
        (">     c\n`\nb\n> `", [(0, 8)], [(8, 15)]),
        ("- `a\n  b`\n- `c", [], [(2, 9)]),
        # Spans each on a line, with as many backticks each side, need no parser.
        ("# `a`\n`b` c", [], [(2, 5), (6, 9)]),
        # A definition after a paragraph of plain lines makes each line a term.
        ("`a\nb`\n: d", [], []),
        ("`a\nb`\n\n: d", [], []),
        # A run left unpaired in the paragraph pairs in a text of its own.
        ("- `` `x`\n- ```", [], [(2, 6)]),
        # A tag in fenced code opens no raw HTML block that would run on past the fence.
        ("```\n<div>\n```\n\n==x==", [(0, 13)], []),
        # The parser reads fenced code as its placeholder, not as its lines.
        ("```\n```\n- # h```\n```", [(0, 7)], []),
        # A fenced block is a line of its own between blank lines: it ends an admonition.
        ("!!! note\n```\n```\n    ==x==", [(9, 16), (17, 26)], []),
    ],
)
def test_code_parts(text: str, blocks: list[Span], spans: list[Span]) -> None:
    assert code_parts(text) == (blocks, spans)


def test_code_spans_of_a_text_alone() -> None:
    assert code_spans("- `a\n  b`\n\n`c`") == [(2, 9), (11, 14)]


@pytest.mark.parametrize(
    ("text", "fenced", "stray", "literal"),
    [
        ("```\n`x`\n```\n`y` and $", [(0, 11)], [], [(0, 11), (12, 15)]),
        ("~~~ {.py}\nx\n~~~", [(0, 15)], [], [(0, 15)]),
        ("``` a b\nx\n```", [], [0, 10], [(0, 13)]),
        ("```\nopen", [], [0], []),
        ("```{ bad\nx\n```", [], [0, 11], [(0, 14)]),
    ],
)
def test_fences(text: str, fenced: list[Span], stray: list[int], literal: list[Span]) -> None:
    assert fenced_blocks(text) == fenced
    assert stray_fences(text) == stray
    assert code_ranges(text) == literal


def test_masked_keeps_line_ends_and_offsets() -> None:
    assert masked("ab\ncd ef", [(1, 4), (6, 7)]) == "a \n d  f"
    assert masked("abc", []) == "abc"


@pytest.mark.parametrize(
    ("text", "spans", "opening"),
    [
        ("a `b` c", [(12, 15)], 2),
        ("\\`a` `b`", [(13, 16)], 3),
        ("\\\\`a`", [(12, 15)], 2),
        ("``a` b", [(10, 14)], 0),
        ("`a``b`", [(10, 16)], 0),
        ("```a`` b`", [(10, 16)], 0),
        ("x`\\\\``a``y", [], 1),
        ("a ` b", [], 2),
        ("\\\\\\`a` b`", [(15, 19)], 5),
        ("no ticks", [], None),
    ],
)
def test_paragraph_code_spans(text: str, spans: list[Span], opening: int | None) -> None:
    assert paragraph_code_spans(text, 10) == spans
    assert next_opening(text, 0) == opening


def test_ranges() -> None:
    ranges = Ranges([(5, 8), (1, 3), (2, 4), (10, 10), (8, 9)])
    assert ranges.pairs() == [(1, 4), (5, 9)]
    assert [ranges.end_of(offset) for offset in (0, 1, 3, 4, 8, 9)] == [None, 4, 4, None, 9, None]
    assert [ranges.starts_within(a, b) for a, b in ((0, 1), (0, 2), (1, 5), (1, 6))] == [
        False,
        True,
        False,
        True,
    ]


def test_backtick_runs() -> None:
    runs = BacktickRuns("a ``` b `` c ` d `` e")
    assert runs.runs == [(2, 5), (8, 10), (13, 14), (17, 19)]
    assert runs.by_length == {3: [0], 2: [1, 3], 1: [2]}
    assert runs.longest == [(2, 1), (2, 3), (2, 3), (0, -1)]
    assert [runs.find(start) for start, _ in runs.runs] == [
        (4, 8),
        (10, 17),
        (15, None),
        (21, None),
    ]


@pytest.mark.parametrize(
    ("text", "spans", "escaped"),
    [
        ("$x$", [(0, 3, "x", False, "\\(x\\)")], ()),
        ("$ x$", [], ()),
        ("$x $", [], ()),
        ("$5 and $6", [], ()),
        ("$x$5", [], ()),
        ("$$a$$", [(0, 5, "a", True, "\\[a\\]")], ()),
        ("$$a$ b$$", [], ()),
        ("\\(a\\)", [(0, 5, "a", False, "\\(a\\)")], ()),
        ("\\[a\\]", [(0, 5, "a", True, "\\[a\\]")], ()),
        ("\\\\(a\\)", [], ()),
        ("\\$5", [], (0,)),
        ("a\\\\ b $x$ \\$", [(6, 9, "x", False, "\\(x\\)")], (10,)),
        ("`a` \\$ `b` $c$", [(11, 14, "c", False, "\\(c\\)")], (4,)),
        ("$a\n\nb$", [], ()),
        ("\\(a \\\\) b\\)", [(0, 11, "a \\\\) b", False, "\\(a \\\\) b\\)")], ()),
        ("\\(a $ b\\)", [(0, 9, "a $ b", False, "\\(a $ b\\)")], ()),
        ("$$ $$", [], ()),
        ("`$x$` $y$", [(6, 9, "y", False, "\\(y\\)")], ()),
        ("\\(a `b` c\\) \\(d\\)", [(12, 17, "d", False, "\\(d\\)")], ()),
        ("x\\(", [], ()),
        ("$", [], ()),
        ("a $b$ \\$ $c$", [(2, 5, "b", False, "\\(b\\)"), (9, 12, "c", False, "\\(c\\)")], (6,)),
        ("\\[a\n\nb\\]", [], ()),
        ("$a\\$b$", [(0, 6, "a\\$b", False, "\\(a\\$b\\)")], ()),
        ("\\( a \\( b \\)", [(0, 12, " a \\( b ", False, "\\( a \\( b \\)")], ()),
        ("$a<b$", [(0, 5, "a<b", False, "\\(a&lt;b\\)")], ()),
        ("\\(a\\) \\(b\\)", [(0, 5, "a", False, "\\(a\\)"), (6, 11, "b", False, "\\(b\\)")], ()),
        ("\\(a `b` \\(c\\)", [(8, 13, "c", False, "\\(c\\)")], ()),
        ("\\(a \\(b\n\nc\\)", [], ()),
        (
            "\\[a `b` \\[c\\] \\(d\\)",
            [(8, 13, "c", True, "\\[c\\]"), (14, 19, "d", False, "\\(d\\)")],
            (),
        ),
        ("$a \\(b$ c\\)", [(0, 7, "a \\(b", False, "\\(a \\(b\\)")], ()),
        ("\\(a `b` \\(c `d` \\(e\\)", [(16, 21, "e", False, "\\(e\\)")], ()),
        ("\\( a \\(b\\)", [(0, 10, " a \\(b", False, "\\( a \\(b\\)")], ()),
        ("\\[x\\) \\]", [(0, 8, "x\\) ", True, "\\[x\\) \\]")], ()),
    ],
)
def test_find_math(
    text: str, spans: list[tuple[int, int, str, bool, str]], escaped: tuple[int, ...]
) -> None:
    scan = find_math(text, code_ranges(text))
    assert [(s.start, s.end, s.body, s.display, s.anki) for s in scan.spans] == spans
    assert scan.escaped_dollars == escaped


RENDERER = MarkdownRenderer()


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("Costs \\$5 and $x_1$", "<p>Costs &#36;5 and \\(x_1\\)</p>"),
        ("$a<b$ and *$c*d$*", "<p>\\(a&lt;b\\) and <em>\\(c*d\\)</em></p>"),
        ("$$x^2$$", "<p>\\[x^2\\]</p>"),
        ("`$x$` $y$", "<p><code>$x$</code> \\(y\\)</p>"),
        ("\\(a_b\\) and \\[c*d\\]", "<p>\\(a_b\\) and \\[c*d\\]</p>"),
        ("$5 and $6", "<p>$5 and $6</p>"),
        ("a \\$ b \\$", "<p>a &#36; b &#36;</p>"),
        ("`\\$`", "<p><code>\\$</code></p>"),
        (
            "```\n$x$\n```\n\n$y$",
            '<div class="highlight"><pre><span></span><code>$x$\n</code></pre></div>\n\n'
            "<p>\\(y\\)</p>",
        ),
    ],
)
def test_math_reaches_the_card_verbatim(source: str, html: str) -> None:
    assert RENDERER.block(source) == html


def test_math_inside_and_beside_a_deletion() -> None:
    assert RENDERER.cloze("==$x$== and $y::z$", "anki") == ("<p>{{c1::\\(x\\)}} and \\(y::z\\)</p>")


LINE_PIECES = st.sampled_from(
    ["    ", "\t", " ", "  ", ">", "> ", "\n", "\n\n", "a", "#", "---", "x y", "- ", "1. ", ": "]
)
HTML_PIECES = st.sampled_from(
    ["<div>", "</div>", "<!-- c -->", "<b>", "<?p?>", " ", "\t", "\n", "a"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(LINE_PIECES, max_size=20).map("".join))
def test_a_text_the_indented_filter_passes_over_has_no_indented_code(text: str) -> None:
    assert indented_blocks(text) == list(parsed_indented_blocks(text))


@settings(max_examples=400, deadline=None)
@given(st.lists(HTML_PIECES, max_size=16).map("".join))
def test_a_text_the_html_filter_passes_over_has_no_html_block(text: str) -> None:
    assert html_blocks(text) == (extracted_html_blocks(text) if "<" in text else [])
