"""TeX math in lesson Markdown: `$…$`, `$$…$$`, `\\(…\\)` and `\\[…\\]` become Anki's `\\(…\\)`
and `\\[…\\]`, the only delimiters Anki's MathJax recognises.

Python-Markdown would eat the backslashes and read `_` and `*` inside math as emphasis, so every
math span is stashed before any other Markdown processing of the text (but after fenced code is
stashed, so a `$` in code stays literal) and put back verbatim, HTML-escaped, at the end. The same
scanner tells cloze parsing where math is, so `==` inside math is never a deletion.

Rules for the single `$` (those of Pandoc), so that prose such as `$5 and $6` stays prose: the
opening `$` is followed by a non-space, the closing `$` is preceded by a non-space and not followed
by a digit, and there is no other `$` between them. No math span crosses a blank line or a code
span. `\\$` is a literal dollar sign.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from generator.render.literal import Ranges

# `\\` is an escaped backslash, so a delimiter right after it is not a delimiter.
OPENER = re.compile(r"\\[\\$(\[]|\$\$?")
# Inside math: a backslash pair is one token (so `\\)` does not close `\(`), as in MathJax.
INSIDE = re.compile(r"\\[\s\S]|\$|\n[ \t]*(?:\n|$)")
LITERAL_DOLLAR = "&#36;"


@dataclass(frozen=True, slots=True)
class MathSpan:
    """One piece of math in the source."""

    start: int
    """Offset of the opening delimiter."""
    end: int
    """Offset just after the closing delimiter."""
    body: str
    """The TeX between the delimiters, as written."""
    display: bool
    """`$$…$$` or `\\[…\\]` (a displayed formula) rather than inline math."""

    @property
    def anki(self) -> str:
        """The span as Anki stores it: its own delimiters, the TeX escaped for HTML."""
        open_, close = (r"\[", r"\]") if self.display else (r"\(", r"\)")
        return f"{open_}{escape(self.body, quote=False)}{close}"


@dataclass(frozen=True, slots=True)
class MathScan:
    """Math and escaped dollars found in a text."""

    spans: tuple[MathSpan, ...]
    """Math spans in source order."""
    escaped_dollars: tuple[int, ...]
    """Offsets of `\\$` outside math and code (the backslash)."""


NOTHING = MathScan((), ())


def may_have_math(text: str) -> bool:
    """Cheap test that lets text without `$` or a backslash skip the scanner."""
    return "$" in text or "\\" in text


def find_math(text: str, skip: Sequence[tuple[int, int]] = ()) -> MathScan:
    """Math spans and `\\$` escapes of `text`, ignoring everything inside `skip` (code).

    Linear in the text: each offset is looked up in `skip` by bisection, and a search for the
    closing `\\)` or `\\]` is not repeated for later openings it already passed over."""
    if not may_have_math(text):
        return NOTHING
    literal = Ranges(skip)
    closer = Closer(text)
    spans: list[MathSpan] = []
    escaped: list[int] = []
    position = 0
    while (match := OPENER.search(text, position)) is not None:
        start, token = match.start(), match[0]
        inside = literal.end_of(start)
        if inside is not None:
            position = inside
            continue
        if token == "\\\\":
            position = match.end()
            continue
        if token == "\\$":
            escaped.append(start)
            position = match.end()
            continue
        span = closer.span(start, token)
        if span is None or literal.starts_within(start, span.end):
            position = match.end()
            continue
        spans.append(span)
        position = span.end
    return MathScan(tuple(spans), tuple(escaped))


class Closer:
    """Finds where math opened at an offset ends. A failed or passed-over search for `\\)` or
    `\\]` is remembered: a later opening before the token that ended it ends at the same token."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.known: dict[str, tuple[int, int, int | None]] = {}
        """Opener → (searched from, offset of the token that ended the search, end of the
        closing delimiter or None for a blank line or the end of the text)."""

    def span(self, start: int, opener: str) -> MathSpan | None:
        """The math span opened by `opener` at `start`, or None when it is not math."""
        text = self.text
        body_start = start + len(opener)
        if opener == "$" and (body_start >= len(text) or text[body_start].isspace()):
            return None
        known = self.known.get(opener)
        if known is not None and known[0] <= body_start <= known[1]:
            at, end = known[1], known[2]
            if end is None:
                return None
            return math_span(text, opener, start, (at, end))
        position = body_start
        while (token := INSIDE.search(text, position)) is not None:
            found, at = token[0], token.start()
            position = token.end()
            if found.startswith("\n"):
                self.remember(opener, body_start, at, None)
                return None  # a blank line ends the paragraph, so the math was never closed
            end = None
            if (opener == "\\(" and found == "\\)") or (opener == "\\[" and found == "\\]"):
                end = token.end()
            elif found != "$":
                continue
            elif opener == "$$":
                if not text.startswith("$$", at):
                    return None
                end = at + 2
            elif opener == "$":
                if text[at - 1].isspace() or text[at + 1 : at + 2].isdigit():
                    return None
                end = at + 1
            else:
                continue  # a `$` inside `\\(…\\)` or `\\[…\\]` is TeX
            self.remember(opener, body_start, at, end)
            return math_span(text, opener, start, (at, end))
        self.remember(opener, body_start, len(text), None)
        return None

    def remember(self, opener: str, searched: int, at: int, end: int | None) -> None:
        # A `$` search ends at the next `$`, so it never scans far twice: only the bracket
        # delimiters, which pass over every `$`, are remembered.
        if opener in ("\\(", "\\["):
            self.known[opener] = (searched, at, end)


def math_span(text: str, opener: str, start: int, close: tuple[int, int]) -> MathSpan | None:
    """The span from `start` to the closing delimiter at `close` (its start and end)."""
    body = text[start + len(opener) : close[0]]
    if not body.strip():
        return None
    return MathSpan(start, close[1], body, opener in ("$$", "\\["))
