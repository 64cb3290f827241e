"""Compare what the build made with what the collection holds: the sync's plan. Pure.

The build's plan (generator.anki.plan) says which notes the course has and what each is given
(GUID, note type, fields, tags, deck); here every one of them is looked up in the collection by
its GUID and compared with what the collection actually holds, so the steps are what Anki needs,
whatever was or was not imported before:

- a GUID the collection lacks is added; one whose fields or tags differ is updated, unless the
  learner edited it in Anki (see `edited_in_anki`): then it is a conflict, left alone and shown
  with a short diff, unless --force;
- cards still in the deck ankigen last gave them are moved to the note's deck; a deck whose
  content folder now has another name is renamed (decks are matched by folder, as the state file
  recorded them);
- a removed note is suspended and tagged ankigen::removed, or deleted with --delete;
- a note type whose templates or CSS differ is updated in place.

Only notes with the GUIDs the course knows are looked at; nothing else in the collection is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from generator.anki.notetypes import NoteType, Templates
from generator.anki.plan import (
    REMOVED_TAG,
    UNHASHED_FIELDS,
    Change,
    Plan,
    PlannedNote,
    Status,
    field_hash,
    version_hash,
)
from generator.anki.state import NoteState, State
from generator.diagnostics import Diagnostics
from generator.sync.held import Held, HeldNote, HeldNoteType

OWN_TAGS = "ankigen::"
DIFF_WIDTH = 70
"""Characters of each side shown in a conflict's diff."""


class Action(Enum):
    ADD = "add"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    SUSPEND = "suspend"
    DELETE = "delete"
    SETTLED = "settled"
    """A removed note already suspended and tagged, or already gone from the collection."""


@dataclass(frozen=True, slots=True)
class FieldDiff:
    """A field the learner changed in Anki, beside what the sources have."""

    name: str
    """Field name."""
    anki: str
    """Its value in the collection."""
    source: str
    """Its value from the sources."""


@dataclass(frozen=True, slots=True)
class NoteStep:
    """What the sync does with one note."""

    action: Action
    """The step."""
    change: Change
    """The build's line for the note (id, place in the sources, deck, status)."""
    planned: PlannedNote
    """What the build gives the note (GUID, note type, fields, tags, deck)."""
    held: HeldNote | None = None
    """The note in the collection, when it has it."""
    fields: Mapping[str, str] = field(default_factory=dict)
    """Fields to write (all of them for an update)."""
    tags: tuple[str, ...] = ()
    """Tags to write: the note's own, and the learner's kept."""
    move: tuple[int, ...] = ()
    """Cards to move to `planned.deck`."""
    moved_from: str = ""
    """The deck those cards are in."""
    unsuspend: tuple[int, ...] = ()
    """Cards a sync suspended when the note was removed, now that it is back."""
    suspend: tuple[int, ...] = ()
    """Cards to suspend (a removed note)."""
    diff: tuple[FieldDiff, ...] = ()
    """For a conflict: the fields edited in Anki."""
    media: tuple[str, ...] = ()
    """Media file names its fields use."""

    @property
    def id(self) -> str:
        return self.change.id


@dataclass(slots=True)
class SyncPlan:
    """Everything the sync will do, in the order it does it."""

    steps: list[NoteStep] = field(default_factory=list)
    """One per note of the build's plan."""
    renames: list[tuple[str, str]] = field(default_factory=list)
    """Decks to rename, parents first."""
    note_types: list[tuple[str, HeldNoteType]] = field(default_factory=list)
    """Note types (registry key, as held) whose templates or CSS are updated in place."""
    emptied: list[str] = field(default_factory=list)
    """Decks ankigen named that cards are moved out of (or deleted from), and their parents,
    deepest first: each is deleted if the sync leaves it without cards and without subdecks."""
    delete: bool = False
    """Removed notes are deleted rather than suspended."""

    def count(self, action: Action) -> int:
        return sum(step.action is action for step in self.steps)

    @property
    def moves(self) -> list[NoteStep]:
        return [step for step in self.steps if step.move]

    @property
    def writes(self) -> bool:
        """Whether applying the plan changes the collection."""
        return bool(
            self.renames
            or self.note_types
            or self.moves
            or any(
                step.action in (Action.ADD, Action.UPDATE, Action.SUSPEND, Action.DELETE)
                or step.unsuspend
                for step in self.steps
            )
        )

    def summary(self) -> dict[str, int]:
        counts = {action.value: self.count(action) for action in Action}
        counts["moved"] = len(self.moves)
        counts["cards_moved"] = sum(len(step.move) for step in self.moves)
        counts["decks_renamed"] = len(self.renames)
        counts["note_types_updated"] = len(self.note_types)
        return counts


