"""Type-in cards: the learner types the answer and Anki compares it, letter by letter, with the
one written after `**Type in:**` (Anki's `{{type:Answer}}`; desktop, AnkiDroid and AnkiMobile all
show a text box and the comparison). Cloze notes can be answered by typing too: `type_in_clozes:
true` in front matter gives them the note type `ankigen Cloze type-in` (`{{type:cloze:Text}}`).
"""

from __future__ import annotations

import re
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
from generator.source.outline import text_of

NOTE_TYPE = NoteType(
    key="typein",
    name="ankigen Type-in",
    label="type-in",
    model_id=1_731_004_207_001,
    fields=tuple(
        FieldSpec(name, 1_731_004_207_100 + index)
        for index, name in enumerate(("Question", "Answer", "Hint", "Explanation", *TAIL_FIELDS))
    ),
    template_name="Type-in",
    template_id=1_731_004_207_900,
    template_dir="typein",
)

CLOZE_NOTE_TYPE = NoteType(
    key="clozetypein",
    name="ankigen Cloze type-in",
    label="cloze type-in",
    model_id=1_731_004_208_001,
    fields=tuple(
        FieldSpec(name, 1_731_004_208_100 + index)
        for index, name in enumerate(("Text", "BackExtra", *TAIL_FIELDS))
    ),
    template_name="Cloze type-in",
    template_id=1_731_004_208_900,
    template_dir="clozetypein",
    cloze=True,
)

LABELS = {
    "type in": "answer",
    "hint": "hint",
    "explanation": "explanation",
    "level": "level",
}
# Anki compares one line of text: block Markdown (a list, a code block, a table) cannot be typed.
BLOCK = re.compile(r"^\s*(?:```|~~~|[-*+] |\d+[.)] |\||>|#)", re.MULTILINE)
LONG = 80


@dataclass(frozen=True, slots=True)
class TypeInNote:
    """A question whose answer is typed (Markdown; the answer is one line)."""

    meta: NoteMeta
    """Identity, deck, tags and source."""
    question: Text
    """Inline Markdown of the heading."""
    answer: Text
    """The text Anki compares the typed answer with (inline Markdown, one line)."""
    question_body: Text = NO_TEXT
    """Block Markdown under the heading (code, a table) before `**Type in:**`."""
    hint: Text = NO_TEXT
    """Shown behind a click on the front."""
    explanation: Text = NO_TEXT
    """Shown on the back under the comparison."""

    note_type: ClassVar[str] = NOTE_TYPE.key
    cards: ClassVar[tuple[int, ...]] = (0,)
    card_texts: ClassVar[tuple[str, ...]] = ()

    def render(self, md: Renderer) -> tuple[str, ...]:
        return (
            question_html(md, self.question, self.question_body),
            md.inline(self.answer),
            md.block(self.hint),
            md.block(self.explanation),
            *tail(self.meta, context_html(md, self.meta)),
        )


def has_type_in(ctx: CardContext) -> bool:
    return has_label(ctx.block.body, "type in")


def parse(ctx: CardContext) -> list[TypeInNote]:
    heading = ctx.block.heading
    split = ctx.fields(LABELS)
    field = split.fields["answer"]
    answer = field.text
    if answer.empty:
        ctx.diags.error(
            ctx.path,
            field.line,
            "empty answer: write the text to type after '**Type in:**'",
            code="typein-empty",
        )
    elif "\n" in answer.markdown.strip() or BLOCK.search(answer.markdown):
        ctx.diags.error(
            ctx.path,
            field.line,
            "a typed answer is one line of text (Anki compares it letter by letter): put "
            "anything else in '**Explanation:**'",
            code="typein-multiline",
        )
    elif len(answer.markdown.strip()) > LONG:
        ctx.diags.warning(
            ctx.path,
            field.line,
            f"a typed answer of {len(answer.markdown.strip())} characters is hard to type "
            "exactly: ask for a shorter answer, or make it a reveal card",
            code="typein-long",
        )
    return [
        TypeInNote(
            meta=ctx.heading_meta("type-in", level=level_of(ctx, split.fields.get("level"))),
            question=Text(heading.text, heading.line),
            answer=Text(answer.markdown.strip(), answer.line),
            question_body=text_of(split.preamble),
            hint=split.text("hint"),
            explanation=split.text("explanation"),
        )
    ]
