"""`ankigen preview`: a static page showing every card with the real templates, offline."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape, unescape
from importlib import resources
from pathlib import Path

from generator.files import atomic_write_text
from generator.kinds import Registry
from generator.notes import RenderedNote
from generator.preview.cardhtml import render


def asset(name: str) -> str:
    return resources.files("generator.preview").joinpath("assets", name).read_text(encoding="utf-8")


SCRIPT_MARK = "<!--ankigen-card-script-->"
TAGS = re.compile(r"<script>.*?</script>|<style>.*?</style>|<[^>]+>", re.DOTALL)


@dataclass(frozen=True, slots=True)
class PreviewCard:
    """One card of the preview."""

    key: str
    """Unique key of the card (note id and ordinal)."""
    note: RenderedNote
    """The note it belongs to."""
    front: str
    """Question side HTML."""
    back: str
    """Answer side HTML."""


def cards(notes: list[RenderedNote], registry: Registry) -> list[PreviewCard]:
    result = []
    for note in notes:
        note_type = registry.note_type(note.note_type)
        template = registry.template(note.note_type)
        fields = {
            spec.name: value for spec, value in zip(note_type.fields, note.fields, strict=True)
        }
        for ordinal in note.cards:
            front_html, back_html = template.side(0 if note_type.cloze else ordinal)
            front = render(front_html, fields, ordinal=ordinal + 1)
            back = render(back_html, fields, ordinal=ordinal + 1, back=True, front_side=front)
            suffix = f"#{ordinal + 1}" if note_type.cloze or ordinal else ""
            result.append(PreviewCard(f"{note.meta.id}{suffix}", note, front, back))
    return result


def searchable(card: PreviewCard) -> str:
    text = unescape(TAGS.sub(" ", f"{card.front} {card.back}"))
    meta = card.note.meta
    return " ".join(f"{text} {meta.id} {meta.source}".lower().split())


def page(title: str, notes: list[RenderedNote], registry: Registry) -> str:
    # Every side carries the same card script; the page stores it once.
    templates = registry.templates
    script = templates.expand("{{> script}}")
    data = {
        "css": templates.stylesheet(),
        "script": script,
        "frame": asset("frame.html"),
        "cards": [
            {
                "key": re.sub(r"[^A-Za-z0-9_-]", "-", card.key) + f"-{index}",
                "id": card.key,
                "deck": card.note.meta.deck,
                "noteType": card.note.note_type,
                "noteTypeLabel": registry.note_type(card.note.note_type).label,
                "tags": list(card.note.meta.tags),
                "source": f"{card.note.meta.path}:{card.note.meta.line}",
                "front": card.front.replace(script, SCRIPT_MARK),
                "back": card.back.replace(script, SCRIPT_MARK),
                "search": searchable(card),
            }
            for index, card in enumerate(cards(notes, registry))
        ],
    }
    # The data sits in a <script> element: "</" must not close it early.
    blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (
        asset("page.html")
        .replace("__TITLE__", escape(title))
        .replace("__PAGE_CSS__", asset("preview.css"))
        .replace("__PAGE_JS__", asset("preview.js"))
        .replace("__DATA__", blob)
    )


def write_preview(out_dir: Path, title: str, notes: list[RenderedNote], registry: Registry) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "index.html"
    atomic_write_text(target, page(title, notes, registry))
    return target
