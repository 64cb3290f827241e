from __future__ import annotations

import pytest

from generator.diagnostics import Diagnostics
from generator.notes import Text
from generator.render import MarkdownRenderer
from generator.render.rawhtml import check_raw_html, css_loads, script_url, script_url_in_list

RENDERER = MarkdownRenderer()
CODE_TEXT = "(to show the HTML itself, put it in a code block)"
NO_SCRIPTS = f"and cards run no scripts from fields {CODE_TEXT}"
PACKAGED = (
    "is not packaged and may need the network: write images as ![alt](path) and sounds as "
    "![label](clip.mp3), relative to the lesson"
)
FETCHES = (
    "makes the card fetch something from outside the package: cards work offline and send "
    "nothing; remove it"
)
OFFLINE = (
    "cards must work offline and load nothing from outside the package; style with classes and "
    f"the note types' CSS {CODE_TEXT}"
)
EVENT = f"is not allowed in lesson text: cards run no scripts from fields {CODE_TEXT}"
DATA_LINK = "is a data: link: it opens a page of its own, which can run code"


def problems(text: str) -> list[tuple[int, int, str, str, str]]:
    diags = Diagnostics()
    with RENDERER.lesson("l.md", None, diags, text.split("\n")):
        RENDERER.block(Text(text, 1))
    return [(d.line, d.column, d.severity.value, d.code, d.message) for d in diags.items]


