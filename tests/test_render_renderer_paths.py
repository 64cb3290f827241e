from __future__ import annotations

import markdown
import pytest

from generator.diagnostics import Diagnostics
from generator.notes import Text
from generator.render import MarkdownRenderer
from generator.render.highlight import html_formatter
from generator.render.renderer import (
    EXTENSION_CONFIGS,
    EXTENSIONS,
    as_text,
    column_of,
    made_extensions,
)

RENDERER = MarkdownRenderer()
FOOTNOTE = (
    '<p>x <sup id="fnref:8c2601d1-1"><a class="footnote-ref" href="#fn:8c2601d1-1">1</a></sup>'
    '</p>\n<div class="footnote">\n<hr>\n<ol>\n<li id="fn:8c2601d1-1">\n<p>n&#160;<a '
    'class="footnote-backref" href="#fnref:8c2601d1-1" title="Jump back to footnote 1 in the '
    'text">&#8617;</a></p>\n</li>\n</ol>\n</div>'
)


@pytest.mark.parametrize(
    ("lines", "line", "needle", "column"),
    [
        (["abc ](x.png)"], 1, "](x.png", 7),
        (["abc ](<x.png"], 1, "](<x.png", 8),
        (["a X.png"], 1, "x.png", 3),
        (["ab"], 1, "B", 2),
        (["a", "xx <b"], 2, "<b", 4),
        (["a"], 2, "a", 0),
        (["a"], 0, "a", 0),
        (["a"], 1, "", 0),
        (["a"], 1, "b", 0),
        ([], 1, "a", 0),
    ],
)
def test_column_of(lines: list[str], line: int, needle: str, column: int) -> None:
    assert column_of(lines, line, needle) == column


@pytest.mark.parametrize(
    ("text", "block", "inline"),
    [
        ("One *two*", "<p>One <em>two</em></p>", "One <em>two</em>"),
        ("Two\n\nparas", "<p>Two</p>\n<p>paras</p>", "<p>Two</p>\n<p>paras</p>"),
        ("<div>x</div>", "<div>x</div>", "<div>x</div>"),
        ("", "", ""),
        ("  \n ", "", ""),
        ("Plain sentence.", "<p>Plain sentence.</p>", "Plain sentence."),
        (" lead", "<p>lead</p>", "lead"),
        ("a_b", "<p>a_b</p>", "a_b"),
        ("Ünïcode wörds", "<p>Ünïcode wörds</p>", "Ünïcode wörds"),
        ("5 < 6", "<p>5 &lt; 6</p>", "5 &lt; 6"),
        ("Text !!! note", "<p>Text !!! note</p>", "Text !!! note"),
        (
            "!!! note\n    body",
            '<div class="admonition note">\n<p class="admonition-title">Note</p>\n<p>body</p>\n'
            "</div>",
            '<div class="admonition note">\n<p class="admonition-title">Note</p>\n<p>body</p>\n'
            "</div>",
        ),
        ("x [^1]\n\n[^1]: n", FOOTNOTE, FOOTNOTE),
    ],
)
def test_block_and_inline(text: str, block: str, inline: str) -> None:
    assert RENDERER.block(text) == block
    assert RENDERER.inline(text) == inline
    assert RENDERER.block(Text(text, 3)) == block


def test_footnote_ids_differ_per_mode_and_text() -> None:
    anki = RENDERER.cloze("x [^1]\n\n[^1]: n", "anki")
    other = RENDERER.block("y [^1]\n\n[^1]: n")
    assert 'id="fnref:8c2601d1-1"' not in anki
    assert 'id="fnref:8c2601d1-1"' not in other
    assert anki.count('href="#fn:') == other.count('href="#fn:') == 1


def test_problems_are_reported_at_the_line_and_column_of_the_lesson() -> None:
    diags = Diagnostics()
    source = ["# Lesson", "", "Intro.", "", "More text", "and <iframe></iframe> here"]
    with RENDERER.lesson("p.md", None, diags, source):
        html = RENDERER.block(Text("More text\nand <iframe></iframe> here", 5))
    assert html == "<p>More text\nand <iframe></iframe> here</p>"
    assert [(d.path, d.line, d.column, d.code, d.severity.value) for d in diags.items] == [
        ("p.md", 6, 5, "html-forbidden-tag", "error")
    ]


def test_without_lesson_lines_the_column_is_not_known() -> None:
    diags = Diagnostics()
    with RENDERER.lesson("p.md", None, diags):
        RENDERER.block(Text("a\n\n<iframe></iframe>", 2))
    assert [(d.line, d.column, d.code) for d in diags.items] == [(4, 0, "html-forbidden-tag")]


def test_a_plain_string_is_reported_at_line_zero() -> None:
    diags = Diagnostics()
    with RENDERER.lesson("p.md", None, diags, ["<iframe></iframe>"]):
        RENDERER.block("<iframe></iframe>")
    assert [(d.line, d.column, d.code) for d in diags.items] == [(0, 0, "html-forbidden-tag")]


def test_problems_outside_a_lesson_are_dropped_not_carried_over() -> None:
    md = MarkdownRenderer()
    assert md.block("<iframe></iframe>") == "<iframe></iframe>"
    diags = Diagnostics()
    with md.lesson("p.md", None, diags, ["fine <b>x</b>"]):
        assert md.block(Text("fine <b>x</b>", 1)) == "<p>fine <b>x</b></p>"
    assert diags.items == []


