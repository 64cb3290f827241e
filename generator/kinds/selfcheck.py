"""Open-ended self-check prompts: answer in your own words, then compare with the key concepts."""

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
from generator.source.fields import has_label
from generator.source.outline import list_items, text_of

NOTE_TYPE = NoteType(
    key="selfcheck",
    name="ankigen Self-check",
    label="self-check",
    model_id=1_731_004_203_001,
    fields=tuple(
        FieldSpec(name, 1_731_004_203_100 + index)
        for index, name in enumerate(("Prompt", "Hint", "Concepts", "ModelAnswer", *TAIL_FIELDS))
    ),
    template_name="Self-check",
    template_id=1_731_004_203_900,
    template_dir="selfcheck",
)

LABELS = {
    "hint": "hint",
    "key concepts": "concepts",
    "model answer": "model_answer",
    "level": "level",
}


@dataclass(frozen=True, slots=True)
class SelfCheckNote:
    """An open-ended prompt with the concepts a good answer covers (all Markdown)."""

    meta: NoteMeta
    """Identity, deck, tags and source."""
    prompt: Text
    """Inline Markdown of the heading."""
    prompt_body: Text
    """Markdown between the heading and the first field."""
    concepts: tuple[Text, ...]
    """Key concepts, one Markdown item each."""
    hint: Text = NO_TEXT
    """Shown behind a click on the front."""
    model_answer: Text = NO_TEXT
    """An example of a good answer."""

    note_type: ClassVar[str] = NOTE_TYPE.key
    cards: ClassVar[tuple[int, ...]] = (0,)
    card_texts: ClassVar[tuple[str, ...]] = ()

    def render(self, md: Renderer) -> tuple[str, ...]:
        concepts = "".join(
            f'<li class="ak-concept">{md.inline(concept)}</li>' for concept in self.concepts
        )
        return (
            question_html(md, self.prompt, self.prompt_body),
            md.block(self.hint),
            f'<ul class="ak-concepts" data-count="{len(self.concepts)}">{concepts}</ul>',
            md.block(self.model_answer),
            *tail(self.meta, context_html(md, self.meta)),
        )


def has_concepts(ctx: CardContext) -> bool:
    return has_label(ctx.block.body, "key concepts")


def parse(ctx: CardContext) -> list[SelfCheckNote]:
    heading = ctx.block.heading
    split = ctx.fields(LABELS)
    field = split.fields["concepts"]
    items, other = list_items(field.lines)
    concepts = tuple(
        Text("\n".join([item.text, *(line.text for line in item.rest)]).strip(), item.line)
        for item in items
    )
    if not concepts or any(concept.empty for concept in concepts):
        ctx.error(
            field.line,
            "'Key concepts' needs a list with at least one non-empty item",
            code="concepts-empty",
        )
    if any(line.text.strip() for line in other):
        ctx.error(field.line, "'Key concepts' must be a list only", code="concepts-not-list")
    return [
        SelfCheckNote(
            meta=ctx.heading_meta("self-check", level=level_of(ctx, split.fields.get("level"))),
            prompt=Text(heading.text, heading.line),
            prompt_body=text_of(split.preamble),
            concepts=concepts,
            hint=split.text("hint"),
            model_answer=split.text("model_answer"),
        )
    ]
