"""Unit tests of cloze deletions: `generator.render.deletions.parse` and the renderer's cloze modes.

No Anki here: what Anki makes of the rendered fields is checked in test_anki_cloze.py. What Anki
does with `{{c1::…}}` text is in /work/shared/anki-facts.md ("Cloze"): any `{{cN::` in a field of
a cloze note becomes a deletion (so literal text must be escaped), and the first `}}` ends a
deletion (so no `}}` may appear inside one).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.kinds.choice import ChoiceNote, Option
from generator.kinds.cloze import ClozeNote
from generator.kinds.reveal import RevealNote
from generator.kinds.selfcheck import SelfCheckNote
from generator.kinds.variants import Variant, candidate
from generator.notes import Note, NoteMeta, Text
from generator.render import deletions
from generator.render.deletions import Deletion, Parsed, Problem, parse
from generator.render.literal import masked
from generator.render.renderer import MarkdownRenderer

LITERAL = "{{c1::x}}"
ANKI_DELETION = re.compile(r"\{\{c(?P<n>\d+)::")


RENDERER = MarkdownRenderer()


@pytest.fixture(scope="module")
def md() -> MarkdownRenderer:
    return RENDERER


def summary(parsed: Parsed) -> list[tuple[int, str, str, tuple[str, ...], int]]:
    return [(d.group, d.answer, d.hint, d.distractors, d.offset) for d in parsed.deletions]


def meta(note_id: str = "note") -> NoteMeta:
    return NoteMeta(
        id=note_id,
        explicit_id=True,
        stamp=None,
        path="lessons/a.md",
        source="a.md",
        line=1,
        deck="Course",
        construct="cloze",
        tags=("ankigen::cloze",),
        badge="",
        context="Lesson",
    )


# --------------------------------------------------------------------------------------------
# Numbering
# --------------------------------------------------------------------------------------------


def test_deletions_are_numbered_in_order() -> None:
    parsed = parse("The ==mitochondria== is the ==powerhouse== of the ==cell==.")
    assert summary(parsed) == [
        (1, "mitochondria", "", (), 0),
        (2, "powerhouse", "", (), 0),
        (3, "cell", "", (), 0),
    ]
    assert parsed.groups == (1, 2, 3)
    assert parsed.problems == ()


def test_explicit_numbers_are_kept() -> None:
    parsed = parse("==c3::a== then ==c1::b== then ==C2::c==")
    assert [(d.group, d.answer) for d in parsed.deletions] == [(3, "a"), (1, "b"), (2, "c")]
    assert parsed.groups == (1, 2, 3)


def test_explicit_numbers_may_be_shared() -> None:
    parsed = parse("==c1::left== and ==c1::right== are one card, ==c2::this== another")
    assert [(d.group, d.answer) for d in parsed.deletions] == [
        (1, "left"),
        (1, "right"),
        (2, "this"),
    ]
    assert parsed.groups == (1, 2)


def test_automatic_numbers_skip_explicit_ones() -> None:
    parsed = parse("==a== ==c1::b== ==c==")
    assert [(d.group, d.answer) for d in parsed.deletions] == [(2, "a"), (1, "b"), (3, "c")]
    parsed = parse("==c2::a== ==b== ==c== ==c4::d== ==e==")
    assert [(d.group, d.answer) for d in parsed.deletions] == [
        (2, "a"),
        (1, "b"),
        (3, "c"),
        (4, "d"),
        (5, "e"),
    ]
    assert parsed.groups == (1, 2, 3, 4, 5)


def test_automatic_numbers_stay_within_the_limit() -> None:
    """An explicit `c100` is an error; an automatic number never goes past 99 either."""
    parsed = parse(" ".join(f"==w{index}==" for index in range(100)))
    assert all(1 <= d.group <= deletions.MAX_GROUP for d in parsed.deletions)
    assert parsed.problems, "the 100th deletion must be reported, not numbered c100"


def test_canonical_text_numbers_every_deletion() -> None:
    parsed = parse("Water is ==H2O::formula== and ==c3::ice || snow | rain== is ==solid==.")
    assert parsed.canonical == "Water is ==c1::H2O::formula== and ==c3::ice== is ==c2::solid==."


# --------------------------------------------------------------------------------------------
# Hints and distractors
# --------------------------------------------------------------------------------------------


def test_hints() -> None:
    parsed = parse("==Paris::capital== and ==c2:: Lyon :: second city==")
    assert summary(parsed) == [
        (1, "Paris", "capital", (), 0),
        (2, "Lyon", "second city", (), 0),
    ]
    assert parsed.canonical == "==c1::Paris::capital== and ==c2::Lyon::second city=="


def test_distractors() -> None:
    parsed = parse("Light is made of ==photons || electrons | protons | neutrons==.")
    assert summary(parsed) == [(1, "photons", "", ("electrons", "protons", "neutrons"), 0)]
    parsed = parse("==c2::photons::particles||electrons|protons==")
    assert summary(parsed) == [(2, "photons", "particles", ("electrons", "protons"), 0)]
    # Distractors are not part of the text Anki sees.
    assert parsed.canonical == "==c2::photons::particles=="


def test_escaped_cloze_syntax_is_text_in_answers_hints_and_distractors() -> None:
    parsed = parse("==std\\:\\:move::a\\|b || x\\|\\|y | z\\=w==")
    assert summary(parsed) == [(1, "std::move", "a|b", ("x||y", "z=w"), 0)]
    # Markdown takes the escapes out when it renders the canonical text.
    assert parsed.canonical == "==c1::std\\:\\:move::a\\|b=="


def test_a_backslash_in_code_or_math_stays_in_the_answer() -> None:
    parsed = parse("==$a\\|b$== and ==`a\\:b`==")
    assert [d.answer for d in parsed.deletions] == ["$a\\|b$", "`a\\:b`"]


def test_a_single_equals_sign_is_text() -> None:
    assert summary(parse("==a=b== and ==x = y==")) == [
        (1, "a=b", "", (), 0),
        (2, "x = y", "", (), 0),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "== spaced ==",
        "====",
        "==\n==",
        "a == b",
        "==a\nb==",
        "a = b",
    ],
)
def test_not_a_deletion(text: str) -> None:
    parsed = parse(text)
    assert parsed.deletions == ()
    assert parsed.problems == ()
    assert parsed.canonical == text


# --------------------------------------------------------------------------------------------
# Code is never a deletion
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Write `==a==` for a deletion.",
        "Write ``==a== ` ==b==`` for a deletion.",
        "```\n==a==\n```",
        "```python\nx ==a== y\n```",
        "~~~\n==a==\n~~~",
        "````\n```\n==a==\n```\n````",
        "> ```\n> ==a==\n> ```",
    ],
)
def test_marks_in_code_are_ignored(text: str) -> None:
    parsed = parse(text)
    assert parsed.deletions == ()
    assert parsed.problems == ()
    assert parsed.canonical == text


def test_code_next_to_deletions() -> None:
    parsed = parse(
        "Use `x == y` to compare, and ==`is`== for identity.\n\n```\n==no==\n```\n==yes=="
    )
    assert [(d.group, d.answer, d.offset) for d in parsed.deletions] == [
        (1, "`is`", 0),
        (2, "yes", 5),
    ]


def test_deletion_right_after_a_code_span() -> None:
    """In Markdown "`a==b`==c==" is a code span followed by a highlight: c is a deletion."""
    parsed = parse("`a==b`==c==")
    assert [(d.group, d.answer) for d in parsed.deletions] == [(1, "c")]


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "code"),
    [
        ("==c1::==", "empty cloze deletion", "cloze-empty"),
        ("==::hint==", "empty cloze deletion", "cloze-empty"),
        ("==|| a | b==", "empty cloze deletion", "cloze-empty"),
        ("==c0::zero==", "cloze number must be 1–99, not 0", "cloze-number"),
        ("==c100::hundred==", "cloze number must be 1–99, not 100", "cloze-number"),
        ("==a || b || c==", "empty distractor in '|| … | …'", "empty-distractor"),
        ("==a ||==", "empty distractor in '|| … | …'", "empty-distractor"),
        ("==a || b |  | c==", "empty distractor in '|| … | …'", "empty-distractor"),
    ],
)
def test_problems(text: str, message: str, code: str) -> None:
    parsed = parse(f"Before.\n\nThe {text} here.")
    assert parsed.deletions == ()
    assert parsed.problems == (Problem(2, message, code),)
    # A rejected deletion is left as written.
    assert parsed.canonical == f"Before.\n\nThe {text} here."


def test_c99_is_allowed() -> None:
    assert summary(parse("==c99::last==")) == [(99, "last", "", (), 0)]


def test_problems_do_not_take_a_number() -> None:
    parsed = parse("==c0::bad==\n==good==\n==c1::==\n==also good==")
    assert [(d.group, d.answer, d.offset) for d in parsed.deletions] == [
        (1, "good", 1),
        (2, "also good", 3),
    ]
    assert [problem.offset for problem in parsed.problems] == [0, 2]


def test_offsets_are_line_offsets() -> None:
    text = (
        "First ==one==\nsecond line\n\n- item ==two== and ==three==\n\n```\n==code==\n```\n==four=="
    )
    parsed = parse(text)
    assert [(d.answer, d.offset) for d in parsed.deletions] == [
        ("one", 0),
        ("two", 3),
        ("three", 3),
        ("four", 8),
    ]


# --------------------------------------------------------------------------------------------
# Rendering modes
# --------------------------------------------------------------------------------------------

SENTENCE = "The ==mitochondria== is the ==powerhouse::what== of the ==c1::cell==."


def test_anki_mode(md: MarkdownRenderer) -> None:
    assert md.cloze(SENTENCE, "anki") == (
        "<p>The {{c2::mitochondria}} is the {{c3::powerhouse::what}} of the {{c1::cell}}.</p>"
    )
    assert md.cloze(SENTENCE) == md.cloze(SENTENCE, "anki")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (1, 'The mitochondria is the powerhouse of the <span class="ak-blank" data-group="1">[…]'),
        (2, 'The <span class="ak-blank" data-group="2">[…]</span> is the powerhouse of the cell'),
        (3, 'The mitochondria is the <span class="ak-blank" data-group="3">[what]</span> of'),
    ],
)
def test_blank_mode(md: MarkdownRenderer, target: int, expected: str) -> None:
    out = md.cloze(SENTENCE, "blank", target)
    assert expected in out
    assert out.count("ak-blank") == 1
    assert "<mark" not in out
    assert "{{" not in out


@pytest.mark.parametrize(
    ("target", "answer"), [(1, "cell"), (2, "mitochondria"), (3, "powerhouse")]
)
def test_reveal_mode(md: MarkdownRenderer, target: int, answer: str) -> None:
    out = md.cloze(SENTENCE, "reveal", target)
    assert f'<mark class="ak-cloze-answer" data-group="{target}">{answer}</mark>' in out
    assert out.count("<mark") == 1
    assert re.sub(r"<[^>]+>", "", out) == "The mitochondria is the powerhouse of the cell."
    assert "what" not in out  # the hint is for the front only


def test_mark_mode_highlights_every_deletion(md: MarkdownRenderer) -> None:
    out = md.cloze(SENTENCE, "mark")
    assert out == (
        "<p>The <mark>mitochondria</mark> is the <mark>powerhouse</mark> of the "
        "<mark>cell</mark>.</p>"
    )
    assert md.block(SENTENCE) == out


def test_blank_mode_blanks_every_deletion_of_a_shared_group(md: MarkdownRenderer) -> None:
    text = "==c1::Left== and ==c1::right::side== but not ==c2::this=="
    out = md.cloze(text, "blank", 1)
    assert out == (
        '<p><span class="ak-blank" data-group="1">[…]</span> and '
        '<span class="ak-blank" data-group="1">[side]</span> but not this</p>'
    )
    out = md.cloze(text, "reveal", 1)
    assert out.count('class="ak-cloze-answer"') == 2


def test_distractors_never_reach_the_html(md: MarkdownRenderer) -> None:
    text = "Light is made of ==photons || electrons | protons==."
    for mode in ("anki", "blank", "reveal", "mark"):
        out = md.cloze(text, mode, 1)
        assert "electrons" not in out
        assert "||" not in out


def test_markdown_inside_a_deletion(md: MarkdownRenderer) -> None:
    assert md.cloze("==**bold**== and ==`code`==", "anki") == (
        "<p>{{c1::<strong>bold</strong>}} and {{c2::<code>code</code>}}</p>"
    )


def test_code_keeps_its_marks(md: MarkdownRenderer) -> None:
    text = "Use `==a==` here.\n\n```\nx ==b== y\n```\n\nAnd ==c==."
    out = md.cloze(text, "anki")
    assert "<code>==a==</code>" in out
    assert "x ==b== y" in out
    assert "{{c1::c}}" in out
    assert len(ANKI_DELETION.findall(out)) == 1


def test_indented_code_is_code(md: MarkdownRenderer) -> None:
    """An indented code block is code: its `==` is neither a deletion nor rewritten."""
    text = "Prose ==a==.\n\n    code ==b== here\n"
    parsed = parse(text)
    assert [(d.group, d.answer) for d in parsed.deletions] == [(1, "a")]
    out = md.cloze(text, "anki")
    assert "code ==b== here" in out
    assert sorted(int(n) for n in ANKI_DELETION.findall(out)) == list(parsed.groups)


def test_hint_with_html_is_shown_as_text(md: MarkdownRenderer) -> None:
    for mode in ("anki", "blank"):
        out = md.cloze("==answer::a <b> tag & more==", mode, 1)
        # No Python-Markdown placeholder (`\x02klzzwxh:0000\x03`) in place of the tag.
        assert "\x02" not in out and "\x03" not in out and "klzzwxh" not in out, out
        assert "a &lt;b&gt; tag &amp; more" in out or "a <b> tag &amp; more" in out, out


# --------------------------------------------------------------------------------------------
# Literal cloze syntax is escaped
# --------------------------------------------------------------------------------------------

LITERAL_PLACES = {
    "inline code": f"Anki writes `{LITERAL}` for a deletion.",
    "code block": f"Template:\n\n```text\n{LITERAL} and {{{{c2::y::hint}}}}\n```\n",
    "indented code": f"Template:\n\n    {LITERAL}\n",
    "plain text": f"Anki writes {LITERAL} for a deletion.",
    "table": f"| syntax | meaning |\n| --- | --- |\n| {LITERAL} | a deletion |\n",
    "list": f"- {LITERAL}\n- {{{{c2::y}}}}\n",
}


@pytest.mark.parametrize("place", sorted(LITERAL_PLACES))
@pytest.mark.parametrize("mode", ["anki", "blank", "reveal", "mark"])
def test_literal_cloze_syntax_is_escaped(md: MarkdownRenderer, place: str, mode: str) -> None:
    text = LITERAL_PLACES[place]
    out = md.cloze(text, mode, 1)
    assert "{{c" not in out
    assert "}}" not in out
    # The reader still sees the text as written.
    assert LITERAL in html.unescape(out)


def test_literal_next_to_a_real_deletion(md: MarkdownRenderer) -> None:
    text = f"Anki writes `{LITERAL}`; we write ==this==.\n\n```\n{LITERAL}\n```"
    out = md.cloze(text, "anki")
    assert [match.group(0) for match in ANKI_DELETION.finditer(out)] == ["{{c1::"]
    assert "{{c1::this}}" in out
    assert html.unescape(out).count(LITERAL) == 2


def test_block_and_inline_escape_too(md: MarkdownRenderer) -> None:
    for out in (md.block(f"x {LITERAL} y"), md.inline(f"x `{LITERAL}` y")):
        assert "{{" not in out
        assert LITERAL in html.unescape(out)


def literal_notes() -> list[tuple[str, Callable[[MarkdownRenderer], tuple[str, ...]]]]:
    """The fields of a note of every kind with literal `{{c1::x}}` in every text field, plus one
    real deletion in the cloze ones."""
    code = Text(f"```\n{LITERAL}\n```")
    prose = Text(f"Plain {LITERAL} and `{LITERAL}`.")
    text = f"Real ==deletion== and {prose.markdown}\n\n{code.markdown}"
    variant = Variant(
        meta=meta("v"),
        answer=Text(f"`{LITERAL}`"),
        pool="cloze",
        lesson="a.md",
        text=Text(parse(text).canonical),
        group=1,
        hint=Text(LITERAL),
        back_extra=prose,
    )
    notes: list[Note] = [
        RevealNote(
            meta=meta("r"),
            question=Text(f"What is {LITERAL}?"),
            question_body=code,
            answer=prose,
            hint=prose,
            explanation=code,
            analogy=prose,
            diagram=code,
        ),
        ChoiceNote(
            meta=meta("c"),
            question=Text(f"Which is `{LITERAL}`?"),
            question_body=code,
            options=(
                Option(Text(LITERAL), True, 1),
                Option(Text(f"`{LITERAL}`"), False, 2),
            ),
            explanation=prose,
            solution=code,
            final_answer=prose,
            quick_check=prose,
            hint=prose,
            mistakes=prose,
        ),
        SelfCheckNote(
            meta=meta("s"),
            prompt=Text(f"Explain {LITERAL}."),
            prompt_body=code,
            concepts=(prose, Text(LITERAL)),
            hint=prose,
            model_answer=code,
        ),
        ClozeNote(meta("z"), Text(parse(text).canonical), (1,), back_extra=prose),
    ]

    def cloze_choice(md: MarkdownRenderer) -> tuple[str, ...]:
        rendered = variant.render(md)
        others = [candidate(md, Text(LITERAL)), candidate(md, Text("other"))]
        return rendered.complete([rendered.answer, *others], 0).fields

    kinds = ["reveal", "choice", "self-check", "cloze"]
    made: list[tuple[str, Callable[[MarkdownRenderer], tuple[str, ...]]]] = [
        (kind, note.render) for kind, note in zip(kinds, notes, strict=True)
    ]
    return [*made, ("cloze choice", cloze_choice)]


@pytest.mark.parametrize(
    ("kind", "fields_of"), literal_notes(), ids=[k for k, _ in literal_notes()]
)
def test_literal_cloze_syntax_never_reaches_a_field(
    md: MarkdownRenderer, kind: str, fields_of: Callable[[MarkdownRenderer], tuple[str, ...]]
) -> None:
    for index, value in enumerate(fields_of(md)):
        found = [match.group(0) for match in ANKI_DELETION.finditer(value)]
        if kind == "cloze" and index == 0:
            # The cloze text holds exactly its one real deletion.
            assert found == ["{{c1::"], value
            assert "{{c1::deletion}}" in value
        else:
            assert found == [], (kind, index, value)


# --------------------------------------------------------------------------------------------
# Braces inside a deletion
# --------------------------------------------------------------------------------------------

DELETION_START = "{{c1::"


def anki_deletion(out: str) -> str:
    """The deletion as Anki reads it: from `{{c1::` to the first `}}` after it."""
    start = out.index(DELETION_START)
    end = out.index("}}", start) + 2
    return out[start:end]


@pytest.mark.parametrize(
    "answer",
    [
        "x^{2}",
        "a}",
        "{a}",
        r"\(x^{2}\)",
        r"\(\frac{a}{b^{2}}\)",
        "f(x^{y^{2}})",
        "set {}",
        "}}",
    ],
)
def test_braces_do_not_end_a_deletion_early(md: MarkdownRenderer, answer: str) -> None:
    out = md.cloze(f"Before ==c1::{answer}== after.", "anki")
    deletion = anki_deletion(out)
    # Anki's deletion ends where the source's does: right before " after."
    assert out.endswith(f"{deletion} after.</p>"), out
    inner = deletion[len(DELETION_START) : -2]
    assert "}}" not in inner
    assert not inner.endswith("}")
    assert out.count("}}") == 1


def test_math_keeps_its_delimiters_inside_a_deletion(md: MarkdownRenderer) -> None:
    """Anki's MathJax only knows `\\(...\\)` and `\\[...\\]` (anki-facts.md, "MathJax")."""
    out = md.cloze(r"Area ==c1::\(\pi r^{2}\)== of a circle.", "anki")
    inner = html.unescape(anki_deletion(out))
    assert r"\(\pi r^{2}\)" in inner, out


