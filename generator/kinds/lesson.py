"""Parse one lesson file into notes: its front matter, its outline, and each card by the
construct the registry recognises. Pure: the result depends only on the lesson, its text and the
registry."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from generator.diagnostics import Diagnostic, Diagnostics
from generator.kinds import Registry
from generator.kinds.cloze import prose_clozes
from generator.kinds.context import CardContext
from generator.kinds.variants import Variant
from generator.notes import Lesson, Note
from generator.source import frontmatter, slips
from generator.source.discover import humanize
from generator.source.outline import (
    CardBlock,
    Heading,
    Line,
    indent_of,
    is_blank,
    list_items,
    mark_fences,
    outline,
    parse_heading,
    split_id,
)
from generator.source.silences import Silence
from generator.source.silences import split as silenced

TASK_ITEM = re.compile(r"^[-*+][ \t]+\[[ xX]\][ \t]")
DEFINITION = re.compile(r"^:[ \t]+\S")
EMPTY_ID = re.compile(r"<!--[ \t]*id:[ \t]*-->[ \t]*$")


@dataclass(frozen=True, slots=True)
class ParsedLesson:
    """Notes and problems of one lesson."""

    lesson: Lesson
    """The lesson, with its own front matter applied."""
    title: str
    """Lesson title."""
    notes: tuple[Note, ...]
    """Notes in source order."""
    variants: tuple[Variant, ...]
    """Multiple-choice cards whose options are drawn after every lesson is parsed."""
    diagnostics: tuple[Diagnostic, ...]
    """Problems found in this file."""
    silences: tuple[Silence, ...] = ()
    """`<!-- lint-ignore -->` comments of the file (taken out before parsing)."""


def parse_lesson(lesson: Lesson, text: str, registry: Registry) -> ParsedLesson:
    diags = Diagnostics()
    fm = frontmatter.read(text, path=lesson.path, allowed=frontmatter.LESSON_KEYS, diags=diags)
    lesson = replace(
        lesson,
        title=fm.text("title"),
        defaults=fm.apply(lesson.defaults),
    )
    lines = [Line(number, line) for number, line in enumerate(fm.body, start=fm.body_start)]
    lines, silences = silenced(lines)
    # Marked once for the outline, the id check and the slips, which would each mark them.
    fenced = mark_fences(lines)
    shape = outline(fenced)
    check_empty_ids(lesson.path, fenced, diags)
    labels = registry.labels
    slips.check(lesson.path, fenced, diags, labels=labels)
    title = lesson.title or shape.title or humanize(PurePosixPath(lesson.rel).stem)
    title_line = fm.line("title") if lesson.title else shape.title_line if shape.title else 0
    found: list[Note | Variant] = []
    for block in shape.cards:
        ctx = CardContext(lesson, title, block, diags, labels, title_line)
        found.extend(registry.parse_card(ctx))
        slips.hidden_deletions(lesson.path, block.body, diags)
    for section in shape.sections:
        heading = Heading(2, section.title, None, section.lines[0].number if section.lines else 1)
        block = CardBlock(heading, section.title, ())
        ctx = CardContext(lesson, title, block, diags, labels, title_line)
        units = prose_units(section.lines)
        found.extend(prose_clozes(ctx, units))
        for unit in units:
            slips.hidden_deletions(lesson.path, unit, diags)
        warn_stray(lesson.path, section.lines, diags)
    if not shape.cards and not found:
        diags.warning(
            lesson.path,
            1,
            "no cards in this lesson (cards start at '###' headings or '==…==')",
            code="no-cards",
        )
    notes = tuple(note for note in found if not isinstance(note, Variant))
    variants = tuple(note for note in found if isinstance(note, Variant))
    return ParsedLesson(lesson, title, notes, variants, tuple(diags.items), silences)


def prose_units(lines: tuple[Line, ...]) -> list[tuple[Line, ...]]:
    """Paragraphs and top-level list items of lesson text (code blocks and headings excluded)."""
    units: list[tuple[Line, ...]] = []
    paragraph: list[Line] = []

    def close() -> None:
        if paragraph:
            items, rest = list_items(paragraph)
            if items:
                units.extend((Line(item.line, item.text), *item.rest) for item in items)
                if any(line.text.strip() for line in rest):
                    units.append(tuple(rest))
            else:
                units.append(tuple(paragraph))
            paragraph.clear()

    for line in lines:
        if line.in_fence or is_blank(line) or parse_heading(line) is not None:
            close()
            continue
        paragraph.append(line)
    close()
    return units


def check_empty_ids(path: str, lines: Sequence[Line], diags: Diagnostics) -> None:
    for line in mark_fences(lines):
        if line.in_fence:
            continue
        _, written = split_id(line.text)
        empty = EMPTY_ID.search(line.text) if written is None else None
        if empty is not None:
            diags.error(
                path,
                line.number,
                "empty id: write the id after 'id:' or remove the comment",
                code="empty-id",
                column=empty.start() + 1,
            )


def warn_stray(path: str, prose: Sequence[Line], diags: Diagnostics) -> None:
    """Lesson text that looks like a card is most likely a card missing its `###` heading."""
    for line in prose:
        if line.in_fence or indent_of(line.text):
            continue
        if TASK_ITEM.match(line.text):
            diags.warning(
                path,
                line.number,
                "task list outside a card is lesson text; add a '###' question",
                code="stray-task-list",
                column=1,
            )
            return
        if DEFINITION.match(line.text):
            diags.warning(
                path,
                line.number,
                "definition list outside a card is lesson text; put it under '### Key facts'",
                code="stray-definition-list",
                column=1,
            )
            return
