"""`ankigen preview`: a static page showing every card with the real templates, offline."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape, unescape
from importlib import resources
from pathlib import Path

from generator.anki.notetypes import card_template, expand, stylesheet
from generator.kinds import NOTE_TYPES
from generator.notes import RenderedNote
from generator.preview.cardhtml import render
from generator.report import KIND_LABELS


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


def cards(notes: list[RenderedNote]) -> list[PreviewCard]:
    result = []
    for note in notes:
        note_type = NOTE_TYPES[note.note_type]
        template = card_template(note_type)
        fields = {
            spec.name: value for spec, value in zip(note_type.fields, note.fields, strict=True)
        }
        for ordinal in note.cards:
            front = render(template.front, fields, ordinal=ordinal + 1)
            back = render(template.back, fields, ordinal=ordinal + 1, back=True, front_side=front)
            suffix = f"#{ordinal + 1}" if note_type.cloze else ""
            result.append(PreviewCard(f"{note.meta.id}{suffix}", note, front, back))
    return result


def searchable(card: PreviewCard) -> str:
    text = unescape(TAGS.sub(" ", f"{card.front} {card.back}"))
    meta = card.note.meta
    return " ".join(f"{text} {meta.id} {meta.source}".lower().split())


def page(title: str, notes: list[RenderedNote]) -> str:
    # Every side carries the same card script; the page stores it once.
    script = expand("{{> script}}")
    data = {
        "css": stylesheet(),
        "script": script,
        "frame": asset("frame.html"),
        "cards": [
            {
                "key": re.sub(r"[^A-Za-z0-9_-]", "-", card.key) + f"-{index}",
                "id": card.key,
                "deck": card.note.meta.deck,
                "kind": card.note.note_type,
                "kindLabel": KIND_LABELS.get(card.note.note_type, card.note.note_type),
                "tags": list(card.note.meta.tags),
                "source": f"{card.note.meta.path}:{card.note.meta.line}",
                "front": card.front.replace(script, SCRIPT_MARK),
                "back": card.back.replace(script, SCRIPT_MARK),
                "search": searchable(card),
            }
            for index, card in enumerate(cards(notes))
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


def write_preview(out_dir: Path, title: str, notes: list[RenderedNote]) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "index.html"
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(page(title, notes), encoding="utf-8")
    tmp.replace(target)
    return target