# --------------------------------------------------------------------------------------------
# The groups a note reports are the groups Anki finds in its rendered field
# --------------------------------------------------------------------------------------------


def rendered_groups(md: MarkdownRenderer, text: str) -> list[int]:
    return sorted({int(n) for n in ANKI_DELETION.findall(md.cloze(text, "anki"))})


@pytest.mark.parametrize(
    "text",
    [
        "- item ==a==\n- item ==c3::b==\n\n> quoted ==c==",
        "| a | b |\n| --- | --- |\n| ==x== | ==y::hint== |",
        "Para ==a==.\n\n```\n==c2::no==\n```\n\nPara ==b==.",
        # A closing fence is at least as long as the opening one (CommonMark, Python-Markdown).
        "````\n```\n==a==\n```\n````\n\n==b==",
        # Four spaces of indent after a blank line is a code block.
        "Prose ==a==.\n\n    code ==b== here",
        # An unclosed fence: both sides must agree on whether it is code.
        "Intro ==a==\n\n```\n==c2::b==",
        # A code span never crosses a blank line.
        "A lone ` here.\n\nThe ==c2::answer== here.\n\nAnother ` there.",
        # An HTML block is passed through as it is: its `==` is no deletion.
        "<div>\n==x==\n</div>\n\nAfter ==y==.",
    ],
    ids=[
        "lists-quotes",
        "table",
        "fenced",
        "nested-fences",
        "indented-code",
        "unclosed-fence",
        "code-span-paragraphs",
        "html-block",
    ],
)
def test_rendered_groups_are_the_parsed_groups(md: MarkdownRenderer, text: str) -> None:
    parsed = parse(text)
    assert parsed.problems == ()
    assert rendered_groups(md, text) == list(parsed.groups), md.cloze(text, "anki")


