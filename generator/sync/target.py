"""The two ways to reach a learner's collection share one small interface: read what it holds,
then change it one kind of step at a time. `colfile` opens the collection file with the `anki`
package (Anki closed); `connect` talks to a running Anki through AnkiConnect."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from generator.sync.held import HeldNote, HeldNoteType

SCRATCH_PREFIX = "ankigen-sync-"
"""How the name of every folder a sync makes in the system's temporary folder starts."""


class TargetError(Exception):
    """The collection cannot be reached or refused a step: a message for the user and a code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Target(Protocol):
    """A collection to sync into."""

    where: str
    """How it is reached, for messages (`collection /…/collection.anki2`, `Anki at http://…`)."""

    def guids(self, model_ids: Iterable[int]) -> dict[str, int]:
        """GUID → note id of every note of these note types."""
        ...

    def read_notes(self, note_ids: Sequence[int]) -> dict[int, HeldNote]:
        """The notes with these ids (missing ones are left out)."""
        ...

    def decks(self) -> set[str]:
        """Every deck name."""
        ...

    def note_types(self, model_ids: Iterable[int]) -> dict[int, HeldNoteType]:
        """Those of these note types the collection has."""
        ...

    def backup(self) -> str:
        """Back the collection up before the first change; says where the backup is."""
        ...

    def update_note_type(
        self, model_id: int, templates: Sequence[tuple[str, str]], css: str
    ) -> None:
        """Replace the fronts and backs (by position) and the CSS of a note type, in place."""
        ...

    def rename_deck(self, old: str, new: str) -> None:
        """Rename a deck (its subdecks follow)."""
        ...

    def delete_empty_deck(self, name: str) -> bool:
        """Delete a deck that holds no card and no subdeck; whether it did."""
        ...

    def missing_media(self, names: Iterable[str]) -> set[str]:
        """Those of these media file names the collection lacks."""
        ...

    def store_media(self, name: str, data: bytes) -> None:
        """Add a media file under this name."""
        ...

    def import_package(self, package: Path) -> None:
        """Add the notes of a package (new GUIDs only), keeping their GUIDs, ids and times."""
        ...

    def update_note(self, note_id: int, fields: Mapping[str, str], tags: Sequence[str]) -> None:
        """Set these fields and exactly these tags."""
        ...

    def move_cards(self, card_ids: Sequence[int], deck: str) -> None:
        """Move cards to a deck (created when missing), keeping their scheduling."""
        ...

    def suspend(self, card_ids: Sequence[int], *, suspend: bool) -> None:
        """Suspend or unsuspend cards."""
        ...

    def delete_notes(self, note_ids: Sequence[int]) -> None:
        """Delete notes with their cards."""
        ...

    def close(self) -> None:
        """Save and let go of the collection."""
        ...
