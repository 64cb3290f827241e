"""Markdown → HTML with Python-Markdown, configured once for every field of every card."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as etree
from typing import Any

import markdown
from markdown.blockparser import BlockParser
from markdown.extensions.admonition import AdmonitionExtension, AdmonitionProcessor
from markdown.extensions.footnotes import FootnoteExtension

from generator.notes import ContentProblem
from generator.render.deletions import ClozeExtension, code_ranges
from generator.render.mathjax import MathExtension
from generator.render.media import MediaExtension, MediaFile, MediaLog, MediaResolver
from generator.render.rawhtml import SanitizeExtension

EXTENSIONS = [
    "abbr",
    "attr_list",
    "def_list",
    "fenced_code",
    "tables",
    "sane_lists",
    "codehilite",
    "pymdownx.tilde",
]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    # Class-based highlighting: the colours live in the note types' CSS (light and night).
    "codehilite": {"guess_lang": False, "css_class": "highlight", "wrapcode": True},
    "pymdownx.tilde": {"subscript": False},
}
SINGLE_PARAGRAPH = re.compile(r"^<p>(?P<inner>(?:(?!</?p>).)*)</p>$", re.DOTALL)
# One line of text with nothing Markdown (or the extensions) would act on: rendered verbatim.
# Most fields are such sentences; skipping Python-Markdown for them halves build time.
PLAIN = re.compile(r"[^\W\d_](?:[^\W_]|[ '’,.;:?()/%+@“”\"‘–—…·°-])*")
CACHE_LIMIT = 8192


class FieldFootnotes(FootnoteExtension):
    """Footnotes whose ids are unique per field: the fields of a card share one page, so two
    fields' `fn:1` would collide. The prefix comes from the field's text, not from a counter, so
    a rebuild gives the same HTML (and the same content hash) whatever the rendering order."""

    def __init__(self) -> None:
        super().__init__()
        self.field_prefix = ""

    def makeFootnoteId(self, id: str) -> str:
        return f"fn{self.get_separator()}{self.field_prefix}{id}"

    def makeFootnoteRefId(self, id: str, found: bool = False) -> str:
        return self.unique_ref(f"fnref{self.get_separator()}{self.field_prefix}{id}", found)


class FieldAdmonitionProcessor(AdmonitionProcessor):
    """Python-Markdown's admonitions, tested only in fields that have a `!!!` line at all: the
    stock test looks at every block of every field for admonition content (a few µs each)."""

    def __init__(self, parser: BlockParser, extension: FieldAdmonitions) -> None:
        super().__init__(parser)
        self.extension = extension

    def test(self, parent: etree.Element, block: str) -> bool:
        return self.extension.active and super().test(parent, block)


class FieldAdmonitions(AdmonitionExtension):
    """`!!! note` boxes (the `admonition` extension), switched per field by `active`."""

    def __init__(self) -> None:
        super().__init__()
        self.active = True

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.registerExtension(self)
        processor = FieldAdmonitionProcessor(md.parser, self)
        md.parser.blockprocessors.register(processor, "admonition", 105)


class MarkdownRenderer:
    """One Markdown instance reused (reset between documents): creating one costs ~5 ms.

    Images and sounds resolve through the resolver given to `use_media` (one per lesson, since
    paths are relative to the lesson); `take` returns the files the fields rendered since the
    last call used, and the problems found in them (media and forbidden raw HTML)."""

    def __init__(self) -> None:
        self._cloze = ClozeExtension()
        self._footnotes = FieldFootnotes()
        self._admonitions = FieldAdmonitions()
        self._media = MediaLog()
        self._sanitize = SanitizeExtension(self._media.problems)
        self._cache: dict[tuple[str, int, str], str] = {}
        self._md = markdown.Markdown(
            extensions=[
                *EXTENSIONS,
                self._admonitions,
                self._footnotes,
                MathExtension(code_ranges),
                self._cloze,
                MediaExtension(self._media),
                self._sanitize,
            ],
            extension_configs=EXTENSION_CONFIGS,
            output_format="html",
        )

    def use_media(self, resolver: MediaResolver | None) -> None:
        """Resolve images and sounds of the fields rendered next with `resolver`."""
        self._media.resolver = resolver

    def take(self) -> tuple[tuple[MediaFile, ...], tuple[ContentProblem, ...]]:
        """Files used and problems found since the last call, then forget them."""
        return self._media.take()

    def block(self, text: str) -> str:
        return self._convert(text, "mark", 0)

    def cloze(self, text: str, mode: str = "anki", target: int = 0) -> str:
        """Render deletions as Anki cloze syntax ('anki'), or one group as a blank ('blank') or
        as the marked answer ('reveal'), the other groups as plain text."""
        return self._convert(text, mode, target)

    def _convert(self, text: str, mode: str, target: int) -> str:
        stripped = text.strip()
        if not stripped:
            return ""
        if stripped == text and PLAIN.fullmatch(text):
            return f"<p>{stripped}</p>"
        # Generated cards repeat their source's text (a key fact's term, a sentence per blank).
        cache_key = (mode, target, text)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        self._cloze.mode, self._cloze.target = mode, target
        self._prepare(text, mode, target)
        problems = len(self._media.problems)
        self._md.reset()
        html = self._md.convert(text)
        # Images depend on the lesson's folder and the files' bytes, not only on the text; and a
        # field with a problem must report it again wherever it is used.
        if self._media.active or len(self._media.problems) != problems:
            return html
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[cache_key] = html
        return html

    def _prepare(self, text: str, mode: str, target: int) -> None:
        """Switch per-field work on only when the text can need it: most fields have no
        footnote, image, raw HTML or attribute list, and skip those passes."""
        if "[^" in text:
            digest = hashlib.sha256(f"{mode}\x1f{target}\x1f{text}".encode()).hexdigest()
            self._footnotes.field_prefix = f"{digest[:8]}-"
        self._admonitions.active = "!!!" in text
        self._media.active = "![" in text
        self._sanitize.raw_html = "<" in text
        self._sanitize.attributes = "{" in text

    def inline(self, text: str) -> str:
        """Render without the wrapping paragraph when the text is a single paragraph."""
        html = self.block(text)
        match = SINGLE_PARAGRAPH.match(html)
        return match["inner"] if match else html
