"""Markdown → card HTML. `MarkdownRenderer` is Python-Markdown configured once, with ankigen's
extensions: cloze deletions (`deletions`), TeX math for Anki's MathJax (`mathjax`), images and
sounds packaged under content-hashed names (`media`), the raw-HTML policy (`rawhtml`). `literal`
says where Python-Markdown takes text literally (code, raw HTML), for every module that must
agree with it; `conversion` holds the per-text settings the extensions read.
"""

from generator.render.renderer import MarkdownRenderer

__all__ = ["MarkdownRenderer"]
