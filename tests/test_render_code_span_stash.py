from __future__ import annotations

import markdown
import pytest

from generator.render import MarkdownRenderer
from generator.render.literal import Span, exact, leftovers, plain
from generator.render.stash import (
    StashCodeSpans,
    code_html,
    escaped_at,
    splice,
    stashable,
)

RENDERER = MarkdownRenderer()


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("* a ` b\n* c ` d", "<ul>\n<li>a ` b</li>\n<li>c ` d</li>\n</ul>"),
        ("+ a ` b\n+ c ` d", "<ul>\n<li>a ` b</li>\n<li>c ` d</li>\n</ul>"),
        ("1. a ` b\n2. c ` d", "<ol>\n<li>a ` b</li>\n<li>c ` d</li>\n</ol>"),
        ("a ` b\nc ` d\n: def", "<dl>\n<dt>a ` b</dt>\n<dt>c ` d</dt>\n<dd>def</dd>\n</dl>"),
        (
            "a ` b\nc ` d\n\n: def",
            "<dl>\n<dt>a ` b</dt>\n<dt>c ` d</dt>\n<dd>\n<p>def</p>\n</dd>\n</dl>",
        ),
        ("a `x` b\n: def", "<dl>\n<dt>a <code>x</code> b</dt>\n<dd>def</dd>\n</dl>"),
        ("p `a` q\n  : r", "<dl>\n<dt>p <code>a</code> q</dt>\n<dd>r</dd>\n</dl>"),
        ("[my ref]: u\na ` b ` c `", "<p>a <code>b</code> c `</p>"),
        ("a ` b\n[my ref]: u ` c", "<p>a <code>b\n[my ref]: u</code> c</p>"),
        ("[l](u `c` v)", '<p><a href="u c v">l</a></p>'),
        ("![alt `c`](i.png)", '<p><img alt="alt c" src="i.png"></p>'),
        ("`c`{: .k} x", '<p><code class="k">c</code> x</p>'),
        ("a `c` [r]: u", "<p>a <code>c</code> [r]: u</p>"),
        ("[r]: u `c`", "<p>[r]: u <code>c</code></p>"),
        ("\\`a `b`", "<p>`a <code>b</code></p>"),
        ("a `b` \\`c", "<p>a <code>b</code> `c</p>"),
        ("x ` y", "<p>x ` y</p>"),
        ("``a`b`` c", "<p><code>a`b</code> c</p>"),
        ("a ` b\n# h ` c", "<p>a ` b</p>\n<h1>h ` c</h1>"),
        ("a ` b\n> q ` c", "<p>a ` b</p>\n<blockquote>\n<p>q ` c</p>\n</blockquote>"),
        ("a ` b\n---", "<h2>a ` b</h2>"),
        ("a `b`\n---", "<h2>a <code>b</code></h2>"),
        ("a ` b ` c\n+ d", "<p>a <code>b</code> c\n+ d</p>"),
        ("l `a`\nm ` n", "<p>l <code>a</code>\nm ` n</p>"),
        ("x `a` ![y](`b`) z", '<p>x <code>a</code> <img alt="y" src="b"> z</p>'),
        ("x ![y `b`](i.png) `c`", '<p>x <img alt="y b" src="i.png"> <code>c</code></p>'),
        ("x [y](u) `c`", '<p>x <a href="u">y</a> <code>c</code></p>'),
        (
            "a `b`\nc [d](u `e`)\nf `g`",
            '<p>a <code>b</code>\nc <a href="u e">d</a>\nf <code>g</code></p>',
        ),
        ("\\\\`a`", "<p>\\<code>a</code></p>"),
        ("a \\\\\\`b` c`", "<p>a \\`b<code>c</code></p>"),
        ("`<b>&amp;`", "<p><code>&lt;b&gt;&amp;amp;</code></p>"),
        (
            "a `b`\n\n    `c`",
            '<p>a <code>b</code></p>\n<div class="highlight"><pre><span></span><code>`c`\n'
            "</code></pre></div>",
        ),
        (
            "| a | `b` |\n|---|---|\n| `c` | d |",
            "<table>\n<thead>\n<tr>\n<th>a</th>\n<th><code>b</code></th>\n</tr>\n</thead>\n"
            "<tbody>\n<tr>\n<td><code>c</code></td>\n<td>d</td>\n</tr>\n</tbody>\n</table>",
        ),
    ],
)
def test_code_spans_render_where_they_stand(source: str, html: str) -> None:
    assert RENDERER.block(source) == html


def test_code_spans_are_paired_in_the_text_cloze_numbering_leaves() -> None:
    """The distractors are gone by then: here the unpaired run in one no longer makes the
    search skip into the first run of four, so those two pair, as Python-Markdown pairs them
    in the numbered text."""
    md = MarkdownRenderer()  # its own: the order of the preprocessors is set when it is made
    assert md.block("==x || y```==````c````") == "<p><mark>x</mark><code>c</code></p>"


def test_the_code_spans_of_every_paragraph_are_stashed() -> None:
    md = markdown.Markdown()
    lines = StashCodeSpans(md).run(["a `b`", "", "c `d` e", "", "f"])
    assert "`" not in "".join(lines)
    assert md.htmlStash.rawHtmlBlocks == ["<code>b</code>", "<code>d</code>"]


