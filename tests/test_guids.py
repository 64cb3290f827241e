"""GUIDs are the identity Anki keeps a learner's history under: they must never move. These
expectations are computed here, independently of generator.anki.guids, from the documented
scheme: SHA-256 of `ankigen␟namespace␟id` (id case-folded), first 8 bytes big-endian, written in
Anki's base-91 alphabet."""

from __future__ import annotations

import hashlib
import json

import pytest

from generator.anki.guids import guid
from tests.conftest import FIXTURES

ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


def reference(namespace: str, note_id: str) -> str:
    number = int.from_bytes(
        hashlib.sha256(f"ankigen\x1f{namespace}\x1f{note_id.casefold()}".encode()).digest()[:8],
        "big",
    )
    digits = ""
    while number:
        number, rest = divmod(number, 91)
        digits = ALPHABET[rest] + digits
    return digits or ALPHABET[0]


@pytest.mark.parametrize(
    "note_id", ["a", "pt-ft-analogy-music", "Mixed/CASE#id", "01-x/y#z", "ü-ß", "x" * 200]
)
def test_guid_follows_the_documented_scheme(note_id: str) -> None:
    assert guid("ns-1", note_id) == reference("ns-1", note_id)


def test_case_of_an_id_does_not_change_its_guid() -> None:
    assert guid("ns", "Pt-FT-Card") == guid("ns", "pt-ft-card")


def test_seed_course_guids_are_pinned() -> None:
    pinned = json.loads((FIXTURES / "golden" / "seed-guids.json").read_text(encoding="utf-8"))
    assert len(pinned) == 48
    for note_id, value in pinned.items():
        assert reference("prompt-engineering-genai-7f3c2a", note_id) == value, note_id
