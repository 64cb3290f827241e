"""Two-way cards (`generator.kinds.twoway`): which cards are asked both ways, the fields of the
note, the problems reported, and key facts asked definition → term."""

from __future__ import annotations

import pytest

from generator.diagnostics import Diagnostics
from generator.kinds import REGISTRY
from generator.kinds.lesson import ParsedLesson, parse_lesson
from generator.kinds.reveal import RevealNote
from generator.kinds.twoway import DEFAULT_PROMPT, TERM_PROMPT, TwoWayNote
from generator.notes import NO_TEXT, Defaults, Lesson, Text
from generator.render import MarkdownRenderer


def parse(
    text: str,
    *,
    reversed: bool = False,
    level: str | None = None,
    key_facts: tuple[str, ...] = ("reveal",),
) -> ParsedLesson:
    lesson = Lesson(
        path="lessons/words.md",
        rel="words.md",
        deck="German",
        defaults=Defaults(tags=("de",), level=level, key_facts=key_facts, reversed=reversed),
    )
    return parse_lesson(lesson, text, REGISTRY)


def problems(parsed: ParsedLesson) -> list[tuple[int, str, str, str]]:
    """(line, severity, code, message) of every problem, all reported in the lesson's file."""
    assert {d.path for d in parsed.diagnostics} <= {"lessons/words.md"}
    return [(d.line, d.severity.value, d.code, d.message) for d in parsed.diagnostics]


def only_note(parsed: ParsedLesson) -> TwoWayNote:
    assert len(parsed.notes) == 1
    note = parsed.notes[0]
    assert isinstance(note, TwoWayNote)
    return note


FULL = """\
# Words

### der Hund

Say it aloud.

**Answer:** the dog

**Hint:** an animal

**Explanation:** Masculine.

**Reverse:** yes

**Reverse hint:** it barks

**Level:** advanced
"""


def test_every_field_of_a_two_way_card() -> None:
    parsed = parse(FULL)
    assert problems(parsed) == []
    note = only_note(parsed)
    assert note.question == Text("der Hund", 3)
    assert note.answer == Text("the dog", 7)
    assert note.prompt == DEFAULT_PROMPT
    assert note.question_body == Text("Say it aloud.", 5)
    assert note.hint == Text("an animal", 9)
    assert note.explanation == Text("Masculine.", 11)
    assert note.reverse_hint == Text("it barks", 15)
    assert note.cards == (0, 1)
    assert note.card_texts == ()


def test_the_card_s_level_tags_the_note() -> None:
    meta = only_note(parse(FULL, level="beginner")).meta
    assert meta.id == "words#der-hund"
    assert (meta.explicit_id, meta.stamp, meta.line) == (False, (3, "words#der-hund"), 3)
    assert meta.construct == "two-way"
    assert meta.tags == ("ankigen::two-way", "de", "level::advanced")
    assert meta.badge == "advanced"
    assert meta.context == "Words"


def test_the_lesson_level_is_inherited() -> None:
    meta = only_note(parse("### der Hund\n\nthe dog\n", reversed=True, level="beginner")).meta
    assert meta.tags == ("ankigen::two-way", "de", "level::beginner")


def test_without_an_answer_field_the_body_is_the_answer() -> None:
    parsed = parse("# Words\n\n### der Hund\n\nthe dog\n\n**Reverse:** yes\n")
    assert problems(parsed) == []
    note = only_note(parsed)
    assert note.answer == Text("the dog", 5)
    assert note.question_body == NO_TEXT
    assert (note.hint, note.explanation, note.reverse_hint) == (NO_TEXT, NO_TEXT, NO_TEXT)


@pytest.mark.parametrize("written", ["yes", "Yes", "TRUE", "on", "  yes  "])
def test_a_yes_asks_the_default_reverse_question(written: str) -> None:
    note = only_note(parse(f"### der Hund\n\nthe dog\n\n**Reverse:** {written}\n"))
    assert note.prompt == DEFAULT_PROMPT


def test_a_written_reverse_question_is_asked() -> None:
    note = only_note(
        parse("### der Hund\n\nthe dog\n\n**Reverse:** Which German word means this?\n")
    )
    assert note.prompt == "Which German word means this?"


def test_a_lesson_of_reversed_cards() -> None:
    note = only_note(parse("### der Hund\n\nthe dog\n", reversed=True))
    assert (note.question, note.answer, note.prompt) == (
        Text("der Hund", 1),
        Text("the dog", 3),
        DEFAULT_PROMPT,
    )