def error(line: int, column: int, code: str, message: str) -> tuple[int, int, str, str, str]:
    return (line, column, "error", code, message)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            '<svg><animate attributeName="href" values="#;javascript:alert(1)"/></svg>',
            error(
                1,
                46,
                "html-script-url",
                f"'values' of <animate> is a script URL (javascript:alert(1)): it runs code, "
                f"{NO_SCRIPTS}",
            ),
        ),
        (
            '<svg><animate values="javascript:a;b"/></svg>',
            error(
                1,
                23,
                "html-script-url",
                "'values' of <animate> is a script URL (javascript:a;b): it runs code, "
                f"{NO_SCRIPTS}",
            ),
        ),
        (
            '<span title="javascript:b">x</span>',
            error(
                1,
                14,
                "html-script-url",
                f"'title' of <span> is a script URL (javascript:b): it runs code, {NO_SCRIPTS}",
            ),
        ),
        (
            '<a href="javascript:void(document.cookie=1234567890)">x</a>',
            error(
                1,
                10,
                "html-script-url",
                "'href' of <a> is a script URL (javascript:void(document…): it runs code, "
                f"{NO_SCRIPTS}",
            ),
        ),
        (
            '<a href=" JaVa\tscript:alert(1)">x</a>',
            error(
                1,
                4,
                "html-script-url",
                f"'href' of <a> is a script URL (javascript:alert(1)): it runs code, {NO_SCRIPTS}",
            ),
        ),
        (
            '<a href="&#106;avascript:alert(1)">x</a>',
            error(
                1,
                4,
                "html-script-url",
                f"'href' of <a> is a script URL (javascript:alert(1)): it runs code, {NO_SCRIPTS}",
            ),
        ),
        (
            '<a href="vbscript:msgbox">x</a>',
            error(
                1,
                10,
                "html-script-url",
                f"'href' of <a> is a script URL (vbscript:msgbox): it runs code, {NO_SCRIPTS}",
            ),
        ),
        (
            '<svg><set attributeName="href" to="javascript:x"/></svg>',
            error(
                1,
                36,
                "html-script-url",
                f"'to' of <set> is a script URL (javascript:x): it runs code, {NO_SCRIPTS}",
            ),
        ),
        (
            '<a href="data:text/html,hi">x</a>',
            error(1, 10, "html-script-url", f"'href' of <a> {DATA_LINK}, {NO_SCRIPTS}"),
        ),
        (
            '<map><area href="data:x"></map>',
            error(1, 18, "html-script-url", f"'href' of <area> {DATA_LINK}, {NO_SCRIPTS}"),
        ),
        (
            '<svg><a href="data:text/html,x">y</a></svg>',
            error(1, 15, "html-script-url", f"'href' of <a> {DATA_LINK}, {NO_SCRIPTS}"),
        ),
        (
            'Click <b onClick="x()">me</b>',
            error(1, 10, "html-event-attribute", f"event attribute 'onclick' {EVENT}"),
        ),
        (
            'An <img src="x.png"> here',
            error(1, 14, "html-source-attribute", f"'src' in raw HTML <img> {PACKAGED}"),
        ),
        (
            '<img srcset="a.png 2x">',
            error(1, 14, "html-source-attribute", f"'srcset' in raw HTML <img> {PACKAGED}"),
        ),
        (
            '<svg><use href="sprite.svg#a"/></svg>',
            error(1, 17, "html-source-attribute", f"'href' in raw HTML <use> {PACKAGED}"),
        ),
        (
            '<svg><feImage href="x.png"/></svg>',
            error(1, 21, "html-source-attribute", f"'href' in raw HTML <feimage> {PACKAGED}"),
        ),
        (
            '<svg><image xlink:href="x.png"/></svg>',
            error(1, 25, "html-source-attribute", f"'xlink:href' in raw HTML <image> {PACKAGED}"),
        ),
        (
            '<a href="#" ONCLICK="x">y</a>',
            error(1, 13, "html-event-attribute", f"event attribute 'onclick' {EVENT}"),
        ),
        (
            '<img src="#">',
            error(1, 11, "html-source-attribute", f"'src' in raw HTML <img> {PACKAGED}"),
        ),
        (
            '<svg><use href=" x.svg"/></svg>',
            error(1, 17, "html-source-attribute", f"'href' in raw HTML <use> {PACKAGED}"),
        ),
        (
            '<video poster="p.png"></video>',
            error(1, 16, "html-source-attribute", f"'poster' in raw HTML <video> {FETCHES}"),
        ),
        (
            '<form action="https://x"></form>',
            error(1, 15, "html-source-attribute", f"'action' in raw HTML <form> {FETCHES}"),
        ),
        (
            '<input formaction="x">',
            error(1, 20, "html-source-attribute", f"'formaction' in raw HTML <input> {FETCHES}"),
        ),
        (
            '<span style="background:url(x.png)">x</span>',
            error(
                1, 25, "html-style-loads", f"the style of <span> loads a file ('url('): {OFFLINE}"
            ),
        ),
        (
            '<span style="behavior : x">x</span>',
            error(
                1,
                7,
                "html-style-loads",
                f"the style of <span> loads a file ('behavior:'): {OFFLINE}",
            ),
        ),
        (
            '<style>@import "x.css";</style>',
            error(
                1, 8, "html-style-loads", f"a <style> element loads a file ('@import'): {OFFLINE}"
            ),
        ),
        (
            "<STYLE>p{background:\\75rl(x)}</STYLE>",
            error(1, 2, "html-style-loads", f"a <style> element loads a file ('url('): {OFFLINE}"),
        ),
        (
            "<iframe></iframe>",
            error(
                1,
                1,
                "html-forbidden-tag",
                f"raw HTML <iframe> is not allowed in lesson text: cards embed no other pages "
                f"{CODE_TEXT}",
            ),
        ),
        (
            "a\n\n<div>\nopen",
            error(
                3,
                1,
                "html-unclosed",
                "raw HTML <div> is never closed: close it with </div> (Markdown after it is "
                "shown as written, and the card's own layout breaks)",
            ),
        ),
        (
            "<div><div>x</div>",
            error(
                1,
                1,
                "html-unclosed",
                "raw HTML <div> is never closed: close it with </div> (Markdown after it is "
                "shown as written, and the card's own layout breaks)",
            ),
        ),
        (
            "text </span> here",
            error(
                1,
                6,
                "html-stray-close",
                "raw HTML </span> closes a <span> this text did not open: remove it (it would "
                "close part of the card's own layout)",
            ),
        ),
    ],
)
def test_refused_raw_html_is_reported_where_it_is(
    text: str, found: tuple[int, int, str, str, str]
) -> None:
    assert problems(text) == [found]


