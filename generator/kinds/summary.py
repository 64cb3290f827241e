"""Summaries: a list under `### Summary` becomes one note with the key points on the back, and
each point with `==…==` a cloze note."""

from __future__ import annotations

from generator.kinds.cloze import ClozeNote, cloze_notes
from generator.kinds.context import CardContext
from generator.kinds.reveal import RevealNote
from generator.kinds.variants import Variant
from generator.notes import Text
from generator.render import deletions
from generator.source.outline import Line, list_items, split_id, text_of


def parse(ctx: CardContext) -> list[RevealNote | ClozeNote | Variant]:
    heading = ctx.block.heading
    items, _ = list_items(ctx.block.body)
    if not items:
        ctx.error(heading.line, "'Summary' needs a list of key points", code="summary-no-list")
    subtitle = heading.text.split(":", 1)[1].strip() if ":" in heading.text else ""
    subject = subtitle or ctx.lesson_title
    body = ctx.block.body
    notes: list[RevealNote | ClozeNote | Variant] = [
        RevealNote(
            meta=ctx.heading_meta("summary", level=ctx.lesson.defaults.level),
            question=Text(f"What are the key points of “{subject}”?", heading.line),
            answer=Text(
                "\n".join(split_id(line.text)[0] for line in body),
                body[0].number if body else heading.line,
            ),
        )
    ]
    answers = [
        Text(d.answer, item.line + d.offset)
        for item in items
        for d in deletions.parse(item.text).deletions
    ]
    for item in items:
        first, written = split_id(item.text)
        text = text_of([Line(item.line, first), *item.rest])
        if not deletions.MARK.search(text.markdown):
            continue
        notes.extend(
            cloze_notes(
                ctx,
                text=Text(text.markdown, item.line),
                note_id=ctx.item_id(written, deletions.strip_marks(first)),
                explicit=written is not None,
                construct="summary",
                siblings=answers,
            )
        )
    return notes