def test_code_span_does_not_cross_a_blank_line() -> None:
    parsed = parse("A lone ` here.\n\nThe ==answer== here.\n\nAnother ` there.")
    assert [(d.group, d.answer, d.offset) for d in parsed.deletions] == [(1, "answer", 2)]


def test_answer_ending_with_an_equals_sign_survives_numbering(md: MarkdownRenderer) -> None:
    text = "Add in place with ==+= || =+ | ++==."
    parsed = parse(text)
    assert [(d.answer, d.distractors) for d in parsed.deletions] == [("+=", ("=+", "++"))]
    again = parse(parsed.canonical)
    assert [d.answer for d in again.deletions] == ["+="], parsed.canonical
    assert md.cloze(text, "anki") == "<p>Add in place with {{c1::+=}}.</p>"


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        "==",
        "=",
        "::",
        "||",
        "|",
        "c1::",
        "c2::",
        "c0::",
        "c100::",
        "C3::",
        "`",
        "```",
        "~~~",
        "\n",
        "\n\n",
        " ",
        "a",
        "word",
        "b c",
        "{",
        "}",
        "{{",
        "}}",
        "\\(",
        "*",
        "<!-- id: x -->",
    ]
)
SOURCES = st.one_of(st.lists(PIECES, max_size=40).map("".join), st.text(max_size=200))


