"""Common confusions: `- ~~misconception~~ correction`; each item becomes a note."""

from __future__ import annotations

import re

from generator.kinds.common import CardContext
from generator.kinds.reveal import RevealNote
from generator.scan import join, list_items, split_id

CLAIM = re.compile(r"^~~(?P<claim>.+?)~~[ \t]*(?P<after>.*)$")


def parse(ctx: CardContext) -> list[RevealNote]:
    items, other = list_items(ctx.block.body)
    for line in other:
        if line.text.strip():
            ctx.warning(line.number, "text in 'Common confusions' outside the list is not a card")
            break
    if not items:
        ctx.error(
            ctx.block.heading.line, "'Common confusions' needs a list of '~~claim~~ correction'"
        )
    notes = []
    for item in items:
        first, written = split_id(item.text)
        match = CLAIM.match(first.strip())
        if not match:
            ctx.error(
                item.line, "a confusion starts with the misconception struck through: '~~…~~'"
            )
            continue
        claim = match["claim"].strip()
        correction = "\n".join(part for part in (match["after"], join(item.rest)) if part)
        if not correction.strip():
            ctx.error(item.line, "a confusion needs the correction after the struck-through claim")
        notes.append(
            RevealNote(
                meta=ctx.meta(
                    "confusion",
                    line=item.line,
                    note_id=ctx.item_id(written, claim),
                    explicit=written is not None,
                    level=ctx.lesson.defaults.level,
                ),
                question=f"True or false? {claim}",
                answer=f"**False.** {correction}",
            )
        )
    return notes
