"""Summaries: a list under `### Summary` becomes one note with the key points on the back."""

from __future__ import annotations

from generator.kinds.cloze import ClozeNote, Variant, cloze_notes
from generator.kinds.context import CardContext
from generator.kinds.reveal import RevealNote
from generator.render import deletions
from generator.source.outline import Line, join, list_items, split_id


def parse(ctx: CardContext) -> list[RevealNote | ClozeNote | Variant]:
    heading = ctx.block.heading
    items, _ = list_items(ctx.block.body)
    if not items:
        ctx.error(heading.line, "'Summary' needs a list of key points")
    subtitle = heading.text.split(":", 1)[1].strip() if ":" in heading.text else ""
    subject = subtitle or ctx.lesson_title
    notes: list[RevealNote | ClozeNote | Variant] = [
        RevealNote(
            meta=ctx.heading_meta("summary", level=ctx.lesson.defaults.level),
            question=f"What are the key points of “{subject}”?",
            answer="\n".join(split_id(line.text)[0] for line in ctx.block.body),
        )
    ]
    answers = [d.answer for item in items for d in deletions.parse(item.text).deletions]
    for item in items:
        first, written = split_id(item.text)
        text = join([Line(item.line, first), *item.rest])
        if not deletions.MARK.search(text):
            continue
        notes.extend(
            cloze_notes(
                ctx,
                text=text,
                line=item.line,
                note_id=ctx.item_id(written, deletions.strip_marks(first)),
                explicit=written is not None,
                construct="summary",
                siblings=answers,
            )
        )
    return notes
