"""Line-level structure of a lesson: fences, headings, cards, fields and list items.

Cards are found on source lines rather than on rendered HTML so that every note and every problem
keeps its line number. Field text is handed to Python-Markdown afterwards, unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from generator.notes import Text
from generator.render.literal import fenced_blocks

HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?[ \t]*$")
CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
ID_COMMENT = re.compile(r"[ \t]*<!--[ \t]*id:[ \t]*(?P<id>.*?)[ \t]*-->[ \t]*$")
LIST_ITEM = re.compile(r"^(?P<marker>[-*+]|\d{1,9}[.)])(?P<space>[ \t]+)(?P<text>.*)$")
BLANK = re.compile(r"^[ \t]*$")


@dataclass(frozen=True, slots=True)
class Line:
    """One source line."""

    number: int
    """1-based line number in the file."""
    text: str
    """The line without its line ending."""
    in_fence: bool = False
    """True for lines inside a fenced code block, including the fence lines themselves."""


def source_lines(text: str) -> list[str]:
    """Lines as Markdown sees them: only \n, \r\n and \r end a line (unlike str.splitlines),
    and a leading byte-order mark is not text."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


class FencedLines(tuple[Line, ...]):
    """Lines as `mark_fences` returns them: marked over exactly these lines, so marking them
    again changes nothing (a slice is a plain tuple: its fences may read differently)."""

    __slots__ = ()


def mark_fences(lines: Sequence[Line]) -> FencedLines:
    """Return the lines with `in_fence` set where Python-Markdown sees fenced code (see
    generator.render.literal): a `###` or a label there is code, not a card or a field."""
    if isinstance(lines, FencedLines):
        return lines
    text = "\n".join(line.text for line in lines)
    blocks = fenced_blocks(text)
    if not blocks:
        return FencedLines(lines)
    out: list[Line] = []
    position, block = 0, 0
    for line in lines:
        while block < len(blocks) and blocks[block][1] <= position:
            block += 1
        inside = block < len(blocks) and blocks[block][0] <= position < blocks[block][1]
        out.append(Line(line.number, line.text, inside) if inside else line)
        position += len(line.text) + 1
    return FencedLines(out)


def split_id(text: str) -> tuple[str, str | None]:
    """Split a trailing `<!-- id: x -->` comment off a line: (text, id or None). An empty id
    comment is split off too and gives None (the parser warns about it)."""
    match = ID_COMMENT.search(text)
    if not match:
        return text, None
    return text[: match.start()].rstrip(), match["id"] or None


@dataclass(frozen=True, slots=True)
class Heading:
    """An ATX heading outside code."""

    level: int
    """Number of `#`."""
    text: str
    """Heading text without the id comment and closing hashes."""
    id: str | None
    """Author-written id, if any."""
    line: int
    """Line number of the heading."""


def parse_heading(line: Line) -> Heading | None:
    if line.in_fence:
        return None
    match = HEADING.match(line.text)
    if not match:
        return None
    text, note_id = split_id(match["text"] or "")
    text = CLOSING_HASHES.sub("", text).strip()
    return Heading(len(match["hashes"]), text, note_id, line.number)


@dataclass(frozen=True, slots=True)
class CardBlock:
    """The source of one `###` card: its heading and every line up to the next card or section."""

    heading: Heading
    """The `###` heading that starts the card."""
    section: str
    """Text of the enclosing `##` heading, or empty."""
    body: tuple[Line, ...]
    """Lines after the heading, trailing blank lines removed."""


@dataclass(frozen=True, slots=True)
class Section:
    """Lesson text under one `#`/`##` heading, outside every card."""

    title: str
    """The `##` heading's text, or empty before the first one."""
    lines: tuple[Line, ...]
    """Its lines."""


@dataclass(frozen=True, slots=True)
class LessonOutline:
    """A lesson split into title, cards and lesson text."""

    title: str | None
    """Text of the first `#` heading."""
    cards: tuple[CardBlock, ...]
    """Cards in source order."""
    sections: tuple[Section, ...]
    """Lesson text outside every card, by section."""
    title_line: int = 0
    """Line of the first `#` heading (0 without one)."""