def owned(tag: str, course_tags: set[str]) -> bool:
    """A tag ankigen gives (so it may take it away); the learner's own tags are kept."""
    return tag.casefold().startswith(OWN_TAGS) or tag.casefold() in course_tags


def content(fields: Mapping[str, str]) -> dict[str, str]:
    """Fields that are content: where the note sits in the sources is not."""
    return {name: value for name, value in fields.items() if name not in UNHASHED_FIELDS}


def held_version(held: HeldNote) -> str:
    """The version hash of a note's fields as the collection holds them."""
    names = list(held.fields)
    return version_hash(names, [field_hash(held.fields[name]) for name in names])


def edited_in_anki(held: HeldNote, prior: NoteState | None, names: Sequence[str]) -> bool:
    """Whether the learner changed the note's fields in Anki since ankigen last gave it.

    ankigen records a hash of every version of a note it gave Anki — the current one, the
    earlier ones no sync has replaced yet (`given`, whether or not their package was imported)
    and the one a sync last wrote (`synced_hash`). Fields in the collection equal to one of
    those were put there by ankigen; any other fields were edited in Anki. A tag the learner
    added (or Anki's own leech tag) is not an edit. With no record of the note, any difference
    counts as an edit: only --force overwrites it."""
    if prior is None:
        return True
    known = {*prior.given, prior.synced_hash}
    if len(prior.field_hashes) == len(names):
        known.add(version_hash(names, prior.field_hashes))
    return held_version(held) not in known - {""}


def diff_of(held: Mapping[str, str], wanted: Mapping[str, str]) -> tuple[FieldDiff, ...]:
    return tuple(
        FieldDiff(name, held.get(name, ""), value)
        for name, value in content(wanted).items()
        if held.get(name, "") != value
    )


def renamed(name: str, renames: Sequence[tuple[str, str]]) -> str:
    """A deck's name after `renames` (in order; a subdeck follows its parent)."""
    for old, new in renames:
        if name == old or name.startswith(f"{old}::"):
            name = new + name[len(old) :]
    return name


def plan_renames(
    recorded: Mapping[str, str], current: Mapping[str, str], existing: set[str]
) -> tuple[list[tuple[str, str]], Callable[[str], str]]:
    """Decks to rename: a content folder whose deck has another name now, matched by folder as
    the state file recorded it. Parents first; a deck whose new name is taken already (or whose
    old one is gone) is not renamed, and its notes' cards are moved instead."""
    renames: list[tuple[str, str]] = []

    def translate(name: str) -> str:
        return renamed(name, renames)

    folders = sorted(set(recorded) & set(current), key=lambda folder: (folder.count("/"), folder))
    for folder in folders:
        old, new = translate(recorded[folder]), current[folder]
        if old == new:
            continue
        names = {translate(name).casefold() for name in existing}
        if old.casefold() not in names or new.casefold() in names:
            continue
        renames.append((old, new))
    return renames, translate


def moved_decks(
    build: Plan,
    by_guid: Mapping[str, NoteState],
    existing: set[str],
    translate: Callable[[str], str],
) -> list[tuple[str, str]]:
    """Decks to rename that the folders do not show: a build renamed them (its package named
    the new deck) before any sync. A deck whose course notes all go to one deck that the
    collection lacks is renamed to it rather than emptied into a new one."""
    targets: dict[str, set[str]] = {}
    for change, planned in zip(build.changes, build.notes, strict=True):
        prior = by_guid.get(planned.guid)
        if prior is None or change.status is Status.REMOVED:
            continue
        source = translate(prior.anki_deck or prior.deck)
        targets.setdefault(source, set()).add(planned.deck)
    names = {translate(name).casefold() for name in existing}
    renames: list[tuple[str, str]] = []
    taken: set[str] = set()
    for source, found in sorted(targets.items()):
        (target,) = found if len(found) == 1 else ("",)
        if not target or target == translate(source) or target.casefold() in names:
            continue
        if source.casefold() not in names or target.casefold() in taken:
            continue
        taken.add(target.casefold())
        renames.append((source, target))
    return renames


