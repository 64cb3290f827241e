"""Attribute lists after an element set its attributes, as Python-Markdown's `attr_list` does;
braces holding math, raw HTML or another stashed span outside quotes are text
(generator.render.attrs)."""

from __future__ import annotations

import pytest

from generator.render.renderer import MarkdownRenderer

CASES = [
    # Attribute lists, as before.
    ("`x`{.cls}", '<p><code class="cls">x</code></p>'),
    ('`x`{: title="A & B"}', '<p><code title="A &amp; B">x</code></p>'),
    # An entity in a quoted value is stashed, and put back where it was.
    ('`x`{: title="A &amp; B"}', '<p><code title="A &amp; B">x</code></p>'),
    ("# Head {#hid}", '<h1 id="hid">Head</h1>'),
    ("para text\n{: .note}", '<p class="note">para text</p>'),
    ('**b**{: lang="de"}', '<p><strong lang="de">b</strong></p>'),
    # Stashed content outside quotes: text, and rendered.
    ("`a`{$x$}", r"<p><code>a</code>{\(x\)}</p>"),
    (r"`a`{$\($}", r"<p><code>a</code>{\(\(\)}</p>"),
    ("text `code`{<b>x</b>}", "<p>text <code>code</code>{<b>x</b>}</p>"),
    ("para $x$\n{$y$}", "<p>para \\(x\\)\n{\\(y\\)}</p>"),
    ("# Head {$h$}", r"<h1>Head {\(h\)}</h1>"),
]


@pytest.mark.parametrize(("text", "html"), CASES)
def test_attribute_lists_and_braces_that_are_text(text: str, html: str) -> None:
    rendered = MarkdownRenderer().cloze(text, "anki")
    assert rendered == html
    assert "\x02" not in rendered
    assert "wzxhzdk" not in rendered