def comparable(parsed: Parsed) -> tuple[object, ...]:
    """Deletions without distractors (the canonical text drops them by design), and problems."""
    return (
        tuple((d.group, d.answer, d.hint, d.offset) for d in parsed.deletions),
        parsed.problems,
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOURCES)
def test_parse_never_raises_and_canonical_is_stable(text: str) -> None:
    parsed = parse(text)
    assert isinstance(parsed, Parsed)
    assert all(isinstance(d, Deletion) and d.answer and d.group >= 1 for d in parsed.deletions)
    assert parsed.groups == tuple(sorted({d.group for d in parsed.deletions}))
    again = parse(parsed.canonical)
    assert comparable(again) == comparable(parsed)
    assert again.canonical == parsed.canonical
    # Numbering never changes the lines: offsets keep pointing at the source.
    assert parsed.canonical.count("\n") == text.count("\n")


# Fences, backticks and raw HTML are left out here: the examples above cover them.
PROSE_PIECES = PIECES.filter(lambda piece: not piece.startswith(("`", "~", "<")))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PROSE_PIECES, max_size=30).map("".join))
def test_rendered_groups_are_the_parsed_groups_in_prose(text: str) -> None:
    """What the note reports as its cards is what Anki finds in the rendered field (texts with
    problems are refused by the build, so they are left out)."""
    parsed = parse(text)
    if parsed.problems:
        return
    out = RENDERER.cloze(text, "anki")
    assert sorted({int(n) for n in ANKI_DELETION.findall(out)}) == list(parsed.groups), out


