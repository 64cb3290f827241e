"""Compare this build with the state file: what is new, changed, unchanged, removed or moved.

Pure: given the notes, the previous state and the clock, it returns the change plan, the next state
and the notes to package. Nothing here reads or writes files.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from generator.anki.guids import guid
from generator.anki.notetypes import CardTemplate, NoteType, Templates
from generator.anki.state import NoteState, NoteTypeState, State
from generator.diagnostics import Diagnostics
from generator.notes import RenderedNote

REMOVED_TAG = "ankigen::removed"
# Where the note sits in the sources is not content: moving a file must not rewrite its notes.
UNHASHED_FIELDS = frozenset({"Source"})
NID_STEP = 1000
"""Gap between note ids; card ids are note id + ordinal, so a note may have up to 1000 cards."""


class Status(Enum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Change:
    """One line of the change plan."""

    status: Status
    """What happens to the note in Anki on import."""
    id: str
    """Note id."""
    path: str
    """Source file (the last known one for removed notes)."""
    line: int
    """Line in the source file; 0 for removed notes."""
    deck: str
    """Deck now."""
    old_deck: str | None = None
    """Deck before, when the note moved."""
    lost_cards: tuple[int, ...] = ()
    """Card ordinals the note had and no longer has."""
    first_removal: bool = False
    """True in the build where a removed note disappeared from the sources."""

    @property
    def moved(self) -> bool:
        return self.old_deck is not None


@dataclass(frozen=True, slots=True)
class PlannedNote:
    """A note to package, with the times and ids the plan gave it."""

    guid: str
    """Stable GUID."""
    nid: int
    """Note id in the package."""
    mod: int
    """When its content last changed."""
    note_type: str
    """Registry key of its note type."""
    fields: tuple[str, ...] | None
    """HTML fields; None for a removed note whose fields come from the previous package."""
    tags: tuple[str, ...]
    """Tags (a removed note gets its old tags plus REMOVED_TAG when packaged)."""
    deck: str
    """Deck for new cards."""
    cards: tuple[int, ...]
    """Card ordinals."""


@dataclass(slots=True)
class Plan:
    """The outcome of planning."""

    changes: list[Change] = field(default_factory=list)
    """One entry per note, current notes in source order then removed ones by id."""
    notes: list[PlannedNote] = field(default_factory=list)
    """What goes into the package, in the same order."""
    note_type_mods: dict[str, int] = field(default_factory=dict)
    """Note type key → mod to stamp."""
    state: State = field(default_factory=State)
    """The state to save after a successful build."""

    def count(self, status: Status) -> int:
        return sum(change.status is status for change in self.changes)

    @property
    def moved(self) -> list[Change]:
        return [change for change in self.changes if change.moved]

    def summary(self) -> dict[str, int]:
        counts = {status.value: self.count(status) for status in Status}
        counts["moved"] = len(self.moved)
        return counts


def content_hash(note_type: NoteType, fields: Sequence[str], tags: Sequence[str]) -> str:
    digest = hashlib.sha256(note_type.key.encode())
    for spec, value in zip(note_type.fields, fields, strict=True):
        if spec.name not in UNHASHED_FIELDS:
            digest.update(b"\x1f" + spec.name.encode() + b"\x1e" + value.encode())
    digest.update(b"\x1d" + " ".join(sorted(tags)).encode())
    return digest.hexdigest()[:20]


def note_type_hash(note_type: NoteType, template: CardTemplate) -> str:
    payload = json.dumps(
        [note_type.name, template.front, template.back, template.css], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def schema(note_type: NoteType) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]:
    fields = tuple((spec.name, spec.id) for spec in note_type.fields)
    return fields, ((note_type.template_name, note_type.template_id),)


def plan_note_types(
    note_types: Mapping[str, NoteType],
    templates: Templates,
    old: Mapping[str, NoteTypeState],
    now: int,
    *,
    lock_path: str,
    diags: Diagnostics,
) -> dict[str, NoteTypeState]:
    """Advance a note type's mod when its templates or CSS change; refuse schema changes."""
    result: dict[str, NoteTypeState] = {}
    for key, note_type in note_types.items():
        fields, template_schema = schema(note_type)
        digest = note_type_hash(note_type, templates.card(note_type))
        previous = old.get(key)
        mod = now
        if previous is not None and previous.model_id == note_type.model_id:
            if (previous.fields, previous.templates) != (fields, template_schema):
                diags.error(
                    lock_path,
                    0,
                    f"the schema of note type '{note_type.name}' changed (fields or templates "
                    "added, removed or renamed). Anki would import it as a copy named "
                    f"'{note_type.name}+' and stop updating existing notes. Keep the released "
                    "schema frozen; a new schema must be a new note type with its own model id, "
                    "name and migration note (see docs/format.md, 'Note types').",
                )
            mod = previous.mod if previous.hash == digest else max(now, previous.mod + 1)
        elif previous is not None:
            diags.error(
                lock_path,
                0,
                f"note type '{note_type.name}' changed its model id: existing notes would stop "
                "updating. A new schema needs a new note type key that declares `replaces`.",
            )
        replaced = old.get(note_type.replaces) if note_type.replaces else None
        if replaced is not None and note_type.replaces not in note_types:
            diags.warning(
                lock_path,
                0,
                f"note type '{replaced.name}' is replaced by '{note_type.name}'. "
                f"{note_type.migration} Existing notes keep the old type until you change it: "
                f"in the Browser search 'note:\"{replaced.name}\"', select all, Notes › Change "
                f"Note Type › '{note_type.name}', then import the package again.",
            )
        result[key] = NoteTypeState(
            model_id=note_type.model_id,
            name=note_type.name,
            hash=digest,
            mod=mod,
            fields=fields,
            templates=template_schema,
        )
    return result


