"""GUIDs and other ids Anki sees. A GUID depends on the course namespace and the note id, never
on content, so editing a note updates it in Anki instead of making a new one."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from generator.source.noteids import id_key

BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


@lru_cache(maxsize=1 << 16)
def guid(namespace: str, note_id: str) -> str:
    """A 64-bit hash of namespace and id, base91-encoded like Anki's own GUIDs. (Remembered: a
    build plans every note twice, for itself and for the next build.)"""
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
