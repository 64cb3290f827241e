"""Multiple-choice questions (`generator.kinds.choice`): the options parsed from a task list, the
problems reported, and the note's fields as HTML."""

from __future__ import annotations

import pytest

from generator.kinds import REGISTRY
from generator.kinds.choice import (
    ChoiceNote,
    Option,
    RenderedOption,
    choice_fields,
    options_html,
)
from generator.kinds.lesson import ParsedLesson, parse_lesson
from generator.kinds.reveal import RevealNote
from generator.notes import NO_TEXT, Defaults, Lesson, NoteMeta, Text
from generator.render import MarkdownRenderer


def parse(
    text: str,
    *,
    shuffle: bool = True,
    flip_on_pick: bool = True,
    difficulty: str | None = None,
    level: str | None = None,
) -> ParsedLesson:
    lesson = Lesson(
        path="lessons/maths.md",
        rel="maths.md",
        deck="Maths",
        defaults=Defaults(
            tags=("m",),
            shuffle=shuffle,
            flip_on_pick=flip_on_pick,
            difficulty=difficulty,
            level=level,
        ),
    )
    return parse_lesson(lesson, text, REGISTRY)


def problems(parsed: ParsedLesson) -> list[tuple[int, str, str, str]]:
    """(line, severity, code, message) of every problem, all reported in the lesson's file."""
    assert {d.path for d in parsed.diagnostics} <= {"lessons/maths.md"}
    return [(d.line, d.severity.value, d.code, d.message) for d in parsed.diagnostics]


def only_note(parsed: ParsedLesson) -> ChoiceNote:
    assert len(parsed.notes) == 1
    note = parsed.notes[0]
    assert isinstance(note, ChoiceNote)
    return note


PRIMES = """\
# Numbers

### Which are *primes*?

Pick every one.

- [x] 2
  > The only even prime.
- [ ] 4
- [X] `3`
- [ ] None of these <!-- last -->
"""


def test_options_with_feedback_and_a_pinned_last_option() -> None:
    parsed = parse(PRIMES)
    assert problems(parsed) == []
    note = only_note(parsed)
    assert note.question == Text("Which are *primes*?", 3)
    assert note.question_body == Text("Pick every one.", 5)
    assert note.options == (
        Option(Text("2", 7), True, 7, Text("The only even prime.", 8)),
        Option(Text("4", 9), False, 9),
        Option(Text("`3`", 10), True, 10),
        Option(Text("None of these", 11), False, 11, NO_TEXT, True),
    )
    assert note.multiple is True
    assert note.shuffle is True


def test_render_lays_out_the_options() -> None:
    fields = only_note(parse(PRIMES, difficulty="hard")).render(MarkdownRenderer())
    assert fields == (
        '<p class="ak-lead">Which are <em>primes</em>?</p>\n<p>Pick every one.</p>',
        '<ol class="ak-options" data-multiple="true" data-shuffle="true">'
        '<li class="ak-option" data-correct="true" data-letter="A">'
        '<span class="ak-letter">A</span><span class="ak-option-text">2</span>'
        '<div class="ak-option-note"><p>The only even prime.</p></div></li>'
        '<li class="ak-option" data-correct="false" data-letter="B">'
        '<span class="ak-letter">B</span><span class="ak-option-text">4</span></li>'
        '<li class="ak-option" data-correct="true" data-letter="C">'
        '<span class="ak-letter">C</span><span class="ak-option-text"><code>3</code></span></li>'
        '<li class="ak-option" data-correct="false" data-letter="D" data-pin="last">'
        '<span class="ak-letter">D</span><span class="ak-option-text">None of these</span>'
        "</li></ol>",
        '<p><span class="ak-letter" data-ref="A">A</span> 2</p>'
        '<p><span class="ak-letter" data-ref="C">C</span> <code>3</code></p>',
        "",
        "",
        "",
        "",
        "",
        "hard",
        "Numbers",
        "maths.md",
        "maths#which-are-primes",
        "",
        "",
    )


