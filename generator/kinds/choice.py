"""Multiple-choice questions: a question followed by a task list whose ticked items are correct."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from generator.anki.notetypes import FieldSpec, NoteType
from generator.kinds.context import (
    TAIL_FIELDS,
    CardContext,
    context_html,
    difficulty_of,
    level_of,
    question_html,
    tail,
)
from generator.notes import NO_TEXT, NoteMeta, Renderer, Text
from generator.source.fields import Field
from generator.source.outline import Line, indent_of, list_items, text_of

NOTE_TYPE = NoteType(
    key="choice",
    name="ankigen Multiple choice",
    label="multiple choice",
    model_id=1_731_004_202_001,
    fields=tuple(
        FieldSpec(name, 1_731_004_202_100 + index)
        for index, name in enumerate(
            (
                "Question",
                "Options",
                "Answer",
                "Explanation",
                "Solution",
                "QuickCheck",
                "Hint",
                "Mistakes",
                *TAIL_FIELDS,
            )
        )
    ),
    template_name="Multiple choice",
    template_id=1_731_004_202_900,
    template_dir="choice",
)

LABELS = {
    "explanation": "explanation",
    "solution": "solution",
    "final answer": "final_answer",
    "answer": "final_answer",
    "quick check": "quick_check",
    "hint": "hint",
    "common mistakes": "mistakes",
    "mistakes": "mistakes",
    "difficulty": "difficulty",
    "level": "level",
    "shuffle": "shuffle",
}
LAST = re.compile(r"[ \t]*<!--[ \t]*last[ \t]*-->[ \t]*$")
YES, NO = ("yes", "true", "on"), ("no", "false", "off")

TASK = re.compile(r"^\[(?P<mark>[ xX])\][ \t]+(?P<text>.*)$")
TASK_LINE = re.compile(r"^[-*+][ \t]+\[[ xX]\][ \t]")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Option:
    """One answer option."""

    text: Text
    """Markdown of the option."""
    correct: bool
    """Ticked in the source."""
    line: int
    """Line of the option."""
    note: Text = NO_TEXT
    """Feedback on this option (`> …` under it), shown on the back."""
    last: bool = False
    """Kept last when options are shuffled (`<!-- last -->`), for "all of the above"."""


@dataclass(frozen=True, slots=True)
class RenderedOption:
    """An option as HTML, ready to be laid out."""

    html: str
    """Inline HTML of the option's text."""
    correct: bool
    """Whether picking it is right."""
    note: str = ""
    """HTML of the feedback shown under it on the back."""
    last: bool = False
    """Kept last when shuffled."""


@dataclass(frozen=True, slots=True)
class ChoiceNote:
    """A multiple-choice question with its worked solution (all Markdown)."""

    meta: NoteMeta
    """Identity, deck, tags and source."""
    question: Text
    """Inline Markdown of the heading."""
    question_body: Text
    """Markdown between the heading and the options."""
    options: tuple[Option, ...]
    """Options in source order."""
    explanation: Text = NO_TEXT
    """Why the answer is right."""
    solution: Text = NO_TEXT
    """Step-by-step solution."""
    final_answer: Text = NO_TEXT
    """Final answer as the author phrased it; defaults to the correct options."""
    quick_check: Text = NO_TEXT
    """One-line self-check."""
    hint: Text = NO_TEXT
    """Shown behind a click on the front."""
    mistakes: Text = NO_TEXT
    """Common mistakes."""
    shuffle: bool = False
    """Shuffle the options per card (the same order on both sides and on every review)."""

    note_type: ClassVar[str] = NOTE_TYPE.key
    cards: ClassVar[tuple[int, ...]] = (0,)
    card_texts: ClassVar[tuple[str, ...]] = ()

    @property
    def multiple(self) -> bool:
        return sum(option.correct for option in self.options) > 1

    def render(self, md: Renderer) -> tuple[str, ...]:
        options = tuple(
            RenderedOption(
                md.inline(option.text),
                option.correct,
                md.block(option.note) if not option.note.empty else "",
                option.last,
            )
            for option in self.options
        )
        return choice_fields(
            self.meta,
            question_html(md, self.question, self.question_body),
            options,
            shuffle=self.shuffle,
            answer=md.block(self.final_answer) if not self.final_answer.empty else "",
            explanation=md.block(self.explanation),
            solution=md.block(self.solution),
            quick_check=md.block(self.quick_check),
            hint=md.block(self.hint),
            mistakes=md.block(self.mistakes),
            context=context_html(md, self.meta),
        )


def choice_fields(
    meta: NoteMeta,
    question: str,
    options: Sequence[RenderedOption],
    *,
    shuffle: bool = False,
    answer: str = "",
    explanation: str = "",
    solution: str = "",
    quick_check: str = "",
    hint: str = "",
    mistakes: str = "",
    context: str,
) -> tuple[str, ...]:
    """The fields of a multiple-choice note from its parts, already HTML. Without an authored
    answer, the Answer field names the correct options by letter."""
    if not answer:
        answer = "".join(
            f'<p><span class="ak-letter" data-ref="{LETTERS[index]}">{LETTERS[index]}</span> '
            f"{option.html}</p>"
            for index, option in enumerate(options)
            if option.correct
        )
    return (
        question,
        options_html(options, shuffle=shuffle, flip=meta.flip_on_pick),
        answer,
        explanation,
        solution,
        quick_check,
        hint,
        mistakes,
        *tail(meta, context),
    )


