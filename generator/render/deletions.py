"""Cloze deletions in lesson Markdown: `==answer==`, `==answer::hint==`, `==c2::answer==`,
and explicit distractors for the multiple-choice variant: `==answer || wrong | other==`.

Parsing works on source text (code spans and fenced code are left alone) and numbers deletions
in order; the Python-Markdown extension below uses the same parser, so the groups a note reports
are the groups Anki sees.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from html import unescape
from itertools import pairwise

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from generator.render.conversion import Switchboard
from generator.render.literal import code_ranges
from generator.render.mathjax import find_math
from generator.render.stash import CodeSpanHtml

MARK = re.compile(r"==(?=[^=\s])(?P<inner>(?:[^=\n]|=(?!=))+?)(?<=\S)==")
# Put in front of every deletion the preprocessor numbered: only those become deletions, so the
# renderer can never emit a deletion the parser did not count.
NUMBERED = "\ue000"
GROUP = re.compile(r"^c(?P<n>\d+)::", re.IGNORECASE)
CANONICAL = re.compile(r"^\ue000c(?P<n>\d+)::(?P<answer>.*?)(?:::(?P<hint>.*))?$", re.DOTALL)
MAX_GROUP = 99
TAG = "ak-cloze"
RENDERED = re.compile(rf"<{TAG}(?P<attrs>[^>]*)>(?P<inner>.*?)</{TAG}>", re.DOTALL)
ATTRIBUTE = re.compile(r'(?P<name>[a-z]+)="(?P<value>[^"]*)"')


@dataclass(frozen=True, slots=True)
class Deletion:
    """One `==…==` in the source."""

    group: int
    """Card number (Anki's cN); deletions with the same number share a card."""
    answer: str
    """Markdown of the hidden text."""
    hint: str
    """Hint shown in the blank, or empty."""
    distractors: tuple[str, ...]
    """Wrong options written by the author for the multiple-choice variant."""
    offset: int
    """Line offset inside the text where the deletion starts (0 = first line)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A `==…==` that cannot be a deletion."""

    offset: int
    """Line offset inside the text."""
    message: str
    """What is wrong."""
    code: str
    """Stable name of the problem (docs/format.md)."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """Deletions found in a text, and the text with every deletion numbered explicitly."""

    deletions: tuple[Deletion, ...]
    """In source order."""
    canonical: str
    """Same Markdown with `==cN::answer::hint==`; distractors dropped."""
    problems: tuple[Problem, ...]
    """Deletions that were rejected."""

    @property
    def groups(self) -> tuple[int, ...]:
        return tuple(sorted({deletion.group for deletion in self.deletions}))


def literal_ranges(text: str, *, math: bool = True) -> list[tuple[int, int]]:
    """Where `==`, `::` and `|` are literal: code (generator.render.literal) and math,
    which the renderer stashes before cloze numbering sees the text. `math=False` is for that
    stashed text: a `$` left in it is literal, and scanning it again could pair two dollars that
    a stashed formula used to keep apart."""
    code = code_ranges(text)
    if not math:
        return code
    spans = find_math(text, code).spans
    return code + [(span.start, span.end) for span in spans] if spans else code


def mask(text: str, ranges: list[tuple[int, int]]) -> str:
    """`text` with every character of `ranges` replaced by NUL: offsets stay the same, and a
    masked span reads like the one-token stash placeholder Markdown sees at render time."""
    if not ranges:
        return text
    chars = list(text)
    for start, end in ranges:
        chars[start:end] = "\0" * (end - start)
    return "".join(chars)


def split_inner(
    inner: str, masked: str | None = None
) -> tuple[int | None, str, str, tuple[str, ...]]:
    """`c2::answer::hint || d1 | d2` → (2, answer, hint, (d1, d2)). Separators are looked for in
    `masked` (the same text with code and math masked), so `::` or `|` in math is no separator."""
    seen = inner if masked is None else masked
    group = None
    match = GROUP.match(seen)
    if match:
        group = int(match["n"])
        inner, seen = inner[match.end() :], seen[match.end() :]
    distractors: tuple[str, ...] = ()
    if "||" in seen:
        cut = seen.index("||")
        rest, rest_seen = inner[cut + 2 :], seen[cut + 2 :]
        inner, seen = inner[:cut], seen[:cut]
        bars = [-1, *(i for i, char in enumerate(rest_seen) if char == "|"), len(rest)]
        distractors = tuple(rest[a + 1 : b].strip() for a, b in pairwise(bars))
    cut = seen.find("::")
    answer, hint = (inner, "") if cut < 0 else (inner[:cut], inner[cut + 2 :])
    return group, opening_equals(answer.strip()), opening_equals(hint.strip()), distractors


# "==a+===" cannot close after an "=", so a final "=" is written as an entity in canonical text.
EQUALS_ENTITY = "&#61;"


def closing_equals(text: str) -> str:
    return text[:-1] + EQUALS_ENTITY if text.endswith("=") else text


def opening_equals(text: str) -> str:
    return text[: -len(EQUALS_ENTITY)] + "=" if text.endswith(EQUALS_ENTITY) else text


def parse(text: str, marker: str = "", *, math: bool = True) -> Parsed:
    masked = mask(text, literal_ranges(text, math=math))
    found: list[tuple[re.Match[str], int, int | None, str, str, tuple[str, ...]]] = []
    problems: list[Problem] = []
    lines = LineCounter(text)
    for match in MARK.finditer(masked):
        offset = lines.before(match.start())
        inner = slice(*match.span("inner"))
        group, answer, hint, distractors = split_inner(text[inner], masked[inner])
        if not answer:
            problems.append(Problem(offset, "empty cloze deletion", "cloze-empty"))
            continue
        if group is not None and not 1 <= group <= MAX_GROUP:
            problems.append(
                Problem(offset, f"cloze number must be 1–{MAX_GROUP}, not {group}", "cloze-number")
            )
            continue
        if any(not d for d in distractors):
            problems.append(Problem(offset, "empty distractor in '|| … | …'", "empty-distractor"))
            continue
        found.append((match, offset, group, answer, hint, distractors))
    explicit = {group for _, _, group, *_ in found if group is not None}
    counter = 1
    deletions: list[Deletion] = []
    pieces: list[str] = []
    last = 0
    for match, offset, written, answer, hint, distractors in found:
        group = written
        if group is None:
            while counter in explicit:
                counter += 1
            group = counter
            counter += 1
            if group > MAX_GROUP:
                problems.append(
                    Problem(offset, f"more than {MAX_GROUP} cloze deletions", "cloze-too-many")
                )
                continue
        deletions.append(Deletion(group, answer, hint, distractors, offset))
        canonical = f"c{group}::{closing_equals(answer)}" + (
            f"::{closing_equals(hint)}" if hint else ""
        )
        pieces.extend([text[last : match.start()], f"=={marker}{canonical}=="])
        last = match.end()
    pieces.append(text[last:])
    return Parsed(tuple(deletions), "".join(pieces), tuple(problems))


class LineCounter:
    """Line offsets of increasing positions in a text, counted once over the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.lines = 0

    def before(self, position: int) -> int:
        """Line breaks before `position` (never less than an earlier position's)."""
        if position > self.position:
            self.lines += self.text.count("\n", self.position, position)
            self.position = position
        return self.lines


def strip_marks(text: str) -> str:
    """The text a reader sees: every deletion replaced by its answer."""
    return MARK.sub(lambda match: split_inner(match["inner"])[1], text)


class NumberDeletions(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        # Math and code spans are stashed already (generator.render.stash runs before this).
        return parse("\n".join(lines), NUMBERED, math=False).canonical.split("\n")


HTML_PLACEHOLDER = re.compile("\x02wzxhzdk:(\\d+)\x03")


class DeletionPattern(InlineProcessor):
    batchable = True
    """Its pattern has no look-behind at its start and `handleMatch` reads only the match, so
    generator.render.linear may apply it in one pass."""

    def raw_html(self, match: re.Match[str]) -> str:
        blocks = self.md.htmlStash.rawHtmlBlocks
        index = int(match[1])
        if index >= len(blocks):
            return ""
        block = blocks[index]
        return block.text if isinstance(block, CodeSpanHtml) else str(block)

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element, int, int]:
        found = CANONICAL.match(m["inner"])
        if not found:
            el = etree.Element("mark")
            el.text = m["inner"]
            return el, m.start(0), m.end(0)
        # Raw HTML in a hint was stashed by an earlier pattern; a hint is plain text.
        hint = HTML_PLACEHOLDER.sub(self.raw_html, self.unescape(found["hint"] or ""))
        hint = unescape(hint)
        el = etree.Element(TAG, {"n": found["n"], "hint": hint})
        el.text = found["answer"]
        return el, m.start(0), m.end(0)


class EmitDeletions(Postprocessor):
    """Turn the marked deletions into the output of the current mode."""

    def __init__(self, md: Markdown, extension: ClozeExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, text: str) -> str:
        # Text that only looks like cloze syntax must never become a deletion in Anki.
        text = text.replace("{{", "{&#123;").replace("}}", "}&#125;")
        current = self.extension.board.current
        mode, target = current.mode, current.target

        def emit(match: re.Match[str]) -> str:
            attrs = {a["name"]: a["value"] for a in ATTRIBUTE.finditer(match["attrs"])}
            n, hint = int(attrs["n"]), opening_equals(attrs.get("hint", ""))
            inner = opening_equals(match["inner"])
            if mode == "anki":
                # A deletion ending in "}" would merge with Anki's closing "}}".
                inner, hint = closing_safe(inner), closing_safe(hint)
                return f"{{{{c{n}::{inner}" + (f"::{hint}" if hint else "") + "}}"
            if mode == "blank" and n == target:
                label = hint or "…"
                return f'<span class="ak-blank" data-group="{n}">[{label}]</span>'
            if mode == "reveal" and n == target:
                return f'<mark class="ak-cloze-answer" data-group="{n}">{inner}</mark>'
            if mode in ("blank", "reveal"):
                return inner
            return f"<mark>{inner}</mark>"

        return RENDERED.sub(emit, text)


class ClozeExtension(Extension):
    """Deletions written in the mode of the conversion on `board` (see `ClozeMode`)."""

    def __init__(self, board: Switchboard) -> None:
        super().__init__()
        self.board = board

    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code (25) has stashed code blocks, so their `==` stay literal.
        md.preprocessors.register(NumberDeletions(md), "ankigen-cloze-number", 20)
        md.inlinePatterns.register(DeletionPattern(MARK.pattern, md), "ankigen-cloze", 65)
        md.postprocessors.register(EmitDeletions(md, self), "ankigen-cloze-emit", 5)


def closing_safe(text: str) -> str:
    return text[:-1] + "&#125;" if text.endswith("}") else text
