"""Markdown → HTML with Python-Markdown, configured once for every field of every card."""

from __future__ import annotations

import re
from typing import Any

import markdown

from generator.cloze import ClozeExtension

EXTENSIONS = [
    "abbr",
    "attr_list",
    "def_list",
    "fenced_code",
    "footnotes",
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


class MarkdownRenderer:
    """One Markdown instance reused (reset between documents): creating one costs ~5 ms."""

    def __init__(self) -> None:
        self._cloze = ClozeExtension()
        self._cache: dict[tuple[str, int, str], str] = {}
        self._md = markdown.Markdown(
            extensions=[*EXTENSIONS, self._cloze],
            extension_configs=EXTENSION_CONFIGS,
            output_format="html",
        )

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
        self._md.reset()
        html = self._md.convert(text)
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[cache_key] = html
        return html

    def inline(self, text: str) -> str:
        """Render without the wrapping paragraph when the text is a single paragraph."""
        html = self.block(text)
        match = SINGLE_PARAGRAPH.match(html)
        return match["inner"] if match else html