@pytest.mark.parametrize(
    "text",
    [
        '<span title="a;javascript:b">x</span>',
        '<svg><use href="#a"/></svg>',
        '<a href="page.html">x</a>',
        '<span style="color:red">x</span>',
        "<style>p { color: red }</style>",
        "<style>/* url( */ p{}</style>",
        '<span style="a:b/*x">x</span>',
        "<span><span>x</span></span>",
        "<div><div>x</div></div>",
        "<p>a",
        "a<br>b</br>",
        "<ul><li>a<li>b</ul>",
        'Para\n{: data-u="data:text/html,x" }',
        "![x](data:image/png;base64,AAA)",
        '[x](u){: style="color:red" }',
        '<svg><use xlink:href="#a"/></svg>',
    ],
)
def test_harmless_raw_html_is_not_reported(text: str) -> None:
    assert problems(text) == []


def test_each_stray_closing_tag_is_reported_once_in_order() -> None:
    stray = (
        "raw HTML </{0}> closes a <{0}> this text did not open: remove it (it would close part "
        "of the card's own layout)"
    )
    assert problems("x </b></b> y </i>") == [
        error(1, 3, "html-stray-close", stray.format("b")),
        error(1, 14, "html-stray-close", stray.format("i")),
    ]


def test_an_unclosed_style_element_is_both_unclosed_and_loading() -> None:
    assert problems("<style>p{background:url(x)}") == [
        error(
            1,
            1,
            "html-unclosed",
            "raw HTML <style> is never closed: close it with </style> (Markdown after it is "
            "shown as written, and the card's own layout breaks)",
        ),
        error(1, 21, "html-style-loads", f"a <style> element loads a file ('url('): {OFFLINE}"),
    ]


def test_problems_of_one_text_are_reported_at_their_own_lines() -> None:
    assert problems('text\n\n<a href="javascript:x">y</a> and <b onclick="z">w</b>') == [
        error(
            3,
            10,
            "html-script-url",
            f"'href' of <a> is a script URL (javascript:x): it runs code, {NO_SCRIPTS}",
        ),
        error(3, 37, "html-event-attribute", f"event attribute 'onclick' {EVENT}"),
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "[x](javascript:alert(1))",
            error(
                1,
                5,
                "html-script-url",
                f"'href' of <a> is a script URL (javascript:alert(1)): it runs code, {NO_SCRIPTS}",
            ),
        ),
        (
            "[x](data:text/html,hi)",
            error(1, 5, "html-script-url", f"'href' of <a> {DATA_LINK}, {NO_SCRIPTS}"),
        ),
        (
            "[x](DATA:text)",
            error(1, 5, "html-script-url", f"'href' of <a> {DATA_LINK}, {NO_SCRIPTS}"),
        ),
        (
            '![x](y.png){: style="background:url(z)"}',
            error(
                1, 33, "html-style-loads", f"the style of <img> loads a file ('url('): {OFFLINE}"
            ),
        ),
        (
            'para\n{: onclick="go()"}',
            error(2, 4, "html-event-attribute", f"event attribute 'onclick' {EVENT}"),
        ),
        (
            '![x](y.png){: title="javascript:x"}',
            error(
                1,
                22,
                "html-script-url",
                f"'title' of <img> is a script URL (javascript:x): it runs code, {NO_SCRIPTS}",
            ),
        ),
        (
            '[x](u){: onmouseover="a" }',
            error(1, 10, "html-event-attribute", f"event attribute 'onmouseover' {EVENT}"),
        ),
        (
            '<b>x</b>\n{: style="background:url(q)" }',
            error(2, 22, "html-style-loads", f"the style of <p> loads a file ('url('): {OFFLINE}"),
        ),
        (
            "[x]( javascript:alert(1))",
            error(
                1,
                6,
                "html-script-url",
                f"'href' of <a> is a script URL (javascript:alert(1)): it runs code, {NO_SCRIPTS}",
            ),
        ),
    ],
)
def test_markdown_links_and_attribute_lists_are_checked(
    text: str, found: tuple[int, int, str, str, str]
) -> None:
    assert problems(text) == [found]


