"""The state file (`content/ankigen.lock`): what each note and note type looked like when ankigen
last gave them to Anki.

Anki applies an incoming note only when its `mod` is newer than the collection's copy. So a note's
`mod` must be the time its content last changed: unchanged notes keep their time (re-importing
does not rewrite them), changed notes get a newer one. This file remembers those times between
builds, with what identifies a note to Anki (GUID, note type) and what a later build needs to
recognise a change (content hashes). One note per line keeps diffs small; keys are sorted so the
file is stable, and fields at their default value are left out.

Ids are compared without case: `Foo` and `foo` are one note (`key_of`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostics
from generator.files import atomic_write_bytes
from generator.source.noteids import id_key

LOCK_NAME = "ankigen.lock"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
GIVEN_LIMIT = 8
KIND_SUFFIX = "@"
"""A note whose note type changed keeps its earlier self as a tombstone under `id@type`
(`@` never occurs in an id)."""
CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})(?: |$)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class NoteState:
    """What ankigen last gave Anki for one note."""

    guid: str
    """GUID given to Anki."""
    nid: int
    """Note id in the package, allocated when the note first appeared."""
    hash: str
    """Hash of the note's content (fields that matter and tags)."""
    mod: int
    """Seconds: when that content last changed."""
    deck: str
    """Deck the note's cards were created in."""
    construct: str
    """Construct the note came from (`key-fact`, `multiple-choice`, …)."""
    note_type: str
    """Registry key of its note type."""
    cards: tuple[int, ...] = (0,)
    """Card ordinals (cloze numbers minus one for cloze notes)."""
    texts: tuple[str, ...] = ()
    """For cloze notes: a short hash of each card's hidden text, aligned with `cards`."""
    removed: bool = False
    """True once the note is gone from the sources; it is kept as a tombstone."""
    home: str = ""
    """The note type whose GUID is derived from the id alone (the note's first one); empty when
    that is `note_type`. Another note type gets a GUID of its own (see generator.anki.plan)."""
    explicit: bool = True
    """The id was written by the author; False for an id derived from the path and heading,
    which a reworded heading or a moved file changes."""
    field_hashes: tuple[str, ...] = ()
    """A short hash of each field, to recognise the note when its derived id changes."""
    source: str = ""
    """Lesson file it came from, relative to the content folder."""
    fields: tuple[str, ...] = ()
    """For a removed note: the fields last given to Anki, packaged again with the removal tag."""
    tags: tuple[str, ...] = ()
    """For a removed note: its tags when it was last given to Anki."""
    options: tuple[str, ...] = ()
    """For a generated multiple-choice card: the Markdown of the wrong options it showed, in
    display order; the next build keeps them while they stay valid."""
    answer_at: int = -1
    """For a generated multiple-choice card: where the answer was among its options."""
    given: tuple[str, ...] = ()
    """A hash of each earlier version of the note given to Anki since it was last synced,
    newest first (at most GIVEN_LIMIT; see generator.anki.plan.version_hash): fields in the
    collection equal to one of these, or to the current version, were put there by ankigen;
    other fields were edited in Anki."""
    synced: int = 0
    """The note's modification time in the collection right after `ankigen sync` last wrote or
    checked it; 0 before any sync."""
    synced_hash: str = ""
    """The version hash of the note's fields in the collection at that time."""
    anki_deck: str = ""
    """Where Anki still holds the note's cards when that is not `deck`: its deck changed in the
    sources and no sync has moved them yet. Kept, and reported by every build, until a sync
    moves them or the build runs with --forget-moved."""
    settled: str = ""
    """For a removed note: what `ankigen sync` did with it in the collection (`suspended`,
    `deleted`); a settled removal is no longer packaged nor reported."""


@dataclass(frozen=True, slots=True)
class NoteTypeState:
    """What the last build recorded for one note type."""

    model_id: int
    """Anki model id."""
    name: str
    """Name in Anki."""
    hash: str
    """Hash of templates and CSS."""
    mod: int
    """Seconds: when templates or CSS last changed."""
    fields: tuple[tuple[str, int], ...]
    """Schema: field names and ids, in order."""
    templates: tuple[tuple[str, int], ...]
    """Schema: template names and ids, in order."""


