"""Common confusions: true/false cards. `- ~~false claim~~ correction` states a misconception;
`- **true claim** explanation` states something true."""

from __future__ import annotations

import re

from generator.kinds import truefalse
from generator.kinds.choice import ChoiceNote, Option
from generator.kinds.context import CardContext
from generator.notes import NO_TEXT, Text
from generator.source.outline import list_items, split_id, text_of

FALSE_CLAIM = re.compile(r"^~~(?P<claim>.+?)~~[ \t]*(?P<after>.*)$")
TRUE_CLAIM = re.compile(r"^\*\*(?P<claim>.+?)\*\*[ \t]*(?P<after>.*)$")


def parse(ctx: CardContext) -> list[ChoiceNote]:
    items, other = list_items(ctx.block.body)
    for line in other:
        if line.text.strip():
            ctx.warning(
                line.number,
                "text in 'Common confusions' outside the list is not a card",
                code="confusions-stray-text",
            )
            break
    if not items:
        ctx.error(
            ctx.block.heading.line,
            "'Common confusions' needs a list of '~~claim~~ correction'",
            code="confusions-no-list",
        )
    notes: list[ChoiceNote] = []
    for item in items:
        first, written = split_id(item.text)
        match = FALSE_CLAIM.match(first.strip()) or TRUE_CLAIM.match(first.strip())
        if not match:
            ctx.error(
                item.line,
                "a confusion starts with a false claim struck through ('~~…~~') "
                "or a true claim in bold ('**…**')",
                code="confusion-no-claim",
            )
            continue
        true = match.re is TRUE_CLAIM
        claim = match["claim"].strip()
        rest = text_of(item.rest)
        after = match["after"]
        explanation = Text(
            "\n".join(part for part in (after, rest.markdown) if part),
            item.line if after else rest.line,
        )
        if not true and explanation.empty:
            ctx.error(
                item.line,
                "a confusion needs the correction after the struck-through claim",
                code="confusion-no-correction",
            )
        correct = truefalse.statement(explanation) if not true else None
        if correct is not None and truefalse.flips(ctx.card_id, len(notes)):
            claim, true = correct.markdown, True
            explanation = truefalse.explanation_after(explanation, match["claim"].strip())
        notes.append(
            ChoiceNote(
                meta=ctx.meta(
                    "confusion",
                    line=item.line,
                    note_id=ctx.item_id(written, match["claim"].strip()),
                    explicit=written is not None,
                    level=ctx.lesson.defaults.level,
                ),
                question=Text(f"True or false? {claim}", item.line),
                question_body=NO_TEXT,
                options=(
                    Option(Text("True", item.line), true, item.line),
                    Option(Text("False", item.line), not true, item.line),
                ),
                explanation=explanation,
                final_answer=Text("**True.**" if true else "**False.**", item.line),
            )
        )
    return notes
