"""Math and code spans taken out of the text before Markdown parses it.

Math must reach the card verbatim (generator.render.mathjax). Code spans come out here too, as
the HTML Python-Markdown's backtick pattern would make of them (`generator.render.literal` pairs
backticks by its rule): one pass over the field instead of Python-Markdown's rebuilding of the
whole paragraph for every span, which made a long paragraph of code spans quadratic. Both are
found in one scan, because math never crosses a code span.

Left to Python-Markdown are the code spans whose HTML depends on where they stand: spans over
several lines (list and quote markers are stripped inside them), in a link's destination or an
image's text (Python-Markdown flattens them to text there), on a reference definition line, and
spans followed by an attribute list (`{: …}` applies to the `<code>` element).
"""

from __future__ import annotations

import re

from markdown import Markdown, util
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from generator.render.literal import (
    PARAGRAPH,
    Ranges,
    Span,
    code_ranges,
    indented_blocks,
    leftovers,
    paragraph_code_spans,
    unsplit,
)
from generator.render.mathjax import LITERAL_DOLLAR, find_math, may_have_math

DEFINITION_LINE = re.compile(r"^[ \t]*\*?\[[^\]\n]*\]:", re.MULTILINE)
CONTEXT = re.compile(r"\]\(|!\[|[)\]\n]")


class CodeSpanHtml(str):
    """A stashed code span: its HTML, and its text for places that take plain text (a cloze
    hint), as Python-Markdown's `unescape` would give it."""

    text: str

    def __new__(cls, escaped: str) -> CodeSpanHtml:
        html = super().__new__(cls, f"<code>{escaped}</code>")
        html.text = escaped
        return html


def code_html(text: str, span: Span) -> CodeSpanHtml:
    """What `BacktickInlineProcessor` makes of a span: the text between the opening and the
    (possibly shorter) closing run, stripped and escaped."""
    start, end = span
    closing = len(text[start:end]) - len(text[start:end].rstrip("`"))
    return CodeSpanHtml(util.code_escape(text[start + closing : end - closing].strip()))


def stashable(text: str, spans: list[Span]) -> bool:
    """Whether none of `spans` (in order, each on one line) stands where Python-Markdown makes
    something else than `<code>` of it: in a link's destination or an image's text still open
    before it on its line, on a reference definition line, or before an attribute list."""
    position = text.rfind("\n", 0, spans[0][0]) + 1 if spans else 0
    line = position
    destination = image = False  # an unclosed `](` or `![` before the span on its line
    for start, end in spans:
        # Text between the spans only: brackets inside code are no link syntax.
        for event in CONTEXT.finditer(text, position, start):
            token = event[0]
            if token == "\n":
                line, destination, image = event.end(), False, False
            elif token in ("](", ")"):
                destination = token == "]("
            else:
                image = token == "!["
        if destination or image or text.startswith("{", end) or DEFINITION_LINE.match(text, line):
            return False
        position = end
    return True


def splice(text: str, edits: list[tuple[int, int, str]]) -> list[str]:
    """`text` with each (start, end) range replaced, as lines."""
    pieces: list[str] = []
    last = 0
    for start, end, replacement in sorted(edits):
        pieces.extend([text[last:start], replacement])
        last = end
    pieces.append(text[last:])
    return "".join(pieces).split("\n")


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
        return splice(text, edits)


class StashCodeSpans(Preprocessor):
    """Replace code spans by stash placeholders of their HTML. Runs on the text the block parser
    will see: fenced code, raw HTML blocks and math are placeholders by then.

    A plain paragraph (no line that could start or split a block: heading, quote, list item,
    rule, definition, table) is one text for Python-Markdown's inline patterns, so its pairing
    is exactly `literal.paragraph_code_spans`: every span is stashed, and every backtick left
    unpaired too (as itself), so that none is paired differently once the spans are gone. In
    any other paragraph, whose lines the block parser may split, only spans that open and close
    with the same number of backticks on one line are stashed, and only when no backtick is
    left over: there the pairing cannot depend on the split. Other paragraphs are left to
    Python-Markdown whole."""

    active = True
    """Off only to compare with Python-Markdown's own handling of code spans in tests."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "`" not in text or not self.active:
            return lines
        literal = Ranges(indented_blocks(text))
        edits: list[tuple[int, int, str]] = []
        for paragraph in PARAGRAPH.finditer(text):
            if "`" in paragraph[0]:
                edits += self.paragraph_edits(text, paragraph.start(), paragraph.end(), literal)
        return splice(text, edits) if edits else lines

    def paragraph_edits(
        self, text: str, start: int, end: int, literal: Ranges
    ) -> list[tuple[int, int, str]]:
        spans = paragraph_code_spans(text[start:end], start)
        if any(literal.end_of(span[0]) is not None for span in spans):
            return []
        left = leftovers(text, start, end, spans)
        # Where the paragraph may be split, no backtick is left over (`unsplit`).
        if not unsplit(text, start, end, spans, left) or not stashable(text, sorted(spans + left)):
            return []
        store = self.md.htmlStash.store
        edits = [(a, b, store(code_html(text, (a, b)))) for a, b in spans]
        # A leftover run after an odd number of backslashes: the last one escapes its first
        # backtick, which Python-Markdown shows without the backslash.
        edits += [
            (a - 1 if escaped_at(text, a) else a, b, store(text[a:b]))
            for a, b in left
            if literal.end_of(a) is None
        ]
        return edits


def escaped_at(text: str, offset: int) -> bool:
    """Whether `offset` follows an odd number of backslashes."""
    count = 0
    while offset > count and text[offset - count - 1] == "\\":
        count += 1
    return count % 2 == 1


class StashExtension(Extension):
    """Math as Anki MathJax, and code spans, out of Markdown's way."""

    def extendMarkdown(self, md: Markdown) -> None:
        # Math: after fenced code (25) is stashed, before raw HTML blocks (20) and cloze
        # numbering (20). Code spans: after both, on what the block parser gets.
        md.preprocessors.register(StashMath(md), "ankigen-math", 22)
        md.preprocessors.register(StashCodeSpans(md), "ankigen-code-spans", 19)
