"""What the lint rules look at: one `Fact` per note, in plain text, whatever its kind.

Facts are taken from the parsed notes (Markdown, with lines) in the lesson's worker, so the rules
run on small picklable records and never need the renderer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from generator.kinds.choice import ChoiceNote
from generator.kinds.cloze import ClozeNote
from generator.kinds.reveal import RevealNote
from generator.kinds.selfcheck import SelfCheckNote
from generator.kinds.twoway import TwoWayNote
from generator.kinds.typein import TypeInNote
from generator.kinds.variants import Variant
from generator.notes import Lesson, Note
from generator.render.deletions import parse as parse_deletions
from generator.render.deletions import strip_marks
from generator.source.silences import Silence

# What plain text leaves out, by these expressions' rules. Fences, math and markup are found by
# the scanners below rather than by `re.sub` over these expressions: each of them reads on to
# the end of the text for every opening that is never closed, which made a long field quadratic.
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.DOTALL | re.MULTILINE)
# `\s*` could run over many blank lines from every line start; blank lines are folded anyway.
TABLE = re.compile(r"^[ \t]*\|.*$", re.MULTILINE)
# Admonitions are asides (a note, a tip, a warning), not the answer to recall.
ADMONITION = re.compile(r"^!!! .*(?:\n(?: {4}.*|[ \t]*))*", re.MULTILINE)
MARKUP = re.compile(r"[*_`~]|<[^>]+>|!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])[ \t]+\S", re.MULTILINE)
FENCE_OPENING = re.compile(r"^(?:```|~~~)", re.MULTILINE)
MATH_OPENING = re.compile(r"\$|\\[(\[]")
MARKUP_START = re.compile(r"[*_`~<!\[]")


class Finder:
    """`text.find(needle, start)` for starts that only grow, each stretch of the text read once:
    a search remembers where it ended, and a later start before that place gets the same
    answer."""

    __slots__ = ("found", "needle", "searched", "text")

    def __init__(self, text: str, needle: str) -> None:
        self.text, self.needle = text, needle
        self.searched, self.found = len(text) + 1, -1

    def find(self, start: int) -> int:
        if self.searched <= start and (self.found == -1 or self.found >= start):
            return self.found
        self.searched, self.found = start, self.text.find(self.needle, start)
        return self.found


def without_fences(text: str, replacement: str) -> str:
    """`FENCE.sub(replacement, text)`: from a line starting with ``` or ~~~ to the end of the
    next line starting with the same three characters."""
    finders = {fence: Finder(text, "\n" + fence) for fence in ("```", "~~~")}
    pieces: list[str] = []
    last = 0
    for opening in FENCE_OPENING.finditer(text):
        start = opening.start()
        if start < last:
            continue
        closing = finders[opening[0]].find(start + 3)
        if closing < 0:
            continue
        end = text.find("\n", closing + 1)
        end = len(text) if end < 0 else end
        pieces.extend([text[last:start], replacement])
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def without_math(text: str) -> str:
    """`MATH.sub(" x ", text)`: `$$…$$`, `$…$` on one line, `\\(…\\)`, `\\[…\\]`."""
    finders = {close: Finder(text, close) for close in ("$$", "\\)", "\\]")}
    pieces: list[str] = []
    last = position = 0
    while (opening := MATH_OPENING.search(text, position)) is not None:
        start = opening.start()
        end = math_end(text, start, finders)
        if end is None:
            position = start + 1
            continue
        pieces.extend([text[last:start], " x "])
        last = position = end
    pieces.append(text[last:])
    return "".join(pieces)


def math_end(text: str, start: int, finders: dict[str, Finder]) -> int | None:
    """Where the match of `MATH` at `start` ends, trying its alternatives in order."""
    if text.startswith("$$", start):
        close = finders["$$"].find(start + 2)
        if close >= 0:
            return close + 2
    if text[start] == "$":
        position = start + 1
        while position < len(text) and text[position] not in "$\n":
            position += 1
        ok = position > start + 1 and position < len(text) and text[position] == "$"
        return position + 1 if ok else None
    close_with = "\\)" if text.startswith("\\(", start) else "\\]"
    close = finders[close_with].find(start + 2)
    return close + 2 if close >= 0 else None


def without_markup(text: str) -> str:
    """`MARKUP.sub(...)`: emphasis and code marks, tags, images and links (their text kept)."""
    next_of = {char: Finder(text, char) for char in (">", "]", ")")}
    pieces: list[str] = []
    last = position = 0
    while (found := MARKUP_START.search(text, position)) is not None:
        start, char = found.start(), found[0]
        end, keep = markup_end(text, start, char, next_of)
        if end is None:
            position = start + 1
            continue
        pieces.extend([text[last:start], keep])
        last = position = end
    pieces.append(text[last:])
    return "".join(pieces)


