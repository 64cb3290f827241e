"""Note ids: written by the author as `<!-- id: … -->`, or derived from the lesson path and the
heading. Ids are compared without case; GUIDs are made from them in `generator.anki.guids`."""

from __future__ import annotations

import re
import unicodedata

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/#-]{0,199}$")


def slugify(text: str, *, limit: int = 60) -> str:
    """ASCII, lower-case, dash-separated; empty input gives 'card'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:limit].rstrip("-")
    return slug or "card"


def valid_id(note_id: str) -> bool:
    return ID_PATTERN.match(note_id) is not None


def id_key(note_id: str) -> str:
    """Ids are compared without case, so `Foo` and `foo` cannot become two notes."""
    return note_id.casefold()
