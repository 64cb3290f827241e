from __future__ import annotations

import pytest

from generator.diagnostics import Diagnostics
from generator.notes import ClozeMode, Text
from generator.render import MarkdownRenderer
from generator.render.deletions import anki_safe, closing_safe, escape_syntax, parse, strip_marks

RENDERER = MarkdownRenderer()


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("==a== and ==b::h==", "<p>{{c1::a}} and {{c2::b::h}}</p>"),
        ("==key\\:::hint==", "<p>{{c1::key&#58;::hint}}</p>"),
        ("==a:==", "<p>{{c1::a:}}</p>"),
        ("==a::h:==", "<p>{{c1::a::h:}}</p>"),
        ("==a::b::c==", "<p>{{c1::a::b:&#58;c}}</p>"),
        ("==a\\::b::c==", "<p>{{c1::a:&#58;b::c}}</p>"),
        ("==std\\::move==", "<p>{{c1::std:&#58;move}}</p>"),
        ("==std\\::move::h==", "<p>{{c1::std:&#58;move::h}}</p>"),
        ("==a\\\\::b==", "<p>{{c1::a\\::b}}</p>"),
        ("==x::a\\d==", "<p>{{c1::x::a\\d}}</p>"),
        ("==x::a\\\\d==", "<p>{{c1::x::a\\d}}</p>"),
        ("==x::a\\*b==", "<p>{{c1::x::a*b}}</p>"),
        ("==x::h\\:==", "<p>{{c1::x::h:}}</p>"),
        ("==x::*em*==", "<p>{{c1::x::*em*}}</p>"),
        ("==x::`a::b`==", "<p>{{c1::x::a:&#58;b}}</p>"),
        ("==x::a &amp; b==", "<p>{{c1::x::a &amp; b}}</p>"),
        ("==x::<b>h</b>==", "<p>{{c1::x::&lt;b&gt;h&lt;/b&gt;}}</p>"),
        ("==x::a}==", "<p>{{c1::x::a&#125;}}</p>"),
        ("==a}==", "<p>{{c1::a&#125;}}</p>"),
        ("==*a*==", "<p>{{c1::<em>a</em>}}</p>"),
        ("==c3::a== ==b==", "<p>{{c3::a}} {{c1::b}}</p>"),
        ("{{c1::x}} ==a==", "<p>{&#123;c1::x}&#125; {{c1::a}}</p>"),
        ("==c0::x==", "<p><mark>c0::x</mark></p>"),
        ("a ==c100::x== b", "<p>a <mark>c100::x</mark> b</p>"),
        ("==x::a\\==", "<p>==x::a==</p>"),
        ("==a\\= b==", "<p>{{c1::a= b}}</p>"),
        ("==x::a==b==", "<p>{{c1::x::a}}b==</p>"),
        ("==c2::a== ==b== ==c1::c==", "<p>{{c2::a}} {{c3::b}} {{c1::c}}</p>"),
        ("- ==a==\n- ==b::h==", "<ul>\n<li>{{c1::a}}</li>\n<li>{{c2::b::h}}</li>\n</ul>"),
    ],
)
def test_anki_deletions(source: str, html: str) -> None:
    assert RENDERER.cloze(source, "anki") == html


@pytest.mark.parametrize(
    ("source", "mode", "target", "html"),
    [
        ("==a== ==b::h==", "blank", 2, '<p>a <span class="ak-blank" data-group="2">[h]</span></p>'),
        ("==a== ==b::h==", "blank", 1, '<p><span class="ak-blank" data-group="1">[…]</span> b</p>'),
        ("==a== ==b::h==", "blank", 3, "<p>a b</p>"),
        (
            "==a== ==b::h==",
            "reveal",
            2,
            '<p>a <mark class="ak-cloze-answer" data-group="2">b</mark></p>',
        ),
        (
            "==a== ==b::h==",
            "reveal",
            1,
            '<p><mark class="ak-cloze-answer" data-group="1">a</mark> b</p>',
        ),
        ("==a== ==b::h==", "mark", 0, "<p><mark>a</mark> <mark>b</mark></p>"),
        ("==a== ==b::h==", "mark", 1, "<p><mark>a</mark> <mark>b</mark></p>"),
        ("==x::a\\:b==", "blank", 1, '<p><span class="ak-blank" data-group="1">[a:b]</span></p>'),
        ("==x::h::i==", "blank", 1, '<p><span class="ak-blank" data-group="1">[h::i]</span></p>'),
        ("==x::a}==", "blank", 1, '<p><span class="ak-blank" data-group="1">[a}]</span></p>'),
        ("==x}==", "reveal", 1, '<p><mark class="ak-cloze-answer" data-group="1">x}</mark></p>'),
        (
            "==a::b== {{c1::x}}",
            "blank",
            1,
            ('<p><span class="ak-blank" data-group="1">[b]</span> {&#123;c1::x}&#125;</p>'),
        ),
        (
            "==c2::a== ==c2::b==",
            "blank",
            2,
            (
                '<p><span class="ak-blank" data-group="2">[…]</span> '
                '<span class="ak-blank" data-group="2">[…]</span></p>'
            ),
        ),
        ("==c0::x==", "blank", 1, "<p><mark>c0::x</mark></p>"),
        ("{{x}} ==a==", "mark", 0, "<p>{&#123;x}&#125; <mark>a</mark></p>"),
        ("{{x}}", "blank", 1, "<p>{&#123;x}&#125;</p>"),
        (
            "==a==\n\n==b==",
            "blank",
            2,
            '<p>a</p>\n<p><span class="ak-blank" data-group="2">[…]</span></p>',
        ),
        ("# ==T==", "reveal", 1, '<h1><mark class="ak-cloze-answer" data-group="1">T</mark></h1>'),
        ("==a **b**==", "blank", 2, "<p>a <strong>b</strong></p>"),
        (
            "==a== and ==b==",
            "reveal",
            1,
            '<p><mark class="ak-cloze-answer" data-group="1">a</mark> and b</p>',
        ),
        (
            "==a== and ==b==",
            "blank",
            2,
            '<p>a and <span class="ak-blank" data-group="2">[…]</span></p>',
        ),
    ],
)
def test_deletions_in_each_mode(source: str, mode: ClozeMode, target: int, html: str) -> None:
    assert RENDERER.cloze(source, mode, target) == html


