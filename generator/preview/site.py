"""`ankigen preview`: a static page showing every card with the real templates, offline.

The page opens from disk with no server and no network: the images and sounds the cards use are
copied next to it, and math is typeset by a bundled KaTeX (assets/katex, MIT) copied beside it
too. Beside the list of every card, a study mode shows one card at a time: pick, flip, grade,
with a session score.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from html import escape, unescape
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from generator.files import atomic_write_text
from generator.kinds import Registry
from generator.notes import RenderedNote
from generator.preview.cardhtml import render


def asset(name: str) -> str:
    return resources.files("generator.preview").joinpath("assets", name).read_text(encoding="utf-8")


SCRIPT_MARK = "<!--ankigen-card-script-->"
TAGS = re.compile(r"<script>.*?</script>|<style>.*?</style>|<[^>]+>", re.DOTALL)
# Anki draws its own play button for `[sound:…]`; the preview uses the browser's.
SOUND = re.compile(r"\[sound:([^\]\s]+)\]")
KATEX = "katex"


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
            front = sounds(render(front_html, fields, ordinal=ordinal + 1))
            back = sounds(
                render(back_html, fields, ordinal=ordinal + 1, back=True, front_side=front)
            )
            suffix = f"#{ordinal + 1}" if note_type.cloze or ordinal else ""
            result.append(PreviewCard(f"{note.meta.id}{suffix}", note, front, back))
    return result


def sounds(html: str) -> str:
    return SOUND.sub(
        lambda match: (
            f'<audio class="ak-sound" controls preload="none" src="{escape(match[1])}"></audio>'
        ),
        html,
    )


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


def copy_tree(source: Traversable, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.is_dir():
            copy_tree(entry, target / entry.name)
        elif not entry.name.endswith(".md"):
            (target / entry.name).write_bytes(entry.read_bytes())


def write_preview(
    out_dir: Path,
    title: str,
    notes: list[RenderedNote],
    registry: Registry,
    content: Path | None = None,
) -> Path:
    """Write `out_dir/index.html`, KaTeX beside it and, given the `content` folder the notes
    come from, every image and sound they use (under its packaged name, as in Anki)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_tree(resources.files("generator.preview").joinpath("assets", KATEX), out_dir / KATEX)
    if content is not None:
        media = {name: source for note in notes for name, source in note.media}
        for name, source in sorted(media.items()):
            shutil.copyfile(content / source, out_dir / name)
    target = out_dir / "index.html"
    atomic_write_text(target, page(title, notes, registry))
    return target