# Lines of nested blocks: what each starts with (indentation, quote markers, a list item, a
# definition, a footnote, an admonition) and what it holds (deletions, code spans, fences, raw
# HTML, lines that end a paragraph).
LINE_STARTS = st.sampled_from(
    [
        *("", "    ", "        ", "\t", "  \t", " ", "> ", ">     ", "> > ", "    > "),
        *("- ", "    - ", "1. ", "    1. ", ": ", "    : ", "t\n: ", "[^1]: "),
        *("!!! note ", "!!! note\n", "    !!! tip\n"),
    ]
)
LINE_BODIES = st.sampled_from(
    [
        *("==x==", "==y::h==", "\\==x\\==", "`a`", "``a ` b``", "```", "``` py", "~~~"),
        *("b", "---", "===", "| c |", "", "# h", "1.", "-", "<div>", "</div>", "<!-- c -->"),
        *("<div>a</div><p>b</p>", "$$", "$x$", "<div>a</div> <!-- c -->", "<p>==z==</p>"),
        *("<!-- ==w== -->", "a <!-- b", "--> ==v==", "==u== -->"),
    ]
)
# A footnote defined twice is refused by the build (`footnote-twice`): left out here.
NESTED_TEXTS = (
    st.lists(
        st.tuples(LINE_STARTS, LINE_BODIES, st.sampled_from(["\n", "\n\n", "\n\n\n"])),
        max_size=14,
    )
    .map(lambda lines: "".join(start + body + end for start, body, end in lines))
    .filter(lambda text: text.count("[^1]:") < 2)
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NESTED_TEXTS)
def test_deletions_in_nested_blocks_are_the_rendered_ones(text: str) -> None:
    """In list items, quotes, definitions, footnotes and admonitions, the deletions the parser
    counts are the ones Anki finds, and code shows `==` and backticks as written: no internal
    marker reaches the card, no deletion is left a highlight, no code span nests in code."""
    parsed = parse(text)
    if parsed.problems:
        return
    out = RENDERER.cloze(text, "anki")
    assert len(ANKI_DELETION.findall(out)) == len(parsed.deletions), out
    assert deletions.NUMBERED not in out
    assert "<mark>" not in out
    assert "<code><code>" not in out


