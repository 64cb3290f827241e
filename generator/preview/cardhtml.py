"""Render our note types' templates the way Anki does, for the preview site.

Covers the template syntax ankigen's templates use: `{{Field}}`, `{{text:Field}}`,
`{{#Field}}…{{/Field}}`, `{{^Field}}…{{/Field}}`, `{{cloze:Field}}`, `{{type:Field}}`,
`{{type:cloze:Field}}` and `{{FrontSide}}`.
The real client is the reference: tests compare this output with Anki's own rendering.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

SECTION = re.compile(r"\{\{([#^])([^}]+)\}\}(.*?)\{\{/\2\}\}", re.DOTALL)
TAG = re.compile(r"\{\{([^#^/}][^}]*)\}\}")
DELETION = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
HTML_TAG = re.compile(r"<[^>]+>")


def sections(template: str, fields: Mapping[str, str]) -> str:
    while True:
        expanded = SECTION.sub(
            lambda m: m[3] if bool(fields.get(m[2].strip(), "").strip()) == (m[1] == "#") else "",
            template,
        )
        if expanded == template:
            return expanded
        template = expanded


def cloze(text: str, ordinal: int, *, back: bool) -> str:
    def deletion(match: re.Match[str]) -> str:
        number, answer, hint = int(match[1]), match[2], match[3]
        if number != ordinal:
            return answer
        if back:
            return f'<span class="cloze" data-ordinal="{number}">{answer}</span>'
        shown = f"[{hint}]" if hint else "[...]"
        return f'<span class="cloze" data-ordinal="{number}">{escape(shown)}</span>'

    return DELETION.sub(deletion, text)


def render(
    template: str,
    fields: Mapping[str, str],
    *,
    ordinal: int = 1,
    back: bool = False,
    front_side: str = "",
) -> str:
    """One side of a card; `ordinal` is the cloze number (1-based) for cloze note types."""
    html = sections(template, fields)

    def tag(match: re.Match[str]) -> str:
        name = match[1].strip()
        if name == "FrontSide":
            return front_side
        if ":" in name:
            modifier, _, field = name.rpartition(":")
            value = fields.get(field.strip(), "")
            if modifier.startswith("type"):
                return typed(value, modifier, ordinal, back=back)
            if modifier == "text":
                return HTML_TAG.sub("", value)
            if modifier == "cloze":
                return cloze(value, ordinal, back=back)
            return value
        return fields.get(name, "")

    return TAG.sub(tag, html)


def typed(value: str, modifier: str, ordinal: int, *, back: bool) -> str:
    """Anki's typed answer: an input on the front, the expected answer on the back (the preview
    keeps no typed text, so the back shows what Anki compares against)."""
    if not back:
        return '<input type="text" id="typeans" class="ak-typeans-input" autocomplete="off">'
    if modifier == "type:cloze":
        answers = [m[2] for m in DELETION.finditer(value) if int(m[1]) == ordinal]
        expected = ", ".join(HTML_TAG.sub("", answer) for answer in answers)
    else:
        expected = HTML_TAG.sub("", value)
    return f'<code id="typeans"><span class="typeGood">{expected}</span></code>'