@pytest.mark.parametrize(
    ("lines", "kept", "stashed"),
    [
        # A list's lines may be split, but spans closed on their line with nothing left over
        # pair the same however they are.
        (["- x `a`", "- y `b`"], ["- x ", "- y "], ["<code>a</code>", "<code>b</code>"]),
        # A plain paragraph after one that is not: stashed whole, its unpaired run too.
        (["# h `", "", "p `a` `"], ["# h `", "", "p  "], ["<code>a</code>", "`"]),
        # A run that opens in indented code is code there: the paragraph is left alone.
        (["    `a", "b`"], ["    `a", "b`"], []),
        # A run left over inside indented code stays there as it is.
        (["    a ` b", "c ``d``"], ["    a ` b", "c "], ["<code>d</code>"]),
    ],
)
def test_what_the_code_span_stash_takes(
    lines: list[str], kept: list[str], stashed: list[str]
) -> None:
    md = markdown.Markdown()
    out = StashCodeSpans(md).run(lines)
    placeholders = [md.htmlStash.get_placeholder(i) for i in range(len(stashed))]
    for placeholder in placeholders:
        out = [line.replace(placeholder, "") for line in out]
    assert (out, md.htmlStash.rawHtmlBlocks) == (kept, stashed)


@pytest.mark.parametrize(
    ("text", "spans", "ok"),
    [
        ("a `b` c", [(2, 5)], True),
        ("[l](u `c` v)", [(6, 9)], False),
        ("x\n[l](u `c` v)", [(8, 11)], False),
        ("[l](u) `c`", [(7, 10)], True),
        ("![a `c`](i)", [(4, 7)], False),
        ("![a](i) `c`", [(8, 11)], False),
        ("`c`{: .k}", [(0, 3)], False),
        ("[r]: u `c`", [(7, 10)], False),
        ("x `a`\n[r]: u `c`", [(2, 5), (13, 16)], False),
        ("](\n`c`", [(3, 6)], True),
        ("![\n`c`", [(3, 6)], True),
        ("](`a`) `b`", [(2, 5), (7, 10)], False),
        ("[l](u `a`) `b`", [(6, 9), (11, 14)], False),
        ("a `b` ](`c`", [(2, 5), (8, 11)], False),
        ("`a`\n`b`", [(0, 3), (4, 7)], True),
        ("![a](i)\n`b`", [(8, 11)], True),
        ("![a\n`b`", [(4, 7)], True),
        ("x", [], True),
    ],
)
def test_stashable(text: str, spans: list[Span], ok: bool) -> None:
    assert stashable(text, spans) is ok


@pytest.mark.parametrize(
    ("text", "start", "end", "spans", "left"),
    [
        ("a ` b `c` d `", 0, 13, [(6, 9)], [(2, 3), (12, 13)]),
        ("\\`a`", 0, 4, [(1, 4)], []),
        ("``a`", 0, 4, [], [(0, 2), (3, 4)]),
        ("x `a` y", 0, 7, [(2, 5)], []),
        ("`a` `` `b`", 4, 10, [(7, 10)], [(4, 6)]),
    ],
)
def test_leftovers(text: str, start: int, end: int, spans: list[Span], left: list[Span]) -> None:
    assert leftovers(text, start, end, spans) == left


@pytest.mark.parametrize(
    ("text", "span", "same"),
    [
        ("`a`", (0, 3), True),
        ("``a`", (0, 4), False),
        ("`a\nb`", (0, 5), False),
        ("``a``", (0, 5), True),
        ("x ``a` y", (2, 6), False),
    ],
)
def test_exact(text: str, span: Span, same: bool) -> None:
    assert exact(text, span) is same


@pytest.mark.parametrize(
    ("text", "offset", "escaped"),
    [
        ("\\`", 1, True),
        ("\\\\`", 2, False),
        ("\\\\\\`", 3, True),
        ("`", 0, False),
        ("a`", 1, False),
    ],
)
def test_escaped_at(text: str, offset: int, escaped: bool) -> None:
    assert escaped_at(text, offset) is escaped


@pytest.mark.parametrize(
    ("paragraph", "is_plain"),
    [
        ("a\nb", True),
        ("a - b", True),
        ("a # b", True),
        ("    # x", True),
        ("a\n  :b", True),
        ("a\n# b", False),
        ("a\n> b", False),
        ("a\n* b", False),
        ("a\n+ b", False),
        ("a\n1. b", False),
        ("a\n1) b", False),
        ("a\n: b", False),
        ("a\n!!! note", False),
        ("a\n[my ref]: u", False),
        ("a\n*[HTML]: H", False),
        ("a\n|---|", False),
        ("a\n---", False),
        ("a\n===", False),
    ],
)
def test_plain(paragraph: str, is_plain: bool) -> None:
    assert plain(paragraph) is is_plain


def test_code_html_is_the_code_between_the_runs_stripped_and_escaped() -> None:
    code = code_html("`` a`b ``", (0, 9))
    assert (str(code), code.text) == ("<code>a`b</code>", "a`b")
    shorter = code_html("```<a>&``", (0, 9))
    assert (str(shorter), shorter.text) == ("<code>`&lt;a&gt;&amp;</code>", "`&lt;a&gt;&amp;")


def test_splice_replaces_ranges_in_order_and_splits_lines() -> None:
    assert splice("ab\ncd", [(3, 4, "X"), (0, 1, "Y")]) == ["Yb", "Xd"]
    assert splice("abc", []) == ["abc"]