def test_render_every_field() -> None:
    text = (
        "# Numbers\n\n### Two plus two? <!-- id: sum -->\n\n- [ ] 3\n- [x] 4\n\n"
        "**Explanation:** Count *on*.\n\n**Solution:** 2, 3, 4.\n\n**Answer:** four\n\n"
        "**Quick check:** 2 + 3?\n\n**Hint:** fingers\n\n**Mistakes:** Counting from 2.\n\n"
        "**Difficulty:** Easy\n\n**Level:** beginner\n\n**Shuffle:** no\n"
    )
    parsed = parse(text, flip_on_pick=False)
    assert problems(parsed) == []
    note = only_note(parsed)
    assert note.shuffle is False
    assert note.multiple is False
    assert note.meta.tags == (
        "ankigen::multiple-choice",
        "difficulty::easy",
        "level::beginner",
        "m",
    )
    assert note.render(MarkdownRenderer()) == (
        "Two plus two?",
        '<ol class="ak-options" data-multiple="false" data-shuffle="false" data-flip="false">'
        '<li class="ak-option" data-correct="false" data-letter="A">'
        '<span class="ak-letter">A</span><span class="ak-option-text">3</span></li>'
        '<li class="ak-option" data-correct="true" data-letter="B">'
        '<span class="ak-letter">B</span><span class="ak-option-text">4</span></li></ol>',
        "<p>four</p>",
        "<p>Count <em>on</em>.</p>",
        "<p>2, 3, 4.</p>",
        "<p>2 + 3?</p>",
        "<p>fingers</p>",
        "<p>Counting from 2.</p>",
        "beginner · easy",
        "Numbers",
        "maths.md",
        "sum",
        "",
        "",
    )


def test_options_html_of_rendered_options() -> None:
    options = (
        RenderedOption("<em>x</em>", False),
        RenderedOption("y", True, "<p>why</p>"),
        RenderedOption("all", True, "", True),
    )
    assert options_html(options) == (
        '<ol class="ak-options" data-multiple="true" data-shuffle="false">'
        '<li class="ak-option" data-correct="false" data-letter="A">'
        '<span class="ak-letter">A</span><span class="ak-option-text"><em>x</em></span></li>'
        '<li class="ak-option" data-correct="true" data-letter="B">'
        '<span class="ak-letter">B</span><span class="ak-option-text">y</span>'
        '<div class="ak-option-note"><p>why</p></div></li>'
        '<li class="ak-option" data-correct="true" data-letter="C" data-pin="last">'
        '<span class="ak-letter">C</span><span class="ak-option-text">all</span></li></ol>'
    )
    assert options_html(options[:2], shuffle=True, flip=False) == (
        '<ol class="ak-options" data-multiple="false" data-shuffle="true" data-flip="false">'
        '<li class="ak-option" data-correct="false" data-letter="A">'
        '<span class="ak-letter">A</span><span class="ak-option-text"><em>x</em></span></li>'
        '<li class="ak-option" data-correct="true" data-letter="B">'
        '<span class="ak-letter">B</span><span class="ak-option-text">y</span>'
        '<div class="ak-option-note"><p>why</p></div></li></ol>'
    )


@pytest.mark.parametrize(("written", "shuffle"), [("yes", True), ("On", True), ("FALSE", False)])
def test_shuffle_field(written: str, shuffle: bool) -> None:
    parsed = parse(f"### Q\n\n- [x] a\n- [ ] b\n\n**Shuffle:** {written}\n", shuffle=not shuffle)
    assert problems(parsed) == []
    assert only_note(parsed).shuffle is shuffle


def test_a_bad_shuffle_is_an_error_and_keeps_the_order() -> None:
    parsed = parse("### Q\n\n- [x] a\n- [ ] b\n\n**Shuffle:** Maybe\n")
    assert problems(parsed) == [
        (6, "error", "bad-shuffle", "shuffle must be yes or no, not 'Maybe'")
    ]
    assert only_note(parsed).shuffle is False


def test_the_lesson_decides_shuffling_by_default() -> None:
    assert only_note(parse("### Q\n\n- [x] a\n- [ ] b\n", shuffle=False)).shuffle is False
    assert only_note(parse("### Q\n\n- [x] a\n- [ ] b\n", shuffle=True)).shuffle is True


# --------------------------------------------------------------------------------------------
# Problems with the options
# --------------------------------------------------------------------------------------------


def test_one_option_is_too_few() -> None:
    parsed = parse("### Q\n\n- [x] a\n")
    assert problems(parsed) == [
        (
            1,
            "error",
            "too-few-options",
            "a multiple-choice question needs at least 2 options, found 1",
        )
    ]
    assert len(only_note(parsed).options) == 1