@dataclass(slots=True)
class State:
    """The whole state file."""

    namespace: str = ""
    """Course namespace the GUIDs were made with."""
    notes: dict[str, NoteState] = field(default_factory=dict)
    """Note id (or `id@type` for a note type left behind) → state."""
    note_types: dict[str, NoteTypeState] = field(default_factory=dict)
    """Note type key → state."""
    last_nid: int = 0
    """Highest note id ever given out, so a forgotten note's id is never handed out again."""
    last_mod: int = 0
    """Latest `mod` ever given out: no new time is earlier, whatever the clock says."""
    package: str = ""
    """File name of the package these notes went into (it follows the course deck's name)."""
    package_digest: str = ""
    """SHA-256 of that package: a package that differs from it was written by a build that
    stopped before it recorded its state, and is what Anki may have been given since."""
    decks: dict[str, str] = field(default_factory=dict)
    """Content folder (`""` for the course, `topic/` …) → the name of its deck as last given to
    Anki. `ankigen sync` matches decks by folder, so a renamed deck is renamed in Anki."""

    def by_key(self) -> Keyed:
        """Case-folded id → (id as written, state), for lookups that ignore case."""
        return {key_of(note_id): (note_id, value) for note_id, value in self.notes.items()}


Keyed = dict[str, tuple[str, NoteState]]
"""A state's notes by case-folded id (`State.by_key`)."""


key_of = id_key
"""The case-folded id a note is known by; a left-behind note type keeps its suffix."""


# --- reading ---------------------------------------------------------------------------------


class Malformed(ValueError):
    """A part of the state file that cannot be read."""


def typed(value: object, expected: object, what: str) -> object:
    """`value` checked against a field's annotation (as a string); tuples come back as tuples."""
    try:
        return checker(str(expected))(value)
    except Malformed as exc:
        raise Malformed(f"{what} {exc}") from None


Check = Callable[[object], object]
"""A field's check: the value (lists made tuples), or Malformed saying what it must be."""


def scalar(kind: type) -> Check:
    def check(value: object) -> object:
        # bool is an int in Python; a count or time must not be a boolean.
        if type(value) is kind or (isinstance(value, kind) and not isinstance(value, bool)):
            return value
        raise Malformed(f"must be {kind.__name__}")

    return check


def sequence(kind: type) -> Check:
    def check(value: object) -> object:
        if type(value) is list and all(type(item) is kind for item in value):
            return tuple(value)
        raise Malformed(f"must be a list of {kind.__name__}")

    return check


def pairs(value: object) -> object:
    if not isinstance(value, list) or not all(
        isinstance(pair, list)
        and len(pair) == 2
        and isinstance(pair[0], str)
        and isinstance(pair[1], int)
        for pair in value
    ):
        raise Malformed("must be a list of [name, id] pairs")
    return tuple((name, number) for name, number in value)


CHECKS: dict[str, Check] = {
    "str": scalar(str),
    "int": scalar(int),
    "bool": scalar(bool),
    "tuple[int, ...]": sequence(int),
    "tuple[str, ...]": sequence(str),
    "tuple[tuple[str, int], ...]": pairs,
}


def checker(expected: str) -> Check:
    found = CHECKS.get(expected)
    if found is None:
        raise AssertionError(f"no reader for {expected}")
    return found


@cache
def schema(cls: type) -> tuple[dict[str, Check], frozenset[str]]:
    """Each field's check, and the fields without a default."""
    specs = fields(cls)
    checks = {spec.name: checker(str(spec.type)) for spec in specs}
    required = frozenset(
        spec.name for spec in specs if spec.default is MISSING and spec.default_factory is MISSING
    )
    return checks, required


def entry(cls: type[NoteState] | type[NoteTypeState], value: object, what: str) -> Any:
    """A NoteState or NoteTypeState from its JSON object; Malformed when it is not one."""
    if not isinstance(value, dict):
        raise Malformed(f"{what} is not an object")
    if "kind" in value and "construct" not in value:  # written before `kind` was renamed
        value = {("construct" if k == "kind" else k): v for k, v in value.items()}
    checks, required = schema(cls)  # type: ignore[arg-type]
    if not value.keys() <= checks.keys():
        unknown = sorted(set(value) - set(checks))
        raise Malformed(f"{what} has unknown keys: {', '.join(unknown)}")
    if not required <= value.keys():
        missing = sorted(required - set(value))
        raise Malformed(f"{what} lacks {', '.join(missing)}")
    checked: dict[str, Any] = {}
    for name, item in value.items():
        try:
            checked[name] = checks[name](item)
        except Malformed as exc:
            raise Malformed(f"{what}: '{name}' {exc}") from None
    return cls(**checked)


