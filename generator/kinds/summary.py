"""Summaries: a list under `### Summary` becomes one note with the key points on the back."""

from __future__ import annotations

from generator.kinds.common import CardContext
from generator.kinds.reveal import RevealNote
from generator.scan import join, list_items


def parse(ctx: CardContext) -> list[RevealNote]:
    heading = ctx.block.heading
    items, _ = list_items(ctx.block.body)
    if not items:
        ctx.error(heading.line, "'Summary' needs a list of key points")
    subtitle = heading.text.split(":", 1)[1].strip() if ":" in heading.text else ""
    subject = subtitle or ctx.lesson_title
    return [
        RevealNote(
            meta=ctx.heading_meta("summary", level=ctx.lesson.defaults.level),
            question=f"What are the key points of “{subject}”?",
            answer=join(ctx.block.body),
        )
    ]
