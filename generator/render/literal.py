"""Where Python-Markdown takes lesson text literally: fenced code, indented code, raw HTML blocks
and code spans. `==`, `$` and `::` there are text, and a `###` line inside a fence is no card.

Every rule here is Python-Markdown's own, applied through its own code where it exposes it (the
fence expression of `fenced_code`, the raw-HTML block extractor, the backtick pairing of code
spans), so the outline, cloze numbering and math never disagree with what the renderer does.
"""

from __future__ import annotations

import re
from functools import cache
from typing import cast

import markdown
from markdown.extensions.attr_list import get_attrs_and_remainder
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.inlinepatterns import BACKTICK_RE, BacktickInlineProcessor

Span = tuple[int, int]
"""A character range [start, end) of a text."""

FENCED_BLOCK = FencedBlockPreprocessor.FENCED_BLOCK_RE
FENCE_LINE = re.compile(r"^(?:`{3,}|~{3,})", re.MULTILINE)
INDENTED = re.compile(r"^(?: {4}|\t)")
PARAGRAPH = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")
BACKTICKS = BacktickInlineProcessor(BACKTICK_RE)


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
    found = fenced_blocks(text) if blocks is None else blocks
    return [
        match.start()
        for match in FENCE_LINE.finditer(text)
        if not any(start <= match.start() < end for start, end in found)
    ]


def masked(text: str, spans: list[Span]) -> str:
    """`text` with every character of `spans` but line ends replaced by a space."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for index in range(start, end):
            if chars[index] != "\n":
                chars[index] = " "
    return "".join(chars)


@cache
def _extractor() -> markdown.Markdown:
    # A private instance: the renderer's own is in the middle of a conversion when math and
    # cloze numbering ask for literal ranges.
    return markdown.Markdown()


def html_blocks(text: str) -> list[Span]:
    """Raw HTML blocks as Python-Markdown's block extractor takes them: a block-level tag at the
    start of a line, up to its closing tag — or to the end of the text when it is never closed."""
    if "<" not in text:
        return []
    md = _extractor()
    md.reset()
    md.preprocessors["html_block"].run(text.split("\n"))
    blocks: list[Span] = []
    position = 0
    for raw in md.htmlStash.rawHtmlBlocks:
        body = str(raw).strip()
        at = text.find(body, position) if body else -1
        if at < 0:
            continue
        position = at + len(body)
        blocks.append((at, position))
    md.reset()
    return blocks


def indented_blocks(text: str) -> list[Span]:
    """Indented code blocks: after a blank line, lines indented by four spaces or a tab, up to
    the first line that is not."""
    blocks: list[Span] = []
    position, start, previous_blank = 0, -1, True
    for line in re.findall(r"[^\n]*\n|[^\n]+$", text):
        blank = not line.strip()
        if start >= 0 and not INDENTED.match(line):
            blocks.append((start, position))
            start = -1
        if start < 0 and previous_blank and not blank and INDENTED.match(line):
            start = position
        previous_blank = blank
        position += len(line)
    if start >= 0:
        blocks.append((start, len(text)))
    return blocks


def code_spans(text: str) -> list[Span]:
    """Code spans, paired by Python-Markdown's own backtick rule, paragraph by paragraph (a span
    never crosses a blank line)."""
    spans: list[Span] = []
    for paragraph in PARAGRAPH.finditer(text):
        data, offset, i = paragraph[0], paragraph.start(), 0
        while i < len(data):
            if data[i] != "`" or (i and data[i - 1] == "\\"):
                i += 1
                continue
            # The published type stubs say `tuple | None`; the code returns (start, end | None).
            found = cast("tuple[int, int | None]", BACKTICKS.find_code_spans(i, data))
            start, end = found
            if end is None:
                i = start
                continue
            stop = end + (start - i)
            spans.append((offset + i, offset + stop))
            i = stop
    return spans


def code_ranges(text: str) -> list[Span]:
    """Every range where Python-Markdown shows text literally, blocks first, then code spans
    outside them."""
    fences = fenced_blocks(text)
    rest = masked(text, fences)
    blocks = sorted(fences + html_blocks(rest) + indented_blocks(masked(rest, [])))
    spans = [
        (start, end)
        for start, end in code_spans(masked(text, blocks))
        if not any(a <= start < b for a, b in blocks)
    ]
    return blocks + spans