def options_html(
    options: Sequence[RenderedOption], *, shuffle: bool = False, flip: bool = True
) -> str:
    """Options as an ordered list; correctness lives in data attributes so the back can mark it
    with CSS alone (JavaScript off) and the front never shows it. `flip=False` (front matter
    `flip_on_pick: false`) keeps the front after a pick until the learner shows the answer."""
    items = []
    for index, option in enumerate(options):
        pin = ' data-pin="last"' if option.last else ""
        note = f'<div class="ak-option-note">{option.note}</div>' if option.note else ""
        items.append(
            f'<li class="ak-option" data-correct="{str(option.correct).lower()}"'
            f' data-letter="{LETTERS[index]}"{pin}>'
            f'<span class="ak-letter">{LETTERS[index]}</span>'
            f'<span class="ak-option-text">{option.html}</span>{note}</li>'
        )
    multiple = sum(option.correct for option in options) > 1
    no_flip = "" if flip else ' data-flip="false"'
    return (
        f'<ol class="ak-options" data-multiple="{str(multiple).lower()}"'
        f' data-shuffle="{str(shuffle).lower()}"{no_flip}>{"".join(items)}</ol>'
    )


def has_task_list(ctx: CardContext) -> bool:
    return any(
        not line.in_fence and indent_of(line.text) == 0 and TASK_LINE.match(line.text)
        for line in ctx.block.body
    )


def parse(ctx: CardContext) -> list[ChoiceNote]:
    heading = ctx.block.heading
    split = ctx.fields(LABELS)
    preamble = split.preamble
    first = next(
        (
            index
            for index, line in enumerate(preamble)
            if not line.in_fence and indent_of(line.text) == 0 and TASK_LINE.match(line.text)
        ),
        None,
    )
    if first is None:
        ctx.error(
            heading.line,
            "the options (a task list) must come before the first field",
            code="options-after-field",
        )
        return []
    items, other = list_items(preamble[first:])
    for line in other:
        if line.text.strip():
            ctx.error(
                line.number,
                "text after the options: put it in a field such as '**Explanation:**'",
                code="text-after-options",
            )
            break
    options: list[Option] = []
    for item in items:
        match = TASK.match(item.text)
        if not match:
            ctx.error(
                item.line,
                "every item of the options list must be '- [ ] …' or '- [x] …'",
                code="not-a-task-item",
            )
            continue
        head, pinned = LAST.sub("", match["text"]), LAST.search(match["text"]) is not None
        body = [line.text for line in item.rest if not line.text.startswith(">")]
        note = [
            Line(line.number, line.text[1:].removeprefix(" "))
            for line in item.rest
            if line.text.startswith(">")
        ]
        text = "\n".join([head, *body]).strip()
        if not text:
            ctx.error(item.line, "empty option", code="empty-option")
        feedback = text_of(note)
        options.append(
            Option(Text(text, item.line), match["mark"] != " ", item.line, feedback, pinned)
        )
    for key, field in split.fields.items():
        if any(
            not line.in_fence and indent_of(line.text) == 0 and TASK_LINE.match(line.text)
            for line in field.lines
        ):
            ctx.error(
                field.line, f"a second task list in one card (in '{key}')", code="second-task-list"
            )
    if not check_options(ctx, options):
        return []  # more options than letters: no card can show them
    return [
        ChoiceNote(
            meta=ctx.heading_meta(
                "multiple-choice",
                level=level_of(ctx, split.fields.get("level"), inherit=False),
                difficulty=difficulty_of(ctx, split.fields.get("difficulty")),
            ),
            question=Text(heading.text, heading.line),
            question_body=text_of(preamble[:first]),
            options=tuple(options),
            explanation=split.text("explanation"),
            solution=split.text("solution"),
            final_answer=split.text("final_answer"),
            quick_check=split.text("quick_check"),
            hint=split.text("hint"),
            mistakes=split.text("mistakes"),
            shuffle=shuffle_of(ctx, split.fields.get("shuffle")),
        )
    ]


def shuffle_of(ctx: CardContext, field: Field | None) -> bool:
    if field is None:
        return ctx.lesson.defaults.shuffle
    written = field.text.markdown.strip()
    word = written.lower()
    if word not in YES + NO:
        ctx.error(field.line, f"shuffle must be yes or no, not '{written}'", code="bad-shuffle")
    return word in YES


def check_options(ctx: CardContext, options: list[Option]) -> bool:
    """Report what is wrong with the options; False when there is no laying them out."""
    line = ctx.block.heading.line
    if len(options) < 2:
        ctx.error(
            line,
            f"a multiple-choice question needs at least 2 options, found {len(options)}",
            code="too-few-options",
        )
    if len(options) > len(LETTERS):
        ctx.error(
            line,
            f"at most {len(LETTERS)} options (one per letter), found {len(options)}",
            code="too-many-options",
        )
    if options and not any(option.correct for option in options):
        ctx.error(
            line, "no correct option: tick the right answer as '- [x] …'", code="no-correct-option"
        )
    if len(options) >= 2 and all(option.correct for option in options):
        ctx.warning(
            line,
            "every option is ticked, so no answer can be wrong: tick only the right ones "
            "(for a statement to recall, write a reveal card)",
            code="all-options-correct",
        )
    seen: dict[str, int] = {}
    for option in options:
        key = " ".join(option.text.markdown.casefold().split())
        if key in seen:
            ctx.error(
                option.line, f"duplicate option (same as line {seen[key]})", code="duplicate-option"
            )
        else:
            seen[key] = option.line
    return len(options) <= len(LETTERS)
