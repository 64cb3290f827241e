"""The preview page's data, and the cache `ankigen serve` keeps of it between saves."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from generator.config import BuildConfig
from generator.kinds import REGISTRY
from generator.notes import RenderedNote
from generator.pipeline import build
from generator.preview import site
from generator.preview.site import SCRIPT_MARK, PreviewCache, write_preview
from tests.conftest import FIXTURES

DATA = re.compile(rb'<script type="application/json" id="pv-data">(.*?)</script>', re.DOTALL)


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> list[RenderedNote]:
    out = tmp_path_factory.mktemp("out")
    result = build(BuildConfig(content=FIXTURES / "course", out_dir=out, dry_run=True))
    assert result.ok
    return result.notes


def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the notes rendered from now on."""
    rendered: list[str] = []
    entries_of = site.entries_of

    def spy(
        note: RenderedNote, registry: object, sides: site.Sides
    ) -> tuple[tuple[str, bytes, bytes], ...]:
        rendered.append(note.meta.id)
        return entries_of(note, REGISTRY, sides)

    monkeypatch.setattr(site, "entries_of", spy)
    return rendered


def test_the_data_is_what_json_writes_and_the_page_holds_it(
    notes: list[RenderedNote], tmp_path: Path
) -> None:
    written = write_preview(tmp_path, "Course", notes, REGISTRY)
    data = json.loads(written.data.data)
    # Made in pieces, written as json.dumps writes the whole.
    assert json.dumps(data, ensure_ascii=False).encode() == written.data.data
    assert [json.loads(key + rest) for key, rest in written.data.cards] == data["cards"]
    assert written.data.data.startswith(written.data.head)
    assert list(data) == ["css", "script", "frame", "cards"]
    assert [card["key"].rsplit("-", 1)[1] for card in data["cards"]] == [
        str(index) for index in range(len(data["cards"]))
    ]
    assert len(data["cards"]) == sum(len(note.cards) for note in notes)
    # The card script is stored once: a side holds its mark (plain cloze cards have none).
    marked = set()
    for card in data["cards"]:
        for side in (card["front"], card["back"]):
            assert data["script"] not in side
            if SCRIPT_MARK in side:
                marked.add(card["noteType"])
    assert marked == {note.note_type for note in notes} - {"cloze"}
    found = DATA.search(written.path.read_bytes())
    assert found is not None and b"</" not in found.group(1)
    assert found.group(1).replace(rb"<\/", b"</") == written.data.data
    assert written.path.read_bytes() == written.page


def test_a_save_renders_only_the_notes_it_changed(
    notes: list[RenderedNote], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PreviewCache()
    rendered = counted(monkeypatch)
    write_preview(tmp_path / "a", "Course", notes, REGISTRY, cache=cache)
    assert sorted(rendered) == sorted(note.meta.id for note in notes)

    rendered.clear()
    edited = dataclasses.replace(
        notes[1], fields=(notes[1].fields[0] + " (edited)", *notes[1].fields[1:])
    )
    after = [notes[0], edited, *notes[2:]]
    again = write_preview(tmp_path / "a", "Course", after, REGISTRY, cache=cache)
    assert rendered == [edited.meta.id]
    fresh = write_preview(tmp_path / "b", "Course", after, REGISTRY)
    assert again.page == fresh.page and again.data == fresh.data

    # Removed notes are forgotten; nothing changed, nothing rendered.
    rendered.clear()
    write_preview(tmp_path / "a", "Course", after[:3], REGISTRY, cache=cache)
    assert rendered == [] and set(cache.entries) == set(after[:3])


def test_a_save_finds_the_notes_it_kept_without_hashing_them_again(
    notes: list[RenderedNote], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PreviewCache()
    write_preview(tmp_path, "Course", notes, REGISTRY, cache=cache, page_file=False)
    rendered = counted(monkeypatch)
    hashed: list[str] = []
    value_hash = RenderedNote.__hash__

    def spy(note: RenderedNote) -> int:
        hashed.append(note.meta.id)
        return value_hash(note)

    monkeypatch.setattr(RenderedNote, "__hash__", spy)
    # The same objects (a lesson kept whole): each note hashed once, to be kept for the next
    # save, and found by identity.
    write_preview(tmp_path, "Course", notes, REGISTRY, cache=cache, page_file=False)
    assert rendered == [] and sorted(hashed) == sorted(note.meta.id for note in notes)
    # Equal notes made again (a lesson compiled again) are found by value, not rendered.
    hashed.clear()
    copies = [dataclasses.replace(note) for note in notes]
    again = write_preview(tmp_path, "Course", copies, REGISTRY, cache=cache, page_file=False)
    assert rendered == [] and len(hashed) > len(notes)
    assert all(cache.same[id(copy)][0] is copy for copy in copies)
    fresh = write_preview(tmp_path / "fresh", "Course", copies, REGISTRY)
    assert again.page == fresh.path.read_bytes() and again.data == fresh.data


def test_the_page_data_is_joined_from_the_cache_pieces(
    notes: list[RenderedNote], tmp_path: Path
) -> None:
    cache = PreviewCache()
    written = write_preview(tmp_path, "Course", notes, REGISTRY, cache=cache, page_file=False)
    assert not written.path.exists()
    # Each card's bytes are the cache's own objects, not copies: a save joins nothing.
    pieces = [piece for made in cache.entries.values() for piece in made]
    assert [rest for _, rest in written.data.cards] == [rest for _, rest, _ in pieces]
    assert all(
        rest is cached for (_, rest), (_, cached, _) in zip(written.data.cards, pieces, strict=True)
    )
    assert all(
        held is cached for held, (_, _, cached) in zip(written.data.escaped, pieces, strict=True)
    )
    data = DATA.search(written.page)
    assert data is not None and data.group(1) == b"".join(written.data.held())
