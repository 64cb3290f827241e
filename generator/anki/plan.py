"""Compare this build with the state file: what is new, changed, unchanged, removed or moved.

Pure: given the notes, the previous state and the clock, it returns the change plan, the next state
and the notes to package. Nothing here reads or writes files.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache
from typing import Literal, overload

from generator.anki.guids import guid
from generator.anki.notetypes import FIELD_SEPARATOR, CardTemplate, NoteType, Templates
from generator.anki.package import PreviousNote
from generator.anki.state import (
    GIVEN_LIMIT,
    KIND_SUFFIX,
    Keyed,
    NoteState,
    NoteTypeState,
    State,
    key_of,
)
from generator.diagnostics import Diagnostics
from generator.notes import RenderedNote

REMOVED_TAG = "ankigen::removed"
# Where the note sits in the sources is not content: moving a file must not rewrite its notes.
UNHASHED_FIELDS = frozenset({"Source"})
NID_STEP = 1000
"""Gap between note ids; card ids are note id + ordinal, so a note may have up to 1000 cards."""


Basis = Literal["state", "package", "nothing"]


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
    note_type: str = ""
    """Registry key of the note's note type."""
    kind_change: tuple[str, str] | None = None
    """(old, new) note type key when the note changed type in this build."""
    packaged: bool = True
    """For a removed note: whether it goes into the package (its last fields are known)."""
    settled: str = ""
    """For a removed note: what a sync already did with it in Anki (`suspended`, `deleted`);
    such a note is neither packaged nor reported."""

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


@dataclass(frozen=True, slots=True)
class KeptPlan:
    """A steady lesson's notes in the plan (see `Kept`): each unchanged, as its entry says."""

    kept: Kept
    """The notes."""
    priors: tuple[NoteState, ...]
    """The state entry of each."""

    def __len__(self) -> int:
        return len(self.priors)

    def changes(self) -> list[Change]:
        kept = self.kept
        return [
            Change(
                Status.UNCHANGED,
                note_id,
                kept.paths[index],
                kept.lines[index],
                kept.decks[index],
                note_type=kept.note_types[index],
            )
            for index, note_id in enumerate(kept.ids)
        ]

    def planned(self) -> list[PlannedNote]:
        kept = self.kept
        joined = kept.all_joined()
        return [
            PlannedNote(
                prior.guid,
                prior.nid,
                prior.mod,
                kept.note_types[index],
                tuple(joined[index].split(FIELD_SEPARATOR)),
                kept.tags[index],
                kept.decks[index],
                kept.cards[index],
            )
            for index, prior in enumerate(self.priors)
        ]


@dataclass(slots=True)
class Planned:
    """Notes planned one by one: their changes and what goes into the package, aligned."""

    changes: list[Change] = field(default_factory=list)
    """One entry per note."""
    notes: list[PlannedNote] = field(default_factory=list)
    """The same notes as packaged."""


@dataclass(slots=True)
class Plan:
    """The outcome of planning."""

    segments: list[Planned | KeptPlan] = field(default_factory=list)
    """The notes in package order, in runs planned one by one or kept whole: current notes in
    source order, then removed ones by id."""
    note_type_mods: dict[str, int] = field(default_factory=dict)
    """Note type key → mod to stamp."""
    state: State = field(default_factory=State)
    """The state to save after a successful build."""
    basis: Basis = "state"
    """What the plan compared the notes with: the state file, the last package (no state file),
    or nothing (neither: a note Anki has already is updated, not added)."""

    @property
    def changes(self) -> list[Change]:
        """One entry per note, current notes in source order then removed ones by id."""
        return [
            change
            for segment in self.segments
            for change in (segment.changes if isinstance(segment, Planned) else segment.changes())
        ]

    @property
    def notes(self) -> list[PlannedNote]:
        """What goes into the package, in the same order."""
        return [
            note
            for segment in self.segments
            for note in (segment.notes if isinstance(segment, Planned) else segment.planned())
        ]

    def planned_changes(self) -> Iterator[Change]:
        """The changes of notes planned one by one (kept notes are all unchanged, in place)."""
        for segment in self.segments:
            if isinstance(segment, Planned):
                yield from segment.changes

    def count(self, status: Status) -> int:
        kept = sum(len(segment) for segment in self.segments if isinstance(segment, KeptPlan))
        counted = sum(
            change.status is status and not change.settled for change in self.planned_changes()
        )
        return counted + (kept if status is Status.UNCHANGED else 0)

    @property
    def moved(self) -> list[Change]:
        return [change for change in self.planned_changes() if change.moved]

    def summary(self) -> dict[str, int]:
        counts = {status.value: self.count(status) for status in Status}
        counts["moved"] = len(self.moved)
        return counts