def outline(lines: Sequence[Line]) -> LessonOutline:
    lines = mark_fences(lines)
    title: str | None = None
    title_line = 0
    section = ""
    cards: list[CardBlock] = []
    sections: list[Section] = []
    prose: list[Line] = []
    current: Heading | None = None
    body: list[Line] = []

    def close() -> None:
        if current is not None:
            cards.append(CardBlock(current, section, tuple(trim_blank(body))))

    for line in lines:
        heading = parse_heading(line)
        if heading is not None and heading.level <= 3:
            close()
            current, body = None, []
            if prose:
                sections.append(Section(section, tuple(prose)))
                prose = []
            if heading.level == 1:
                if not title:
                    title, title_line = heading.text, heading.line
                section = ""
            elif heading.level == 2:
                section = heading.text
            else:
                current = heading
            continue
        if current is None:
            prose.append(line)
        else:
            body.append(line)
    close()
    if prose:
        sections.append(Section(section, tuple(prose)))
    return LessonOutline(title, tuple(cards), tuple(sections), title_line)


def trim_blank(lines: Sequence[Line]) -> list[Line]:
    start, end = 0, len(lines)
    while start < end and is_blank(lines[start]):
        start += 1
    while end > start and is_blank(lines[end - 1]):
        end -= 1
    return list(lines[start:end])


def trim_trailing_blank(lines: Sequence[Line]) -> list[Line]:
    end = len(lines)
    while end and is_blank(lines[end - 1]):
        end -= 1
    return list(lines[:end])


def is_blank(line: Line) -> bool:
    return not line.in_fence and BLANK.match(line.text) is not None


def text_of(lines: Sequence[Line]) -> Text:
    """The lines as Markdown, blank lines around trimmed, with the line of the first one."""
    kept = trim_blank(lines)
    return Text("\n".join(line.text for line in kept), kept[0].number if kept else 0)


def indent_of(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


@dataclass(frozen=True, slots=True)
class ListItem:
    """One top-level list item with its continuation lines."""

    line: int
    """Line number of the item's first line."""
    text: str
    """Text after the list marker on the first line."""
    rest: tuple[Line, ...]
    """Continuation lines, dedented by the item's content indent."""


def list_items(lines: Sequence[Line]) -> tuple[list[ListItem], list[Line]]:
    """Split lines into top-level list items and the lines that belong to no item.

    A continuation line is a blank line or a line indented at least as far as the item's text
    (a lazy continuation right after the item text counts too), as Markdown does.
    """
    items: list[ListItem] = []
    other: list[Line] = []
    first: Line | None = None
    first_text = ""
    width = 0
    rest: list[Line] = []
    lazy = False

    def close() -> None:
        if first is not None:
            items.append(ListItem(first.number, first_text, tuple(trim_trailing_blank(rest))))

    for line in lines:
        match = None if line.in_fence else LIST_ITEM.match(line.text)
        if match and indent_of(line.text) == 0:
            close()
            first, first_text = line, match["text"]
            width = len(match["marker"]) + len(match["space"])
            rest, lazy = [], True
            continue
        if first is not None:
            if is_blank(line):
                rest.append(line)
                lazy = False
                continue
            if indent_of(line.text) >= min(width, 4) or (
                line.in_fence and rest and rest[-1].in_fence
            ):
                rest.append(Line(line.number, dedent(line.text, width), line.in_fence))
                continue
            if lazy and not line.in_fence:
                rest.append(Line(line.number, line.text.strip(), False))
                continue
            close()
            first = None
        other.append(line)
    close()
    return items, other


def dedent(text: str, width: int) -> str:
    return text[min(width, indent_of(text)) :]


def paragraphs_start(lines: Sequence[Line]) -> Iterator[tuple[int, Line]]:
    """Yield (index, line) for each line that starts a paragraph at indent 0, outside code."""
    previous_ends_block = True
    for index, line in enumerate(lines):
        blank = is_blank(line)
        if previous_ends_block and not blank and not line.in_fence and indent_of(line.text) == 0:
            yield index, line
        # A closing fence ends its block, so the next line starts a paragraph (CommonMark).
        previous_ends_block = blank or line.in_fence