def test_a_formula_over_several_lines_starts_no_block() -> None:
    # The renderer stashes the formula before its block parser reads the text: the `!!!` line
    # in it is no admonition, and the indented line after it continues the definition.
    text = "==x==\n: $$\n!!! note\n$$\n\n    ==y=="
    assert [d.answer for d in parse(text).deletions] == ["x", "y"]
    assert len(ANKI_DELETION.findall(RENDERER.cloze(text, "anki"))) == 2
    # Written over with blanks, its lines would end the paragraph and make the next one code.
    text = "==x== $$\nb\n$$\n    ==y=="
    assert [d.answer for d in parse(text).deletions] == ["x", "y"]
    assert len(ANKI_DELETION.findall(RENDERER.cloze(text, "anki"))) == 2


def test_formulas_written_over_keep_offsets_and_lines() -> None:
    assert masked("a $$\n  b\n$$ c", [(2, 11)], fill="x") == "a xx\nxxx\nxx c"
    assert masked("ab", [], fill="x") == "ab"


def test_with_a_formula_over_several_lines_raw_html_is_left_out_when_asked() -> None:
    text = "$$\na\n$$\n\n<div>\n==x==\n</div>"
    assert deletions.literal_ranges(text, html=False) == [(0, 7)]
    assert deletions.literal_ranges(text) == [(9, 27), (0, 7)]