@dataclass(frozen=True, slots=True)
class NoteHashes:
    """The hashes the plan compares a note by, made where the note is rendered (in the lesson's
    worker, and cached with it) rather than when the whole course is planned."""

    content: str
    """`content_hash` of the note."""
    fields: tuple[str, ...]
    """`field_hash` of each field."""
    texts: tuple[str, ...]
    """`short_hash` of each card's hidden text."""

    @classmethod
    def of(cls, note: RenderedNote, note_type: NoteType) -> NoteHashes:
        return cls(
            content_hash(note_type, note.fields, note.meta.tags),
            tuple(field_hash(value) for value in note.fields),
            tuple(short_hash(text) for text in note.texts),
        )


def content_hash(note_type: NoteType, fields: Sequence[str], tags: Sequence[str]) -> str:
    digest = hashlib.sha256(note_type.key.encode())
    for spec, value in zip(note_type.fields, fields, strict=True):
        if spec.name not in UNHASHED_FIELDS:
            digest.update(b"\x1f" + spec.name.encode() + b"\x1e" + value.encode())
    digest.update(b"\x1d" + " ".join(sorted(tags)).encode())
    return digest.hexdigest()[:20]


@lru_cache(maxsize=64)
def note_type_hash(note_type: NoteType, template: CardTemplate) -> str:
    # Once per note type in a process: a build plans twice (itself and the next), `serve` at
    # every save, and the templates are tens of kilobytes.
    parts: list[object] = [note_type.name, template.front, template.back, template.css]
    if template.more:
        parts.append([list(side) for side in template.more])
    payload = json.dumps(parts, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def schema(note_type: NoteType) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]:
    fields = tuple((spec.name, spec.id) for spec in note_type.fields)
    return fields, tuple((spec.name, spec.id) for spec in note_type.template_specs)


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
                    code="note-type-schema-changed",
                )
            mod = previous.mod if previous.hash == digest else max(now, previous.mod + 1)
        elif previous is not None:
            diags.error(
                lock_path,
                0,
                f"note type '{note_type.name}' changed its model id: existing notes would stop "
                "updating. A new schema needs a new note type key that declares `replaces`.",
                code="note-type-model-id-changed",
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
                code="note-type-replaced",
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


OTHER_HOME = "-"
"""`home` when the note type that has the id's own GUID is not known (any value but a key)."""


def guid_for(namespace: str, note_id: str, note_type: str, home: str) -> str:
    """The note's GUID for `note_type`. Anki cannot change a note's type on import, so a note
    whose type changes becomes another note in Anki: the note type it had first keeps the GUID of
    the id alone (so GUIDs of notes that never change type never move), any other gets its own."""
    if note_type == home:
        return guid(namespace, note_id)
    return guid(namespace, f"{note_id}\x1f{note_type}")


@dataclass(frozen=True, slots=True)
class Kept:
    """Notes of a lesson that an earlier build planned and that are steady since
    (generator.incremental): the same notes, against the same state file. Each is planned as
    its state entry says, which is what planning it again gives."""

    ids: tuple[str, ...]
    """Note ids, as the state file writes them."""
    paths: tuple[str, ...]
    """Source file of each."""
    lines: tuple[int, ...]
    """Line of each."""
    decks: tuple[str, ...]
    """Deck of each."""
    note_types: tuple[str, ...]
    """Note type key of each."""
    joined: bytes
    """HTML fields of each, joined with FIELD_SEPARATOR (as the package stores them), one after
    another, compressed (`pack_texts`). After an edit the package copies the kept notes' rows
    from the collection the last build kept, so they are read only when it cannot (`Joined`):
    kept whole, they were a fifth of the time of loading a course's kept lessons and 10 MB."""
    sizes: tuple[int, ...]
    """How many characters each note's joined fields take."""
    tags: tuple[tuple[str, ...], ...]
    """Tags of each."""
    cards: tuple[tuple[int, ...], ...]
    """Card ordinals of each."""

    def all_joined(self) -> tuple[str, ...]:
        """The joined fields of each note."""
        return unpack_texts(self.joined, self.sizes)


def pack_texts(texts: Iterable[str]) -> tuple[bytes, tuple[int, ...]]:
    """Texts one after another, compressed, and the length of each (`unpack_texts`)."""
    items = tuple(texts)
    return zlib.compress("".join(items).encode(), 1), tuple(map(len, items))


def unpack_texts(packed: bytes, sizes: Sequence[int]) -> tuple[str, ...]:
    """The texts `pack_texts` packed."""
    body = zlib.decompress(packed).decode()
    if sum(sizes) != len(body):
        raise ValueError("packed texts and their sizes differ")
    texts = []
    start = 0
    for size in sizes:
        texts.append(body[start : start + size])
        start += size
    return tuple(texts)


class Joined(Sequence[str]):
    """A kept lesson's joined fields (`Kept.all_joined`), unpacked when first read."""

    __slots__ = ("kept", "texts")

    def __init__(self, kept: Kept) -> None:
        self.kept = kept
        self.texts: tuple[str, ...] | None = None

    def unpacked(self) -> tuple[str, ...]:
        if self.texts is None:
            self.texts = self.kept.all_joined()
        return self.texts

    def __len__(self) -> int:
        return len(self.kept.sizes)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self.unpacked()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self.unpacked())


