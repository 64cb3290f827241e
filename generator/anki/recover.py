"""Rebuild the state from the last package when the state file is gone (a fresh clone without it,
or a deleted file): the package says what Anki was given — GUIDs, note types, times, fields and
which notes were tagged removed — so the plan stays what Anki will do, and no time goes backwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace

from generator.anki.guids import guid
from generator.anki.notetypes import NoteType
from generator.anki.package import PreviousNote
from generator.anki.plan import REMOVED_TAG, content_hash, field_hash
from generator.anki.state import KIND_SUFFIX, NoteState, State

CONSTRUCT_TAG = "ankigen::"
OTHER_HOME = "-"
"""`home` of a recovered note whose GUID is not its id's own: any value but its note type."""


def state_from_package(
    previous: Mapping[str, PreviousNote], note_types: Mapping[str, NoteType], namespace: str
) -> State:
    by_model = {note_type.model_id: note_type for note_type in note_types.values()}
    found: dict[str, list[tuple[NoteType, PreviousNote]]] = defaultdict(list)
    for note in previous.values():
        note_type = by_model.get(note.model_id)
        names = note_type.field_names() if note_type else ()
        if note_type is None or "ID" not in names or len(note.fields) != len(names):
            continue  # not a note ankigen made with a note type it still knows
        found[note.fields[names.index("ID")]].append((note_type, note))
    state = State(namespace=namespace)
    for note_id, versions in sorted(found.items()):
        # One version per id is known by the id: the live one, else the one with the id's own
        # GUID; the others are note types the note had before (`id@type`).
        main = next(
            (pair for pair in versions if REMOVED_TAG not in pair[1].tags),
            next((pair for pair in versions if pair[1].guid == guid(namespace, note_id)), None),
        )
        for note_type, note in versions:
            removed = REMOVED_TAG in note.tags
            same = len(versions) == 1 or (note_type, note) == main
            key = note_id if same else f"{note_id}{KIND_SUFFIX}{note_type.key}"
            tags = tuple(tag for tag in note.tags if tag != REMOVED_TAG)
            constructs = [t[len(CONSTRUCT_TAG) :] for t in tags if t.startswith(CONSTRUCT_TAG)]
            state.notes[key] = NoteState(
                guid=note.guid,
                nid=note.nid,
                hash=content_hash(note_type, note.fields, tags),
                mod=note.mod,
                deck=note.deck,
                construct=constructs[0] if constructs else "",
                note_type=note_type.key,
                cards=note.cards,
                removed=removed,
                home="" if note.guid == guid(namespace, note_id) else OTHER_HOME,
                field_hashes=tuple(field_hash(value) for value in note.fields),
                fields=note.fields if removed else (),
                tags=note.tags if removed else (),
                source=source_of(note_type, note),
            )
    state.last_nid = max((note.nid for note in state.notes.values()), default=0)
    state.last_mod = max((note.mod for note in state.notes.values()), default=0)
    return state


def source_of(note_type: NoteType, note: PreviousNote) -> str:
    names = note_type.field_names()
    return note.fields[names.index("Source")] if "Source" in names else ""


def reconcile(recorded: State, shipped: State) -> State:
    """The state file as a build recorded it, corrected by the package actually in place where the
    two disagree (a build stopped between writing one and the other): for each note the package
    holds, its content and time are what Anki may have been given; a live note the package lacks
    was never given to Anki."""
    by_guid = {note.guid: key for key, note in recorded.notes.items()}
    given_guids = {note.guid for note in shipped.notes.values()}
    notes = {
        key: note
        for key, note in recorded.notes.items()
        if note.removed or note.guid in given_guids
    }
    for key, given in shipped.notes.items():
        known_key = by_guid.get(given.guid)
        if known_key is None:
            notes.setdefault(key, given)
            continue
        known = notes[known_key]
        if known.hash != given.hash or known.removed != given.removed:
            notes[known_key] = replace(
                known,
                hash=given.hash,
                mod=max(known.mod, given.mod),
                removed=given.removed,
                fields=given.fields,
                tags=given.tags,
            )
    return replace(
        recorded,
        notes=notes,
        last_nid=max(recorded.last_nid, shipped.last_nid),
        last_mod=max(recorded.last_mod, shipped.last_mod),
    )