@pytest.mark.parametrize(
    "text", ["[a](&#106;avascript:go())", "A [r][x].\n\n[x]: &#106;avascript:go()"]
)
def test_a_script_url_written_with_character_references_is_found(text: str) -> None:
    # The browser decodes the reference, so the link would run code.
    found = problems(text)
    assert [(severity, code) for _, _, severity, code, _ in found] == [("error", "html-script-url")]
    assert "script URL (javascript:go())" in found[0][4]


@pytest.mark.parametrize(
    ("css", "found"),
    [
        ("background:url(x.png)", "url("),
        ("background:URL (x)", "url("),
        ("background:u\\rl(x)", "url("),
        ("background:\\75 rl(x)", "url("),
        ("background:\\000075rl(x)", "url("),
        ("background:u/**/rl(x)", "url("),
        ("background:u/* a */rl(x)", "url("),
        ("@IMPORT 'x.css'", "@import"),
        ("background:image-set('a.png' 1x)", "image-set("),
        ("background:-webkit-image-set('a.png' 1x)", "-webkit-image-set("),
        ("background:cross-fade(a, b)", "cross-fade("),
        ("width:expression(alert(1))", "expression("),
        ("-moz-binding:x", "-moz-binding"),
        ("behavior : x", "behavior:"),
        ("color:red", None),
        ("/* url( */ color:red", None),
        ("content:'\\75 '", None),
        ("a:b/*x url(", None),
    ],
)
def test_css_loads(css: str, found: str | None) -> None:
    assert css_loads(css) == found


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("javascript:x", "javascript:x"),
        (" JaVaScRiPt:x", "javascript:x"),
        ("java\nscript:x", "javascript:x"),
        ("\x01vbscript:y", "vbscript:y"),
        ("https://x", None),
        ("data:text/html,x", None),
        ("a javascript:x", None),
    ],
)
def test_script_url(value: str, url: str | None) -> None:
    assert script_url(value) == url


@pytest.mark.parametrize(
    ("name", "value", "url"),
    [
        ("values", "#a;javascript:x;#b", "javascript:x"),
        ("values", "#a; JavaScript:y", "javascript:y"),
        ("values", "#a;#b", None),
        ("title", "#a;javascript:x", None),
        ("Values", "#a;javascript:x", None),
    ],
)
def test_script_url_in_a_list_of_values(name: str, value: str, url: str | None) -> None:
    assert script_url_in_list(name, value) == url


def test_raw_html_without_anything_suspect_is_not_parsed() -> None:
    assert check_raw_html(["plain", "&amp;"]) == []


def test_pieces_are_checked_as_one_document() -> None:
    found = check_raw_html(["<span>", "text", "</span>", "</em>"])
    assert [(p.code, p.needles) for p in found] == [("html-stray-close", ("</em",))]


def test_script_url_needles_are_the_scheme_then_the_attribute() -> None:
    (found,) = check_raw_html(['<a href="javascript:a:b">x</a>'])
    assert found.needles == ("javascript:", "href")
    (data,) = check_raw_html(['<a href="data:a:b">x</a>'])
    assert data.needles == ("data:", "href")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("javascript:" + "a" * 13, "javascript:" + "a" * 13),
        ("javascript:" + "a" * 14, "javascript:" + "a" * 13 + "…"),
    ],
)
def test_a_script_url_is_shown_whole_up_to_24_characters(value: str, shown: str) -> None:
    [(_, _, _, code, message)] = problems(f'<a href="{value}">x</a>')
    assert code == "html-script-url"
    assert f"script URL ({shown})" in message