def needs_previous_fields(current: Mapping[str, str], old: State) -> bool:
    """Whether a note leaves the sources in this build without its last fields recorded: they are
    then read from the previous package, to give it to Anki once more with the removal tag.
    `current` maps each current note's id (`key_of`) to its note type."""
    for note_id, previous in old.notes.items():
        if previous.removed or previous.fields:
            continue
        if current.get(key_of(note_id)) != previous.note_type:
            return True
    return False


def make_plan(
    notes: Sequence[RenderedNote | Kept],
    old: State,
    *,
    namespace: str,
    note_types: Mapping[str, NoteType],
    templates: Templates,
    now: int,
    lock_path: str,
    diags: Diagnostics,
    forget_removed: bool = False,
    forget_moved: bool = False,
    previous: Mapping[str, PreviousNote] | None = None,
    package: str = "",
    decks: Mapping[str, str] | None = None,
    hashes: Sequence[NoteHashes | None] | None = None,
    keyed: Keyed | None = None,
) -> Plan:
    """Plan `notes` against `old`. `previous` (GUID → note) is the earlier package, read when a
    removed note's fields are not recorded; `package` the file name this build writes;
    `hashes`, aligned with `notes`, those already made (None where not); `keyed`, `old.by_key()`
    when made already. A `Kept` stands for notes planned before and steady since."""
    plan = Plan()
    if old.namespace and old.namespace != namespace:
        diags.error(
            lock_path,
            0,
            f"the course namespace changed from '{old.namespace}' to '{namespace}': every note "
            "would get a new GUID and be duplicated in Anki. Restore the namespace, or delete "
            "the state file if you really want a new deck.",
            code="namespace-changed",
        )
    errors_before = len(diags.errors)
    types = plan_note_types(
        note_types, templates, old.note_types, now, lock_path=lock_path, diags=diags
    )
    if len(diags.errors) > errors_before:
        return plan  # a schema change: hashing notes against the wrong fields means nothing
    plan.note_type_mods = {key: value.mod for key, value in types.items()}
    planner = Planner(
        old,
        namespace,
        note_types,
        max(now, old.last_mod),
        previous or {},
        keyed=keyed if keyed is not None else old.by_key(),
    )
    planner.forget_moved = forget_moved
    for index, note in enumerate(notes):
        if isinstance(note, Kept):
            planner.keep(note)
        else:
            planner.current(note, diags, hashes[index] if hashes is not None else None)
    planner.removed(forget_removed, lock_path, diags)
    plan.segments = planner.segments
    last_nid = max([old.last_nid, *(n.nid for n in planner.next_notes.values())])
    last_mod = max([old.last_mod, *(n.mod for n in planner.next_notes.values())])
    plan.state = State(
        namespace, planner.next_notes, types, last_nid, last_mod, package, decks=dict(decks or {})
    )
    warn_renamed(plan, planner, lock_path, diags)
    warn_kind_changes(plan, note_types, diags)
    warn_moves_and_lost_cards(plan, lock_path, diags)
    return plan