def plan_note_types(
    used: set[str],
    note_types: Mapping[str, NoteType],
    templates: Templates,
    held: Held,
    *,
    diags: Diagnostics,
    where: str,
) -> tuple[list[tuple[str, HeldNoteType]], set[str]]:
    """Note types to update in place, and those whose shape was changed in Anki (the keys)."""
    updates: list[tuple[str, HeldNoteType]] = []
    reshaped: set[str] = set()
    for key in sorted(used):
        note_type = note_types[key]
        have = held.note_types.get(note_type.model_id)
        if have is None:
            continue  # comes with the first note added
        card = templates.card(note_type)
        sides = [card.side(ordinal) for ordinal in range(len(note_type.template_specs))]
        if have.fields != note_type.field_names() or len(have.templates) != len(sides):
            reshaped.add(key)
            diags.warning(
                where,
                0,
                f"note type '{have.name}' was changed in Anki (fields or card types added, "
                "removed or renamed): ankigen leaves its templates alone, updates its notes "
                "field by field and cannot add new notes of it. Undo the change in Anki (Tools "
                "› Manage Note Types), then sync again.",
                code="note-type-reshaped",
            )
            continue
        if [(front, back) for _, front, back in have.templates] != sides or have.css != card.css:
            updates.append((key, have))
    return updates, reshaped


def make_sync_plan(
    build: Plan,
    old: State,
    held: Held,
    *,
    note_types: Mapping[str, NoteType],
    templates: Templates,
    decks: Mapping[str, str],
    media: Mapping[str, tuple[str, ...]],
    delete: bool,
    force: bool,
    diags: Diagnostics,
    where: str,
) -> SyncPlan:
    """The steps that make the collection hold what `build` made. `media` is GUID → media
    file names of each note; `decks` the content folders' deck names now."""
    plan = SyncPlan(delete=delete)
    plan.renames, translate = plan_renames(old.decks, decks, held.decks)
    by_guid = {note.guid: note for note in old.notes.values()}
    plan.renames.extend(moved_decks(build, by_guid, held.decks, translate))
    used = {note.note_type for note in build.notes if note.fields is not None}
    plan.note_types, reshaped = plan_note_types(
        used, note_types, templates, held, diags=diags, where=where
    )
    course_tags = {
        tag.casefold() for note in build.notes if note.fields is not None for tag in note.tags
    }
    for change, planned in zip(build.changes, build.notes, strict=True):
        note_type = note_types[planned.note_type]
        have = held.notes.get(planned.guid)
        if have is not None and have.model_id != note_type.model_id:
            diags.warning(
                change.path or where,
                change.line,
                f"note '{change.id}': the collection has a note with its GUID of another note "
                "type; ankigen leaves that note alone and does not sync this one",
                code="guid-taken",
            )
            continue
        prior = by_guid.get(planned.guid)
        if change.status is Status.REMOVED:
            shown = dataclasses.replace(change, deck=translate(change.deck))
            plan.steps.append(removal(shown, planned, have, delete))
            continue
        names = note_type.field_names()
        assert planned.fields is not None
        wanted = dict(zip(names, planned.fields, strict=True))
        files = media.get(planned.guid, ())
        if have is None:
            if planned.note_type in reshaped:
                continue
            plan.steps.append(NoteStep(Action.ADD, change, planned, media=files))
            continue
        tags = tuple(
            sorted(
                {*planned.tags, *(tag for tag in have.tags if not owned(tag, course_tags))},
                key=str.casefold,
            )
        )
        same_tags = {t.casefold() for t in tags} == {t.casefold() for t in have.tags}
        where_now = translate(prior.anki_deck or prior.deck) if prior else planned.deck
        move = tuple(
            card.id
            for card in have.cards
            if where_now != planned.deck and translate(card.deck).casefold() == where_now.casefold()
        )
        unsuspend: tuple[int, ...] = ()
        if prior is not None and prior.removed and prior.settled == "suspended":
            unsuspend = tuple(card.id for card in have.cards if card.suspended)
        step = NoteStep(
            Action.UNCHANGED,
            change,
            planned,
            have,
            wanted,
            tags,
            move,
            where_now if move else "",
            unsuspend,
            media=files,
        )
        if content(have.fields) == content(wanted):
            if not same_tags:
                step = replace_action(step, Action.UPDATE)
        elif edited_in_anki(have, prior, names) and not force:
            step = replace_action(step, Action.CONFLICT, diff_of(have.fields, wanted))
        else:
            step = replace_action(step, Action.UPDATE)
        plan.steps.append(step)
    plan.emptied = emptied_decks(plan, old, decks)
    return plan