def test_a_block_stored_behind_a_comment_after_another_block_is_literal() -> None:
    # Python-Markdown stores the comment with the next line's block: `==y==` stays text there.
    text = "==x==\n\n<div>a</div> <!-- c -->\n<p>d ==y==</p>"
    assert [d.answer for d in parse(text).deletions] == ["x"]
    assert ANKI_DELETION.findall(RENDERER.cloze(text, "anki")) == ["1"]


@pytest.mark.parametrize(
    ("text", "answers"),
    [
        # The extractor leaves the space before the comment as a line of its own, which the
        # block parser reads as text: the indented line after it continues that paragraph.
        ("<div>a</div> <!-- c -->\n    ==x==", ["x"]),
        ("<div>a</div> <!-- c -->\n\n    ==x==", []),
        ("<div>a</div>    <!-- c -->\n    ==x==", []),
    ],
)
def test_the_line_left_after_a_block_is_read_as_the_renderer_reads_it(
    text: str, answers: list[str]
) -> None:
    assert [d.answer for d in parse(text).deletions] == answers
    out = RENDERER.cloze(text, "anki")
    assert len(ANKI_DELETION.findall(out)) == len(answers)
    assert "<mark>" not in out


@pytest.mark.parametrize(
    ("text", "answers"),
    [
        ("a <!-- ==w== --> b ==x==", ["x"]),
        ("- <!-- ==w== -->\n- ==x==", ["x"]),
        ("> > <!-- ==w== -->", []),
        ("> a\n> <!-- ==w==\n> --> ==x==", ["x"]),
        ("# a <!-- ==w== -->", []),
        # Not a comment: a blank line ends the text, code and math come first.
        ("a <!-- b\n\n==w== -->", ["w"]),
        ("`<!--` ==w== `-->`", ["w"]),
        ("$a <!-- b$ ==w== -->", ["w"]),
        ("a <!-- x <!-- ==w== --> ==y==", ["y"]),
        # A formula on a line of its own inside the comment leaves no blank line there.
        ("a <!-- b\n$x$\nc ==w== -->", []),
        # Over lines of one text, a comment; over lines the block parser hands apart, none.
        ("a <!-- b\nc ==w== -->", []),
        ("- a <!-- b\n  ==w== -->", []),
        ("- a <!-- b\n- ==v== -->", ["v"]),
        ("# a <!-- b\n==v== -->", ["v"]),
        ("a <!-- b\n> ==v== -->", ["v"]),
        ("x\ny <!-- b\n# ==v== -->", ["v"]),
        ("\nx\ny <!-- b\n# ==v== -->", ["v"]),
        ("p\n\na <!-- b\nc ==w== -->", []),
        ("a <!-- b\n```\ncode\n```\nc ==w== -->", ["w"]),
        ("- a <!-- b\n- c -->\n\nd <!-- ==w== -->", []),
    ],
)
def test_a_commented_out_deletion_is_none(text: str, answers: list[str]) -> None:
    assert [d.answer for d in parse(text).deletions] == answers
    out = RENDERER.cloze(text, "anki")
    assert len(ANKI_DELETION.findall(out)) == len(answers)
    assert deletions.NUMBERED not in out


def test_a_dollar_in_code_pairs_with_none_outside() -> None:
    assert [d.answer for d in parse("`$`a ==x== b$").deletions] == ["x"]