class Planner:
    """Walks the current notes, then the notes left behind, building the plan and next state."""

    def __init__(
        self,
        old: State,
        namespace: str,
        note_types: Mapping[str, NoteType],
        now: int,
        previous: Mapping[str, PreviousNote],
        *,
        keyed: Keyed,
    ) -> None:
        self.old, self.namespace, self.note_types, self.now = old, namespace, note_types, now
        self.previous = previous
        self.by_key = keyed
        self.next_nid = next_nid_after(old, now)
        self.next_notes: dict[str, NoteState] = {}
        self.consumed: set[str] = set()
        self.segments: list[Planned | KeptPlan] = []
        self.left_behind: list[tuple[str, NoteState]] = []
        """Entries whose note changed type in this build: (key to keep them under, state)."""
        self.forget_moved = False
        """The learner moved the cards of moved notes in Anki: stop reporting them."""

    def home_of(self, note_id: str, prior: NoteState) -> str:
        """The note type whose GUID is the id's own: the prior's, if it has that GUID."""
        if prior.guid == guid(self.namespace, note_id):
            return prior.note_type
        return prior.home or OTHER_HOME

    def new_nid(self) -> int:
        nid, self.next_nid = self.next_nid, self.next_nid + NID_STEP
        return nid

    def keep(self, kept: Kept) -> None:
        priors = tuple(self.old.notes[note_id] for note_id in kept.ids)
        self.consumed.update(kept.ids)
        self.next_notes.update(zip(kept.ids, priors, strict=True))
        self.segments.append(KeptPlan(kept, priors))

    def run(self) -> Planned:
        """The segment planned notes go into."""
        if not self.segments or not isinstance(self.segments[-1], Planned):
            self.segments.append(Planned())
        last = self.segments[-1]
        assert isinstance(last, Planned)
        return last

    def current(
        self, note: RenderedNote, diags: Diagnostics, hashes: NoteHashes | None = None
    ) -> None:
        note_id, note_type = note.meta.id, self.note_types[note.note_type]
        if hashes is None:
            hashes = NoteHashes.of(note, note_type)
        digest = hashes.content
        found = self.by_key.get(key_of(note_id))
        prior = found[1] if found else None
        if found:
            self.consumed.add(found[0])
        home = self.home_of(note_id, prior) if prior else note.note_type
        if prior is not None and note_type.replaces == prior.note_type:
            # A new version of the note type (see NoteType.replaces): the learner changes the
            # notes' type in Anki, so the note keeps its GUID.
            home = note.note_type if home == prior.note_type else home
            prior = replace(prior, note_type=note.note_type)
        kind_change: tuple[str, str] | None = None
        if prior is not None and prior.note_type != note.note_type:
            kind_change = (prior.note_type, note.note_type)
            self.left_behind.append((f"{note_id}{KIND_SUFFIX}{prior.note_type}", prior))
            revived = self.by_key.get(key_of(f"{note_id}{KIND_SUFFIX}{note.note_type}"))
            prior = None
            if revived is not None:
                self.consumed.add(revived[0])
                prior = revived[1]
        old_deck = None
        given: tuple[str, ...] = ()
        synced, synced_hash = 0, ""
        if prior is None:
            status, nid, mod = Status.NEW, self.new_nid(), self.now
        else:
            nid = prior.nid or self.new_nid()
            same = prior.hash == digest and not prior.removed
            status = Status.UNCHANGED if same else Status.CHANGED
            mod = prior.mod if same else later_than(prior, self.now)
            given, synced, synced_hash = prior.given, prior.synced, prior.synced_hash
            if not same:
                given = self.given_after(prior)
            # Anki keeps the cards where they were until someone moves them: remembered, and
            # reported by every build, until a sync moves them or --forget-moved.
            where = prior.anki_deck or prior.deck
            if where != note.meta.deck and not prior.removed and not self.forget_moved:
                old_deck = where
            if not prior.removed:
                warn_renumbered(note, prior, diags)
        lost = tuple(sorted(set(prior.cards) - set(note.cards))) if prior else ()
        # A note Anki has keeps the GUID it was given; only a note new to Anki gets one made.
        note_guid = prior.guid if prior else guid_for(self.namespace, note_id, note.note_type, home)
        run = self.run()
        run.changes.append(
            Change(
                status,
                note_id,
                note.meta.path,
                note.meta.line,
                note.meta.deck,
                old_deck,
                lost,
                note_type=note.note_type,
                kind_change=kind_change,
            )
        )
        run.notes.append(
            PlannedNote(
                note_guid,
                nid,
                mod,
                note.note_type,
                note.fields,
                note.meta.tags,
                note.meta.deck,
                note.cards,
            )
        )
        self.next_notes[note_id] = NoteState(
            guid=note_guid,
            nid=nid,
            hash=digest,
            mod=mod,
            deck=note.meta.deck,
            construct=note.meta.construct,
            note_type=note.note_type,
            cards=note.cards,
            texts=hashes.texts,
            home="" if home == note.note_type else home,
            explicit=note.meta.explicit_id,
            field_hashes=hashes.fields,
            source=note.meta.source,
            options=note.options,
            answer_at=note.answer_at,
            given=given,
            synced=synced,
            synced_hash=synced_hash,
            anki_deck=old_deck or "",
        )

    def removed(self, forget_removed: bool, lock_path: str, diags: Diagnostics) -> None:
        """Every note of the state file that no current note accounts for: given to Anki once
        more with the removal tag, then kept as a tombstone (unless forgotten)."""
        gone = [
            (note_id, prior)
            for note_id, prior in self.old.notes.items()
            if note_id not in self.consumed
        ]
        for key, prior in sorted([*gone, *self.left_behind]):
            if forget_removed and prior.removed:
                continue
            if prior.note_type not in self.note_types:
                continue
            if prior.removed and prior.settled:
                self.settled(key, prior)
                continue
            first = not prior.removed
            mod = prior.mod if not first else later_than(prior, self.now)
            given = prior.given if not first else self.given_after(prior)
            fields, tags = prior.fields, prior.tags
            if first and not fields:
                found = self.previous.get(prior.guid)
                model = self.note_types[prior.note_type].model_id
                if found is not None and found.model_id == model:
                    fields = found.fields
                    tags = tuple(sorted({*found.tags, REMOVED_TAG}))
                else:
                    note_id = key.split(KIND_SUFFIX)[0]
                    diags.warning(
                        lock_path,
                        0,
                        f"removed note '{note_id}' is not in the previous package, so it cannot "
                        f'be tagged {REMOVED_TAG}; find it in Anki with "ID:{note_id}"',
                        code="removed-note-unknown",
                    )
            self.next_notes[key] = replace(
                prior, mod=mod, removed=True, fields=fields, tags=tags, given=given, anki_deck=""
            )
            run = self.run()
            run.changes.append(
                Change(
                    Status.REMOVED,
                    key.split(KIND_SUFFIX)[0],
                    "",
                    0,
                    prior.deck,
                    first_removal=first,
                    note_type=prior.note_type,
                    packaged=bool(fields),
                )
            )
            run.notes.append(
                PlannedNote(
                    prior.guid,
                    prior.nid or self.new_nid(),
                    mod,
                    prior.note_type,
                    fields or None,
                    tags,
                    prior.deck,
                    prior.cards,
                )
            )

    def given_after(self, prior: NoteState) -> tuple[str, ...]:
        """`given` once the prior version is replaced: its hash first."""
        note_type = self.note_types.get(prior.note_type)
        if note_type is None or len(prior.field_hashes) != len(note_type.fields):
            return prior.given
        version = version_hash(note_type.field_names(), prior.field_hashes)
        return (version, *(v for v in prior.given if v != version))[:GIVEN_LIMIT]

    def settled(self, key: str, prior: NoteState) -> None:
        """A removal a sync has dealt with: kept (its GUID and id stay taken), not packaged."""
        self.next_notes[key] = prior
        run = self.run()
        run.changes.append(
            Change(
                Status.REMOVED,
                key.split(KIND_SUFFIX, maxsplit=1)[0],
                "",
                0,
                prior.deck,
                note_type=prior.note_type,
                packaged=False,
                settled=prior.settled,
            )
        )
        run.notes.append(
            PlannedNote(
                prior.guid,
                prior.nid,
                prior.mod,
                prior.note_type,
                None,
                prior.tags,
                prior.deck,
                prior.cards,
            )
        )