def make_plan(
    notes: Sequence[RenderedNote],
    old: State,
    *,
    namespace: str,
    note_types: Mapping[str, NoteType],
    templates: Templates,
    now: int,
    lock_path: str,
    diags: Diagnostics,
    forget_removed: bool = False,
) -> Plan:
    plan = Plan()
    if old.namespace and old.namespace != namespace:
        diags.error(
            lock_path,
            0,
            f"the course namespace changed from '{old.namespace}' to '{namespace}': every note "
            "would get a new GUID and be duplicated in Anki. Restore the namespace, or delete "
            "the state file if you really want a new deck.",
        )
    errors_before = len(diags.errors)
    types = plan_note_types(
        note_types, templates, old.note_types, now, lock_path=lock_path, diags=diags
    )
    if len(diags.errors) > errors_before:
        return plan  # a schema change: hashing notes against the wrong fields means nothing
    plan.note_type_mods = {key: value.mod for key, value in types.items()}
    next_nid = next_nid_after(old, now)
    next_notes: dict[str, NoteState] = {}

    for note in notes:
        note_type = note_types[note.note_type]
        note_id = note.meta.id
        digest = content_hash(note_type, note.fields, note.meta.tags)
        previous = old.notes.get(note_id)
        old_deck = None
        if previous is None:
            status, nid, mod = Status.NEW, next_nid, now
            next_nid += NID_STEP
        else:
            nid = previous.nid
            same = previous.hash == digest and not previous.removed
            status = Status.UNCHANGED if same else Status.CHANGED
            mod = previous.mod if same else max(now, previous.mod + 1)
            if previous.deck != note.meta.deck and not previous.removed:
                old_deck = previous.deck
        lost = tuple(sorted(set(previous.cards) - set(note.cards))) if previous else ()
        if previous is not None and not previous.removed:
            warn_renumbered(note, previous, diags)
        plan.changes.append(
            Change(status, note_id, note.meta.path, note.meta.line, note.meta.deck, old_deck, lost)
        )
        plan.notes.append(
            PlannedNote(
                guid(namespace, note_id),
                nid,
                mod,
                note.note_type,
                note.fields,
                note.meta.tags,
                note.meta.deck,
                note.cards,
            )
        )
        next_notes[note_id] = NoteState(
            guid=guid(namespace, note_id),
            nid=nid,
            hash=digest,
            mod=mod,
            deck=note.meta.deck,
            construct=note.meta.construct,
            note_type=note.note_type,
            cards=note.cards,
            texts=tuple(short_hash(text) for text in note.texts),
            options=note.options,
            answer_at=note.answer_at,
        )

    for note_id, previous in sorted(old.notes.items()):
        if note_id in next_notes or (forget_removed and previous.removed):
            continue
        if previous.note_type not in note_types:
            continue
        mod = previous.mod if previous.removed else max(now, previous.mod + 1)
        next_notes[note_id] = replace(previous, mod=mod, removed=True)
        plan.changes.append(
            Change(
                Status.REMOVED, note_id, "", 0, previous.deck, first_removal=not previous.removed
            )
        )
        plan.notes.append(
            PlannedNote(
                previous.guid,
                previous.nid,
                mod,
                previous.note_type,
                None,
                (REMOVED_TAG,),
                previous.deck,
                previous.cards,
            )
        )

    last_nid = max([old.last_nid, *(note.nid for note in next_notes.values())])
    plan.state = State(namespace, next_notes, types, last_nid)
    warn_moves_and_lost_cards(plan, lock_path, diags)
    return plan


