"""Where Python-Markdown takes lesson text literally: fenced code, indented code, raw HTML blocks
and code spans. `==`, `$` and `::` there are text, and a `###` line inside a fence is no card.

Every rule here is Python-Markdown's own, applied through its own code where it exposes it (the
fence expression of `fenced_code`, the raw-HTML block extractor, the backtick pairing of code
spans, the block parser through `generator.render.blocks`), so the outline, cloze numbering and
math never disagree with what the renderer does.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

import markdown
from markdown.extensions.attr_list import get_attrs_and_remainder
from markdown.extensions.fenced_code import FencedBlockPreprocessor

from generator.render.blocks import (
    MAY_BE_CODE,
    TAB_LENGTH,
    LineRun,
    indented_code_lines,
    inline_units,
    line_starts,
)

Span = tuple[int, int]
"""A character range [start, end) of a text."""

FENCED_BLOCK = FencedBlockPreprocessor.FENCED_BLOCK_RE
FENCE_LINE = re.compile(r"^(?:`{3,}|~{3,})", re.MULTILINE)
# A heading, a setext underline or a rule: the line after one starts a new block.
BLOCK_END = re.compile(r"^(?:#{1,6}|[=-]+[ ]*$| {0,3}(?:([-*_])[ ]{0,2})(?:\1[ ]{0,2}){2,}$)")
PARAGRAPH = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")
TICKS = re.compile(r"`+")
OPENING_CANDIDATE = re.compile(r"`|\\\\+")
NOT_NEWLINE = re.compile(r"[^\n]")
# Lines that start or split a block: heading, quote, list item, definition, admonition,
# reference definition, and anything a table's separator row could be (BLOCK_END has the rest).
BLOCK_LINE = re.compile(
    r"[ ]{0,3}(?:[#>]|[-*+][ \t]|\d{1,9}[.)][ \t]|:[ \t]|!!!|\*?\[[^\]\n]*\]:)"
    r"|[|:\- \t]+$"
)
DEFINITION_AFTER = re.compile(r"(?:[ \t]*\n)*[ ]{0,3}:[ \t]")
# Lines that may start a raw HTML block: at most three spaces before a `<`, as
# `line_start_find` wants.
MAY_START_HTML = re.compile(r"^[ ]{0,3}<", re.MULTILINE)
INLINE_COMMENT = re.compile(r"<!--(?:(?!<!--|-->|\n[ \t]*\n).)*-->", re.DOTALL)
"""Python-Markdown's inline comment (`inlinepatterns.HTML_RE`), kept within one text."""
TAIL_PIECE = re.compile(
    r"<!--.*?-->|<!\[.*?\]>|<![^>]*>|<\?.*?\?>|&#?\w+;|<hr\b[^<>]*>|<[A-Za-z][^<>]*/>",
    re.DOTALL | re.IGNORECASE,
)
"""What the HTML extractor keeps of a line after a block and stores with the next block: what
it takes as an empty tag (a comment, a declaration, CDATA, a processing instruction, a character
reference, `<hr>`, a self-closed tag)."""