def later_than(prior: NoteState, now: int) -> int:
    """A new time for a changed note: newer than any Anki was given or holds after a sync, so
    an import applies it."""
    return max(now, prior.mod + 1, prior.synced + 1)


def warn_kind_changes(plan: Plan, note_types: Mapping[str, NoteType], diags: Diagnostics) -> None:
    """Anki cannot change a note's type on import: a note that changes type is a new note."""
    for change in plan.planned_changes():
        if change.kind_change is None:
            continue
        before, after = (note_types[key] for key in change.kind_change)
        back = change.status is not Status.NEW
        diags.warning(
            change.path,
            change.line,
            f"note '{change.id}' changed from {before.label} to {after.label}. Anki cannot change "
            "a note's type on import, so this import "
            + (
                f"brings back its earlier {after.label} note (with that note's reviews)"
                if back
                else f"adds it as a new {after.label} note (its reviews start over)"
            )
            + f" and tags the {before.label} note {REMOVED_TAG}. Changing it back later "
            "restores the earlier note.",
            code="note-type-changed",
        )


def field_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:8] if value else ""


def version_hash(names: Sequence[str], hashes: Sequence[str]) -> str:
    """One version of a note's content, from the names and `field_hash`es of its fields (where
    the note sits in the sources is not content)."""
    digest = hashlib.sha256()
    for name, value in sorted(zip(names, hashes, strict=True)):
        if name not in UNHASHED_FIELDS:
            digest.update(f"{name}\x1e{value}\x1f".encode())
    return digest.hexdigest()[:16]


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Share of the non-empty fields two notes have in common (0 when the shapes differ)."""
    if len(a) != len(b):
        return 0.0
    filled = [(x, y) for x, y in zip(a, b, strict=True) if x or y]
    if not filled:
        return 0.0
    return sum(x == y for x, y in filled) / len(filled)


def warn_renamed(plan: Plan, planner: Planner, lock_path: str, diags: Diagnostics) -> None:
    """A note whose derived id changed (heading reworded, file moved or renamed) becomes a new
    note in Anki and the old one is removed, with its reviews. Name each such change."""
    new = [
        (change, planner.next_notes[change.id])
        for change in plan.planned_changes()
        if change.status is Status.NEW and change.kind_change is None
    ]
    taken: set[str] = set()
    for change in plan.planned_changes():
        if change.status is not Status.REMOVED or not change.first_removal:
            continue
        gone = planner.old.notes.get(change.id)
        if gone is None or gone.explicit:
            continue
        best, score = None, 0.0
        for candidate, state in new:
            if candidate.id in taken or state.note_type != gone.note_type:
                continue
            value = similarity(gone.field_hashes, state.field_hashes)
            if value > score:
                best, score = candidate, value
        if best is not None and score >= 0.5:
            taken.add(best.id)
            diags.warning(
                best.path,
                best.line,
                f"note '{change.id}' became '{best.id}': its id was derived from the heading and "
                "file, which changed. Anki will add it as a new note, its reviews start over, and "
                f"the old note is tagged {REMOVED_TAG}. To keep the reviews, write "
                f"'<!-- id: {change.id} -->' at the end of this line, then build again; run "
                "'ankigen ids' to pin every derived id.",
                code="derived-id-changed",
            )
        else:
            where = f" (it was in {gone.source})" if gone.source else ""
            diags.warning(
                lock_path,
                0,
                f"note '{change.id}'{where} is gone from the sources (its id was derived from a "
                "heading and file: if you reworded the heading or moved the file, write "
                f"'<!-- id: {change.id} -->' on the card to keep its reviews; 'ankigen ids' pins "
                "every derived id). Otherwise it is tagged "
                f"{REMOVED_TAG} in Anki after this import.",
                code="derived-id-gone",
            )


def short_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.casefold().split()).encode()).hexdigest()[:12]


def warn_renumbered(note: RenderedNote, previous: NoteState, diags: Diagnostics) -> None:
    """A deletion whose text moved to another number takes the old number's history with it."""
    if not note.texts or len(previous.texts) != len(previous.cards):
        return
    before = dict(zip(previous.texts, previous.cards, strict=True))
    moves = []
    variants = []
    for ordinal, text in zip(note.cards, note.texts, strict=True):
        old = before.get(short_hash(text))
        if old is not None and old != ordinal:
            moves.append(f"c{old + 1} → c{ordinal + 1}")
            variants.append(f"'{note.meta.id}/choice-c{ordinal + 1}'")
    if moves:
        diags.warning(
            note.meta.path,
            note.meta.line,
            f"cloze note '{note.meta.id}' renumbered its deletions ({', '.join(moves)}): each "
            "card keeps the review history of its number, not of its text, and so does the "
            f"multiple-choice card of each number ({', '.join(variants)}, where there is one, "
            "now asks about another deletion). Keep the old numbers with '==cN::…==' to avoid "
            "this.",
            code="cloze-renumbered",
        )


def next_nid_after(old: State, now: int) -> int:
    """Ids of new notes start at the build time in ms and never reuse an earlier one."""
    highest = max([old.last_nid, *(note.nid for note in old.notes.values())])
    start = now * 1000
    return max(start, highest + NID_STEP)


def warn_moves_and_lost_cards(plan: Plan, lock_path: str, diags: Diagnostics) -> None:
    by_move: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for change in plan.planned_changes():
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
                code="cards-lost",
            )
    for (old_deck, new_deck), changes in sorted(by_move.items()):
        ids = " OR ".join(f'"ID:{change.id}"' for change in changes)
        first = changes[0]
        diags.warning(
            first.path,
            first.line,
            f"{len(changes)} note(s) moved from deck '{old_deck}' to '{new_deck}'. An import "
            "leaves existing cards in their old deck: in the Browser search "
            f"\"deck:{old_deck}\" ({ids}), select all, Cards › Change Deck › '{new_deck}', "
            "then build once with --forget-moved; or run `ankigen sync`, which moves them. "
            "Until then every build repeats this.",
            code="notes-moved",
        )