def test_a_problem_is_found_by_its_next_needle_when_the_first_is_not_written() -> None:
    diags = Diagnostics()
    source = ["x", "<a href=' JaVa\tscript:go()'>a</a>"]
    with RENDERER.lesson("p.md", None, diags, source):
        RENDERER.block(Text("\n".join(source), 1))
    assert [(d.line, d.column, d.code) for d in diags.items] == [(2, 4, "html-script-url")]


def test_as_text() -> None:
    assert as_text("a") == Text("a", 0)
    text = Text("b", 4)
    assert as_text(text) is text


def test_cached_html_is_the_same_for_the_same_text_and_mode() -> None:
    md = MarkdownRenderer()
    first = md.cloze("==a== *b*", "blank", 1)
    assert md.cloze("==a== *b*", "blank", 1) == first
    assert md.cloze("==a== *b*", "blank", 2) == "<p>a <em>b</em></p>"
    assert md.cloze("==a== *b*", "reveal", 1) == (
        '<p><mark class="ak-cloze-answer" data-group="1">a</mark> <em>b</em></p>'
    )


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "```python\nx = 1\n```",
            '<div class="highlight"><pre><span></span><code><span class="n">x</span> '
            '<span class="o">=</span> <span class="mi">1</span>\n</code></pre></div>',
        ),
        (
            "    def f(): pass",
            '<div class="highlight"><pre><span></span><code>def f(): pass\n</code></pre></div>',
        ),
        ("~~gone~~ and H~2~O", "<p><del>gone</del> and H~2~O</p>"),
        (
            "The HTML page.\n\n*[HTML]: Hyper Text",
            '<p>The <abbr title="Hyper Text">HTML</abbr> page.</p>',
        ),
        ("1. a\n* b", "<ol>\n<li>a\n* b</li>\n</ol>"),
        ("Term\n: Def", "<dl>\n<dt>Term</dt>\n<dd>Def</dd>\n</dl>"),
        (
            "a | b\n--|--\n1 | 2",
            "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
            "<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>",
        ),
        ("line  \nbreak", "<p>line<br>\nbreak</p>"),
        ("<b>x</b> & y", "<p><b>x</b> &amp; y</p>"),
    ],
)
def test_the_configured_extensions(text: str, html: str) -> None:
    assert RENDERER.block(text) == html


def test_a_reference_link_is_checked_too() -> None:
    diags = Diagnostics()
    source = ["[a][r]", "", "[r]: javascript:x"]
    with RENDERER.lesson("p.md", None, diags, source):
        html = RENDERER.block(Text("\n".join(source), 1))
    assert html == '<p><a href="javascript:x">a</a></p>'
    assert [(d.line, d.column, d.code) for d in diags.items] == [(3, 6, "html-script-url")]


def test_a_footnote_referenced_twice_gets_two_back_links() -> None:
    assert RENDERER.block("x[^a] y[^a]\n\n[^a]: n") == (
        '<p>x<sup id="fnref:bc6c24e5-a"><a class="footnote-ref" href="#fn:bc6c24e5-a">1</a>'
        '</sup> y<sup id="fnref2:bc6c24e5-a"><a class="footnote-ref" href="#fn:bc6c24e5-a">1'
        '</a></sup></p>\n<div class="footnote">\n<hr>\n<ol>\n<li id="fn:bc6c24e5-a">\n<p>n'
        '&#160;<a class="footnote-backref" href="#fnref:bc6c24e5-a" title="Jump back to '
        'footnote 1 in the text">&#8617;</a><a class="footnote-backref" '
        'href="#fnref2:bc6c24e5-a" title="Jump back to footnote 1 in the text">&#8617;</a></p>'
        "\n</li>\n</ol>\n</div>"
    )


@pytest.mark.parametrize(
    "text",
    [
        "```python\nx = 1\n```",
        "```js\nlet a = 1;\n```\n\n```python\ny = 2\n```",
        '```python hl_lines="2"\nx = 1\ny = 2\n```',
        "```{ .python linenums='3' }\nx = 1\n```",
        "    indented = code",
    ],
)
def test_code_is_highlighted_as_with_a_formatter_per_block(text: str) -> None:
    configs = {**EXTENSION_CONFIGS, "codehilite": {**EXTENSION_CONFIGS["codehilite"]}}
    del configs["codehilite"]["pygments_formatter"]
    stock = markdown.Markdown(extensions=EXTENSIONS, extension_configs=configs)
    assert RENDERER.block(text) == RENDERER.block(text) == stock.convert(text)


def test_one_formatter_serves_blocks_of_the_same_options() -> None:
    first = html_formatter(cssclass="highlight", lang_str="language-python")
    assert html_formatter(cssclass="highlight", lang_str="language-js") is first
    assert html_formatter(cssclass="other") is not first
    assert html_formatter(cssclass="highlight", hl_lines=[1]).hl_lines == {1}


def test_extensions_are_made_as_markdown_makes_them_from_their_names() -> None:
    named = markdown.Markdown()
    for name, made in zip(EXTENSIONS, made_extensions(), strict=True):
        built = named.build_extension(name, EXTENSION_CONFIGS.get(name, {}))
        assert type(made) is type(built), name
        assert made.getConfigs() == built.getConfigs(), name
    # Each renderer gets its own: extensions keep state per document.
    assert not set(map(id, made_extensions())) & set(map(id, made_extensions()))
