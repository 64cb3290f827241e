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

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from generator.render.literal import code_ranges

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
    """Math spans and `\\$` escapes of `text`, ignoring everything inside `skip` (code)."""
    if not may_have_math(text):
        return NOTHING
    spans: list[MathSpan] = []
    escaped: list[int] = []
    position = 0
    while (match := OPENER.search(text, position)) is not None:
        start, token = match.start(), match[0]
        inside = next((end for a, end in skip if a <= start < end), None)
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
        span = closing(text, start, token)
        if span is None or any(start < a < span.end for a, _ in skip):
            position = match.end()
            continue
        spans.append(span)
        position = span.end
    return MathScan(tuple(spans), tuple(escaped))


def closing(text: str, start: int, opener: str) -> MathSpan | None:
    """The math span opened by `opener` at `start`, or None when it is not math."""
    body_start = start + len(opener)
    if opener == "$" and (body_start >= len(text) or text[body_start].isspace()):
        return None
    position = body_start
    while (token := INSIDE.search(text, position)) is not None:
        found, at = token[0], token.start()
        position = token.end()
        if found.startswith("\n"):
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
            continue  # a `$` inside `\(…\)` or `\[…\]` is TeX
        body = text[body_start:at]
        if not body.strip():
            return None
        return MathSpan(start, end, body, opener in ("$$", "\\["))
    return None


class StashMath(Preprocessor):
    """Replace math by stash placeholders, and `\\$` by an entity, before Markdown sees them."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if not may_have_math(text):
            return lines
        scan = find_math(text, code_ranges(text))
        if not scan.spans and not scan.escaped_dollars:
            return lines
        # The entity keeps a written dollar from pairing up with another one in a later scan.
        edits = [(start, start + 2, LITERAL_DOLLAR) for start in scan.escaped_dollars]
        edits += [(s.start, s.end, self.md.htmlStash.store(s.anki)) for s in scan.spans]
        pieces: list[str] = []
        last = 0
        for start, end, replacement in sorted(edits):
            pieces.extend([text[last:start], replacement])
            last = end
        pieces.append(text[last:])
        return "".join(pieces).split("\n")


class MathExtension(Extension):
    """Math as Anki MathJax."""

    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code (25) is stashed; before raw HTML blocks (20) and cloze numbering (20).
        md.preprocessors.register(StashMath(md), "ankigen-math", 22)
