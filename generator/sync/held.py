"""What a collection holds of a course, as either transport reads it: notes by GUID with their
fields, tags, modification time and cards (deck, suspension), the decks, and ankigen's note
types as they are in the collection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class HeldCard:
    """One card of a note in the collection."""

    id: int
    """Card id."""
    deck: str
    """Name of the deck it is in now (a filtered deck's, while it is in one)."""
    suspended: bool
    """Whether the learner, or a sync, suspended it."""


@dataclass(frozen=True, slots=True)
class HeldNote:
    """One note in the collection."""

    id: int
    """Note id in the collection."""
    model_id: int
    """Its note type."""
    mod: int
    """Seconds: when it last changed in the collection (an import keeps the package's time)."""
    fields: Mapping[str, str]
    """Field name → value."""
    tags: tuple[str, ...]
    """Tags, as Anki holds them."""
    cards: tuple[HeldCard, ...]
    """Its cards."""


@dataclass(frozen=True, slots=True)
class HeldNoteType:
    """One of ankigen's note types as the collection has it."""

    model_id: int
    """Model id (ankigen's hard-coded one)."""
    name: str
    """Name in the collection (the learner may have renamed it)."""
    fields: tuple[str, ...]
    """Field names in order."""
    templates: tuple[tuple[str, str, str], ...]
    """(name, front, back) of each card template, in order."""
    css: str
    """Styling."""


@dataclass(slots=True)
class Held:
    """The part of a collection a sync looks at."""

    notes: dict[str, HeldNote] = field(default_factory=dict)
    """GUID → note, for the GUIDs the course knows (no other note is read)."""
    decks: set[str] = field(default_factory=set)
    """Every deck name."""
    note_types: dict[int, HeldNoteType] = field(default_factory=dict)
    """Model id → ankigen note type present in the collection."""
