"""Reveal cards: a question on the front, the answer and optional extras on the back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from generator.anki.notetypes import FieldSpec, NoteType
from generator.kinds.context import (
    TAIL_FIELDS,
    CardContext,
    context_html,
    level_of,
    question_html,
    tail,
)
from generator.notes import NO_TEXT, NoteMeta, Renderer, Text
from generator.source.outline import text_of

NOTE_TYPE = NoteType(
    key="reveal",
    name="ankigen Reveal",
    label="reveal",
    model_id=1_731_004_201_001,
    fields=tuple(
        FieldSpec(name, 1_731_004_201_100 + index)
        for index, name in enumerate(
            ("Question", "Answer", "Hint", "Explanation", "Analogy", "Diagram", *TAIL_FIELDS)
        )
    ),
    template_name="Reveal",
    template_id=1_731_004_201_900,
    template_dir="reveal",
)

LABELS = {
    "answer": "answer",
    "hint": "hint",
    "explanation": "explanation",
    "analogy": "analogy",
    "diagram": "diagram",
    "level": "level",
    # `**Reverse:** no` opts a card out of two-way cards (generator.kinds.twoway): read, so it
    # is not shown as part of the answer, and not used.
    "reverse": "reverse",
    "reverse hint": "reverse_hint",
}


@dataclass(frozen=True, slots=True)
class RevealNote:
    """A question and its answer, with optional hint and back-side extras (all Markdown)."""

    meta: NoteMeta
    """Identity, deck, tags and source."""
    question: Text
    """Inline Markdown of the question (the heading)."""
    question_body: Text = NO_TEXT
    """Block Markdown written under the heading before `**Answer:**` (code, tables)."""
    answer: Text = NO_TEXT
    """The answer."""
    hint: Text = NO_TEXT
    """Shown behind a click on the front."""
    explanation: Text = NO_TEXT
    """Extra section on the back."""
    analogy: Text = NO_TEXT
    """Extra section on the back."""
    diagram: Text = NO_TEXT
    """Extra section on the back; code blocks keep their shape."""

    note_type: ClassVar[str] = NOTE_TYPE.key
    cards: ClassVar[tuple[int, ...]] = (0,)
    card_texts: ClassVar[tuple[str, ...]] = ()

    def render(self, md: Renderer) -> tuple[str, ...]:
        return (
            question_html(md, self.question, self.question_body),
            md.block(self.answer),
            md.block(self.hint),
            md.block(self.explanation),
            md.block(self.analogy),
            md.block(self.diagram),
            *tail(self.meta, context_html(md, self.meta)),
        )


def parse(ctx: CardContext) -> list[RevealNote]:
    heading = ctx.block.heading
    split = ctx.fields(LABELS)
    fields = split.fields
    preamble = text_of(split.preamble)
    if "answer" in fields:
        question_body, answer, answer_line = preamble, fields["answer"].text, fields["answer"].line
    else:
        question_body, answer, answer_line = NO_TEXT, preamble, heading.line
    if answer.empty:
        ctx.error(
            answer_line, "empty answer: write the answer under the question", code="empty-answer"
        )
    level = level_of(ctx, fields.get("level"))
    return [
        RevealNote(
            meta=ctx.heading_meta("reveal", level=level),
            question=Text(heading.text, heading.line),
            question_body=question_body,
            answer=answer,
            hint=split.text("hint"),
            explanation=split.text("explanation"),
            analogy=split.text("analogy"),
            diagram=split.text("diagram"),
        )
    ]
