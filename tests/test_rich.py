"""Rich content in fields: highlighted code, diagrams, tables, definition lists, footnotes,
admonitions, raw HTML (and what of it is refused), and the stylesheet that shows them in light and
night mode on a phone-sized card.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pygments.styles import get_style_by_name

from generator.anki.notetypes import CODE_STYLE_LIGHT, CODE_STYLE_NIGHT, PACKAGED, code_style
from generator.config import BuildConfig
from generator.pipeline import build
from generator.render.renderer import MarkdownRenderer
from tests.conftest import ROOT
from tests.render_helpers import render_in_lesson


@pytest.fixture(scope="module")
def md() -> MarkdownRenderer:
    return MarkdownRenderer()


# --------------------------------------------------------------------------------------------
# Code and diagrams
# --------------------------------------------------------------------------------------------


def test_code_with_a_language_gets_pygments_classes(md: MarkdownRenderer) -> None:
    out = md.block("```python\ndef f(x):\n    return x ** 2\n```")
    assert out.startswith('<div class="highlight"><pre>')
    assert '<span class="k">def</span>' in out
    assert '<span class="nf">f</span>' in out
    assert '<span class="mi">2</span>' in out


def test_code_without_a_language_is_not_guessed(md: MarkdownRenderer) -> None:
    out = md.block("```\ndef f(x):\n    return 1\n```")
    assert '<span class="k">' not in out
    assert "def f(x):\n    return 1" in out


def test_a_diagram_keeps_every_character_and_line(md: MarkdownRenderer) -> None:
    diagram = "┌────┐   ┌────┐\n│ a  │──▶│ b  │\n└────┘   └────┘"
    out = md.block(f"```\n{diagram}\n```")
    assert f"<pre><span></span><code>{diagram}\n</code></pre>" in out


@pytest.mark.parametrize("mode", ["anki", "blank", "reveal", "mark"])
def test_cloze_looking_text_in_code_is_never_a_deletion(md: MarkdownRenderer, mode: str) -> None:
    out = md.cloze("```python\nx = '{{c1::y}}'  # a == b\n```\n\nReal ==one==.", mode, 1)
    code = out.split("</pre>")[0]
    assert "{{c1::" not in code and "{&#123;c1::y}&#125;" in code
    assert "a == b" in code
    if mode == "anki":
        assert out.count("{{c") == 1


# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------


def test_tables(md: MarkdownRenderer) -> None:
    out = md.block("| a | b |\n| --- | ---: |\n| `x` | **2** |")
    assert "<table>" in out and "<th>a</th>" in out
    assert '<td style="text-align: right;"><strong>2</strong></td>' in out
    assert "<td><code>x</code></td>" in out


def test_definition_lists(md: MarkdownRenderer) -> None:
    out = md.block("Term\n:   Its *meaning*.\n\nOther\n:   Another.")
    assert out == (
        "<dl>\n<dt>Term</dt>\n<dd>Its <em>meaning</em>.</dd>\n"
        "<dt>Other</dt>\n<dd>Another.</dd>\n</dl>"
    )


def footnote_ids(html: str) -> set[str]:
    return set(re.findall(r'id="([^"]+)"', html))


def test_footnote_ids_are_unique_per_field_and_stable(md: MarkdownRenderer) -> None:
    answer = md.block("Text[^1].\n\n[^1]: First.")
    explanation = md.block("Other[^1].\n\n[^1]: Second.")
    assert footnote_ids(answer) and footnote_ids(explanation)
    assert not footnote_ids(answer) & footnote_ids(explanation)
    # The ids come from the text: the same field renders the same, in any order, in any process.
    fresh = MarkdownRenderer()
    fresh.block("Something else[^x].\n\n[^x]: x.")
    assert fresh.block("Text[^1].\n\n[^1]: First.") == answer
    for anchor in re.findall(r'href="#([^"]+)"', answer):
        assert anchor in footnote_ids(answer)


def test_the_same_text_in_two_cloze_modes_gets_two_footnote_ids(md: MarkdownRenderer) -> None:
    text = "A ==b==[^n].\n\n[^n]: note"
    assert not footnote_ids(md.cloze(text, "blank", 1)) & footnote_ids(md.cloze(text, "reveal", 1))


@pytest.mark.parametrize("kind", ["note", "tip", "warning"])
def test_admonitions(md: MarkdownRenderer, kind: str) -> None:
    out = md.block(f"!!! {kind}\n    Body with *emphasis*.")
    assert out == (
        f'<div class="admonition {kind}">\n<p class="admonition-title">{kind.title()}</p>\n'
        "<p>Body with <em>emphasis</em>.</p>\n</div>"
    )


def test_admonition_with_a_title(md: MarkdownRenderer) -> None:
    out = md.block('!!! tip "Remember this"\n    Body.')
    assert '<p class="admonition-title">Remember this</p>' in out


# --------------------------------------------------------------------------------------------
# Raw HTML
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>.",
        "H<sub>2</sub>O and x<sup>2</sup>",
        '<span class="x" title="on = off">text</span>',
        "<details><summary>More</summary>\n\nHidden.\n\n</details>",
        "<!-- a comment -->",
        "An email a@b.c and a <br> break",
    ],
)
def test_harmless_raw_html_passes_through(md: MarkdownRenderer, source: str) -> None:
    out, problems, _ = render_in_lesson(md, source)
    assert problems == []
    for tag in re.findall(r"<(?!/)([a-z]+)", source):
        assert f"<{tag}" in out


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ("<script>alert(1)</script>", ["raw HTML <script>"]),
        ("Inline <SCRIPT src=x.js></SCRIPT> too", ["raw HTML <script>"]),
        ('<iframe src="https://example.com"></iframe>', ["raw HTML <iframe>"]),
        ('<object data="x.swf"></object>', ["raw HTML <object>"]),
        ('<embed src="x.swf">', ["raw HTML <embed>"]),
        ('<span onclick="go()">x</span>', ["attribute 'onclick'"]),
        ('<img src="x.png" onerror="go()">', ["'src' in raw HTML <img>", "attribute 'onerror'"]),
        ('<div onMouseOver="go()">\nblock\n</div>', ["attribute 'onmouseover'"]),
        ('<audio src="https://example.com/a.mp3"></audio>', ["'src' in raw HTML <audio>"]),
        ('![x](a.png){: onerror="go()"}', ["attribute 'onerror'"]),
        ('A paragraph.\n{: onclick="go()"}', ["attribute 'onclick'"]),
    ],
)
def test_forbidden_html_is_reported(md: MarkdownRenderer, source: str, said: list[str]) -> None:
    _, problems, _ = render_in_lesson(md, source)
    assert len(problems) == len(said)
    for problem, words in zip(problems, said, strict=True):
        assert words in problem.message
        assert problem.severity.value == "error"


@pytest.mark.parametrize(
    "source",
    [
        "```html\n<script>alert(1)</script>\n<span onclick='x'></span>\n```",
        "`<script>` and `onclick=` in code spans",
        "    <iframe src='x'></iframe>",
        "&lt;script&gt; written as entities",
        "Turn it on = yes, set onload = 1",
    ],
)
def test_html_shown_as_code_or_text_is_fine(md: MarkdownRenderer, source: str) -> None:
    _, problems, _ = render_in_lesson(md, source)
    assert problems == []


def test_the_same_bad_field_is_reported_every_time(md: MarkdownRenderer) -> None:
    """A field with a problem is never served from the render cache without its problem."""
    for _ in range(2):
        _, problems, _ = render_in_lesson(md, "<script>x()</script>")
        assert len(problems) == 1


def test_forbidden_html_fails_the_build_at_its_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "_index.md").write_text("---\ndeck: C\nnamespace: c\n---\n", encoding="utf-8")
    (content / "l.md").write_text(
        "# L\n\n### Q <!-- id: q -->\n\nFine <kbd>K</kbd>.\n\n"
        '**Explanation:** Click <a href="#" onclick="steal()">here</a>.\n\n'
        "<script>steal()</script>\n",
        encoding="utf-8",
    )
    result = build(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1))
    assert result.output is None
    shown = content / "l.md"
    assert [d.format() for d in result.diagnostics.sorted()] == [
        f"{shown}:7:36: error: event attribute 'onclick' is not allowed in lesson text: cards "
        "run no scripts from fields (to show the HTML itself, put it in a code block) "
        "[html-event-attribute]",
        f"{shown}:9:1: error: raw HTML <script> is not allowed in lesson text: cards run no "
        "scripts from fields (to show the HTML itself, put it in a code block) "
        "[html-forbidden-tag]",
    ]


# --------------------------------------------------------------------------------------------
# Stylesheet
# --------------------------------------------------------------------------------------------

NIGHT = (".card.nightMode", ".nightMode .card", ".night_mode .card")


def rules(css: str, selector_part: str) -> list[str]:
    return [rule for rule in re.findall(r"[^{}]+\{[^}]*\}", css) if selector_part in rule]


def test_stylesheet_includes_the_content_styles() -> None:
    css = PACKAGED.stylesheet()
    assert PACKAGED.read("content.css").strip() in css
    assert "http://" not in css and "https://" not in css and "@import" not in css


def test_code_has_a_light_and_a_night_style() -> None:
    css = PACKAGED.stylesheet()
    assert rules(css, ".card .highlight .k ")
    light = rules(css, ".card .highlight .k ")[0].split("{")[1]
    for night in NIGHT:
        keyword = [r for r in rules(css, f"{night} .highlight .k") if re.search(r"\.k[ ,]", r)]
        assert keyword, night
        assert keyword[0].split("{")[1] != light


def test_code_colours_are_accessible_pygments_light_and_dark_themes() -> None:
    for name in (CODE_STYLE_LIGHT, CODE_STYLE_NIGHT):
        assert code_style(name) is get_style_by_name(name)


def test_the_code_styles_leave_logging_as_it_was() -> None:
    """accessible-pygments configures the root logger when it is imported; a fresh process shows
    that its styles are taken without that (else `ankigen serve` prints watchfiles' INFO lines)."""
    script = (
        "import logging\n"
        "from generator.anki.notetypes import CODE_STYLE_LIGHT, CODE_STYLE_NIGHT, code_style\n"
        "root = logging.getLogger()\n"
        "code_style(CODE_STYLE_LIGHT), code_style(CODE_STYLE_NIGHT)\n"
        "import a11y_pygments\n"
        "print(len(root.handlers), logging.getLevelName(root.level))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "WARNING"], done.stdout + done.stderr


def test_code_background_follows_the_card_theme_in_both_modes() -> None:
    """Pygments' night style paints its own background; content.css comes later and wins."""
    css = PACKAGED.stylesheet()
    last = max(css.rfind(f"{night} .ak .highlight") for night in NIGHT)
    assert last > css.rfind("background: #0d1117")
    assert "var(--ak-code-bg)" in css[last:].split("}")[0]


def test_wide_content_scrolls_inside_its_box() -> None:
    css = PACKAGED.read("content.css") + PACKAGED.read("base.css")
    assert re.search(r"\.ak pre \{[^}]*overflow-x: auto", css)
    assert re.search(r"\.ak pre \{[^}]*white-space: pre", css)
    assert re.search(r"\.ak pre, \.ak pre code \{[^}]*overflow-wrap: normal", css)
    assert re.search(r"\.ak table \{[^}]*overflow-x: auto", css)
    assert re.search(r'mjx-container\[display="true"\] \{[^}]*overflow-x: auto', css)
    assert re.search(r"\.ak img \{[^}]*max-width: 100%", css)


@pytest.mark.parametrize("kind", ["note", "tip", "warning"])
def test_admonitions_are_styled_light_and_night(kind: str) -> None:
    css = PACKAGED.read("content.css")
    selector = ".ak .admonition" if kind == "note" else f".ak .admonition.{kind}"
    light = [r for r in rules(css, selector) if "nightMode" not in r and "night_mode" not in r]
    assert light
    for night in NIGHT:
        assert rules(css, f"{night} {selector}"), (night, kind)
