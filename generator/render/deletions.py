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

from generator.notes import ClozeMode
from generator.render.blocks import HTML_PLACEHOLDER
from generator.render.conversion import Switchboard
from generator.render.literal import Ranges, code_ranges, inline_comments, masked
from generator.render.mathjax import find_math
from generator.render.stash import CodeSpanHtml

MARK = re.compile(r"==(?=[^=\s])(?P<inner>(?:[^=\n]|=(?!=))+?)(?<=\S)==")
# Put in front of every deletion the preprocessor numbered: only those become deletions, so the
# renderer can never emit a deletion the parser did not count.
NUMBERED = "\ue000"
GROUP = re.compile(r"^c(?P<n>\d+)::", re.IGNORECASE)
CANONICAL = re.compile(r"^\ue000c(?P<n>\d+)::(?P<rest>.*)$", re.DOTALL)
# Escaped characters of cloze syntax; a pair of backslashes is an escaped backslash.
ESCAPE = re.compile(r"\\[\\:|=]")
ESCAPED_SYNTAX = re.compile(r"\\([:|=])")
# Runs cloze syntax reads: `::` (hint), `||` (distractors), `==` (the marks).
SYNTAX_RUN = re.compile(r":{2,}|\|{2,}|={2,}")
SYNTAX_CHARACTERS = (":", "=")
"""Made escapable in Python-Markdown (as in CommonMark, where any punctuation is), so that an
answer can hold `::` or `==` as text."""
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


def literal_ranges(text: str, *, math: bool = True, html: bool = True) -> list[tuple[int, int]]:
    """Where `==`, `::` and `|` are literal: code and raw HTML blocks (generator.render.literal)
    and math, which the renderer stashes before cloze numbering sees the text. `math=False` is
    for that stashed text: a `$` left in it is literal, and scanning it again could pair two
    dollars that a stashed formula used to keep apart. `html=False` leaves raw HTML blocks out
    (to find what is inside them)."""
    code = code_ranges(text, html=html)
    formulas: list[tuple[int, int]] = []
    if math and (spans := find_math(text, code).spans):
        formulas = [(span.start, span.end) for span in spans]
        if any("\n" in text[start:end] for start, end in formulas):
            # The renderer's block parser reads a formula as its placeholder: no line of one
            # over several lines starts a block there (a `!!!` line, an indented one), so the
            # code is found with the formulas written over as plain letters.
            code = code_ranges(masked(text, formulas, fill="x"), html=html)
    literal = code + formulas
    # A comment elsewhere is inline raw HTML, shown as written (a commented-out deletion).
    return literal + inline_comments(text, literal) if html else literal


def escapes(text: str) -> list[tuple[int, int]]:
    """Backslash escapes of the characters cloze syntax reads (`\\:`, `\\|`, `\\=`, and
    `\\\\` itself): an escaped character is text, so `==std\\::move==` keeps its `::`.
    Python-Markdown shows each as the character alone (see `ClozeExtension`)."""
    if "\\" not in text:
        return []
    return [match.span() for match in ESCAPE.finditer(text)]


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
    # Masking only blanks characters out: without `==` there is no deletion to look for.
    if "==" not in text:
        return Parsed((), text, ())
    masked = mask(text, literal_ranges(text, math=math) + escapes(text))
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
        deletions.append(
            Deletion(
                group,
                unescape_syntax(answer),
                unescape_syntax(hint),
                tuple(unescape_syntax(d) for d in distractors),
                offset,
            )
        )
        canonical = f"c{group}::{closing_equals(answer)}" + (
            f"::{closing_equals(hint)}" if hint else ""
        )
        pieces.extend([text[last : match.start()], f"=={marker}{canonical}=="])
        last = match.end()
    pieces.append(text[last:])
    return Parsed(tuple(deletions), "".join(pieces), tuple(problems))


def unescape_syntax(markdown: str) -> str:
    """The Markdown with the escapes of cloze syntax taken out (`std\\:\\:move` → `std::move`):
    the same text once rendered, outside a deletion, where `::` means nothing."""
    if "\\" not in markdown:
        return markdown
    literal = Ranges(literal_ranges(markdown))  # `\|` in TeX is TeX
    return ESCAPED_SYNTAX.sub(
        lambda m: m[0] if literal.end_of(m.start()) is not None else m[1], markdown
    )


