"""Plain text is rendered without Python-Markdown: exactly as Python-Markdown renders it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.render import MarkdownRenderer
from generator.render.conversion import Conversion
from generator.render.plain import CHARACTER, CODE_SPAN, PLAIN, compiled, plain_html

RENDERER = MarkdownRenderer()


def converted(text: str, mode: str = "mark") -> str:
    """What Python-Markdown itself makes of `text`, without the renderer's shortcuts."""
    md = RENDERER._md
    RENDERER._board.current = Conversion.of(text, mode, 1)  # type: ignore[arg-type]
    md.reset()
    return md.convert(text)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Plain sentence.", "<p>Plain sentence.</p>"),
        ("A wrapped\nparagraph, of (three)\nlines: 50% done?", None),
        ("Ünïcode\nwörds – “quoted” … 5°", None),
        ("Setext\nIs not-a heading", None),
        ("O\nx", None),
        ("Tokens: recall › Review", None),
        ("Call `f(x)` now", "<p>Call <code>f(x)</code> now</p>"),
        ("Call ` f(x) `", "<p>Call <code>f(x)</code></p>"),
        ("A `{{x}}` and `a == b`", "<p>A <code>{&#123;x}&#125;</code> and <code>a == b</code></p>"),
        ("A `x|y` b\nand `*a* [l](u)`", "<p>A <code>x|y</code> b\nand <code>*a* [l](u)</code></p>"),
        ("A *b* c**d**", "<p>A <em>b</em> c<strong>d</strong></p>"),
        ("A ~~b c~~ & d", "<p>A <del>b c</del> &amp; d</p>"),
        ("A ~~b.~~\nc ~~d~~, e", "<p>A <del>b.</del>\nc <del>d</del>, e</p>"),
        ("A.\n\nB *c*\nd.", "<p>A.</p>\n<p>B <em>c</em>\nd.</p>"),
    ],
)
def test_plain_text(text: str, html: str | None) -> None:
    assert plain_html(text) == converted(text) == (html or f"<p>{text}</p>")
    assert RENDERER.block(text) == converted(text)


@pytest.mark.parametrize(
    "text",
    [
        "Line  \nbreak",
        "Line \nspace",
        "A\n- item",
        "A\n1. one",
        "A\n===",
        "A\n b",
        "A `a``b`",
        "A ``b``",
        "A `a\\`",
        "A `<b>`",
        "A ` `",
        "A `\t`",
        "A `a\rb`",
        "`x` first",
        "A [b]",
        "A *b",
        "A * b*",
        "A *b *",
        "A **b*",
        "A ***b***",
        "A *`b`*",
        "A ~b~",
        "A ~~ b~~",
        "A ~~~b~~~",
        "A~~b~~",
        "A ~~b~~c",
        "A ~~.~~z",
        "A _b_",
        "A &amp; b",
        "A &b",
        "A &#1;",
        "A\n\n\nB",
        "A\n\n",
        "A\n\n b",
        "A\n\n- b",
    ],
)
def test_text_that_markdown_could_change_is_not_plain(text: str) -> None:
    assert not compiled(PLAIN).fullmatch(text)
    assert plain_html(text) is None


PROSE_LINE = rf"[^\W\d_](?:{CHARACTER}|{CODE_SPAN})*+(?<! )"
PROSE = rf"{PROSE_LINE}(?:\n{PROSE_LINE})*"


@settings(max_examples=50, deadline=None)
@given(st.from_regex(PROSE, fullmatch=True))
def test_plain_text_renders_as_python_markdown_renders_it(text: str) -> None:
    assert compiled(PLAIN).fullmatch(text)
    assert plain_html(text) == converted(text)


WORDS = st.sampled_from(["a", "Bc", "é", "1", " ", "  ", ", ", ".", "(", ")", "›", "-"])
CODE = st.text(alphabet="ab {}|*_[]()$=:#!~^/-", min_size=1, max_size=6).map(lambda c: f" `{c}`")
ODD = st.sampled_from(["`", "``", "` `", "`\\`", "`<b>`", "`&`", "`\t`", "`a`b`"])
PIECES = st.one_of(WORDS, WORDS, WORDS, CODE, CODE, ODD)
LINE = st.lists(PIECES, max_size=8).map(lambda pieces: "A" + "".join(pieces) + "z")


@settings(max_examples=500, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=3).map("\n".join))
def test_text_with_code_renders_as_python_markdown_renders_it(text: str) -> None:
    html = plain_html(text)
    if html is not None:
        for mode in ("mark", "anki", "blank"):
            assert html == converted(text, mode)


def marked(mark: str) -> st.SearchStrategy[str]:
    return st.text(alphabet="ab ,.", min_size=1, max_size=4).map(lambda s: f"{mark}{s}{mark}")