def test_at_most_one_option_per_letter() -> None:
    items = "".join(f"- [{'x' if i == 0 else ' '}] option {i}\n" for i in range(27))
    parsed = parse(f"### Q\n\n{items}")
    assert problems(parsed) == [
        (1, "error", "too-many-options", "at most 26 options (one per letter), found 27")
    ]
    assert parsed.notes == ()


def test_twenty_six_options_fit() -> None:
    items = "".join(f"- [{'x' if i == 0 else ' '}] option {i}\n" for i in range(26))
    parsed = parse(f"### Q\n\n{items}")
    assert problems(parsed) == []
    assert len(only_note(parsed).options) == 26


def test_no_correct_option() -> None:
    parsed = parse("### Q\n\n- [ ] a\n- [ ] b\n")
    assert problems(parsed) == [
        (1, "error", "no-correct-option", "no correct option: tick the right answer as '- [x] …'")
    ]


def test_every_option_correct_is_a_warning() -> None:
    parsed = parse("### Q\n\n- [x] a\n- [x] b\n")
    assert problems(parsed) == [
        (
            1,
            "warning",
            "all-options-correct",
            "every option is ticked, so no answer can be wrong: tick only the right ones "
            "(for a statement to recall, write a reveal card)",
        )
    ]
    assert len(only_note(parsed).options) == 2


def test_duplicate_options_ignore_case_and_spacing() -> None:
    parsed = parse("### Q\n\n- [x] A  cat\n- [ ] dog\n- [ ] a cat\n- [ ] DOG\n")
    assert problems(parsed) == [
        (5, "error", "duplicate-option", "duplicate option (same as line 3)"),
        (6, "error", "duplicate-option", "duplicate option (same as line 4)"),
    ]


def test_text_after_the_options_is_reported_once() -> None:
    parsed = parse("### Q\n\n- [x] a\n- [ ] b\n\nStray.\n\nMore.\n")
    assert problems(parsed) == [
        (
            6,
            "error",
            "text-after-options",
            "text after the options: put it in a field such as '**Explanation:**'",
        )
    ]


def test_an_item_that_is_not_a_task() -> None:
    parsed = parse("### Q\n\n- [x] a\n- b\n- [ ] c\n")
    assert problems(parsed) == [
        (
            4,
            "error",
            "not-a-task-item",
            "every item of the options list must be '- [ ] …' or '- [x] …'",
        )
    ]
    assert [option.text.markdown for option in only_note(parsed).options] == ["a", "c"]


def test_an_empty_option() -> None:
    parsed = parse("### Q\n\n- [x] a\n- [ ] <!-- last -->\n")
    assert problems(parsed) == [(4, "error", "empty-option", "empty option")]


def test_choice_fields_defaults() -> None:
    meta = NoteMeta(
        id="q1",
        explicit_id=True,
        stamp=None,
        path="lessons/maths.md",
        source="maths.md",
        line=3,
        deck="Maths",
        construct="multiple-choice",
        tags=(),
        badge="easy",
        context="Numbers",
    )
    options = (RenderedOption("3", False), RenderedOption("4", True))
    assert choice_fields(meta, "Two plus two?", options, context="Numbers") == (
        "Two plus two?",
        '<ol class="ak-options" data-multiple="false" data-shuffle="false">'
        '<li class="ak-option" data-correct="false" data-letter="A">'
        '<span class="ak-letter">A</span><span class="ak-option-text">3</span></li>'
        '<li class="ak-option" data-correct="true" data-letter="B">'
        '<span class="ak-letter">B</span><span class="ak-option-text">4</span></li></ol>',
        '<p><span class="ak-letter" data-ref="B">B</span> 4</p>',
        "",
        "",
        "",
        "",
        "",
        "easy",
        "Numbers",
        "maths.md",
        "q1",
        "",
        "",
    )


def test_the_lesson_level_does_not_tag_a_question() -> None:
    meta = only_note(parse("### Q\n\n- [x] a\n- [ ] b\n", level="beginner")).meta
    assert meta.tags == ("ankigen::multiple-choice", "m")
    assert meta.badge == ""


def test_a_task_list_in_code_or_indented_is_no_question() -> None:
    fenced = parse("### Q\n\n```\n- [x] a\n- [ ] b\n```\n")
    assert [type(note) for note in fenced.notes] == [RevealNote]
    indented = parse("### Q\n\nText.\n\n    - [x] a\n    - [ ] b\n")
    assert [type(note) for note in indented.notes] == [RevealNote]


