"""Analogies: `### Analogy: question`, prose, and a list of `concept → analogue` mappings."""

from __future__ import annotations

import re

from generator.kinds.common import CardContext
from generator.kinds.reveal import RevealNote
from generator.scan import join, list_items

ARROW = re.compile(r"[ \t]*(?:→|->)[ \t]*")


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def parse(ctx: CardContext) -> list[RevealNote]:
    heading = ctx.block.heading
    question = heading.text.split(":", 1)[1].strip()
    if not question:
        ctx.error(heading.line, "write the question after 'Analogy:'")
    items, prose = list_items(ctx.block.body)
    rows = []
    for item in items:
        text = " ".join([item.text, *(line.text for line in item.rest)])
        parts = ARROW.split(text, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            ctx.error(item.line, "a mapping is 'concept → analogue' with both sides filled in")
            continue
        rows.append(f"| {cell(parts[0])} | {cell(parts[1])} |")
    if not items:
        ctx.error(heading.line, "an analogy needs a list of mappings 'concept → analogue'")
    table = "| Concept | In the analogy |\n| --- | --- |\n" + "\n".join(rows) if rows else ""
    answer = "\n\n".join(part for part in (join(prose), table) if part)
    return [
        RevealNote(
            meta=ctx.heading_meta("analogy", level=ctx.lesson.defaults.level),
            question=question,
            answer=answer,
        )
    ]