class Ranges:
    """Character ranges as a sorted union, for lookups in logarithmic time: every scan over a
    text asks "is this offset literal?" once per token, and a linear search there makes a long
    field quadratic."""

    __slots__ = ("ends", "starts")

    def __init__(self, spans: Iterable[Span]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            elif start < end:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def end_of(self, offset: int) -> int | None:
        """The end of the range that holds `offset`, or None when no range does."""
        index = bisect_right(self.starts, offset) - 1
        if index >= 0 and offset < self.ends[index]:
            return self.ends[index]
        return None

    def starts_within(self, start: int, end: int) -> bool:
        """Whether a range starts in `(start, end)`."""
        index = bisect_right(self.starts, start)
        return index < len(self.starts) and self.starts[index] < end

    def pairs(self) -> list[Span]:
        return list(zip(self.starts, self.ends, strict=True))


def fenced_blocks(text: str) -> list[Span]:
    """Fenced code blocks as `fenced_code` finds them: the opening fence at the start of a line,
    a one-word language or `{attributes}` after it, closed by the very same fence."""
    blocks: list[Span] = []
    index = 0
    while (match := FENCED_BLOCK.search(text, index)) is not None:
        if match["attrs"] and get_attrs_and_remainder(match["attrs"])[1]:
            index = match.end("attrs")  # unbalanced braces: no fence, as in fenced_code
            continue
        blocks.append(match.span())
        index = match.end()
    return blocks


def stray_fences(text: str, blocks: list[Span] | None = None) -> list[int]:
    """Offsets of lines that open like a fence but are no code block: never closed by the same
    fence, or with more than one word after it. Python-Markdown shows them as text."""
    code = Ranges(fenced_blocks(text) if blocks is None else blocks)
    return [
        match.start() for match in FENCE_LINE.finditer(text) if code.end_of(match.start()) is None
    ]


def masked(text: str, spans: Sequence[Span], fill: str = " ") -> str:
    """`text` with every character of `spans` but line ends replaced by `fill` (one character):
    offsets and lines stay."""
    if not spans:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in Ranges(spans).pairs():
        pieces.extend([text[last:start], NOT_NEWLINE.sub(fill, text[start:end])])
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def inline_comments(text: str, literal: Sequence[Span]) -> list[Span]:
    """HTML comments outside `literal` (code, raw HTML blocks, math), which Python-Markdown's
    inline patterns keep as raw HTML, as written: in a paragraph, a list item, a quote. One is
    within one text the patterns read: never past a blank line, nor across lines the block
    parser hands them apart (two list items). A backslash does not escape `<` there."""
    if "<!--" not in text:
        return []
    # Written over with letters, not blanks: no blank line is made where there was none.
    seen = masked(text, literal, fill="x")
    found: list[Span] = []
    fences: tuple[Span, ...] | None = None  # found once, for the first comment over lines
    for match in INLINE_COMMENT.finditer(seen):
        start, end = match.span()
        if "\n" in match[0]:
            first = text.count("\n", 0, start)
            lines = list(range(first, first + match[0].count("\n") + 1))
            if fences is None:
                fences = tuple(fenced_blocks(text))
            if inline_units(text, lines, fences) != [lines]:
                continue
        found.append((start, end))
    return found


@cache
def _extractor() -> markdown.Markdown:
    # A private instance: the renderer's own is in the middle of a conversion when math and
    # cloze numbering ask for literal ranges.
    return markdown.Markdown()


def html_blocks(text: str) -> list[Span]:
    """Raw HTML blocks as Python-Markdown's block extractor takes them: a block-level tag at the
    start of a line, up to its closing tag — or to the end of the text when it is never closed."""
    # A block found is stored from its opening tag (or comment) on, so it starts with `<`.
    if "<" not in text or not MAY_START_HTML.search(text):
        return []
    return extracted_html_blocks(text)


def extracted_html_blocks(text: str) -> list[Span]:
    md = _extractor()
    md.reset()
    lines = text.split("\n")
    # The extractor sees the text as the renderer has it: tabs expanded (a tab is four columns
    # of indentation) and blank lines emptied. Where a block is found is mapped back to the text;
    # a carriage return, which splits a line there, leaves the text as it is.
    seen = md.preprocessors["normalize_whitespace"].run(lines)[: len(lines)]
    if "\r" in text:
        seen = lines
    md.preprocessors["html_block"].run(seen)
    joined = "\n".join(seen)
    where = Columns(lines, seen)
    blocks: list[Span] = []
    position = 0
    for raw in md.htmlStash.rawHtmlBlocks:
        body = str(raw).strip()
        at = block_find(joined, body, position, after_block=bool(blocks))
        # What the extractor takes as an empty tag after a block, on its line (`TAIL_PIECE`), it
        # keeps and stores in front of the next block it stores: that block is found without
        # them (a comment is literal wherever it stands: `inline_comments`).
        while at < 0 and (piece := TAIL_PIECE.match(body)) is not None:
            body = body[piece.end() :]
            at = block_find(joined, body, position, after_block=True)
        if at < 0:
            continue
        position = at + len(body)
        blocks.append((where.in_text(at), where.in_text(position)))
    md.reset()
    return blocks


def block_find(text: str, body: str, position: int, *, after_block: bool) -> int:
    """Where the stored block `body` is in `text`, from `position` on; -1 when it is not."""
    if not body:
        return -1
    # A block-level tag after a block's closing tag, on its line, opens one too.
    at = text.find(body, position) if after_block else -1
    if at < 0 or "\n" in text[position:at]:
        at = line_start_find(text, body, position)
    return at


class Columns:
    """Offsets in lines whose tabs were expanded and blank lines emptied, mapped back to the
    lines as they were."""

    __slots__ = ("lines", "seen", "seen_starts", "starts")

    def __init__(self, lines: list[str], seen: list[str]) -> None:
        self.lines, self.seen = lines, seen
        self.starts, self.seen_starts = line_starts(lines), line_starts(seen)

    def in_text(self, offset: int) -> int:
        row = bisect_right(self.seen_starts, offset) - 1
        column = offset - self.seen_starts[row]
        original = self.lines[row]
        index = column
        if self.seen[row] != original:
            index, expanded = 0, 0
            while index < len(original) and expanded < column:
                expanded += TAB_LENGTH - expanded % TAB_LENGTH if original[index] == "\t" else 1
                index += 1
        return self.starts[row] + index


def line_start_find(text: str, body: str, position: int) -> int:
    """Where `body` next occurs at the start of a line (after at most three spaces), as a raw
    HTML block does; the same text earlier in a line is inline HTML."""
    while (at := text.find(body, position)) >= 0:
        line_start = text.rfind("\n", 0, at) + 1
        if at - line_start <= 3 and not text[line_start:at].strip(" "):
            return at
        position = at + 1
    return -1


def indented_blocks(text: str, fences: Sequence[Span] = ()) -> list[Span]:
    """The lines of indented code blocks, each run of them from its first line's start to the
    end of its last, as Python-Markdown's block parser finds them with the block extensions the
    renderer uses (`generator.render.blocks`): a block indented by four spaces, further inside a
    list item, a quote, a definition, a footnote or an admonition, and never a list item's own
    continuation. `fences` are the fenced code blocks of `text`, masked in it (see `masked`)."""
    return list(parsed_indented_blocks(text, tuple(fences))) if MAY_BE_CODE.search(text) else []


@lru_cache(maxsize=512)
def parsed_indented_blocks(text: str, fences: tuple[Span, ...] = ()) -> tuple[Span, ...]:
    return line_spans(text.split("\n"), indented_code_lines(text, fences))


def line_spans(lines: list[str], pairs: list[LineRun]) -> tuple[Span, ...]:
    """Each run of lines as the span from its first line's start to the end of its last, the
    line end included."""
    starts = line_starts(lines)
    end = starts[-1] - 1
    return tuple((starts[first], min(starts[last + 1], end)) for first, last in pairs)


def code_spans(text: str, source: str | None = None, fences: Sequence[Span] = ()) -> list[Span]:
    """Code spans, paired by Python-Markdown's backtick rule (`BacktickInlineProcessor`) in each
    text its block parser hands the inline patterns. A span never crosses a blank line; a
    paragraph (lines between blank ones) is one such text unless a line in it starts or splits a
    block (a heading, a quote, a list item, a definition's term), and where that could change
    the pairing, the block parser says how it splits the paragraph (`inline_code_spans`).
    `text` may have blocks masked (`masked`): `source` is then the text itself, for the parser,
    and `fences` its fenced code blocks."""
    spans: list[Span] = []
    split: list[Span] = []
    for paragraph in PARAGRAPH.finditer(text):
        if "`" not in paragraph[0]:
            continue
        found = paragraph_code_spans(paragraph[0], paragraph.start())
        if unsplit(text, *paragraph.span(), found):
            spans.extend(found)
        else:
            split.append(paragraph.span())
    if split:
        parsed = inline_code_spans(
            text, tuple(split), text if source is None else source, tuple(fences)
        )
        spans = sorted(spans + list(parsed))
    return spans


def unsplit(
    text: str, start: int, end: int, spans: list[Span], left: list[Span] | None = None
) -> bool:
    """Whether the code spans of the paragraph `text[start:end]` are Python-Markdown's however
    its block parser splits it: the paragraph is `plain` (and no definition follows, which makes
    each of its lines a term), or each span is on one line, opened and closed by as many
    backticks, and no backtick is left over (`left`: the `leftovers`, when known)."""
    if plain(text[start:end]) and not DEFINITION_AFTER.match(text, end):
        return True
    if left is None:
        left = leftovers(text, start, end, spans)
    return not left and all(exact(text, span) for span in spans)


@lru_cache(maxsize=256)
def inline_code_spans(
    text: str, paragraphs: tuple[Span, ...], source: str, fences: tuple[Span, ...]
) -> tuple[Span, ...]:
    """The code spans of `paragraphs`, paired in each group of their lines that the block parser
    (given `source`) hands the inline patterns as one text (`blocks.inline_units`). A line keeps
    its markers and indentation there: they hold no backtick or backslash, so the pairing is the
    same."""
    lines = text.split("\n")
    starts = line_starts(lines)
    chosen = [
        number
        for start, end in paragraphs
        for number in range(bisect_right(starts, start) - 1, bisect_right(starts, end - 1))
        if lines[number].strip()
    ]
    spans: list[Span] = []
    for group in inline_units(source, chosen, fences):
        joined = "\n".join(lines[number] for number in group)
        offsets = line_starts([lines[number] for number in group])
        for a, b in paragraph_code_spans(joined, 0):
            spans.append((in_group(group, starts, offsets, a), in_group(group, starts, offsets, b)))
    return tuple(spans)


def in_group(group: list[int], starts: list[int], offsets: list[int], offset: int) -> int:
    """The offset in the text of `offset` in the lines `group` joined (their `offsets`)."""
    row = bisect_right(offsets, offset) - 1
    return starts[group[row]] + offset - offsets[row]


class BacktickRuns:
    """The runs of backticks of one text, tabulated so that `BacktickInlineProcessor`'s search
    for the run that closes a code span takes logarithmic rather than linear time: the runs of
    each length, and the longest run after each run (the first of equally long ones)."""

    __slots__ = ("by_length", "longest", "runs", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.runs = [(match.start(), match.end()) for match in TICKS.finditer(text)]
        self.starts = [start for start, _ in self.runs]
        self.by_length: dict[int, list[int]] = {}
        for index, (start, end) in enumerate(self.runs):
            self.by_length.setdefault(end - start, []).append(index)
        # Each entry is made from the runs after it, so they are found from the last run back.
        self.longest: list[tuple[int, int]] = []
        best = (0, -1)
        for index in range(len(self.runs) - 1, -1, -1):
            self.longest.append(best)
            length = self.runs[index][1] - self.runs[index][0]
            if length >= best[0]:
                best = (length, index)
        self.longest.reverse()

    def find(self, start: int) -> tuple[int, int | None]:
        """`BacktickInlineProcessor.find_code_spans(start, text)`: for the backticks from
        `start` to the end of their run (n of them), the next run of exactly n; failing that the
        first of the longest later runs if it is shorter than n, the opening losing its extra
        backticks. Returns where the code starts and where it ends (the closing run's start), or
        — no closing run — the offset n characters after the run, and None."""
        index = bisect_right(self.starts, start) - 1
        opening_end = self.runs[index][1]
        ticks = opening_end - start
        same = self.by_length.get(ticks, [])
        at = bisect_right(same, index)
        if at < len(same):
            return opening_end, self.runs[same[at]][0]
        length, closing = self.longest[index]
        if 0 < length < ticks:
            return opening_end - (ticks - length), self.runs[closing][0]
        return opening_end + ticks, None


def paragraph_code_spans(data: str, offset: int) -> list[Span]:
    """The code spans of one paragraph exactly as Python-Markdown's `BacktickInlineProcessor`
    pairs them (see `BacktickRuns`), in one pass.

    Its pattern finds an opening backtick not preceded by a backslash, or an even run of
    backslashes before a backtick (escaped backslashes, after which the backtick does open).
    With no closing run the search resumes where `find_code_spans` says."""
    if "`" not in data:
        return []
    runs = BacktickRuns(data)
    spans: list[Span] = []
    position = 0
    while (opening := next_opening(data, position)) is not None:
        start, end = runs.find(opening)
        if end is None:
            position = start
            continue
        stop = end + (start - opening)
        spans.append((offset + opening, offset + stop))
        position = stop
    return spans


def next_opening(data: str, position: int) -> int | None:
    """Where `BACKTICK_RE`, searching from `position`, next finds a backtick that opens."""
    while (match := OPENING_CANDIDATE.search(data, position)) is not None:
        at = match.start()
        if data[at] == "`":
            if at == 0 or data[at - 1] != "\\":
                return at
            position = at + 1  # escaped; a backtick right after it may open
            continue
        backslashes = match.end()
        # A run of backslashes the search reaches at its start and that is even and followed
        # by a backtick is escaped backslashes: the backtick after them opens.
        even = (backslashes - at) % 2 == 0 and (at == 0 or data[at - 1] != "\\")
        if even and data.startswith("`", backslashes):
            return backslashes
        position = backslashes
    return None


def leftovers(text: str, start: int, end: int, spans: list[Span]) -> list[Span]:
    """Backticks between `start` and `end` outside every span, as runs."""
    found: list[Span] = []
    index = 0
    for run in TICKS.finditer(text, start, end):
        a, b = run.span()
        while index < len(spans) and spans[index][1] <= a:
            index += 1
        if index < len(spans) and spans[index][0] < b:
            a = a if a < spans[index][0] else b  # only the escaped first backtick is left
            b = min(b, spans[index][0])
        if a < b:
            found.append((a, b))
    return found


def exact(text: str, span: Span) -> bool:
    """A span on one line whose opening and closing runs have the same length."""
    start, end = span
    body = text[start:end]
    if "\n" in body:
        return False
    opening = len(body) - len(body.lstrip("`"))
    closing = len(body) - len(body.rstrip("`"))
    return opening == closing


def plain(paragraph: str) -> bool:
    """No line of `paragraph` could start or split a block in Python-Markdown."""
    return not any(
        BLOCK_LINE.match(line) or BLOCK_END.match(line) for line in paragraph.split("\n")
    )


def code_parts(text: str, *, html: bool = True) -> tuple[list[Span], list[Span]]:
    """Literal blocks (fenced and indented code, raw HTML blocks unless `html` is False) and
    the code spans outside them."""
    fences = fenced_blocks(text)
    rest = masked(text, fences)
    blocks = sorted(fences + (html_blocks(rest) if html else []) + indented_blocks(rest, fences))
    literal = Ranges(blocks)
    spans = [
        span
        for span in code_spans(masked(text, blocks), text, fences)
        if literal.end_of(span[0]) is None
    ]
    return blocks, spans


def code_ranges(text: str, *, html: bool = True) -> list[Span]:
    """Every range where Python-Markdown shows text literally, blocks first, then code spans
    outside them. `html=False`: raw HTML blocks are not counted as literal."""
    blocks, spans = code_parts(text, html=html)
    return blocks + spans
