"""`<!-- lint-ignore: code, code -->`: a line that turns lint rules off for one card.

The comment stands on a line of its own. Inside a `###` card it silences the card (every note the
card makes); in lesson text it silences the paragraph or list item that follows. Without codes
(`<!-- lint-ignore -->`) it silences every rule. The lines are taken out of the lesson before it
is parsed, so they never reach a card.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from generator.source.outline import Line, is_blank, mark_fences, parse_heading

COMMENT = re.compile(r"^\s*<!--\s*lint-ignore\s*(?::(?P<codes>[^>]*?))?\s*-->\s*$")
ALL = "*"


@dataclass(frozen=True, slots=True)
class Silence:
    """Lint rules turned off for a range of lines."""

    line: int
    """Line of the comment."""
    codes: frozenset[str]
    """Rule codes it names; `ALL` for every rule."""
    start: int
    """First line it covers."""
    end: int
    """Last line it covers."""

    def covers(self, line: int, code: str) -> bool:
        return self.start <= line <= self.end and (ALL in self.codes or code in self.codes)


def split(lines: Sequence[Line]) -> tuple[list[Line], tuple[Silence, ...]]:
    """The lines without lint-ignore comments, and the silences they wrote."""
    if not any("lint-ignore" in line.text for line in lines):
        return list(lines), ()
    marked = mark_fences(lines)
    found: list[tuple[int, int, frozenset[str]]] = []
    kept: list[Line] = []
    for index, line in enumerate(marked):
        match = None if line.in_fence else COMMENT.match(line.text)
        if match is None:
            kept.append(lines[index])
            continue
        written = match["codes"] or ""
        codes = frozenset(code.strip() for code in written.split(",") if code.strip())
        found.append((index, line.number, codes or frozenset({ALL})))
    return kept, tuple(scope(marked, index, number, codes) for index, number, codes in found)


def scope(lines: Sequence[Line], index: int, number: int, codes: frozenset[str]) -> Silence:
    """The card around line `index`, or else the paragraph after it."""
    start = None
    for line in reversed(lines[:index]):
        heading = parse_heading(line)
        if heading is not None and heading.level <= 3:
            start = line.number if heading.level == 3 else None
            break
    if start is not None:
        end = lines[-1].number
        for line in lines[index + 1 :]:
            heading = parse_heading(line)
            if heading is not None and heading.level <= 3:
                end = line.number - 1
                break
        return Silence(number, codes, start, end)
    end = number
    seen_text = False
    for line in lines[index + 1 :]:
        if is_blank(line) or parse_heading(line) is not None:
            if seen_text:
                break
            continue
        seen_text = True
        end = line.number
    return Silence(number, codes, number, end)
