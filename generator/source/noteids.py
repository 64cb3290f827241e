"""Note ids: written by the author as `<!-- id: … -->`, or derived from the lesson path and the
heading. Ids are compared without case; GUIDs are made from them in `generator.anki.guids`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Protocol

from generator.diagnostics import Diagnostics

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/#-]{0,199}$")


def slugify(text: str, *, limit: int = 60) -> str:
    """ASCII, lower-case, dash-separated; empty input gives 'card'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:limit].rstrip("-")
    return slug or "card"


def valid_id(note_id: str) -> bool:
    return ID_PATTERN.match(note_id) is not None


id_key: Callable[[str], str] = str.casefold
"""Ids are compared without case, so `Foo` and `foo` cannot become two notes. (The C method
itself: a large course looks up every id several times per build.)"""


class IdUse(Protocol):
    """Where a note id is used: a NoteMeta, or the same four facts of a kept note."""

    @property
    def id(self) -> str: ...

    @property
    def explicit_id(self) -> bool: ...

    @property
    def path(self) -> str: ...

    @property
    def line(self) -> int: ...


def check_unique_ids(metas: Iterable[IdUse], diags: Diagnostics) -> None:
    """Two notes with the same id (ignoring case) would be one note in Anki: an error each."""
    first: dict[str, IdUse] = {}
    for meta in metas:
        key = id_key(meta.id)
        other = first.get(key)
        if other is None:
            first[key] = meta
            continue
        how = "" if meta.explicit_id else " (derived; write an id to tell them apart)"
        diags.error(
            meta.path,
            meta.line,
            f"duplicate id '{meta.id}'{how}: already used at {other.path}:{other.line}",
        )