def entry_line(text: str, key: str) -> int:
    needle = json.dumps(key, ensure_ascii=False) + ":"
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith(needle):
            return number
    return 1


def no_duplicates(items: list[tuple[str, object]]) -> dict[str, object]:
    """json's hook: a key written twice (both sides of a merge kept) is an error, not a silent
    choice of the last one."""
    table = dict(items)
    if len(table) != len(items):
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                raise Malformed(f"'{key}' is written twice")
            seen.add(key)
    return table


def load(path: Path, shown: str, diags: Diagnostics) -> State | None:
    """Read the state file; None when there is none. Problems are errors at their line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        diags.error(
            shown, 0, f"state file is not UTF-8 text (at byte {exc.start})", code="state-unreadable"
        )
        return State()
    except OSError as exc:
        diags.error(shown, 0, f"cannot read state file: {exc.strerror}", code="state-unreadable")
        return State()
    conflicts = (
        [text.count("\n", 0, match.start()) + 1 for match in CONFLICT_MARKER.finditer(text)]
        if "<<<<<<<" in text or "=======" in text or ">>>>>>>" in text
        else []
    )
    if conflicts:
        lines = ", ".join(map(str, conflicts[:6])) + (", …" if len(conflicts) > 6 else "")
        diags.error(
            shown,
            conflicts[0],
            f"the state file has git merge conflict markers (lines {lines}). Resolve it by "
            f"keeping one side: `git checkout --theirs {shown}` (or --ours), then build again: "
            "the build compares every note with the sources and gives changed notes a newer "
            "time. Do not keep both sides' lines: two entries for one note cannot both be right.",
            code="state-merge-conflict",
        )
        return State()
    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        diags.error(
            shown, exc.lineno, f"state file is not valid JSON: {exc.msg}", code="state-malformed"
        )
        return State()
    except Malformed as exc:
        diags.error(shown, 1, f"state file is malformed: {exc}", code="state-malformed")
        return State()
    try:
        return parse(data, text, shown, diags)
    except (Malformed, KeyError, TypeError, AttributeError) as exc:
        diags.error(
            shown,
            1,
            f"state file is malformed ({exc}); restore it from version control, or delete it "
            "to plan every note against the last package",
            code="state-malformed",
        )
    return State()


def parse(data: object, text: str, shown: str, diags: Diagnostics) -> State:
    if not isinstance(data, dict):
        raise Malformed("it is not an object")
    version = data.get("version")
    if version not in READABLE_VERSIONS:
        raise Malformed(f"unsupported version {version!r} (this ankigen reads {READABLE_VERSIONS})")
    state = State(
        namespace=str(typed(data.get("namespace"), "str", "'namespace'")),
        last_nid=int(typed(data.get("last_nid", 0), "int", "'last_nid'")),  # type: ignore[call-overload]
        last_mod=int(typed(data.get("last_mod", 0), "int", "'last_mod'")),  # type: ignore[call-overload]
        package=str(typed(data.get("package", ""), "str", "'package'")),
        package_digest=str(typed(data.get("package_digest", ""), "str", "'package_digest'")),
        decks=deck_names(data.get("decks", {})),
    )
    for key, value in data["note_types"].items():
        state.note_types[key] = entry(NoteTypeState, value, f"note type '{key}'")
    seen: dict[str, str] = {}
    nids: dict[int, str] = {}
    for key, value in data["notes"].items():
        try:
            note = entry(NoteState, value, f"note '{key}'")
        except Malformed as exc:
            diags.error(
                shown,
                entry_line(text, key),
                f"state file entry is malformed: {exc}",
                code="state-malformed",
            )
            continue
        folded = key_of(key)
        if folded in seen:
            diags.error(
                shown,
                entry_line(text, key),
                f"note '{key}' is in the state file twice (also as '{seen[folded]}'; ids are "
                "compared without case): keep one of the two lines",
                code="state-duplicate-note",
            )
            continue
        if note.nid in nids:
            # Two notes with one row id would make an unreadable package; Anki matches notes by
            # GUID, so a fresh row id changes nothing for the learner.
            diags.warning(
                shown,
                entry_line(text, key),
                f"notes '{nids[note.nid]}' and '{key}' had the same note id; '{key}' gets a new "
                "one",
                code="state-duplicate-nid",
            )
            note = replace(note, nid=0)
        seen[folded] = key
        nids.setdefault(note.nid, key)
        state.notes[key] = note
    return state


def deck_names(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(name, str) for key, name in value.items()
    ):
        raise Malformed("'decks' must map folders to deck names")
    return dict(value)


# --- writing ---------------------------------------------------------------------------------


def record(value: NoteState | NoteTypeState) -> dict[str, object]:
    """The entry's fields, without those at their default value."""
    out: dict[str, object] = {}
    for name, default in defaults(type(value)):  # type: ignore[arg-type]
        item = getattr(value, name)
        if default is MISSING or item != default:
            out[name] = item
    return out


