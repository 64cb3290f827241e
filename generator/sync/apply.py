"""Carry out a sync plan through a target, then say what the state file records of it."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.anki.notetypes import NoteType, Templates
from generator.anki.package import PackagedNote, PackagedNoteType, PackageSpec, write_package
from generator.anki.state import State
from generator.sync.held import HeldNote
from generator.sync.plan import Action, NoteStep, SyncPlan, held_version, renamed
from generator.sync.target import SCRATCH_PREFIX, Target


@dataclass(slots=True)
class Applied:
    """What applying a plan did."""

    backup: str = ""
    """Where the collection was backed up."""
    refreshed: dict[int, HeldNote] = field(default_factory=dict)
    """Notes read again after they were written (their new modification times)."""
    new_cards_moved: int = 0
    """Cards Anki made for an updated note (a new cloze) that were moved to its deck."""
    decks_deleted: list[str] = field(default_factory=list)
    """Decks ankigen named that the sync left empty, and deleted."""


def apply_plan(
    plan: SyncPlan,
    target: Target,
    *,
    namespace: str,
    note_types: Mapping[str, NoteType],
    templates: Templates,
    note_type_mods: Mapping[str, int],
    media: Mapping[str, bytes],
) -> Applied:
    """Change the collection, one kind of step at a time: note types, deck renames, media,
    added notes, updated notes and moved cards, then removed notes. `media` is name → bytes of
    every file the added and updated notes use."""
    applied = Applied()
    if not plan.writes:
        return applied
    applied.backup = target.backup()
    for key, have in plan.note_types:
        note_type = note_types[key]
        card = templates.card(note_type)
        sides = [card.side(ordinal) for ordinal in range(len(note_type.template_specs))]
        target.update_note_type(have.model_id, sides, card.css)
    for old, new in plan.renames:
        target.rename_deck(old, new)
    steps = plan.steps
    writing = [step for step in steps if step.action in (Action.ADD, Action.UPDATE)]
    wanted = {name for step in writing for name in step.media}
    for name in sorted(target.missing_media(wanted)):
        target.store_media(name, media[name])
    adds = [step for step in steps if step.action is Action.ADD]
    if adds:
        add_notes(
            adds,
            target,
            namespace=namespace,
            note_types=note_types,
            templates=templates,
            note_type_mods=note_type_mods,
        )
    touched: list[int] = []
    for step in steps:
        if step.action is Action.UPDATE and step.held is not None:
            fields = {k: v for k, v in step.fields.items() if k in step.held.fields}
            target.update_note(step.held.id, fields, step.tags)
            touched.append(step.held.id)
    by_deck: dict[str, list[int]] = defaultdict(list)
    for step in steps:
        if step.move:
            by_deck[step.planned.deck].extend(step.move)
    for deck, cards in sorted(by_deck.items()):
        target.move_cards(cards, deck)
    restored = [card for step in steps for card in step.unsuspend]
    if restored:
        target.suspend(restored, suspend=False)
    for step in steps:
        if step.action is Action.SUSPEND and step.held is not None:
            if step.suspend:
                target.suspend(step.suspend, suspend=True)
            if set(step.tags) != set(step.held.tags):
                target.update_note(step.held.id, {}, step.tags)
                touched.append(step.held.id)
    doomed = [s.held.id for s in steps if s.action is Action.DELETE and s.held is not None]
    if doomed:
        target.delete_notes(doomed)
    applied.refreshed = target.read_notes(touched)
    applied.new_cards_moved = move_new_cards(steps, applied.refreshed, target)
    applied.decks_deleted = [name for name in plan.emptied if target.delete_empty_deck(name)]
    return applied


def add_notes(
    adds: list[NoteStep],
    target: Target,
    *,
    namespace: str,
    note_types: Mapping[str, NoteType],
    templates: Templates,
    note_type_mods: Mapping[str, int],
) -> None:
    """New notes arrive as a package of just those notes, the way Anki keeps their GUIDs."""
    notes = tuple(
        PackagedNote(
            guid=step.planned.guid,
            note_type=note_types[step.planned.note_type],
            fields=tuple(step.planned.fields or ()),
            tags=step.planned.tags,
            deck=step.planned.deck,
            note_id=step.planned.nid,
            mod=step.planned.mod,
            cards=step.planned.cards,
        )
        for step in adds
    )
    used = sorted({step.planned.note_type for step in adds})
    spec = PackageSpec(
        namespace=namespace,
        decks=tuple(sorted({note.deck for note in notes})),
        note_types=tuple(
            PackagedNoteType(note_types[key], templates.card(note_types[key]), note_type_mods[key])
            for key in used
        ),
        notes=notes,
    )
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX) as folder:
        package = Path(folder) / "ankigen-sync-new-notes.apkg"
        write_package(package, spec)
        target.import_package(package)


def move_new_cards(steps: list[NoteStep], refreshed: Mapping[int, HeldNote], target: Target) -> int:
    """An update that adds a cloze deletion makes Anki add a card, in a deck of its choosing."""
    moved = 0
    by_deck: dict[str, list[int]] = defaultdict(list)
    for step in steps:
        if step.action is not Action.UPDATE or step.held is None:
            continue
        now = refreshed.get(step.held.id)
        if now is None:
            continue
        before = {card.id for card in step.held.cards}
        for card in now.cards:
            if card.id not in before and card.deck.casefold() != step.planned.deck.casefold():
                by_deck[step.planned.deck].append(card.id)
    for deck, cards in sorted(by_deck.items()):
        target.move_cards(cards, deck)
        moved += len(cards)
    return moved


def synced_state(next_state: State, old: State | None, plan: SyncPlan, applied: Applied) -> State:
    """The build's next state, with what the collection now holds: times to recognise the
    notes by, cards settled in their decks, removals settled."""
    # Decks renamed in Anki: every recorded deck name follows (removed notes' too).
    notes = {
        key: replace(
            note,
            deck=renamed(note.deck, plan.renames),
            anki_deck=renamed(note.anki_deck, plan.renames) if note.anki_deck else "",
        )
        for key, note in next_state.notes.items()
    }
    key_of_guid = {note.guid: key for key, note in notes.items()}
    for step in plan.steps:
        key = key_of_guid.get(step.planned.guid)
        if key is None:
            continue
        note = replace(notes[key], anki_deck="")
        if step.action is Action.ADD:
            note = replace(note, given=(), synced=0, synced_hash="")
        elif step.action in (Action.UPDATE, Action.UNCHANGED) and step.held is not None:
            now = applied.refreshed.get(step.held.id, step.held)
            note = replace(note, given=(), synced=now.mod, synced_hash=held_version(now))
        elif step.action is Action.SUSPEND and step.held is not None:
            now = applied.refreshed.get(step.held.id, step.held)
            note = replace(
                note,
                synced=now.mod,
                synced_hash=held_version(now),
                settled="suspended",
            )
        elif step.action is Action.SETTLED:
            note = replace(note, settled=note.settled or ("suspended" if step.held else "deleted"))
        elif step.action is Action.DELETE:
            note = replace(note, settled="deleted")
        notes[key] = note
    return replace(
        next_state,
        notes=notes,
        package=old.package if old is not None and old.package else next_state.package,
        package_digest=old.package_digest if old is not None else "",
    )
