"""What Python-Markdown's block parser makes of a text, line by line: which lines are indented
code, and which lines each text handed to the inline patterns holds (a paragraph, a list item, a
heading, a definition term).

None of the parser's rules is written again here. It is run on the text itself, with the block
extensions the renderer uses, and once more with lines tagged at their end with their number:
where the tags land says which lines went where. A tag can change what its line is (a rule or a
setext underline in a list item is none once tagged, a list item holding only a tag is no longer
empty), so only tags that leave the parser's result as it was untagged are kept.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from functools import cache
from itertools import accumulate
from xml.etree import ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.preprocessors import NormalizeWhitespace
from markdown.util import ETX, STX

LineRun = tuple[int, int]
"""The numbers of a run of lines, first and last."""

# A line that may be a line of indented code: four spaces or a tab among the spaces and quote
# markers it starts with. Every line of an indented code block is one (Python-Markdown expands a
# tab to four columns, and code in a list item or a quote is indented further still).
MAY_BE_CODE = re.compile(r"^[ >]*?(?: {4}|\t)[^\n]*?\S", re.MULTILINE)
TAB_LENGTH = 4
MAY_START_HTML = re.compile(r"^[ ]{0,3}<", re.MULTILINE)
# The end of a tagged line. A text's own tag characters are replaced before tagging.
TAG_START, TAG_END = "\ue010", "\ue011"
TAG = re.compile(f"{TAG_START}(\\d+){TAG_END}")
NO_TAGS = str.maketrans({TAG_START: "\ufffd", TAG_END: "\ufffd"})
FENCE_PLACEHOLDER = "\ufffc"
HTML_PLACEHOLDER = re.compile(f"{STX}wzxhzdk:(\\d+){ETX}")
"""Raw HTML stashed by the renderer's preprocessors (`markdown.util.HTML_PLACEHOLDER`), its
index in the stash captured."""
PARSES = 32
"""At most this many tagged parses of one text: past them, lines not yet placed by a tag are
found by their content (`matched_lines`), or each taken alone."""
INLINE_CONTAINERS = frozenset({"pre", "script", "style"})
"""Elements whose text the inline patterns never see."""

Texts = Callable[[list[etree.Element]], list[str]]
"""What is read from the parsed trees (the document's, then each footnote's)."""


def indented_code_lines(text: str, fences: tuple[tuple[int, int], ...] = ()) -> list[LineRun]:
    """The lines of `text` in indented code blocks, as runs. `fences` are the spans of its
    fenced code blocks, which the parser sees as a placeholder line by then."""
    rows, numbers = parser_rows(text, fences)
    code: list[int] = []
    for start, end in chunks(rows):
        candidates = [
            row - start
            for row in range(start, end)
            if numbers[row] is not None and MAY_BE_CODE.match(rows[row])
        ]
        if candidates:
            code += chunk_code_lines(rows[start:end], numbers[start:end], candidates)
    # A line the parser splits further (at a carriage return alone) can count a line too many.
    count = len(text.split("\n"))
    return runs(sorted({number for number in code if 0 <= number < count}))


def chunk_code_lines(
    rows: list[str], numbers: list[int | None], candidates: list[int]
) -> list[int]:
    tagging = Tagging(rows, numbers, code_texts)
    if not tagging.untagged:
        return []
    found = tagging.found(tagging.harmless([], candidates))
    code, unplaced = code_line_numbers(found or [])
    for first, last in matched_lines(rows, unplaced):
        code += [number for number in numbers[first : last + 1] if number is not None]
    return code


def inline_units(
    text: str, chosen: list[int], fences: tuple[tuple[int, int], ...] = ()
) -> list[list[int]]:
    """The lines `chosen` (non-blank ones of `text`, none in `fences`) grouped as the block
    parser hands them to the inline patterns, each group one text. A line in no such text (a
    rule, an underline), or whose tag would change what it is, is a group of its own."""
    rows, numbers = parser_rows(text, fences)
    row_of = {number: row for row, number in enumerate(numbers) if number is not None}
    asked = sorted(row_of[number] for number in chosen if number in row_of)
    groups: list[list[int]] = []
    for start, end in chunks(rows):
        tagged = [row - start for row in asked if start <= row < end]
        if not tagged:
            continue
        tagging = Tagging(rows[start:end], numbers[start:end], inline_texts)
        found = tagging.found(tagging.harmless([], tagged)) or []
        groups += [sorted({int(number) for number in TAG.findall(each)}) for each in found]
    placed = {number for group in groups for number in group}
    groups += [[number] for number in chosen if number not in placed]
    return sorted(group for group in groups if group)


def chunks(rows: list[str]) -> list[tuple[int, int]]:
    """Ranges of rows the block parser reads as it reads the whole: a heading after a blank
    line starts one, because nothing before it changes what follows it (the list, quote,
    definition list, footnote, admonition or code block before it ends there). Raw HTML, which
    the parser takes out of the whole text first, may span a heading: a text with a line that
    may start it is read whole."""
    if MAY_START_HTML.search("\n".join(rows)):
        return [(0, len(rows))]
    starts = [0]
    starts += [
        row for row in range(1, len(rows)) if rows[row][:1] == "#" and not rows[row - 1].strip()
    ]
    return list(zip(starts, [*starts[1:], len(rows)], strict=True))


def parser_rows(
    text: str, fences: tuple[tuple[int, int], ...]
) -> tuple[list[str], list[int | None]]:
    """The lines the block parser gets, and the number of the text's line each one is: a
    carriage return that ends a line is not in it, and each fenced code block is a placeholder
    line between two blank lines, as `fenced_code` leaves it (numbered None)."""
    if TAG_START in text or TAG_END in text:
        text = text.translate(NO_TAGS)
    lines = text.split("\n")
    rows = [line.removesuffix("\r") for line in lines]
    numbers: list[int | None] = list(range(len(rows)))
    if not fences:
        return rows, numbers
    starts = line_starts(lines)
    for start, end in sorted(fences, reverse=True):
        first = bisect_right(starts, start) - 1
        last = bisect_right(starts, max(start, end - 1)) - 1
        rows[first : last + 1] = ["", FENCE_PLACEHOLDER, ""]
        numbers[first : last + 1] = [None, None, None]
    return rows, numbers


class Tagging:
    """What `texts` reads from the parse of some rows, untagged and with some of them tagged."""

    def __init__(self, rows: list[str], numbers: list[int | None], texts: Texts) -> None:
        self.rows, self.numbers, self.texts = rows, numbers, texts
        found = texts(parsed(rows))
        self.untagged = [comparable(each) for each in found]
        """The texts of the untagged rows, as they are compared."""
        self.parsed: dict[tuple[int, ...], list[str] | None] = {(): found}
        self.budget = PARSES
        """Parses left: a text of many lines that a tag changes is not halved forever."""

    def found(self, chosen: list[int]) -> list[str] | None:
        """The texts (tags and all) with the rows `chosen` tagged with their line's number, or
        None when, untagged, they are not the texts of the untagged rows (or when no parse is
        left to tell)."""
        key = tuple(chosen)
        if key not in self.parsed:
            if not self.budget:
                return None
            self.budget -= 1
            tagged = list(self.rows)
            for row in chosen:
                tagged[row] += f"{TAG_START}{self.numbers[row]}{TAG_END}"
            texts = self.texts(parsed(tagged))
            same = [comparable(TAG.sub("", each)) for each in texts] == self.untagged
            self.parsed[key] = texts if same else None
        return self.parsed[key]

    def harmless(self, kept: list[int], group: list[int]) -> list[int]:
        """The rows of `group` that, tagged with the rows `kept` (which change nothing), change
        nothing either; found by halving the group, so a few rows that do cost a few parses."""
        if self.found(kept + group) is not None:
            return group
        if len(group) <= 1:
            return []
        half = len(group) // 2
        left = self.harmless(kept, group[:half])
        return left + self.harmless(kept + left, group[half:])


def comparable(text: str) -> tuple[str, ...]:
    """A text's lines without trailing blanks: the parser strips the end of a block or a heading,
    so the end of a line that was last in one parse may be kept in another."""
    return tuple(line.rstrip() for line in text.rstrip().split("\n"))


def parsed(rows: list[str]) -> list[etree.Element]:
    """The trees the block parser makes of `rows`: the document's, then each footnote's (the
    footnotes extension parses a footnote's text only once the document is done)."""
    md, footnotes = _scanner(any("!!!" in row for row in rows))
    md.reset()
    # A text the renderer's preprocessors made (its raw HTML stashed) had its whitespace made
    # plain already: a line of spaces in it is one the HTML extractor left after a block, which
    # the renderer's block parser reads as a line of text, not as a blank one.
    made = any(HTML_PLACEHOLDER.search(row) for row in rows)
    for preprocessor in md.preprocessors:
        if made and isinstance(preprocessor, NormalizeWhitespace):
            rows = ("\n".join(rows).replace(STX, "").replace(ETX, "") + "\n\n").split("\n")
        else:
            rows = preprocessor.run(rows)
    document = md.parser.parseDocument(rows).getroot()
    roots = [] if document is None else [document]
    for footnote in footnotes.footnotes.values():
        holder = etree.Element("div")
        md.parser.parseChunk(holder, footnote)
        roots.append(holder)
    md.reset()
    return roots


def code_texts(roots: list[etree.Element]) -> list[str]:
    """The text of every indented code block, unescaped (the parser escapes `&`, `<`, `>`)."""
    return [
        (code.text or "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        for root in roots
        for pre in root.iter("pre")
        for code in pre
        if code.tag == "code"
    ]


def inline_texts(roots: list[etree.Element]) -> list[str]:
    """Every text the inline patterns will get: each element's text and tail, but code's."""
    return [text for root in roots for text in element_texts(root) if text.strip()]


def element_texts(element: etree.Element) -> Iterator[str]:
    if element.tag in INLINE_CONTAINERS:
        return
    yield element.text or ""
    for child in element:
        yield from element_texts(child)
        yield child.tail or ""


def code_line_numbers(texts: list[str]) -> tuple[list[int], list[tuple[str, ...]]]:
    """The line numbers of the code blocks `texts`, by their tags: a block's untagged line is
    the line as far from the nearest tagged one before it as it is in the block (code keeps its
    lines). Blocks with no tagged line at all are returned as lines, to be looked for."""
    numbers: list[int] = []
    unplaced: list[tuple[str, ...]] = []
    for text in texts:
        rows = text.rstrip().split("\n")
        tags = [(row, int(tag[1])) for row, line in enumerate(rows) if (tag := TAG.search(line))]
        if not tags:
            if text.strip():  # a block of blank lines holds nothing to keep literal
                unplaced.append(comparable(text))
            continue
        for row, line in enumerate(rows):
            if line.strip():
                anchor, number = max(
                    (tag for tag in tags if tag[0] <= row), default=tags[0], key=lambda t: t[0]
                )
                numbers.append(number + row - anchor)
    return numbers, unplaced


def matched_lines(rows: list[str], codes: list[tuple[str, ...]]) -> list[LineRun]:
    """(first, last) row numbers of each code block: the first run of rows after the last block
    found (then from the start) that shows the block's lines after indentation and quote
    markers."""
    seen = [row.expandtabs(TAB_LENGTH).replace(STX, "").replace(ETX, "").rstrip() for row in rows]
    found: list[LineRun] = []
    cursor = 0
    for code in codes:
        size = len(code)
        starts = [*range(cursor, len(seen) - size + 1), *range(min(cursor, len(seen) - size + 1))]
        for first in starts:
            if all(shows(seen[first + index], line) for index, line in enumerate(code)):
                found.append((first, first + size - 1))
                cursor = first + size
                break
    return found


def shows(line: str, code: str) -> bool:
    """Whether `line` (tabs expanded) can be the line `code` of an indented code block."""
    if not code:
        return not line.strip(" >")
    prefix = line[: len(line) - len(code)]
    return line.endswith(code) and not prefix.strip(" >") and "    " in prefix


def runs(numbers: list[int]) -> list[LineRun]:
    """Sorted numbers as (first, last) runs of consecutive ones."""
    found: list[LineRun] = []
    for number in numbers:
        if found and found[-1][1] + 1 == number:
            found[-1] = (found[-1][0], number)
        else:
            found.append((number, number))
    return found


def line_starts(lines: list[str]) -> list[int]:
    """The offset of each line in the lines joined, and that of their end (plus one)."""
    return list(accumulate((len(line) + 1 for line in lines), initial=0))


@cache
def _scanner(admonitions: bool) -> tuple[markdown.Markdown, FootnoteExtension]:
    # The renderer's block extensions; none of its own, which ask for what this module says.
    # Admonitions are looked for, as the renderer does, only in a text with a `!!!` line: the
    # test costs every block of every text. Three of the extensions' modules are imported by
    # nothing else: a process that renders nothing does not import them.
    from markdown.extensions.abbr import AbbrExtension  # noqa: PLC0415
    from markdown.extensions.admonition import AdmonitionExtension  # noqa: PLC0415
    from markdown.extensions.def_list import DefListExtension  # noqa: PLC0415
    from markdown.extensions.sane_lists import SaneListExtension  # noqa: PLC0415
    from markdown.extensions.tables import TableExtension  # noqa: PLC0415

    # generator.render.linear imports generator.render.literal, which imports this module.
    from generator.render.linear import LinearMarkdown  # noqa: PLC0415

    # Made here rather than named: Markdown looks a name up among the installed packages'
    # entry points, and importing importlib.metadata to scan them costs a worker's first lesson
    # more than making the scanner does.
    footnotes = FootnoteExtension()
    extensions: list[Extension] = [
        AbbrExtension(),
        DefListExtension(),
        SaneListExtension(),
        TableExtension(),
    ]
    if admonitions:
        extensions.append(AdmonitionExtension())
    return LinearMarkdown(extensions=[*extensions, footnotes]), footnotes