@pytest.mark.parametrize("written", ["no", "No", "false", "OFF"])
def test_a_card_opts_out_of_a_reversed_lesson(written: str) -> None:
    parsed = parse(f"### der Hund\n\nthe dog\n\n**Reverse:** {written}\n", reversed=True)
    assert problems(parsed) == []
    assert [type(note) for note in parsed.notes] == [RevealNote]
    assert parsed.notes[0].meta.construct == "reveal"


def test_a_card_without_reverse_is_a_reveal_card() -> None:
    parsed = parse("### der Hund\n\nthe dog\n")
    assert [type(note) for note in parsed.notes] == [RevealNote]


def test_reverse_in_a_fence_is_not_a_setting() -> None:
    parsed = parse("### der Hund\n\n```\n**Reverse:** yes\n```\n")
    assert [type(note) for note in parsed.notes] == [RevealNote]


def test_an_empty_answer_is_reported_at_the_heading() -> None:
    parsed = parse("# Words\n\n### der Hund\n\n**Reverse:** yes\n")
    assert problems(parsed) == [
        (
            3,
            "error",
            "twoway-empty-side",
            "empty answer: a two-way card shows its answer as the question of the reverse card",
        )
    ]
    assert only_note(parsed).answer == Text("", 0)


def test_an_empty_answer_field_is_reported_at_the_field() -> None:
    parsed = parse("# Words\n\n### der Hund\n\nSay it.\n\n**Answer:**\n\n**Reverse:** yes\n")
    assert (
        7,
        "error",
        "twoway-empty-side",
        "empty answer: a two-way card shows its answer as the question of the reverse card",
    ) in problems(parsed)
    assert only_note(parsed).question_body == Text("Say it.", 5)


def test_analogy_and_diagram_are_not_shown() -> None:
    parsed = parse(
        "# Words\n\n### die Katze\n\nthe cat\n\n**Reverse:** yes\n\n"
        "**Diagram:** a cat\n\n**Analogy:** like a tiger\n"
    )
    assert problems(parsed) == [
        (
            11,
            "warning",
            "twoway-unused-field",
            "'analogy' is not shown on two-way cards: put it in '**Explanation:**'",
        ),
        (
            9,
            "warning",
            "twoway-unused-field",
            "'diagram' is not shown on two-way cards: put it in '**Explanation:**'",
        ),
    ]
    assert only_note(parsed).answer == Text("the cat", 5)


def test_render() -> None:
    note = only_note(
        parse(
            "# Words & *more*\n\n### der *Hund* <!-- id: hund -->\n\nSay `it`.\n\n"
            "**Answer:** the *dog*\n\n**Hint:** an animal\n\n**Explanation:** Masculine.\n\n"
            "**Reverse:** Which <word> & why?\n\n**Reverse hint:** it barks\n",
            level="beginner",
        )
    )
    assert note.render(MarkdownRenderer()) == (
        '<p class="ak-lead">der <em>Hund</em></p>\n<p>Say <code>it</code>.</p>',
        "<p>the <em>dog</em></p>",
        "<p>an animal</p>",
        "<p>Masculine.</p>",
        "Which &lt;word&gt; &amp; why?",
        "<p>it barks</p>",
        "beginner",
        "Words &amp; <em>more</em>",
        "words.md",
        "hund",
        "",
        "",
    )


def test_render_without_a_question_body_or_extras() -> None:
    note = only_note(parse("# Words\n\n### der Hund\n\nthe dog\n", reversed=True))
    assert note.render(MarkdownRenderer()) == (
        "der Hund",
        "<p>the dog</p>",
        "",
        "",
        DEFAULT_PROMPT,
        "",
        "",
        "Words",
        "words.md",
        "words#der-hund",
        "",
        "",
    )


# --------------------------------------------------------------------------------------------
# Key facts asked both ways
# --------------------------------------------------------------------------------------------

KEY_FACTS = """\
# Words

### Key facts

Noun <!-- id: noun -->
:   A word that names a thing.

Verb
:   A word for an action.
"""