MARKED = st.one_of(marked("*"), marked("**"), marked("~~"))
ODD_MARKS = st.sampled_from(["*", "**", "~", "~~", "&", "&a;", "&#1;", "&1", "_a_", "***", "~~a"])
SPACES = st.sampled_from(["", " "])
AFTER = st.sampled_from(["", " ", ".", ",", ")", "’", "a"])
MARKED_PIECES = st.one_of(*[WORDS] * 4, CODE, st.tuples(SPACES, MARKED, AFTER).map("".join))
ODD_PIECES = st.one_of(*[WORDS] * 4, CODE, MARKED, ODD, ODD_MARKS, st.just(" & "))


@st.composite
def paragraphs(draw: st.DrawFn) -> str:
    """Paragraphs of prose with marks, most of them plain (the others with one oddity)."""
    odd = draw(st.booleans())
    pieces = ODD_PIECES if odd else MARKED_PIECES
    lines = [
        "A" + "".join(draw(st.lists(pieces, max_size=6))) + "z"
        for _ in range(draw(st.integers(1, 4)))
    ]
    breaks = st.sampled_from(["\n", "\n\n", "\n\n", "\n\n\n", "\n \n"] if odd else ["\n", "\n\n"])
    text = lines[0]
    for line in lines[1:]:
        text += draw(breaks) + line
    return text


@settings(max_examples=500, deadline=None)
@given(paragraphs())
def test_paragraphs_with_marks_render_as_python_markdown_renders_them(text: str) -> None:
    html = plain_html(text)
    if html is not None:
        for mode in ("mark", "anki", "blank"):
            assert html == converted(text, mode)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("- One\n- Two", "<ul>\n<li>One</li>\n<li>Two</li>\n</ul>"),
        ("1. One\n2. Two", "<ol>\n<li>One</li>\n<li>Two</li>\n</ol>"),
        ("3. Three\n4. Four", '<ol start="3">\n<li>Three</li>\n<li>Four</li>\n</ol>'),
        (
            "- **Bold** then `code`",
            "<ul>\n<li><strong>Bold</strong> then <code>code</code></li>\n</ul>",
        ),
        ("1. **A b.** C\n   d.\n2. E\nf", None),
        ("- Call `{{x}}` and `a**b**c`", None),
        ("- A**b**c", None),
    ],
)
def test_plain_list(text: str, html: str | None) -> None:
    assert plain_html(text) == converted(text)
    if html is not None:
        assert plain_html(text) == html
    assert RENDERER.block(text) == converted(text)


@pytest.mark.parametrize(
    "text",
    [
        "- A\n1. b",
        "1. A\n- b",
        "* A",
        "-  A",
        "1.  A",
        "1) A",
        "- 1. A",
        "- A\n\n- B",
        "- A\n    b",
        "- A\n  - b",
        "- ** A**",
        "- **A **",
        "- ***A***",
        "- **A** **",
        "- *A*",
        "- A\n- ",
        "- A ",
        "- A\n  `b`",
        "١. A",
    ],
)
def test_list_that_markdown_could_change_is_not_plain(text: str) -> None:
    assert plain_html(text) is None


SAFE_WORDS = st.sampled_from(["a", "Bc", "é", "1", " ", ", ", ".", "(", ")", "›", "-"])
STRONG = st.text(alphabet="ab ,.:-", min_size=1, max_size=5).map(lambda s: f" **{s.strip()}z**")
ODD_STRONG = st.sampled_from(
    ["*", " *", "**", "***", "**a*", "** a**", "**a **", "**a****b**", "**`b`**"]
)
PIECES_IN_LISTS = (
    st.one_of(*[SAFE_WORDS] * 4, CODE, STRONG),
    st.one_of(*[SAFE_WORDS] * 4, CODE, STRONG, WORDS, ODD, ODD_STRONG),
)
STARTS = (["A", "**B**"], ["A", "**B**", "**C", "1", "`d`", " E", "a**b**", "*", ""])
INDENTS = (["", " ", "  ", "   "], ["", "   ", "    ", "- ", "1. ", "\t"])
MARKERS = (
    [("- ",), ("1. ", "2. "), ("3. ", "10. ")],
    [("- ", "1. "), ("* ",), ("-  ",), ("1) ",), ("- ", "")],
)


@st.composite
def lists(draw: st.DrawFn) -> str:
    """Lists of plain items, most of them (one kind of oddity in the others)."""
    odd = draw(st.integers(0, 4)) if draw(st.booleans()) else -1

    def item() -> str:
        pieces = draw(st.lists(PIECES_IN_LISTS[odd == 0], max_size=6))
        return draw(st.sampled_from(STARTS[odd == 1])) + "".join(pieces) + "z"

    markers = draw(st.sampled_from(MARKERS[odd == 2]))
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        lines.append(draw(st.sampled_from(markers)) + item())
        for _ in range(draw(st.integers(0, 2))):
            lines.append(draw(st.sampled_from(INDENTS[odd == 3])) + item())
    return ("\n\n" if odd == 4 else "\n").join(lines)


@settings(max_examples=500, deadline=None)
@given(lists())
def test_list_with_code_and_strong_renders_as_python_markdown_renders_it(text: str) -> None:
    html = plain_html(text)
    if html is not None:
        for mode in ("mark", "anki", "blank"):
            assert html == converted(text, mode)