def test_options_only_inside_a_field() -> None:
    parsed = parse("### Q\n\n**Explanation:** see below\n\n- [x] a\n- [ ] b\n")
    assert problems(parsed) == [
        (
            1,
            "error",
            "options-after-field",
            "the options (a task list) must come before the first field",
        )
    ]
    assert parsed.notes == ()


def test_a_second_task_list_in_a_field() -> None:
    parsed = parse(
        "### Q\n\n- [x] a\n- [ ] b\n\n**Hint:** think\n\n**Explanation:** also\n\n"
        "- [x] c\n- [ ] d\n"
    )
    assert problems(parsed) == [
        (8, "error", "second-task-list", "a second task list in one card (in 'explanation')")
    ]
    assert only_note(parsed).explanation.markdown == "also\n\n- [x] c\n- [ ] d"


def test_a_task_list_in_code_inside_a_field_is_no_second_list() -> None:
    parsed = parse(
        "### Q\n\n- [x] a\n- [ ] b\n\n**Explanation:** like this:\n\n```\n- [x] c\n```\n"
    )
    assert problems(parsed) == []


def test_an_option_on_several_lines_with_feedback() -> None:
    parsed = parse(
        "### Q\n\n- [x] first line\n  second line\n  >Right: it *is*.\n  > Indeed.\n- [ ] b\n"
    )
    assert problems(parsed) == []
    assert only_note(parsed).options[0] == Option(
        Text("first line\nsecond line", 3),
        True,
        3,
        Text("Right: it *is*.\nIndeed.", 5),
    )


def test_a_bad_level_is_an_error_and_no_level() -> None:
    parsed = parse("### Q\n\n- [x] a\n- [ ] b\n\n**Level:** expert\n", level="beginner")
    assert problems(parsed) == [
        (
            6,
            "error",
            "bad-level",
            "level must be one of beginner, intermediate, advanced, not 'expert'",
        )
    ]
    assert only_note(parsed).meta.tags == ("ankigen::multiple-choice", "m")


def test_a_bad_difficulty_is_an_error_and_no_difficulty() -> None:
    parsed = parse("### Q\n\n- [x] a\n- [ ] b\n\n**Difficulty:** extreme\n", difficulty="easy")
    assert problems(parsed) == [
        (
            6,
            "error",
            "bad-difficulty",
            "difficulty must be one of easy, medium, hard, not 'extreme'",
        )
    ]
    assert [d.column for d in parsed.diagnostics] == [0]
    assert only_note(parsed).meta.tags == ("ankigen::multiple-choice", "m")


def test_the_lesson_difficulty_is_inherited() -> None:
    meta = only_note(parse("### Q\n\n- [x] a\n- [ ] b\n", difficulty="medium")).meta
    assert meta.tags == ("ankigen::multiple-choice", "difficulty::medium", "m")
    assert meta.badge == "medium"


def test_a_warning_about_the_options_has_no_column() -> None:
    parsed = parse("### Q\n\n- [x] a\n- [x] b\n")
    assert [(d.code, d.column) for d in parsed.diagnostics] == [("all-options-correct", 0)]


def test_the_section_is_part_of_the_context() -> None:
    parsed = parse("# Numbers\n\n## Primes\n\n### Q\n\n- [x] a\n- [ ] b\n")
    meta = only_note(parsed).meta
    assert (meta.context, meta.context_line, meta.path, meta.source) == (
        "Numbers › Primes",
        1,
        "lessons/maths.md",
        "maths.md",
    )
    assert only_note(parsed).render(MarkdownRenderer())[-5] == "Numbers › Primes"


def test_an_empty_heading_is_an_error() -> None:
    parsed = parse("###\n\n- [x] a\n- [ ] b\n")
    assert problems(parsed) == [
        (1, "error", "empty-heading", "card heading is empty: write the question after '###'")
    ]
    assert only_note(parsed).question == Text("", 1)


def test_a_field_of_another_kind_of_card_is_named() -> None:
    parsed = parse("### Q\n\n- [x] a\n- [ ] b\n\n**Mode:** hide one\n")
    assert problems(parsed) == [
        (
            6,
            "warning",
            "label-other-kind",
            "'**Mode:**' is not a field of this card, so it is kept as text (it is a field of "
            "image occlusions)",
        ),
        (
            6,
            "error",
            "text-after-options",
            "text after the options: put it in a field such as '**Explanation:**'",
        ),
    ]
