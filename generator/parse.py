"""Parse one lesson file into notes. Pure: the result depends only on the lesson and its text."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from generator import frontmatter
from generator.diagnostics import Diagnostic, Diagnostics
from generator.discover import humanize
from generator.kinds import parse_card
from generator.kinds.common import CardContext
from generator.model import Lesson, Note
from generator.scan import Line, indent_of, outline

TASK_ITEM = re.compile(r"^[-*+][ \t]+\[[ xX]\][ \t]")
DEFINITION = re.compile(r"^:[ \t]+\S")


@dataclass(frozen=True, slots=True)
class ParsedLesson:
    """Notes and problems of one lesson."""

    lesson: Lesson
    """The lesson, with its own front matter applied."""
    title: str
    """Lesson title."""
    notes: tuple[Note, ...]
    """Notes in source order."""
    diagnostics: tuple[Diagnostic, ...]
    """Problems found in this file."""


def parse_lesson(lesson: Lesson, text: str) -> ParsedLesson:
    diags = Diagnostics()
    fm = frontmatter.read(text, path=lesson.path, allowed=frontmatter.LESSON_KEYS, diags=diags)
    lesson = replace(
        lesson,
        title=fm.text("title"),
        defaults=fm.apply(lesson.defaults),
    )
    lines = [Line(number, line) for number, line in enumerate(fm.body, start=fm.body_start)]
    shape = outline(lines)
    title = lesson.title or shape.title or humanize(PurePosixPath(lesson.rel).stem)
    notes: list[Note] = []
    for block in shape.cards:
        notes.extend(parse_card(CardContext(lesson, title, block, diags)))
    warn_stray(lesson.path, shape.prose, diags)
    if not shape.cards:
        diags.warning(lesson.path, 0, "no cards in this lesson (cards start at '###' headings)")
    return ParsedLesson(lesson, title, tuple(notes), tuple(diags.items))


def warn_stray(path: str, prose: tuple[Line, ...], diags: Diagnostics) -> None:
    """Lesson text that looks like a card is most likely a card missing its `###` heading."""
    for line in prose:
        if line.in_fence or indent_of(line.text):
            continue
        if TASK_ITEM.match(line.text):
            diags.warning(
                path, line.number, "task list outside a card is lesson text; add a '###' question"
            )
            return
        if DEFINITION.match(line.text):
            diags.warning(
                path,
                line.number,
                "definition list outside a card is lesson text; put it under '### Key facts'",
            )
            return
