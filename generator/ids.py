"""Note ids and GUIDs. A GUID depends on the course namespace and the note id, never on content."""

from __future__ import annotations

import hashlib
import re
import unicodedata

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/#-]{0,199}$")
BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


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


def guid(namespace: str, note_id: str) -> str:
    """A 64-bit hash of namespace and id, base91-encoded like Anki's own GUIDs."""
    digest = hashlib.sha256(f"ankigen\x1f{namespace}\x1f{id_key(note_id)}".encode()).digest()
    value = int.from_bytes(digest[:8], "big")
    chars = []
    while value:
        value, remainder = divmod(value, len(BASE91))
        chars.append(BASE91[remainder])
    return "".join(reversed(chars)) or BASE91[0]


def stable_int(*parts: str, bits: int = 52) -> int:
    """A positive integer from a hash of `parts`, for deck and package ids."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return (int.from_bytes(digest[:8], "big") >> (64 - bits)) | (1 << (bits - 1))
