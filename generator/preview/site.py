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
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape, unescape
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from generator.files import atomic_write_bytes
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
UNSAFE_KEY = re.compile(r"[^A-Za-z0-9_-]")
"""What a card's key in the page may not hold (it is an element id)."""


@dataclass(frozen=True, slots=True)
class PreviewCard:
    """One card of the preview."""

    key: str
    """Unique key of the card (note id and ordinal)."""
    note: RenderedNote
    """The note it belongs to."""
    front: str
    """Question side HTML, the card script left as SCRIPT_MARK."""
    back: str
    """Answer side HTML, the card script left as SCRIPT_MARK."""


Entries = dict[RenderedNote, tuple[tuple[str, bytes, bytes], ...]]
"""Each note's cards as the page's data holds them: its key as an element id (its place in the
page is added to it), then its JSON after its `key` member, in UTF-8, as it is and escaped for
the page (`escaped`)."""

Identities = dict[int, tuple[RenderedNote, tuple[tuple[str, bytes, bytes], ...]]]
"""`Entries` by `id()` of the note, with the note: while it is held, no other object has its id."""


class PreviewCache:
    """What the last preview made, kept for the next (`ankigen serve`, after a save): only the
    notes that changed are rendered again (every card of a 10,000-note course takes seconds),
    and the page's assets are copied once."""

    def __init__(self) -> None:
        self.entries: Entries = {}
        """The cards of the notes of the last page."""
        self.same: Identities = {}
        """The same, by the identity of the note objects."""
        self.assets: set[Path] = set()
        """Sites the page's own assets (KaTeX) were copied to."""


class Sides:
    """Each note type's templates, per card, with the card script left as SCRIPT_MARK: the page
    stores the script once, and a side is rendered and searched without it."""

    def __init__(self, registry: Registry, script: str) -> None:
        self.registry = registry
        self.script = script
        self.found: dict[tuple[str, int], tuple[str, str]] = {}

    def of(self, note_type: str, ordinal: int) -> tuple[str, str]:
        """Front and back of card `ordinal` (cloze note types have one template)."""
        index = 0 if self.registry.note_type(note_type).cloze else ordinal
        sides = self.found.get((note_type, index))
        if sides is None:
            front, back = self.registry.template(note_type).side(index)
            sides = (
                front.replace(self.script, SCRIPT_MARK),
                back.replace(self.script, SCRIPT_MARK),
            )
            self.found[(note_type, index)] = sides
        return sides


def cards(note: RenderedNote, registry: Registry, sides: Sides) -> list[PreviewCard]:
    """The cards of `note`."""
    note_type = registry.note_type(note.note_type)
    fields = {spec.name: value for spec, value in zip(note_type.fields, note.fields, strict=True)}
    result = []
    for ordinal in note.cards:
        front_html, back_html = sides.of(note.note_type, ordinal)
        front = sounds(render(front_html, fields, ordinal=ordinal + 1))
        back = sounds(render(back_html, fields, ordinal=ordinal + 1, back=True, front_side=front))
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


def entries_of(
    note: RenderedNote, registry: Registry, sides: Sides
) -> tuple[tuple[str, bytes, bytes], ...]:
    """The page's data of each card of `note` (see `Entries`)."""
    label = registry.note_type(note.note_type).label
    made = []
    for card in cards(note, registry, sides):
        entry = {
            "id": card.key,
            "deck": note.meta.deck,
            "noteType": note.note_type,
            "noteTypeLabel": label,
            "tags": list(note.meta.tags),
            "source": f"{note.meta.path}:{note.meta.line}",
            "front": card.front,
            "back": card.back,
            "search": searchable(card),
        }
        # As json.dumps writes a card whose "key" comes first (see `page_data`).
        rest = ", " + json.dumps(entry, ensure_ascii=False)[1:]
        made.append((UNSAFE_KEY.sub("-", card.key), rest.encode(), escaped(rest).encode()))
    return tuple(made)


def escaped(data: str) -> str:
    """JSON `data` as the page holds it, in a <script> element: "</" must not close it early."""
    return data.replace("</", "<\\/")


