"""Note ids: written by the author as `<!-- id: … -->`, or derived from the lesson path and the
heading. Ids are compared without case; GUIDs are made from them in `generator.anki.guids`."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Protocol

from anyascii import anyascii

from generator.diagnostics import Diagnostics

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/#-]{0,199}$")


def ascii_slug(text: str, *, limit: int = 60) -> str:
    """ASCII, lower-case, dash-separated: accents dropped, every other letter too."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


def slugify(text: str, *, limit: int = 60) -> str:
    """ASCII, lower-case, dash-separated; 'card' when nothing is left (for file names)."""
    return ascii_slug(text, limit=limit) or "card"


DIGEST = 8


def id_slug(text: str, *, limit: int = 60) -> str:
    """The part of a derived id made from a heading, a term or a file name.

    Text with Latin letters or digits gives what it always gave: its ASCII slug. Text in other
    scripts alone used to give 'card' for everything (two Japanese headings had one id); it
    gives its transliteration and a digest of the text, so the id is readable, stable and
    different for different texts (`東京` → `dongjing-…`). Text with no letter at all is
    'card', as before."""
    slug = ascii_slug(text, limit=limit)
    if slug or not any(char.isalnum() for char in text):
        return slug or "card"
    written = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    digest = hashlib.sha256(written.encode()).hexdigest()[:DIGEST]
    spelled = ascii_slug(anyascii(written), limit=limit - DIGEST - 1)
    return f"{spelled}-{digest}" if spelled else f"u-{digest}"


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
            code="duplicate-id",
        )
