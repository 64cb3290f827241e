"""Card templates and CSS, kept as package data files and assembled into Anki note types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pygments.formatters import HtmlFormatter

from generator.notes import NoteType

# Anki's template language has no includes; `{{> name}}` is expanded here from templates/name.html.
PARTIAL = re.compile(r"\{\{>\s*([a-z_]+(?:\.js)?)\s*\}\}")
CODE_STYLE_LIGHT = "friendly"
CODE_STYLE_NIGHT = "github-dark"


@dataclass(frozen=True, slots=True)
class CardTemplate:
    """The HTML of one card template and the CSS of its note type."""

    front: str
    """Question side."""
    back: str
    """Answer side."""
    css: str
    """Styling shared by all note types."""


def read(name: str) -> str:
    return resources.files("generator.anki").joinpath("templates", name).read_text(encoding="utf-8")


def expand(html: str) -> str:
    """Inline `{{> name}}` partials (recursively); `name.js` files are inlined as they are."""

    def include(match: re.Match[str]) -> str:
        name = match[1] if match[1].endswith(".js") else f"{match[1]}.html"
        text = read(name).strip()
        if name.endswith(".js"):
            if "{{" in text or "}}" in text:
                raise ValueError(f"{name}: '{{{{' or '}}}}' would be read by Anki as a field")
            return text
        return expand(text)

    return PARTIAL.sub(include, html)


@cache
def stylesheet() -> str:
    light = HtmlFormatter(style=CODE_STYLE_LIGHT).get_style_defs(  # type: ignore[no-untyped-call]
        ".card .highlight"
    )
    night = HtmlFormatter(style=CODE_STYLE_NIGHT).get_style_defs(  # type: ignore[no-untyped-call]
        [
            ".card.nightMode .highlight",
            ".nightMode .card .highlight",
            ".night_mode .card .highlight",
        ]
    )
    # Pygments paints its own background; the card theme's code background wins.
    reset = ".card .highlight, .card .highlight pre { background: var(--ak-code-bg); }\n"
    # content.css styles what fields hold (math, admonitions, footnotes …); it comes last so that
    # its code background also beats the night style's.
    return "\n".join([read("base.css"), light, night, reset, read("content.css")])


@cache
def card_template(note_type: NoteType) -> CardTemplate:
    return CardTemplate(
        front=expand(read(f"{note_type.template_dir}/front.html")),
        back=expand(read(f"{note_type.template_dir}/back.html")),
        css=stylesheet(),
    )