@dataclass(frozen=True, slots=True)
class PageData:
    """The page's data, as JSON in UTF-8, in pieces: its card script, CSS and frame once, then
    every card. The pieces are joined only when the whole is asked for (`data`, `held`): at
    10,000 notes each join is 35 MB, and a save in `serve` needs none."""

    head: bytes
    """What comes before the cards: the same while the script, CSS and frame are."""
    cards: tuple[tuple[bytes, bytes], ...]
    """Each card's JSON, in order, in two pieces: its key (with its place in the page), then
    the rest (the same bytes as the cache's, while the card is the same)."""
    escaped: tuple[bytes, ...]
    """Each card's rest as the page holds it (`escaped`): the cache's bytes too."""

    @property
    def data(self) -> bytes:
        """The JSON, as json.dumps writes it."""
        return b"".join(self.joined(self.head, [rest for _, rest in self.cards]))

    def held(self) -> list[bytes]:
        """The JSON as the page holds it, in pieces. "</" is ASCII, and no byte of a character
        UTF-8 writes in more than one is: the head's bytes are escaped as its text is."""
        return self.joined(self.head.replace(b"</", b"<\\/"), self.escaped)

    def joined(self, head: bytes, rests: Sequence[bytes]) -> list[bytes]:
        pieces = [head]
        for index, ((place, _), rest) in enumerate(zip(self.cards, rests, strict=True)):
            if index:
                pieces.append(b", ")
            pieces += (place, rest)
        pieces.append(b"]}")
        return pieces


def page_data(
    notes: list[RenderedNote], registry: Registry, cache: PreviewCache | None = None
) -> PageData:
    """The page's data; the notes `cache` holds are not rendered again, and it is left holding
    these notes."""
    templates = registry.templates
    # Every side carries the same card script; the page stores it once.
    script = templates.expand("{{> script}}")
    known = cache.entries if cache is not None else {}
    same = cache.same if cache is not None else {}
    entries: Entries = {}
    kept: Identities = {}
    sides = Sides(registry, script)
    head = {"css": templates.stylesheet(), "script": script, "frame": asset("frame.html")}
    # What json.dumps would write of the whole, in pieces.
    start = json.dumps(head, ensure_ascii=False)[:-1] + ', "cards": ['
    cards: list[tuple[bytes, bytes]] = []
    held: list[bytes] = []
    for note in notes:
        # The notes of a lesson kept whole are the last save's objects: found without hashing
        # every field of every note, which the lookups by value below do. (`same` holds the
        # notes it has ids of, so no other object has one of those ids.)
        found = same.get(id(note))
        made = found[1] if found is not None else entries.get(note)
        if made is None:
            made = known.get(note)
        if made is None:
            made = entries_of(note, registry, sides)
        entries[note] = made
        kept[id(note)] = (note, made)
        for key, rest, rest_escaped in made:
            cards.append((f'{{"key": "{key}-{len(cards)}"'.encode(), rest))
            held.append(rest_escaped)
    if cache is not None:
        cache.entries, cache.same = entries, kept
    return PageData(start.encode(), tuple(cards), tuple(held))


def frame(title: str) -> tuple[bytes, bytes]:
    """The page before its data and after it."""
    before, _, after = (
        asset("page.html")
        .replace("__TITLE__", escape(title))
        .replace("__PAGE_CSS__", asset("preview.css"))
        .replace("__PAGE_JS__", asset("preview.js"))
        .partition("__DATA__")
    )
    return before.encode(), after.encode()


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
    *,
    cache: PreviewCache | None = None,
    page_file: bool = True,
) -> Written:
    """Write `out_dir/index.html`, KaTeX beside it and, given the `content` folder the notes
    come from, every image and sound they use (under its packaged name, as in Anki). With a
    `cache`, only the notes it does not hold are rendered (see `page_data`). Without
    `page_file` the page is made but not written (`serve` serves it from memory: at 10,000
    notes writing its 35 MB took 50 ms of every save)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    katex = out_dir / KATEX
    if cache is None or katex not in cache.assets or not katex.is_dir():
        copy_tree(resources.files("generator.preview").joinpath("assets", KATEX), katex)
        if cache is not None:
            cache.assets.add(katex)
    if content is not None:
        media = {name: source for note in notes for name, source in note.media}
        for name, source in sorted(media.items()):
            shutil.copyfile(content / source, out_dir / name)
    target = out_dir / "index.html"
    written = Written(target, frame(title), page_data(notes, registry, cache))
    if page_file:
        atomic_write_bytes(target, written.page)
    return written


@dataclass(frozen=True, slots=True)
class Written:
    """A preview page, made and (unless asked not to) written."""

    path: Path
    """Where it is written: `index.html` of the site."""
    frame: tuple[bytes, bytes]
    """The page before its data and after it."""
    data: PageData
    """Its cards."""

    @property
    def pieces(self) -> list[bytes]:
        """What it holds, in pieces (`serve` joins them only when a page asks for it)."""
        before, after = self.frame
        return [before, *self.data.held(), after]

    @property
    def page(self) -> bytes:
        """What it holds."""
        return b"".join(self.pieces)