def short_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.casefold().split()).encode()).hexdigest()[:12]


def warn_renumbered(note: RenderedNote, previous: NoteState, diags: Diagnostics) -> None:
    """A deletion whose text moved to another number takes the old number's history with it."""
    if not note.texts or len(previous.texts) != len(previous.cards):
        return
    before = dict(zip(previous.texts, previous.cards, strict=True))
    moves = []
    for ordinal, text in zip(note.cards, note.texts, strict=True):
        old = before.get(short_hash(text))
        if old is not None and old != ordinal:
            moves.append(f"c{old + 1} → c{ordinal + 1}")
    if moves:
        diags.warning(
            note.meta.path,
            note.meta.line,
            f"cloze note '{note.meta.id}' renumbered its deletions ({', '.join(moves)}): each "
            "card keeps the review history of its number, not of its text. Keep the old numbers "
            "with '==cN::…==' to avoid this.",
        )


def next_nid_after(old: State, now: int) -> int:
    """Ids of new notes start at the build time in ms and never reuse an earlier one."""
    highest = max([old.last_nid, *(note.nid for note in old.notes.values())])
    start = now * 1000
    return max(start, highest + NID_STEP)


def warn_moves_and_lost_cards(plan: Plan, lock_path: str, diags: Diagnostics) -> None:
    by_move: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for change in plan.changes:
        if change.old_deck is not None:
            by_move[(change.old_deck, change.deck)].append(change)
        if change.lost_cards:
            numbers = ", ".join(str(ordinal + 1) for ordinal in change.lost_cards)
            diags.warning(
                change.path,
                change.line,
                f"note '{change.id}' no longer has card(s) {numbers}: their review history stays "
                "on orphaned cards in Anki (Tools › Check Database / Empty Cards), and renumbered "
                "deletions move history to the wrong text",
            )
    for (old_deck, new_deck), changes in sorted(by_move.items()):
        ids = " OR ".join(f'"ID:{change.id}"' for change in changes)
        first = changes[0]
        diags.warning(
            first.path,
            first.line,
            f"{len(changes)} note(s) moved from deck '{old_deck}' to '{new_deck}'. Anki keeps "
            "existing cards in their old deck: in the Browser search "
            f"\"deck:{old_deck}\" ({ids}), select all, Cards › Change Deck › '{new_deck}'.",
        )
