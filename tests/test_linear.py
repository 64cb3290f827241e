"""Rendering takes time in proportion to a field's length, and the faster paths give exactly the
HTML Python-Markdown's own would: backticks paired by its rule (checked against its output), code
spans stashed before parsing (checked against letting Python-Markdown render them), and its block
parser and inline tree processor with deques (checked against the stock classes).

How long a field takes is measured by bench/fields.py (`make bench`), not asserted here.
"""

from __future__ import annotations

import html
import re

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.lint.facts import plain, without_fences
from generator.render import MarkdownRenderer
from generator.render.linear import LinearMarkdown
from generator.render.literal import code_spans
from generator.render.mathjax import find_math
from generator.render.renderer import EXTENSION_CONFIGS, EXTENSIONS

CODE = re.compile(r"<code>(.*?)</code>", re.DOTALL)

ticks = st.text(alphabet=st.sampled_from("```\\\\ ab\n"), max_size=24)


def python_markdown_code(text: str) -> list[str]:
    return [html.unescape(code) for code in CODE.findall(markdown.markdown(text))]


def paired_code(text: str) -> list[str]:
    """The content of each span as `BacktickInlineProcessor` takes it: between the opening and
    the (possibly shorter) closing run, stripped."""
    contents = []
    for start, end in code_spans(text):
        closing = (end - start) - len(text[start:end].rstrip("`"))
        contents.append(text[start + closing : end - closing].strip())
    return contents


@settings(max_examples=600, deadline=None)
@given(ticks)
def test_backticks_pair_as_python_markdown_pairs_them(text: str) -> None:
    paragraph = "x" + " ".join(text.split()) + "y"  # one paragraph, no block syntax
    assert paired_code(paragraph) == python_markdown_code(paragraph)


@pytest.mark.parametrize(
    "text",
    [
        "a `` `b` ``c",
        "\\`a` and `b`",
        "\\\\`a`",
        "x`\\\\``a``y",  # a failed opening resumes as many characters after its run as it had
        "```a`` b`",
        "`a``b`",
    ],
)
def test_backtick_corner_cases(text: str) -> None:
    assert paired_code(text) == python_markdown_code(text)


# Markdown that puts code spans in every context whose HTML could depend on where they stand.
piece = st.sampled_from(
    [
        "`a`",
        "`a|b`",
        "``a`b``",
        "`<b>&amp;`",
        "\\`",
        "\\\\`c`",
        "*",
        "**x**",
        "_y_",
        "[link `c`](u)",
        "[l](u `c` v)",
        '[l](u "t `c`")',
        "![alt `c`](i.png)",
        "`c`{: .k}",
        "==`c`==",
        "==a::`h`==",
        "$x$",
        "$`x`$",
        "<span title='`c`'>s</span>",
        "<!-- `c` -->",
        "&lt;",
        " ",
        " ",
        "word",
        "\n",
        "\n",
        "\n\n",
        "\n- ",
        "\n> ",
        "\n    ",
        "\n| ",
        " | ",
        "\n|---|---|\n",
        "\n# ",
        "\n[r]: u `c`\n",
        "\n*[ab]: A `b`\n",
        '\n!!! note "`t`"\n    ',
        "\n```\n`x`\n```\n",
        "``",
        "```python",
        "\n1. ",
        "\n: ",
        "\n* ",
        "\n+ ",
        "\n!!! tip\n    ",
        "\n[^1]: ",
        "[^1]",
        "\n---\n",
        "\n===",
        "\n#tag ",
        "\\``",
        "\\\\`",
        "a\\",
        "\n<div>\n",
        "</div>",
        "\n~~~\n",
    ]
)
field = st.lists(piece, max_size=18).map("".join)


@pytest.fixture(scope="module")
def renderers() -> tuple[MarkdownRenderer, MarkdownRenderer]:
    stashing, reference = MarkdownRenderer(), MarkdownRenderer()
    reference._md.preprocessors["ankigen-code-spans"].active = False  # type: ignore[attr-defined]
    return stashing, reference


@settings(max_examples=500, deadline=None)
@given(field, st.sampled_from(["anki", "mark", "blank"]))
def test_stashed_code_spans_render_as_python_markdown_renders_them(
    renderers: tuple[MarkdownRenderer, MarkdownRenderer], text: str, mode: str
) -> None:
    stashing, reference = renderers
    assert stashing.cloze(text, mode, 1) == reference.cloze(text, mode, 1)  # type: ignore[arg-type]


@settings(max_examples=500, deadline=None)
@given(field)
def test_linear_markdown_builds_the_same_html(text: str) -> None:
    stock = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    linear = LinearMarkdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    assert linear.convert(text) == stock.convert(text)


def test_unclosed_bracket_math_is_text_and_later_math_is_found() -> None:
    """Each `\\(` reads on to the end of the paragraph without a `\\)`; that answer is reused
    for the next `\\(` rather than found again (which took time in the square of the length)."""
    text = "\\( a $5 " * 2000 + "and $x$ \\[y\\]"
    assert [span.body for span in find_math(text).spans] == ["x", "y"]


# The lint rules' plain text, as its regular expressions define it (each quadratic in a text of
# unclosed openings), against the one-pass scanners that replace them.
REFERENCE_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.DOTALL | re.MULTILINE)
REFERENCE_TABLE = re.compile(r"^\s*\|.*$", re.MULTILINE)
REFERENCE_ADMONITION = re.compile(r"^!!! .*(?:\n(?: {4}.*|[ \t]*))*", re.MULTILINE)
REFERENCE_MARKUP = re.compile(r"[*_`~]|<[^>]+>|!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)")
REFERENCE_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)


def reference_plain(markdown: str) -> str:
    text = REFERENCE_FENCE.sub(" ", markdown)
    text = REFERENCE_ADMONITION.sub(" ", text)
    text = REFERENCE_TABLE.sub(" ", text)
    text = REFERENCE_MATH.sub(" x ", text)
    text = REFERENCE_MARKUP.sub(lambda match: match[1] or " ", text)
    return " ".join(text.split())


LINT_PIECES = [
    "```",
    "~~~",
    "\n",
    "\n\n",
    "a",
    "$",
    "$$",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "<",
    ">",
    "[",
    "]",
    "(",
    ")",
    "!",
    "*",
    "_",
    "`",
    "~",
    "|",
    "\n|",
    "word",
]
lint_text = st.lists(st.sampled_from([*LINT_PIECES, " ", "!!! note\n    x"]), max_size=30).map(
    "".join
)


@settings(max_examples=1000, deadline=None)
@given(lint_text)
def test_lint_plain_text_is_what_its_expressions_define(text: str) -> None:
    plain.cache_clear()
    assert plain(text) == reference_plain(text)
    assert without_fences(text, "") == REFERENCE_FENCE.sub("", text)