def test_reversed_key_facts() -> None:
    parsed = parse(KEY_FACTS, key_facts=("reversed",), level="beginner")
    assert problems(parsed) == []
    noun, verb = parsed.notes
    assert isinstance(noun, TwoWayNote)
    assert isinstance(verb, TwoWayNote)
    assert (noun.question, noun.answer, noun.prompt) == (
        Text("Noun", 5),
        Text("A word that names a thing.", 6),
        TERM_PROMPT,
    )
    assert (verb.question, verb.answer, verb.prompt) == (
        Text("Verb", 8),
        Text("A word for an action.", 9),
        TERM_PROMPT,
    )
    for note in (noun, verb):
        assert note.question_body == NO_TEXT
        assert (note.hint, note.explanation, note.reverse_hint) == (NO_TEXT, NO_TEXT, NO_TEXT)
        assert note.meta.construct == "key-fact"
        assert note.meta.tags == ("ankigen::key-fact", "de", "level::beginner")
        assert note.meta.badge == "beginner"
        assert note.meta.context == "Words"
    assert (noun.meta.id, noun.meta.explicit_id, noun.meta.stamp, noun.meta.line) == (
        "noun",
        True,
        None,
        5,
    )
    assert (verb.meta.id, verb.meta.explicit_id, verb.meta.stamp, verb.meta.line) == (
        "words#key-facts/verb",
        False,
        (8, "words#key-facts/verb"),
        8,
    )


def test_a_reversed_key_fact_with_an_invalid_id() -> None:
    parsed = parse(
        "### Key facts\n\nNoun <!-- id: -bad -->\n:   A word that names a thing.\n",
        key_facts=("reversed",),
    )
    assert problems(parsed) == [
        (
            3,
            "error",
            "invalid-id",
            "invalid id '-bad': use letters, digits, '-', '_', '.', '/', '#', starting with a "
            "letter or digit (at most 200 characters)",
        )
    ]
    assert parsed.diagnostics[0].column == 0
    assert only_note(parsed).meta.id == "-bad"


def test_a_reversed_key_fact_renders_the_term_as_the_question() -> None:
    parsed = parse(KEY_FACTS, key_facts=("reversed",))
    fields = parsed.notes[0].render(MarkdownRenderer())
    assert fields[:6] == (
        "Noun",
        "<p>A word that names a thing.</p>",
        "",
        "",
        TERM_PROMPT,
        "",
    )


def rendering_problems(note: TwoWayNote) -> list[tuple[int, str]]:
    md = MarkdownRenderer()
    diags = Diagnostics()
    with md.lesson("lessons/words.md", None, diags):
        note.render(md)
    return sorted((d.line, d.code) for d in diags.items)


def test_a_problem_in_the_question_is_reported_at_the_heading() -> None:
    note = only_note(
        parse("# Words\n\n### der <b onclick='x'>Hund</b>\n\nthe dog\n", reversed=True)
    )
    assert rendering_problems(note) == [(3, "html-event-attribute")]


def test_a_problem_in_a_reversed_key_fact_is_reported_at_its_term() -> None:
    parsed = parse(
        "# Words\n\n### Key facts\n\n<b onclick='x'>Noun</b>\n:   A word that names a thing.\n",
        key_facts=("reversed",),
    )
    note = only_note(parsed)
    assert note.question == Text("<b onclick='x'>Noun</b>", 5)
    assert rendering_problems(note) == [(5, "html-event-attribute")]


def test_a_reverse_field_given_twice_is_reported_once() -> None:
    parsed = parse("### der Hund\n\nthe dog\n\n**Reverse:** yes\n\n**Reverse:** Which word?\n")
    assert problems(parsed) == [
        (7, "error", "field-twice", "field 'reverse' given twice in one card (first at line 5)")
    ]
    assert only_note(parsed).prompt == DEFAULT_PROMPT


def test_a_near_miss_label_in_a_two_way_card_is_reported_once() -> None:
    parsed = parse("### der Hund\n\nthe dog\n\n**Reverse:** yes\n\n**Hnit:** an animal\n")
    assert [(line, code) for line, _, code, _ in problems(parsed)] == [(7, "label-near-miss")]
    assert only_note(parsed).hint == NO_TEXT


def test_a_problem_in_the_lesson_title_is_reported_at_the_title() -> None:
    note = only_note(
        parse("\n# Words <b onclick='x'>here</b>\n\n### der Hund\n\nthe dog\n", reversed=True)
    )
    assert note.meta.context_line == 2
    assert rendering_problems(note) == [(2, "html-event-attribute")]
