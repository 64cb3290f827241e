"""Markdown → HTML with Python-Markdown, configured once for every field of every card."""

from __future__ import annotations

import importlib
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import markdown
from markdown.blockparser import BlockParser
from markdown.extensions import Extension
from markdown.extensions.admonition import AdmonitionExtension, AdmonitionProcessor
from markdown.extensions.footnotes import FootnoteExtension

from generator.diagnostics import Diagnostics
from generator.notes import ClozeMode, ContentProblem, Text
from generator.render.conversion import IDLE, Conversion, Switchboard
from generator.render.deletions import ClozeExtension, emit_deletions
from generator.render.highlight import html_formatter
from generator.render.linear import LinearMarkdown
from generator.render.media import MediaExtension, MediaLog, MediaResolver
from generator.render.plain import plain_html
from generator.render.rawhtml import RawHtmlPolicy
from generator.render.stash import StashExtension

EXTENSIONS = [
    "abbr",
    "generator.render.attrs:AttrLists",
    "def_list",
    "fenced_code",
    "tables",
    "sane_lists",
    "codehilite",
    "pymdownx.tilde",
]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    # Class-based highlighting: the colours live in the note types' CSS (light and night).
    "codehilite": {
        "guess_lang": False,
        "css_class": "highlight",
        "wrapcode": True,
        "pygments_formatter": html_formatter,
    },
    "pymdownx.tilde": {"subscript": False},
}
EXTENSION_CLASSES: dict[str, tuple[str, str]] = {
    "abbr": ("markdown.extensions.abbr", "AbbrExtension"),
    "generator.render.attrs:AttrLists": ("generator.render.attrs", "AttrLists"),
    "def_list": ("markdown.extensions.def_list", "DefListExtension"),
    "fenced_code": ("markdown.extensions.fenced_code", "FencedCodeExtension"),
    "tables": ("markdown.extensions.tables", "TableExtension"),
    "sane_lists": ("markdown.extensions.sane_lists", "SaneListExtension"),
    "codehilite": ("markdown.extensions.codehilite", "CodeHiliteExtension"),
    "pymdownx.tilde": ("pymdownx.tilde", "DeleteSubExtension"),
}
"""The module and class Markdown makes each of EXTENSIONS from. Imported when a renderer is
made: a build that compiles its lessons in worker processes never imports them itself (and
pymdownx brings urllib.request with it)."""
SINGLE_PARAGRAPH = re.compile(r"^<p>(?P<inner>(?:(?!</?p>).)*)</p>$", re.DOTALL)
CACHE_LIMIT = 8192


def made_extensions() -> list[Extension]:
    """EXTENSIONS, each made with its configuration as Markdown makes it from its name, but
    without looking the name up: Markdown looks for it among the installed packages' entry
    points, and importing importlib.metadata and scanning them costs more than the rest of
    creating the renderer."""
    made: list[Extension] = []
    for name in EXTENSIONS:
        module, cls = EXTENSION_CLASSES[name]
        made.append(
            getattr(importlib.import_module(module), cls)(**EXTENSION_CONFIGS.get(name, {}))
        )
    return made


class FieldFootnotes(FootnoteExtension):
    """Footnotes whose ids are unique per field: the fields of a card share one page, so two
    fields' `fn:1` would collide (the prefix is the conversion's `footnote_prefix`)."""

    def __init__(self, board: Switchboard, problems: list[ContentProblem]) -> None:
        super().__init__()
        self.board = board
        self.problems = problems

    def setFootnote(self, id: str, text: str) -> None:
        # Python-Markdown keeps the last of two definitions of one label: the first one's text,
        # deletions included, would vanish from the card.
        if id in self.footnotes:
            self.problems.append(
                ContentProblem(
                    True,
                    f"footnote '[^{id}]' is defined twice in this text: only the last definition "
                    "would be shown, and the first one's text lost; give each its own label",
                    "footnote-twice",
                    (f"[^{id}]:",),
                )
            )
        super().setFootnote(id, text)

    def makeFootnoteId(self, id: str) -> str:
        return f"fn{self.get_separator()}{self.board.current.footnote_prefix}{id}"

    def makeFootnoteRefId(self, id: str, found: bool = False) -> str:
        prefix = self.board.current.footnote_prefix
        return self.unique_ref(f"fnref{self.get_separator()}{prefix}{id}", found)


class FieldAdmonitionProcessor(AdmonitionProcessor):
    """Python-Markdown's admonitions, tested only in fields that have a `!!!` line at all: the
    stock test looks at every block of every field for admonition content (a few µs each)."""

    def __init__(self, parser: BlockParser, board: Switchboard) -> None:
        super().__init__(parser)
        self.board = board

    def test(self, parent: etree.Element, block: str) -> bool:
        return self.board.current.admonitions and super().test(parent, block)


class FieldAdmonitions(AdmonitionExtension):
    """`!!! note` boxes (the `admonition` extension), looked for only where the text has them."""

    def __init__(self, board: Switchboard) -> None:
        super().__init__()
        self.board = board

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.registerExtension(self)
        processor = FieldAdmonitionProcessor(md.parser, self.board)
        md.parser.blockprocessors.register(processor, "admonition", 105)


