"""Two-way cards: a reveal card that is also asked the other way round (answer → question), as
Anki's "Basic (and reversed card)". One note with two cards, so Anki buries one direction while
the other is due, and each keeps its own review history.

Chosen per card (`**Reverse:** yes`, or the question to ask on the reverse card), per lesson or
folder (`reversed: true`, where `**Reverse:** no` opts a card out) or for key facts
(`key_facts: [reversed, …]`: definition → term).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import ClassVar

from generator.anki.notetypes import FieldSpec, NoteType, TemplateSpec
from generator.diagnostics import Diagnostics
from generator.kinds import reveal
from generator.kinds.context import (
    TAIL_FIELDS,
    CardContext,
    context_html,
    level_of,
    question_html,
    tail,
)
from generator.notes import NO_TEXT, NoteMeta, Renderer, Text
from generator.source.fields import has_label, split_fields
from generator.source.outline import text_of

NOTE_TYPE = NoteType(
    key="twoway",
    name="ankigen Two-way",
    label="two-way",
    model_id=1_731_004_206_001,
    fields=tuple(
        FieldSpec(name, 1_731_004_206_100 + index)
        for index, name in enumerate(
            ("Question", "Answer", "Hint", "Explanation", "Reverse", "ReverseHint", *TAIL_FIELDS)
        )
    ),
    template_name="Forward",
    template_id=1_731_004_206_900,
    template_dir="twoway/forward",
    more_templates=(TemplateSpec("Reverse", 1_731_004_206_901, "twoway/reverse"),),
)

LABELS = {**reveal.LABELS, "reverse": "reverse", "reverse hint": "reverse_hint"}
YES, NO = ("yes", "true", "on"), ("no", "false", "off")
DEFAULT_PROMPT = "What is on the other side of this card?"
TERM_PROMPT = "Which term is defined here?"


@dataclass(frozen=True, slots=True)
class TwoWayNote:
    """A question and answer asked both ways (all Markdown)."""

    meta: NoteMeta
    """Identity, deck, tags and source."""
    question: Text
    """Inline Markdown of the question (the heading, or a key fact's term)."""
    answer: Text
    """The answer; the front of the reverse card."""
    prompt: str
    """What the reverse card asks, above the answer."""
    question_body: Text = NO_TEXT
    """Block Markdown under the heading before `**Answer:**`."""
    hint: Text = NO_TEXT
    """Hint for the forward card."""
    explanation: Text = NO_TEXT
    """Shown on the back of both cards."""
    reverse_hint: Text = NO_TEXT
    """Hint for the reverse card."""

    note_type: ClassVar[str] = NOTE_TYPE.key
    cards: ClassVar[tuple[int, ...]] = (0, 1)
    card_texts: ClassVar[tuple[str, ...]] = ()

    def render(self, md: Renderer) -> tuple[str, ...]:
        return (
            question_html(md, self.question, self.question_body),
            md.block(self.answer),
            md.block(self.hint),
            md.block(self.explanation),
            escape(self.prompt),
            md.block(self.reverse_hint),
            *tail(self.meta, context_html(md, self.meta)),
        )


def reverse_setting(ctx: CardContext) -> str | None:
    """The card's `**Reverse:**` value, or None when it has none."""
    if not has_label(ctx.block.body, "reverse"):
        return None
    split = split_fields(ctx.block.body, LABELS, path=ctx.path, diags=Diagnostics())
    field = split.fields.get("reverse")
    return field.text.markdown.strip() if field is not None else None


def matches(ctx: CardContext) -> bool:
    written = reverse_setting(ctx)
    if written is None:
        return ctx.lesson.defaults.reversed
    return written.lower() not in NO


def parse(ctx: CardContext) -> list[TwoWayNote | reveal.RevealNote]:
    heading = ctx.block.heading
    split = ctx.fields(LABELS)
    fields = split.fields
    preamble = text_of(split.preamble)
    if "answer" in fields:
        body, answer, answer_line = preamble, fields["answer"].text, fields["answer"].line
    else:
        body, answer, answer_line = NO_TEXT, preamble, heading.line
    if answer.empty:
        ctx.diags.error(
            ctx.path,
            answer_line,
            "empty answer: a two-way card shows its answer as the question of the reverse card",
            code="twoway-empty-side",
        )
    for unused in ("analogy", "diagram"):
        if unused in fields:
            ctx.diags.warning(
                ctx.path,
                fields[unused].line,
                f"'{unused}' is not shown on two-way cards: put it in '**Explanation:**'",
                code="twoway-unused-field",
            )
    written = fields["reverse"].text.markdown.strip() if "reverse" in fields else ""
    prompt = DEFAULT_PROMPT if not written or written.lower() in YES else written
    return [
        TwoWayNote(
            meta=ctx.heading_meta("two-way", level=level_of(ctx, fields.get("level"))),
            question=Text(heading.text, heading.line),
            answer=answer,
            prompt=prompt,
            question_body=body,
            hint=split.text("hint"),
            explanation=split.text("explanation"),
            reverse_hint=split.text("reverse_hint"),
        )
    ]


def key_fact(
    ctx: CardContext, *, line: int, note_id: str, written: str | None, term: str, definition: Text
) -> TwoWayNote:
    """A key fact asked both ways: term → definition, and definition → term."""
    return TwoWayNote(
        meta=ctx.meta(
            "key-fact",
            line=line,
            note_id=note_id,
            explicit=written is not None,
            level=ctx.lesson.defaults.level,
        ),
        question=Text(term, line),
        answer=definition,
        prompt=TERM_PROMPT,
    )
