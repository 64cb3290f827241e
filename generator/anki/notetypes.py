"""Anki note types owned by ankigen, and their templates and CSS, kept as data files under
`templates/` and assembled here.

A note type's schema (fields and template, with their ids) is frozen once released: Anki matches
an imported note type to the collection's by model id, and a changed schema makes it import a copy
named `Name+` (see docs/format.md, "Note types").
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from pygments.formatters import HtmlFormatter
from pygments.style import Style

# Anki's template language has no includes; `{{> name}}` is expanded here from templates/name.html.
PARTIAL = re.compile(r"\{\{>\s*([a-z_]+(?:\.js)?)\s*\}\}")
FIELD_SEPARATOR = "\x1f"
"""Between the fields of a note, in Anki's collection."""
# Code colours from accessible-pygments: every token is at least 4.5:1 against the card's code
# background in its theme (WCAG AA).
CODE_STYLE_LIGHT = "a11y-light"
CODE_STYLE_NIGHT = "a11y-dark"
CODE_STYLES = {
    CODE_STYLE_LIGHT: "a11y_pygments.a11y_light.style",
    CODE_STYLE_NIGHT: "a11y_pygments.a11y_dark.style",
}
"""The module of each style's class (`Theme`). Pygments finds a plugin's style by its name
through importlib.metadata, whose import and scan of every installed package would be the
larger part of planning an edit."""


def code_style(name: str) -> type[Style]:
    """The class of the code style `name`, as Pygments would find it by that name."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        found: type[Style] = importlib.import_module(CODE_STYLES[name]).Theme
    finally:
        # accessible-pygments configures the root logger when imported (`basicConfig` at INFO):
        # every library's routine messages would reach the terminal, `ankigen serve`'s included.
        root.handlers[:], root.level = handlers, level
    return found


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of an Anki note type."""

    name: str
    """Field name as Anki shows it."""
    id: int
    """Stable field id; lets Anki match fields across template changes."""


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """One card template of a note type."""

    name: str
    """Template name as Anki shows it."""
    id: int
    """Stable template id."""
    folder: str
    """Folder under the templates folder holding its front.html and back.html."""


@dataclass(frozen=True, slots=True)
class NoteType:
    """An Anki note type owned by ankigen. Its schema is frozen once released."""

    key: str
    """Short name used in code, in the registry and in the state file."""
    name: str
    """Name shown in Anki."""
    label: str
    """Name of its notes in build reports and the preview (`multiple choice`)."""
    model_id: int
    """Hard-coded Anki model id."""
    fields: tuple[FieldSpec, ...]
    """Fields in order; the first is the sort field."""
    template_name: str
    """Name of the single card template."""
    template_id: int
    """Stable template id."""
    template_dir: str
    """Folder under the templates folder holding front.html and back.html."""
    replaces: str | None = None
    """Key of the released note type this one supersedes (a deliberate schema change)."""
    migration: str = ""
    """What users must do when this type replaces another; printed once by the build."""
    cloze: bool = False
    """An Anki cloze note type: one card per deletion group."""
    more_templates: tuple[TemplateSpec, ...] = ()
    """Card templates after the first (a two-way note's reverse card); card ordinal i uses
    template i."""

    def field_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields)

    @property
    def template_specs(self) -> tuple[TemplateSpec, ...]:
        """Every card template, in ordinal order."""
        first = TemplateSpec(self.template_name, self.template_id, self.template_dir)
        return (first, *self.more_templates)


@dataclass(frozen=True, slots=True)
class CardTemplate:
    """The HTML of one card template and the CSS of its note type."""

    front: str
    """Question side."""
    back: str
    """Answer side."""
    css: str
    """Styling shared by all note types."""
    more: tuple[tuple[str, str], ...] = ()
    """Front and back of each further template (`NoteType.more_templates`)."""

    def side(self, ordinal: int) -> tuple[str, str]:
        """Front and back of the template of card `ordinal` (cloze types have one template)."""
        if ordinal == 0 or not self.more:
            return self.front, self.back
        return self.more[min(ordinal, len(self.more)) - 1]


@dataclass(frozen=True, slots=True)
class Templates:
    """Where template files are read from: the package's own by default."""

    root: Traversable = field(
        default_factory=lambda: resources.files("generator.anki").joinpath("templates")
    )
    """Folder holding base.css, content.css, card.js, the partials and one folder per note type."""

    @classmethod
    def at(cls, folder: Path) -> Templates:
        """Templates read from `folder` (a copy with edits, in tests and experiments)."""
        return cls(folder)

    def read(self, name: str) -> str:
        return _read(self, name)

    def expand(self, html: str) -> str:
        """Inline `{{> name}}` partials (recursively); `name.js` files are inlined as they are."""

        def include(match: re.Match[str]) -> str:
            name = match[1] if match[1].endswith(".js") else f"{match[1]}.html"
            text = self.read(name).strip()
            if name.endswith(".js"):
                if "{{" in text or "}}" in text:
                    raise ValueError(f"{name}: '{{{{' or '}}}}' would be read by Anki as a field")
                return text
            return self.expand(text)

        return PARTIAL.sub(include, html)

    def stylesheet(self) -> str:
        return _stylesheet(self)

    def card(self, note_type: NoteType) -> CardTemplate:
        return _card(self, note_type)


@cache
def _read(templates: Templates, name: str) -> str:
    node = templates.root
    for part in name.split("/"):
        node = node.joinpath(part)
    return node.read_text(encoding="utf-8")


@cache
def _stylesheet(templates: Templates) -> str:
    light = HtmlFormatter(style=code_style(CODE_STYLE_LIGHT)).get_style_defs(  # type: ignore[no-untyped-call]
        ".card .highlight"
    )
    night = HtmlFormatter(style=code_style(CODE_STYLE_NIGHT)).get_style_defs(  # type: ignore[no-untyped-call]
        [
            ".card.nightMode .highlight",
            ".card.night_mode .highlight",
            ".nightMode .card .highlight",
            ".night_mode .card .highlight",
        ]
    )
    # Pygments paints its own background; the card theme's code background wins.
    reset = ".card .highlight, .card .highlight pre { background: var(--ak-code-bg); }\n"
    # content.css styles what fields hold (math, admonitions, footnotes …); it comes last so that
    # its code background also beats the night style's.
    # cardkinds.css styles what only some note types show (typed answers, image occlusion,
    # two-way cards); it adds rules and overrides none of the theme's.
    return "\n".join(
        [
            templates.read("base.css"),
            light,
            night,
            reset,
            templates.read("content.css"),
            templates.read("cardkinds.css"),
        ]
    )


@cache
def _card(templates: Templates, note_type: NoteType) -> CardTemplate:
    return CardTemplate(
        front=templates.expand(templates.read(f"{note_type.template_dir}/front.html")),
        back=templates.expand(templates.read(f"{note_type.template_dir}/back.html")),
        css=templates.stylesheet(),
        more=tuple(
            (
                templates.expand(templates.read(f"{spec.folder}/front.html")),
                templates.expand(templates.read(f"{spec.folder}/back.html")),
            )
            for spec in note_type.more_templates
        ),
    )


PACKAGED = Templates()
"""The templates shipped with ankigen."""