@cache
def defaults(cls: type) -> tuple[tuple[str, object], ...]:
    """(name, default or MISSING) of each field, in order."""
    return tuple((spec.name, spec.default) for spec in fields(cls))


NOTES_OPEN = '"notes": {'
"""The line that opens the notes of a state file; one line per note follows."""


def dumps(state: State, previous: tuple[State, str] | None = None) -> str:
    """The state file's text. `previous` is a state and its text as `dumps` wrote it: the lines
    of entries it shares with `state` (the same objects) are taken from it as they are. The text
    is joined once, from its lines: at 10,000 notes each copy of it is 4 MB."""
    lines = [
        "{",
        f'"version": {FORMAT_VERSION},',
        f'"namespace": {json.dumps(state.namespace)},',
        f'"last_nid": {state.last_nid},',
        f'"last_mod": {state.last_mod},',
        f'"package": {json.dumps(state.package, ensure_ascii=False)},',
        f'"package_digest": {json.dumps(state.package_digest)},',
    ]
    if state.decks:
        decks = json.dumps(dict(sorted(state.decks.items())), ensure_ascii=False)
        lines.append(f'"decks": {decks},')
    lines.append('"note_types": {')
    entries = [
        f"{json.dumps(key)}: {json.dumps(record(value), sort_keys=True, ensure_ascii=False)}"
        for key, value in sorted(state.note_types.items())
    ]
    if entries:
        lines.append(",\n".join(entries))
    lines.append("},")
    lines.append(NOTES_OPEN)
    known = written_lines(previous)
    for key, value in sorted(state.notes.items()):
        found = known.get(key)
        if found is not None and found[0] is value:
            line = found[1]
            # Each entry's line ends with the comma before the next (an entry ends with "}").
            lines.append(line if line.endswith(",") else f"{line},")
        else:
            lines.append(
                f"{json.dumps(key, ensure_ascii=False)}: "
                f"{json.dumps(record(value), sort_keys=True, ensure_ascii=False)},"
            )
    if state.notes:
        lines[-1] = lines[-1][:-1]
    lines.extend(("}", "}", ""))
    return "\n".join(lines)


def written_lines(previous: tuple[State, str] | None) -> dict[str, tuple[NoteState, str]]:
    """Each note of a state → (its entry, its line in the text `dumps` made of it, with the comma
    that ends every line but the last entry's)."""
    if previous is None:
        return {}
    old, text = previous
    lines = text.split("\n")
    try:
        start = lines.index(NOTES_OPEN) + 1
    except ValueError:
        return {}
    end = len(lines) - 3
    if end < start or lines[end:] != ["}", "}", ""]:
        return {}
    keys = sorted(old.notes)
    if end - start != len(keys):
        return {}
    notes = old.notes
    return {key: (notes[key], line) for key, line in zip(keys, lines[start:end], strict=True)}


def save(path: Path, state: State, previous: tuple[State, str] | None = None) -> bool:
    """Write the state file atomically; returns False when the content did not change."""
    return save_text(path, dumps(state, previous))


def save_text(path: Path, text: str) -> bool:
    """Write the state file's text atomically; returns False when the file holds it already."""
    return save_encoded(path, text.encode())


def save_encoded(path: Path, data: bytes, *, compare: bool = True) -> bool:
    """`save_text` of the text's UTF-8 bytes; the file is looked at first only when
    `compare`."""
    if compare:
        try:
            if path.read_bytes() == data:
                return False
        except OSError:
            pass
    atomic_write_bytes(path, data)
    return True
