"""Where Python-Markdown takes lesson text literally: fenced code, indented code, raw HTML blocks
and code spans. `==`, `$` and `::` there are text, and a `###` line inside a fence is no card.

Every rule here is Python-Markdown's own, applied through its own code where it exposes it (the
fence expression of `fenced_code`, the raw-HTML block extractor, the backtick pairing of code
spans), so the outline, cloze numbering and math never disagree with what the renderer does.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import cache

import markdown
from markdown.extensions.attr_list import get_attrs_and_remainder
from markdown.extensions.fenced_code import FencedBlockPreprocessor

Span = tuple[int, int]
"""A character range [start, end) of a text."""

FENCED_BLOCK = FencedBlockPreprocessor.FENCED_BLOCK_RE
FENCE_LINE = re.compile(r"^(?:`{3,}|~{3,})", re.MULTILINE)
INDENTED = re.compile(r"^(?: {4}|\t)")
QUOTE = re.compile(r"(?:[ ]{0,3}>[ ]?)*")
# A heading, a setext underline or a rule: the line after one starts a new block.
BLOCK_END = re.compile(r"^(?:#{1,6}|[=-]+[ ]*$| {0,3}(?:([-*_])[ ]{0,2})(?:\1[ ]{0,2}){2,}$)")
PARAGRAPH = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")
TICKS = re.compile(r"`+")
OPENING_CANDIDATE = re.compile(r"`|\\\\+")
NOT_NEWLINE = re.compile(r"[^\n]")
# Lines that may be indented code (after quote markers as `QUOTE` takes them, possessively so
# that many markers take linear time), and lines that may start a raw HTML block (after at most
# three spaces, as `line_start_find` wants): a text without any has none of either, and is not
# scanned line by line for them.
MAY_BE_INDENTED = re.compile(r"^(?:[ ]{0,3}>[ ]?)*+(?: {4}|\t)[^\n]*?\S", re.MULTILINE)
MAY_START_HTML = re.compile(r"^[ ]{0,3}<", re.MULTILINE)


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


def masked(text: str, spans: Sequence[Span]) -> str:
    """`text` with every character of `spans` but line ends replaced by a space."""
    if not spans:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in Ranges(spans).pairs():
        pieces.extend([text[last:start], NOT_NEWLINE.sub(" ", text[start:end])])
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


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
    md.preprocessors["html_block"].run(text.split("\n"))
    blocks: list[Span] = []
    position = 0
    for raw in md.htmlStash.rawHtmlBlocks:
        body = str(raw).strip()
        at = line_start_find(text, body, position) if body else -1
        if at < 0:
            continue
        position = at + len(body)
        blocks.append((at, position))
    md.reset()
    return blocks


def line_start_find(text: str, body: str, position: int) -> int:
    """Where `body` next occurs at the start of a line (after at most three spaces), as a raw
    HTML block does; the same text earlier in a line is inline HTML."""
    while (at := text.find(body, position)) >= 0:
        line_start = text.rfind("\n", 0, at) + 1
        if at - line_start <= 3 and not text[line_start:at].strip(" "):
            return at
        position = at + 1
    return -1


def indented_blocks(text: str) -> list[Span]:
    """Indented code blocks: lines indented by four spaces or a tab (after any `>` quote
    markers) that start a block — after a blank line, a heading or a rule, which Python-Markdown
    splits off the block, or as the first line of a quote — up to the first line that is not."""
    return indented_lines(text) if MAY_BE_INDENTED.search(text) else []


def indented_lines(text: str) -> list[Span]:
    blocks: list[Span] = []
    position, start, previous_ends, previous_depth = 0, -1, True, ""
    for line in re.findall(r"[^\n]*\n|[^\n]+$", text):
        quote = QUOTE.match(line)
        depth = quote[0] if quote else ""
        inner = line[len(depth) :]
        indented = INDENTED.match(inner) is not None and bool(inner.strip())
        if start >= 0 and not indented:
            blocks.append((start, position))
            start = -1
        depth_changed = depth.replace(" ", "") != previous_depth
        if start < 0 and indented and (previous_ends or depth_changed):
            start = position
        previous_ends = not inner.strip() or BLOCK_END.match(inner) is not None
        previous_depth = depth.replace(" ", "")
        position += len(line)
    if start >= 0:
        blocks.append((start, len(text)))
    return blocks


def code_spans(text: str) -> list[Span]:
    """Code spans, paired by Python-Markdown's backtick rule (`BacktickInlineProcessor`),
    paragraph by paragraph (a span never crosses a blank line)."""
    spans: list[Span] = []
    for paragraph in PARAGRAPH.finditer(text):
        spans.extend(paragraph_code_spans(paragraph[0], paragraph.start()))
    return spans


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


def code_parts(text: str, *, html: bool = True) -> tuple[list[Span], list[Span]]:
    """Literal blocks (fenced and indented code, raw HTML blocks unless `html` is False) and
    the code spans outside them."""
    fences = fenced_blocks(text)
    rest = masked(text, fences)
    blocks = sorted(fences + (html_blocks(rest) if html else []) + indented_blocks(rest))
    literal = Ranges(blocks)
    spans = [span for span in code_spans(masked(text, blocks)) if literal.end_of(span[0]) is None]
    return blocks, spans


def code_ranges(text: str, *, html: bool = True) -> list[Span]:
    """Every range where Python-Markdown shows text literally, blocks first, then code spans
    outside them. `html=False`: raw HTML blocks are not counted as literal."""
    blocks, spans = code_parts(text, html=html)
    return blocks + spans