def markup_end(
    text: str, start: int, char: str, next_of: dict[str, Finder]
) -> tuple[int | None, str]:
    """Where the match of `MARKUP` at `start` ends, and what replaces it."""
    if char in "*_`~":
        return start + 1, " "
    if char == "<":
        if text.startswith(">", start + 1):
            return None, ""  # `<[^>]+>` needs a character between
        close = next_of[">"].find(start + 2)
        return (close + 1, " ") if close >= 0 else (None, "")
    if char == "!":
        if not text.startswith("![", start):
            return None, ""
        end, _ = bracket_link(text, start + 1, next_of)
        return (end, " ") if end is not None else (None, "")
    end, label = bracket_link(text, start, next_of)
    return (end, label or " ") if end is not None else (None, "")


def bracket_link(text: str, start: int, next_of: dict[str, Finder]) -> tuple[int | None, str]:
    """`[label](target)` from the `[` at `start`: its end and its label, or (None, "")."""
    close = next_of["]"].find(start + 1)
    if close < 0 or not text.startswith("(", close + 1):
        return None, ""
    end = next_of[")"].find(close + 2)
    return (end + 1, text[start + 1 : close]) if end >= 0 else (None, "")


@dataclass(frozen=True, slots=True)
class Fact:
    """One note as the lint rules see it."""

    path: str
    """Lesson file, as reported."""
    line: int
    """Line where the note starts."""
    id: str
    """Note id."""
    construct: str
    """The construct it came from (`reveal`, `multiple-choice`, `cloze`, …)."""
    question: str = ""
    """The question as written (Markdown); '' for notes whose question is generated."""
    answer: str = ""
    """The answer as written (Markdown); '' when the note has no free answer."""
    options: tuple[tuple[str, bool], ...] = ()
    """Written options (Markdown) and whether each is correct."""
    option_line: int = 0
    """Line of the first written option."""
    deletions: tuple[tuple[str, int], ...] = ()
    """Cloze deletions: (hidden text, line)."""
    sentence: str = ""
    """A cloze note's text with the deletions filled in."""
    ignored: frozenset[str] = frozenset()
    """Rules silenced for this note (front matter and `<!-- lint-ignore -->`)."""
    silences: tuple[Silence, ...] = ()
    """The lesson's silences that cover the note's lines."""
    in_build: bool = True
    """Whether `ankigen build` reports this note's findings."""

    def silenced(self, code: str, line: int = 0) -> bool:
        if code in self.ignored:
            return True
        return any(silence.covers(line or self.line, code) for silence in self.silences)


@lru_cache(maxsize=4096)
def plain(markdown: str) -> str:
    """Prose of Markdown: code blocks, admonitions, tables, math and markup removed, spacing
    folded."""
    text = without_fences(markdown, " ")
    text = ADMONITION.sub(" ", text)
    text = TABLE.sub(" ", text)
    text = without_math(text)
    text = without_markup(text)
    return " ".join(text.split())


def facts_of(
    notes: Iterable[Note | Variant], lesson: Lesson, silences: Sequence[Silence]
) -> tuple[Fact, ...]:
    facts = []
    for note in notes:
        meta = note.meta
        base = Fact(
            path=meta.path,
            line=meta.line,
            id=meta.id,
            construct=meta.construct,
            ignored=frozenset(lesson.defaults.lint_ignore),
            silences=tuple(silences),
            in_build=lesson.defaults.lint_build,
        )
        fact = fact_of(note, base)
        if fact is not None:
            facts.append(fact)
    return tuple(facts)


def fact_of(note: Note | Variant, base: Fact) -> Fact | None:
    construct = base.construct
    if isinstance(note, (RevealNote, TwoWayNote, TypeInNote)):
        asked = construct in ("reveal", "two-way", "type-in")
        question = note.question.markdown if asked else ""
        return replace(base, question=question, answer=note.answer.markdown)
    if isinstance(note, ChoiceNote):
        first = note.options[0].line if note.options else base.line
        return replace(
            base,
            question=note.question.markdown if construct == "multiple-choice" else "",
            options=tuple((option.text.markdown, option.correct) for option in note.options),
            option_line=first,
        )
    if isinstance(note, SelfCheckNote):
        return replace(base, question=note.prompt.markdown)
    if isinstance(note, ClozeNote):
        parsed = parse_deletions(note.text.markdown)
        return replace(
            base,
            deletions=tuple((d.answer, note.text.line + d.offset) for d in parsed.deletions),
            sentence=strip_marks(note.text.markdown),
        )
    if isinstance(note, Variant) and note.distractors:
        options = ((note.answer.markdown, True), *((d.markdown, False) for d in note.distractors))
        return replace(base, options=options, option_line=note.distractors[0].line or base.line)
    return None


def list_items(markdown: str) -> int:
    """Top-level list items of Markdown outside code."""
    return len(LIST_ITEM.findall(without_fences(markdown, "")))