def escape_syntax(markdown: str) -> str:
    """`markdown` made safe to write between `==` and `==` as an answer: what cloze syntax
    would read (`::`, `||`, `==`, a final backslash) escaped, outside code and math. Text
    without such runs comes back unchanged."""
    if not any(run in markdown for run in ("::", "||", "==", "\\")):
        return markdown
    literal = literal_ranges(markdown)
    masked = mask(markdown, literal + escapes(markdown))
    pieces: list[str] = []
    last = 0
    for match in SYNTAX_RUN.finditer(masked):
        run = markdown[match.start() : match.end()]
        pieces.extend([markdown[last : match.start()], "".join(f"\\{char}" for char in run)])
        last = match.end()
    pieces.append(markdown[last:])
    escaped = "".join(pieces)
    # A final backslash would escape the closing `=`.
    if escaped.endswith("\\") and not mask(escaped, escapes(escaped)).endswith("\0"):
        escaped += "\\"
    return escaped


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
        # Math is stashed already (generator.render.stash runs before this); code spans are
        # stashed after, in the numbered text, so parse still finds them itself.
        return parse("\n".join(lines), NUMBERED, math=False).canonical.split("\n")


BACKSLASH = re.compile(r"\\(.)", re.DOTALL)


class DeletionPattern(InlineProcessor):
    batchable = True
    """Its pattern has no look-behind at its start and `handleMatch` reads only the match, so
    generator.render.linear may apply it in one pass."""
    triggers = ("==",)
    """Every deletion holds `==`: generator.render.linear tries the pattern only on such text."""

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
        rest = found["rest"]
        # The hint starts at the first `::` that is not escaped, as in `parse`.
        cut = mask(rest, escapes(rest)).find("::")
        answer, hint = (rest, "") if cut < 0 else (rest[:cut], rest[cut + 2 :])
        # Raw HTML in a hint was stashed by an earlier pattern; a hint is plain text, and its
        # backslash escapes are taken out as Markdown would.
        hint = HTML_PLACEHOLDER.sub(self.raw_html, self.unescape(hint))
        hint = unescape(self.backslash_escapes(hint))
        el = etree.Element(TAG, {"n": found["n"], "hint": hint})
        el.text = answer
        return el, m.start(0), m.end(0)

    def backslash_escapes(self, text: str) -> str:
        escapable = self.md.ESCAPED_CHARS
        return BACKSLASH.sub(lambda m: m[1] if m[1] in escapable else m[0], text)


class EmitDeletions(Postprocessor):
    """Turn the marked deletions into the output of the current mode."""

    def __init__(self, md: Markdown, extension: ClozeExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, text: str) -> str:
        self.extension.unemitted = text
        current = self.extension.board.current
        return emit_deletions(text, current.mode, current.target)


def escape_braces(html: str) -> str:
    """HTML in which text that only looks like cloze syntax can never become a deletion in Anki:
    what the cloze extension does last to every text."""
    return html.replace("{{", "{&#123;").replace("}}", "}&#125;")


def emit_deletions(text: str, mode: ClozeMode, target: int) -> str:
    """The marked deletions of converted HTML written in `mode`."""
    text = escape_braces(text)

    def emit(match: re.Match[str]) -> str:
        attrs = {a["name"]: a["value"] for a in ATTRIBUTE.finditer(match["attrs"])}
        n, hint = int(attrs["n"]), opening_equals(attrs.get("hint", ""))
        inner = opening_equals(match["inner"])
        if mode == "anki":
            # A deletion ending in "}" would merge with Anki's closing "}}"; Anki reads the
            # first "::" of a deletion as the start of its hint.
            inner, hint = anki_safe(closing_safe(inner), hint=bool(hint)), closing_safe(hint)
            return f"{{{{c{n}::{inner}" + (f"::{anki_safe(hint)}" if hint else "") + "}}"
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
        self.unemitted = ""
        """The last conversion's HTML before its deletions were written in its mode."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.ESCAPED_CHARS.extend(c for c in SYNTAX_CHARACTERS if c not in md.ESCAPED_CHARS)
        # After fenced code (25) has stashed code blocks, so their `==` stay literal.
        md.preprocessors.register(NumberDeletions(md), "ankigen-cloze-number", 20)
        md.inlinePatterns.register(DeletionPattern(MARK.pattern, md), "ankigen-cloze", 65)
        md.postprocessors.register(EmitDeletions(md, self), "ankigen-cloze-emit", 5)


def closing_safe(text: str) -> str:
    return text[:-1] + "&#125;" if text.endswith("}") else text


# Anki splits a deletion at its first "::" (rslib's cloze parser): a colon written as an entity
# is the same character to the browser, and no separator to Anki.
COLON_ENTITY = "&#58;"


def anki_safe(html: str, *, hint: bool = False) -> str:
    """`html` inside `{{cN::…}}` with no `::` left for Anki to split at; before a hint, no final
    `:` either (it would make `:::`)."""
    html = html.replace("::", ":" + COLON_ENTITY)
    return html[:-1] + COLON_ENTITY if hint and html.endswith(":") else html
