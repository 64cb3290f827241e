from __future__ import annotations

import xml.etree.ElementTree as etree

import markdown
import pytest
from markdown import util
from markdown.inlinepatterns import SimpleTagInlineProcessor

from generator.render import MarkdownRenderer
from generator.render.linear import Blocks, LinearMarkdown, QuickTableProcessor
from generator.render.renderer import EXTENSION_CONFIGS, EXTENSIONS

DOCUMENTS = [
    "Plain *em* **strong** ***both*** _u_ __uu__",
    "A [link *em* `code`](u 'title') and ![img *x*](i.png) and <http://a.b> and <a@b.c>",
    "Text with <b>inline *html*</b> and &amp; &copy; entities\\*escaped\\* \\`tick",
    "[ref][r] and [r] and ![i][r]\n\n[r]: http://x 'T'",
    "Nested *a **b [c `d` e](u) f** g* tail",
    # Emphasis inside emphasis whose tail holds a link: the link follows the strong text.
    "***a** ***b** [x](y)***c**",
    "Para one\n\nPara two  \nwith break\n\n- item *1*\n- item `2`\n    - nested **3**",
    "> quote *q*\n> more\n\n1. one\n2. two [l](u)",
    "Term *t*\n: def `d`\n\n| a | *b* |\n|---|---|\n| `c` | [d](u) |",
    "Note[^1] and again[^2].\n\n[^1]: First *note*.\n[^2]: Second `note`.",
    "Heading\n=======\n\n## Sub *h* {: #id .cls }\n\nText {: .p }",
    "*a* " * 40 + "\n\n" + "`x` " * 40,
    "~~del *em*~~ and *[HTML]: H\n\nHTML here",
    "Line with trailing <span>raw</span> and <!-- comment --> and a\\\nbreak",
    "Lots *of* **mixed** `code` [links](u) ![imgs](i) <i>html</i> &lt; in _one_ paragraph\n"
    "continued *over* lines __with__ more `spans` and [refs][r]\n\n[r]: x",
    # The line after a heading in a tight list item is the heading's tail.
    "- # Heading\n  then *its* tail with `code` and **more**\n- next",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_linear_markdown_renders_documents_as_python_markdown(text: str) -> None:
    stock = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    linear = LinearMarkdown(
        extensions=[*EXTENSIONS, "footnotes"], extension_configs=EXTENSION_CONFIGS
    )
    stock_with_notes = markdown.Markdown(
        extensions=[*EXTENSIONS, "footnotes"], extension_configs=EXTENSION_CONFIGS
    )
    assert linear.convert(text) == stock_with_notes.convert(text)
    plain = LinearMarkdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    assert plain.convert(text) == stock.convert(text)


def test_blocks_pop_from_either_end() -> None:
    blocks = Blocks(["a", "b", "c"])
    assert blocks.pop(0) == "a"
    assert blocks.pop() == "c"
    assert list(blocks) == ["b"]


def test_every_pattern_of_the_renderer_names_what_its_matches_hold() -> None:
    md = MarkdownRenderer()
    md.block("a *b* &lt;")  # not plain text: Python-Markdown converts it
    steps = md._md.treeprocessors["inline"].steps  # type: ignore[attr-defined]
    assert len(steps) == len(md._md.inlinePatterns)
    assert all(step.triggers for step in steps)


def test_a_pattern_of_unknown_triggers_is_always_tried() -> None:
    linear = LinearMarkdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    assert linear.convert("a %%b%% c") == "<p>a %%b%% c</p>"
    linear.inlinePatterns.register(SimpleTagInlineProcessor(r"()%%(.+?)%%", "kbd"), "kbd", 55)
    assert linear.convert("a %%b%% c") == "<p>a <kbd>b</kbd> c</p>"
    steps = linear.treeprocessors["inline"].steps  # type: ignore[attr-defined]
    assert [step.triggers for step in steps if step.pattern.pattern == r"()%%(.+?)%%"] == [()]


def test_only_a_block_with_a_pipe_is_tested_for_a_table() -> None:
    linear = LinearMarkdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    table = linear.parser.blockprocessors["table"]
    assert isinstance(table, QuickTableProcessor)
    root = etree.Element("div")
    assert table.test(root, "a | b\n--|--")
    assert not table.test(root, "a : b\n--:--")
    assert "<table>" in linear.convert("| a |\n|---|\n| 1 |")


def test_without_extensions_it_renders_as_python_markdown() -> None:
    text = "| a |\n|---|\n| *1* |"
    assert LinearMarkdown().convert(text) == markdown.Markdown().convert(text)


def test_a_placeholder_it_did_not_stash_stays_text_and_the_rest_is_processed() -> None:
    """As in Python-Markdown's own processor: text that only looks like an inline
    placeholder is kept, and the text after it is processed too."""

    def inline(md: markdown.Markdown) -> str:
        root = etree.Element("div")
        etree.SubElement(root, "p").text = f"a {util.INLINE_PLACEHOLDER % '9999'} *b* c"
        md.treeprocessors["inline"].run(root)
        return etree.tostring(root, encoding="unicode")

    assert inline(LinearMarkdown()) == inline(markdown.Markdown())
    assert inline(LinearMarkdown()).endswith(" <em>b</em> c</p></div>")
