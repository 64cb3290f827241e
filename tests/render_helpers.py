"""Rendering a text the way a build does: inside a lesson, with its problems collected."""

from __future__ import annotations

from pathlib import Path

from generator.diagnostics import Diagnostic, Diagnostics
from generator.notes import Text
from generator.render import MarkdownRenderer
from generator.render.media import MediaResolver


def render_in_lesson(
    md: MarkdownRenderer,
    text: Text | str,
    *,
    content: Path | None = None,
    lesson: str = "lesson.md",
) -> tuple[str, list[Diagnostic], tuple[tuple[str, str], ...]]:
    """(HTML, problems reported, media used) of `text` rendered as a block of `lesson`; media
    resolve from `content` when given, else stay as written."""
    diags = Diagnostics()
    resolver = MediaResolver(content, lesson) if content is not None else None
    with md.lesson(lesson, resolver, diags):
        html = md.block(text)
        media = md.take_media()
    return html, diags.items, media
