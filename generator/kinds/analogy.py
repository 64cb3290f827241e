"""Analogies: `### Analogy: question`, prose, and a list of `concept → analogue` mappings."""

from __future__ import annotations

import re

from generator.kinds.context import CardContext
from generator.kinds.reveal import RevealNote
from generator.kinds.variants import Variant
from generator.notes import Text
from generator.source.outline import list_items, split_id, text_of

ARROW = re.compile(r"[ \t]*(?:→|->)[ \t]*")


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def parse(ctx: CardContext) -> list[RevealNote | Variant]:
    heading = ctx.block.heading
    question = heading.text.split(":", 1)[1].strip()
    if not question:
        ctx.error(heading.line, "write the question after 'Analogy:'", code="analogy-no-question")
    items, prose = list_items(ctx.block.body)
    rows = []
    mappings: list[tuple[int, str | None, str, str, tuple[str, ...]]] = []
    for item in items:
        # The id closes the item's first line; wrong options may follow on the next lines.
        first, written = split_id(item.text)
        text = " ".join([first, *(line.text.strip() for line in item.rest)])
        text, bars, wrong = text.partition("||")
        distractors = tuple(part.strip() for part in wrong.split("|")) if bars else ()
        if any(not part for part in distractors):
            ctx.error(item.line, "empty distractor in '|| … | …'", code="empty-distractor")
        parts = ARROW.split(text.strip(), maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            ctx.error(
                item.line,
                "a mapping is 'concept → analogue' with both sides filled in",
                code="analogy-bad-mapping",
            )
            continue
        rows.append(f"| {cell(parts[0])} | {cell(parts[1])} |")
        mappings.append((item.line, written, parts[0].strip(), parts[1].strip(), distractors))
    if not items:
        ctx.error(
            heading.line,
            "an analogy needs a list of mappings 'concept → analogue'",
            code="analogy-no-list",
        )
    table = "| Concept | In the analogy |\n| --- | --- |\n" + "\n".join(rows) if rows else ""
    written_prose = text_of(prose)
    answer = "\n\n".join(part for part in (written_prose.markdown, table) if part)
    level = ctx.lesson.defaults.level
    notes: list[RevealNote | Variant] = [
        RevealNote(
            meta=ctx.heading_meta("analogy", level=level),
            question=Text(question, heading.line),
            answer=Text(answer, written_prose.line or heading.line),
        )
    ]
    analogues = [Text(mapping[3], mapping[0]) for mapping in mappings]
    for line, written, concept, analogue, distractors in mappings:
        note_id = ctx.item_id(written, concept)
        ask = f"What corresponds to “{concept}” in this analogy?"
        context = Text(f"Analogy: *{question}*", heading.line)
        meta = ctx.meta("analogy", line=line, note_id=note_id, explicit=bool(written), level=level)
        notes.append(
            RevealNote(
                meta=meta,
                question=Text(ask, line),
                question_body=context,
                answer=Text(analogue, line),
            )
        )
        notes.append(
            Variant(
                meta=ctx.meta(
                    "analogy-choice",
                    line=line,
                    note_id=f"{note_id}/choice",
                    explicit=bool(written),
                    level=level,
                    anchor=(line, note_id),
                ),
                answer=Text(analogue, line),
                pool="analogy",
                lesson=ctx.lesson.rel,
                siblings=tuple(a for a in analogues if a.markdown != analogue),
                distractors=tuple(Text(d, line) for d in distractors),
                question=Text(f"{ask} ({question})", line),
                count=ctx.lesson.defaults.choice_options,
                parent=note_id,
            )
        )
    return notes