def test_a_rejected_deletion_is_highlighted_and_reported() -> None:
    diags = Diagnostics()
    with RENDERER.lesson("l.md", None, diags):
        html = RENDERER.cloze(Text("x\n==c0::y== z", 4), "anki")
    assert html == "<p>x\n<mark>c0::y</mark> z</p>"


@pytest.mark.parametrize(
    ("html", "hint", "safe"),
    [
        ("a::b", False, "a:&#58;b"),
        ("a:::b", False, "a:&#58;:b"),
        ("a:", False, "a:"),
        ("a:", True, "a&#58;"),
        ("a::", True, "a:&#58;"),
        ("ab", True, "ab"),
        (":", True, "&#58;"),
    ],
)
def test_anki_safe(html: str, hint: bool, safe: str) -> None:
    assert anki_safe(html, hint=hint) == safe


@pytest.mark.parametrize(
    ("text", "safe"), [("a}", "a&#125;"), ("a}}", "a}&#125;"), ("}a", "}a"), ("", "")]
)
def test_closing_safe(text: str, safe: str) -> None:
    assert closing_safe(text) == safe


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("a ==b== c", "a b c"),
        ("==c2::b::hint== and ==d || e | f==", "b and d"),
        ("no marks", "no marks"),
    ],
)
def test_strip_marks(text: str, plain: str) -> None:
    assert strip_marks(text) == plain


@pytest.mark.parametrize(
    ("markdown", "escaped"),
    [
        ("plain", "plain"),
        ("a::b", "a\\:\\:b"),
        ("a||b", "a\\|\\|b"),
        ("a==b", "a\\=\\=b"),
        ("a:::b", "a\\:\\:\\:b"),
        ("`a::b` and $x::y$", "`a::b` and $x::y$"),
        ("a\\", "a\\\\"),
        ("a\\\\", "a\\\\"),
        ("a\\::b", "a\\::b"),
    ],
)
def test_escape_syntax(markdown: str, escaped: str) -> None:
    assert escape_syntax(markdown) == escaped


def test_every_deletion_past_the_limit_is_a_problem_and_stays_as_written() -> None:
    text = "\n".join(f"==a{i}==" for i in range(101)) + "\n==b== end"
    parsed = parse(text)
    assert len(parsed.deletions) == 99
    assert [(p.offset, p.code, p.message) for p in parsed.problems] == [
        (99, "cloze-too-many", "more than 99 cloze deletions"),
        (100, "cloze-too-many", "more than 99 cloze deletions"),
        (101, "cloze-too-many", "more than 99 cloze deletions"),
    ]
    assert parsed.canonical.endswith("\n==c99::a98==\n==a99==\n==a100==\n==b== end")


def test_marks_in_a_comment_after_code_stay_literal() -> None:
    assert RENDERER.cloze("<!-- a -->`x`<!-- ==x== -->", "anki") == (
        "<!-- a -->\n<p><code>x</code></p>\n<!-- ==x== -->"
    )


MODES: list[tuple[ClozeMode, int]] = [
    ("anki", 0),
    ("blank", 1),
    ("reveal", 1),
    ("blank", 2),
    ("mark", 0),
]


@pytest.mark.parametrize(
    "source",
    [
        "==a== and ==b::h== {{x}}",
        "- ==a *b*==\n- ==c2::`d`==\n\n```python\nx == 1\n```",
        "==a==[^1] b\n\n[^1]: note ==c==",
        "==a== <iframe></iframe>",
        "no deletion, but `code` and *em*",
    ],
)
def test_a_text_renders_in_each_mode_as_when_it_is_rendered_first(source: str) -> None:
    once = MarkdownRenderer()
    for mode, target in MODES:
        fresh = MarkdownRenderer()
        assert once.cloze(source, mode, target) == fresh.cloze(source, mode, target)
