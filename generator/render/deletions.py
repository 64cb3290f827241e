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
from generator.render.mathjax import find_math

MARK = re.compile(r"==(?=[^=\s])(?P<inner>(?:[^=\n]|=(?!=))+?)(?<=\S)==")
PARAGRAPH = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INDENTED = re.compile(r"^(?: {4}|\t)")
HTML_BLOCK = re.compile(
    r"^<(?:address|article|aside|blockquote|details|div|dl|fieldset|figure|footer|form|h[1-6]"
    r"|header|hr|main|nav|ol|p|pre|section|table|ul|!--)\b",
    re.IGNORECASE,
)
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


def code_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges where Python-Markdown shows `==` literally: fenced code blocks (closed by
    a fence of the same character at least as long), indented code blocks, raw HTML blocks and
    code spans."""
    ranges: list[tuple[int, int]] = []
    position, fence, start = 0, None, 0
    previous_blank, block, block_start = True, "", 0
    for line in re.findall(r"[^\n]*\n|[^\n]+$", text):
        stripped = line.strip()
        blank = not stripped
        match = FENCE.match(line)
        if fence is not None:
            closes = stripped.startswith(fence) and not stripped.strip(fence[0])
            if closes:
                ranges.append((start, position + len(line)))
                fence = None
        elif match:
            fence, start = match[1], position
        elif (block and blank) or (block == "code" and not INDENTED.match(line)):
            ranges.append((block_start, position))
            block = ""
        if fence is None and not block and previous_blank and not match:
            if INDENTED.match(line) and not blank:
                block, block_start = "code", position
            elif HTML_BLOCK.match(line):
                block, block_start = "html", position
        previous_blank = blank
        position += len(line)
    # An unclosed fence is no code block for Python-Markdown: its lines stay text.
    if block:
        ranges.append((block_start, len(text)))
    blocks = list(ranges)
    for start, end in code_spans(text):
        if not any(a <= start < b for a, b in blocks):
            ranges.append((start, end))
    return ranges


def code_spans(text: str) -> list[tuple[int, int]]:
    """Code spans exactly as Python-Markdown's backtick processor pairs them, paragraph by
    paragraph (a span never crosses a blank line)."""
    spans = []
    for paragraph in PARAGRAPH.finditer(text):
        data, offset, i = paragraph[0], paragraph.start(), 0
        while i < len(data):
            if data[i] != "`" or (i and data[i - 1] == "\\"):
                i += 1
                continue
            start, end = pair_backticks(i, data)
            if end is None:
                i = start
                continue
            stop = end + (start - i)
            spans.append((offset + i, offset + stop))
            i = stop
    return spans


def pair_backticks(start: int, text: str) -> tuple[int, int | None]:
    """Python-Markdown's BacktickInlineProcessor.find_code_spans: an opening run closes at the
    next run of the same length, or else at the longest shorter run."""
    last, ticks = len(text), 0
    while start < last and text[start] == "`":
        ticks += 1
        start += 1
    longest, end, i = 0, 0, start
    while i < last:
        run = 0
        while i < last and text[i] == "`":
            run += 1
            i += 1
        if not run:
            i += 1
            continue
        if run == ticks:
            return start, i - run
        if run > longest:
            longest, end = run, i
    if 0 < longest < ticks:
        return start - (ticks - longest), end - longest
    return start + ticks, None


def literal_ranges(text: str, *, math: bool = True) -> list[tuple[int, int]]:
    """Where `==`, `::` and `|` are literal: code (see code_ranges) and math (generator.mathext),
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
    found: list[tuple[re.Match[str], int | None, str, str, tuple[str, ...]]] = []
    problems: list[Problem] = []
    for match in MARK.finditer(masked):
        offset = text.count("\n", 0, match.start())
        inner = slice(*match.span("inner"))
        group, answer, hint, distractors = split_inner(text[inner], masked[inner])
        if not answer:
            problems.append(Problem(offset, "empty cloze deletion"))
            continue
        if group is not None and not 1 <= group <= MAX_GROUP:
            problems.append(Problem(offset, f"cloze number must be 1–{MAX_GROUP}, not {group}"))
            continue
        if any(not d for d in distractors):
            problems.append(Problem(offset, "empty distractor in '|| … | …'"))
            continue
        found.append((match, group, answer, hint, distractors))
    explicit = {group for _, group, *_ in found if group is not None}
    counter = 1
    deletions: list[Deletion] = []
    pieces: list[str] = []
    last = 0
    for match, written, answer, hint, distractors in found:
        group = written
        offset = text.count("\n", 0, match.start())
        if group is None:
            while counter in explicit:
                counter += 1
            group = counter
            counter += 1
            if group > MAX_GROUP:
                problems.append(Problem(offset, f"more than {MAX_GROUP} cloze deletions"))
                continue
        deletions.append(Deletion(group, answer, hint, distractors, offset))
        canonical = f"c{group}::{closing_equals(answer)}" + (
            f"::{closing_equals(hint)}" if hint else ""
        )
        pieces.extend([text[last : match.start()], f"=={marker}{canonical}=="])
        last = match.end()
    pieces.append(text[last:])
    return Parsed(tuple(deletions), "".join(pieces), tuple(problems))


def strip_marks(text: str) -> str:
    """The text a reader sees: every deletion replaced by its answer."""
    return MARK.sub(lambda match: split_inner(match["inner"])[1], text)


class NumberDeletions(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        # Math is stashed already (generator.mathext runs before this preprocessor).
        return parse("\n".join(lines), NUMBERED, math=False).canonical.split("\n")


HTML_PLACEHOLDER = re.compile("\x02wzxhzdk:(\\d+)\x03")


class DeletionPattern(InlineProcessor):
    def raw_html(self, match: re.Match[str]) -> str:
        blocks = self.md.htmlStash.rawHtmlBlocks
        index = int(match[1])
        return str(blocks[index]) if index < len(blocks) else ""

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
