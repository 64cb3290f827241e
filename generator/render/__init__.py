"""Markdown → card HTML: Python-Markdown configured once, with ankigen's own extensions for cloze
deletions, math, media and the raw-HTML policy."""

from generator.render.renderer import MarkdownRenderer

__all__ = ["MarkdownRenderer"]
