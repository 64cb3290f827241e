"""Key facts: a definition list under `### Key facts`; each term becomes a note."""

from __future__ import annotations

import re

from generator.kinds import twoway
from generator.kinds.cloze import ClozeNote, cloze_notes
from generator.kinds.context import CardContext
from generator.kinds.reveal import RevealNote
from generator.kinds.variants import Variant
from generator.notes import Text
from generator.render import deletions
from generator.source.outline import Line, indent_of, is_blank, split_id, text_of

DEFINITION = re.compile(r"^:[ \t]+(?P<text>.*)$")


def chunks(lines: tuple[Line, ...]) -> list[list[Line]]:
    """Groups of lines separated by blank lines (blank lines inside code stay in their group)."""
    groups: list[list[Line]] = [[]]
    for line in lines:
        if is_blank(line):
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append(line)
    return [group for group in groups if group]


def parse(ctx: CardContext) -> list[RevealNote | twoway.TwoWayNote | ClozeNote | Variant]:
    entries: list[tuple[Line, list[Line]]] = []
    pending: Line | None = None
    errors_before = len(ctx.diags.errors)
    for group in chunks(ctx.block.body):
        first = group[0]
        continues = indent_of(first.text) >= 4 and entries and pending is None
        if DEFINITION.match(first.text) or continues:
            if pending is not None:
                entries.append((pending, []))
                pending = None
            if entries:
                entries[-1][1].extend([Line(first.number, "", False), *definition_lines(group)])
            else:
                ctx.error(
                    first.number, "a definition with no term above it", code="keyfacts-no-term"
                )
            continue
        if pending is not None:
            no_definition(ctx, pending.number)
            pending = None
        split = next((i for i, line in enumerate(group) if DEFINITION.match(line.text)), None)
        if split is None:
            if len(group) == 1:
                pending = first
            else:
                ctx.error(
                    first.number,
                    "text in 'Key facts' that is not a term and definition",
                    code="keyfacts-stray-text",
                )
            continue
        if split > 1:
            ctx.error(
                first.number,
                "one term per definition: put each term on its own",
                code="keyfacts-several-terms",
            )
        entries.append((group[split - 1], definition_lines(group[split:])))
    if pending is not None:
        no_definition(ctx, pending.number)
    if not entries and len(ctx.diags.errors) == errors_before:
        ctx.error(
            ctx.block.heading.line,
            "'Key facts' needs a definition list (term, then ': …')",
            code="keyfacts-no-list",
        )

    terms = [Text(split_id(line.text.strip())[0], line.number) for line, _ in entries]
    wanted = ctx.lesson.defaults.key_facts
    notes: list[RevealNote | twoway.TwoWayNote | ClozeNote | Variant] = []
    for term_line, definition in entries:
        term, written = split_id(term_line.text.strip())
        text = text_of(definition)
        if not term:
            ctx.error(term_line.number, "empty term", code="keyfacts-empty-term")
        if text.empty:
            ctx.error(
                term_line.number,
                f"'{term}' has an empty definition",
                code="keyfacts-empty-definition",
            )
        note_id = ctx.item_id(written, term)
        if "reversed" in wanted:
            notes.append(
                twoway.key_fact(
                    ctx,
                    line=term_line.number,
                    note_id=note_id,
                    written=written,
                    term=term,
                    definition=text,
                )
            )
        elif "reveal" in wanted:
            notes.append(
                RevealNote(
                    meta=ctx.meta(
                        "key-fact",
                        line=term_line.number,
                        note_id=note_id,
                        explicit=written is not None,
                        level=ctx.lesson.defaults.level,
                    ),
                    question=Text(f"What is meant by “{term}”?", term_line.number),
                    answer=text,
                )
            )
        if "cloze" in wanted and term and not text.empty:
            notes.extend(
                cloze_notes(
                    ctx,
                    # The term is the answer whatever it holds: `std::vector` keeps its `::`.
                    text=Text(
                        f"=={deletions.escape_syntax(term)}==: {text.markdown}", term_line.number
                    ),
                    note_id=f"{note_id}/cloze",
                    explicit=written is not None,
                    construct="key-fact",
                    pool="key-fact",
                    siblings=terms,
                    choices="choice" in wanted,
                    anchor=(term_line.number, note_id),
                )
            )
    return notes


def no_definition(ctx: CardContext, line: int) -> None:
    ctx.error(
        line,
        "a term with no definition (write ':   definition' under it)",
        code="keyfacts-no-definition",
    )


def definition_lines(group: list[Line]) -> list[Line]:
    out = []
    for line in group:
        match = DEFINITION.match(line.text)
        text = match["text"] if match else line.text[min(4, indent_of(line.text)) :]
        out.append(Line(line.number, text, line.in_fence))
    return out