class MarkdownRenderer:
    """One Markdown instance reused (reset between documents): creating one costs ~5 ms.

    Fields are rendered inside `lesson(...)`: images and sounds resolve from that lesson's folder,
    and a problem found in a text (a missing image, forbidden raw HTML) is reported to the given
    collector at the lesson's path and the line of the text where it is. `take_media` returns the
    files the texts rendered since the last call used."""

    def __init__(self) -> None:
        self._board = Switchboard()
        self._media = MediaLog()
        self._problems: list[ContentProblem] = self._media.problems
        self._cache: dict[tuple[str, int, str], str] = {}
        self._unemitted: dict[str, str] = {}
        """By text: its HTML before the deletions are written in a mode (`emit_deletions`)."""
        self._report: tuple[str, Diagnostics, Sequence[str]] | None = None
        self._cloze = ClozeExtension(self._board)
        self._md = LinearMarkdown(
            extensions=[
                *made_extensions(),
                FieldAdmonitions(self._board),
                FieldFootnotes(self._board, self._problems),
                StashExtension(),
                self._cloze,
                MediaExtension(self._media, self._board),
                RawHtmlPolicy(self._problems, self._board),
            ],
            output_format="html",
        )

    @contextmanager
    def lesson(
        self,
        path: str,
        resolver: MediaResolver | None,
        diags: Diagnostics,
        source: Sequence[str] = (),
    ) -> Iterator[MarkdownRenderer]:
        """Render texts of the lesson at `path`; media resolve with `resolver` (None leaves
        references as written), problems go to `diags`, with their column in `source` (the
        lesson's lines) when given."""
        self._media.resolver, self._report = resolver, (path, diags, source)
        try:
            yield self
        finally:
            self._media.resolver, self._report = None, None
            self._media.take()

    def take_media(self) -> tuple[tuple[str, str], ...]:
        """(packaged name, source path) of the files used since the last call, sorted by name;
        then forget them."""
        return tuple((file.name, file.source) for file in self._media.take()[0])

    # A plain string is Markdown whose line is not known (problems are reported at line 0).
    def block(self, text: Text | str) -> str:
        return self._convert(as_text(text), "mark", 0)

    def cloze(self, text: Text | str, mode: ClozeMode = "anki", target: int = 0) -> str:
        """Render deletions in `mode`; in `blank` and `reveal`, group `target` is the one shown."""
        return self._convert(as_text(text), mode, target)

    def inline(self, text: Text | str) -> str:
        """Render without the wrapping paragraph when the text is a single paragraph."""
        html = self.block(text)
        match = SINGLE_PARAGRAPH.match(html)
        return match["inner"] if match else html

    def _convert(self, text: Text, mode: ClozeMode, target: int) -> str:
        source = text.markdown
        stripped = source.strip()
        if not stripped:
            return ""
        plain = plain_html(source)
        if plain is not None:
            return plain
        # Generated cards repeat their source's text (a key fact's term, a sentence per blank).
        cache_key = (mode, target, source)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        # A cloze's text comes in several modes (card, blank, answer): all but the writing of
        # its deletions, the last step of a conversion, is the same in each.
        unemitted = self._unemitted.get(source)
        if unemitted is not None:
            html = emit_deletions(unemitted, mode, target).strip()
        else:
            conversion = Conversion.of(source, mode, target)
            self._board.current = conversion
            try:
                self._md.reset()
                html = self._md.convert(source)
            finally:
                self._board.current = IDLE
            if self._problems:
                self._report_problems(text)
                return html  # a text with a problem must report it again wherever it is used
            # Images depend on the lesson's folder and the files' bytes, not only on the text.
            if conversion.media:
                return html
            # Footnote ids are made from the mode too.
            if not conversion.footnote_prefix:
                self._unemitted[source] = self._cloze.unemitted
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
            self._unemitted.clear()
        self._cache[cache_key] = html
        return html

    def _report_problems(self, text: Text) -> None:
        found = list(self._problems)
        self._problems.clear()
        if self._report is None:
            return
        path, diags, source = self._report
        lowered = text.markdown.lower()
        for problem in found:
            line, needle = text.line, ""
            for candidate in problem.needles:
                at = lowered.find(candidate.lower()) if candidate else -1
                if at >= 0:
                    line, needle = text.line + lowered.count("\n", 0, at), candidate
                    break
            column = column_of(source, line, needle)
            report = diags.error if problem.error else diags.warning
            report(path, line, problem.message, code=problem.code, column=column)


def column_of(source: Sequence[str], line: int, needle: str) -> int:
    """1-based column of `needle` in line `line` of the lesson (0 when not known)."""
    if not needle or not 1 <= line <= len(source):
        return 0
    at = source[line - 1].lower().find(needle.lower())
    if at < 0:
        return 0
    # `](path`: the column of the path itself.
    return at + 1 + (len(needle) - len(needle.lstrip("](<")) if needle.startswith("](") else 0)


def as_text(text: Text | str) -> Text:
    return Text(text) if isinstance(text, str) else text