def lineage(names: Iterable[str]) -> set[str]:
    """The decks and all their parents."""
    found: set[str] = set()
    for name in names:
        parts = name.split("::")
        found |= {"::".join(parts[: i + 1]) for i in range(len(parts))}
    return found


def emptied_decks(plan: SyncPlan, old: State, decks: Mapping[str, str]) -> list[str]:
    """Decks ankigen recorded that this sync may leave empty: those it moves cards out of,
    renames away from or deletes notes from, and their parents — never one of the course's
    decks now."""
    # ankigen made each deck it named and its parents.
    recorded = lineage(
        [
            *old.decks.values(),
            *(note.deck for note in old.notes.values()),
            *(note.anki_deck for note in old.notes.values() if note.anki_deck),
        ]
    )
    now = {name.casefold() for name in lineage(decks.values())}
    left = [step.moved_from for step in plan.moves] + [old_name for old_name, _ in plan.renames]
    left += [
        card.deck
        for step in plan.steps
        if step.action is Action.DELETE and step.held is not None
        for card in step.held.cards
    ]
    candidates = lineage(left)
    recorded = {renamed(name, plan.renames).casefold() for name in recorded}
    return sorted(
        (
            name
            for name in candidates
            if name.casefold() in recorded
            and name.casefold() not in now
            and renamed(name, plan.renames) == name
        ),
        key=lambda name: (-name.count("::"), name),
    )


def replace_action(step: NoteStep, action: Action, diff: tuple[FieldDiff, ...] = ()) -> NoteStep:
    return NoteStep(
        action,
        step.change,
        step.planned,
        step.held,
        step.fields,
        step.tags,
        step.move,
        step.moved_from,
        step.unsuspend,
        step.suspend,
        diff,
        step.media,
    )


def removal(change: Change, planned: PlannedNote, have: HeldNote | None, delete: bool) -> NoteStep:
    if have is None:
        return NoteStep(Action.SETTLED, change, planned)
    if delete:
        return NoteStep(Action.DELETE, change, planned, have)
    if change.settled:
        return NoteStep(Action.SETTLED, change, planned, have)
    suspend = tuple(card.id for card in have.cards if not card.suspended)
    tagged = any(tag.casefold() == REMOVED_TAG for tag in have.tags)
    if not suspend and tagged:
        return NoteStep(Action.SETTLED, change, planned, have)
    tags = tuple(have.tags) if tagged else (*have.tags, REMOVED_TAG)
    return NoteStep(Action.SUSPEND, change, planned, have, tags=tags, suspend=suspend)


def excerpts(anki: str, source: str, width: int = DIFF_WIDTH) -> tuple[str, str]:
    """The two values around where they differ, each at most `width` characters."""
    a, b = " ".join(anki.split()), " ".join(source.split())
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    context = 15
    begin = max(0, start - context)

    def cut(text: str) -> str:
        stop = min(len(text), len(text) - end + context)
        piece = text[begin:stop]
        if len(piece) > width - 2:
            piece = piece[: width - 2]
            stop = begin + len(piece)
        return ("…" if begin else "") + piece + ("…" if stop < len(text) else "")

    return cut(a), cut(b)
