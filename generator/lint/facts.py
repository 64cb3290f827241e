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

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.DOTALL | re.MULTILINE)
TABLE = re.compile(r"^\s*\|.*$", re.MULTILINE)
# Admonitions are asides (a note, a tip, a warning), not the answer to recall.
ADMONITION = re.compile(r"^!!! .*(?:\n(?: {4}.*|[ \t]*))*", re.MULTILINE)
MARKUP = re.compile(r"[*_`~]|<[^>]+>|!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])[ \t]+\S", re.MULTILINE)


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
    text = FENCE.sub(" ", markdown)
    text = ADMONITION.sub(" ", text)
    text = TABLE.sub(" ", text)
    text = MATH.sub(" x ", text)
    text = MARKUP.sub(lambda match: match[1] or " ", text)
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
    return len(LIST_ITEM.findall(FENCE.sub("", markdown)))
