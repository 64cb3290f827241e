"""The state file (`content/ankigen.lock`): what each note and note type looked like last build.

Anki applies an incoming note only when its `mod` is newer than the collection's copy. So a note's
`mod` must be the time its content last changed: unchanged notes keep their time (re-importing
does not rewrite them), changed notes get a newer one. This file remembers those times between
builds. One note per line keeps diffs small; keys are sorted so the file is stable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

from generator.diagnostics import Diagnostics
from generator.files import atomic_write_text

LOCK_NAME = "ankigen.lock"
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class NoteState:
    """What the last build recorded for one note."""

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
    options: tuple[str, ...] = ()
    """For a generated multiple-choice card: the Markdown of the wrong options it showed, in
    display order; kept by the next build while they stay valid. Absent from older files."""
    answer_at: int = -1
    """For a generated multiple-choice card: where the answer was among its options."""


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
    """Note id → state."""
    note_types: dict[str, NoteTypeState] = field(default_factory=dict)
    """Note type key → state."""
    last_nid: int = 0
    """Highest note id ever given out, so a forgotten note's id is never handed out again."""


NOTE_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "guid": str,
    "nid": int,
    "hash": str,
    "mod": int,
    "deck": str,
    "construct": str,
    "note_type": str,
    "cards": list,
    "texts": list,
    "removed": bool,
    "options": list,
    "answer_at": int,
}
# Keys an entry may leave out: older state files have none of the later ones.
OPTIONAL_NOTE_FIELDS = frozenset({"cards", "removed", "texts", "options", "answer_at"})
# Written only when set, so the entries of notes without generated options stay as they were.
OMITTED_WHEN_DEFAULT = {"options": (), "answer_at": -1}
NOTE_TYPE_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "model_id": int,
    "name": str,
    "hash": str,
    "mod": int,
    "fields": list,
    "templates": list,
}


def checked(
    value: object, types: dict[str, type | tuple[type, ...]], what: str
) -> dict[str, object]:
    """The entry as a dict whose values have the expected types; ValueError otherwise."""
    if (
        not isinstance(value, dict)
        or set(value) - set(types)
        or set(types) - set(value) - OPTIONAL_NOTE_FIELDS
    ):
        raise ValueError(f"{what} has missing or unknown keys")
    for name, expected in types.items():
        if name in value:
            item = value[name]
            # bool is an int in Python; a count or time must not be a boolean.
            if not isinstance(item, expected) or (expected is int and isinstance(item, bool)):
                shown = getattr(expected, "__name__", expected)
                raise ValueError(f"{what}: '{name}' must be {shown}")
    return value


def renamed_fields(value: object) -> object:
    """A note entry written before `kind` was renamed `construct`, with the new name."""
    if isinstance(value, dict) and "kind" in value and "construct" not in value:
        return {("construct" if k == "kind" else k): v for k, v in value.items()}
    return value


def entry_line(text: str, key: str) -> int:
    needle = json.dumps(key, ensure_ascii=False) + ":"
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith(needle):
            return number
    return 1


def load(path: Path, shown: str, diags: Diagnostics) -> State:
    """Read the state file; a missing file is an empty state (every note counts as new)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return State()
    except OSError as exc:
        diags.error(shown, 0, f"cannot read state file: {exc.strerror}")
        return State()
    try:
        data = json.loads(text)
        if data.get("version") != FORMAT_VERSION:
            diags.error(shown, 1, f"unsupported state file version {data.get('version')!r}")
            return State()
        if not isinstance(data.get("namespace"), str):
            raise ValueError("'namespace' must be text")
        notes: dict[str, NoteState] = {}
        for key, written in data["notes"].items():
            try:
                entry = checked(renamed_fields(written), NOTE_FIELD_TYPES, f"note '{key}'")
                cards = entry.get("cards", [0])
                if not isinstance(cards, list) or not all(
                    isinstance(c, int) and not isinstance(c, bool) for c in cards
                ):
                    raise ValueError(f"note '{key}': 'cards' must be a list of numbers")
                texts = entry.get("texts", [])
                if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                    raise ValueError(f"note '{key}': 'texts' must be a list of text")
                options = entry.get("options", [])
                if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
                    raise ValueError(f"note '{key}': 'options' must be a list of text")
                values = {
                    **entry,
                    "cards": tuple(cards),
                    "texts": tuple(texts),
                    "options": tuple(options),
                }
                notes[key] = NoteState(**values)  # type: ignore[arg-type]
            except (ValueError, TypeError) as exc:
                diags.error(shown, entry_line(text, key), f"state file entry is malformed: {exc}")
        note_types: dict[str, NoteTypeState] = {}
        for key, value in data["note_types"].items():
            entry = checked(value, NOTE_TYPE_FIELD_TYPES, f"note type '{key}'")
            note_types[key] = NoteTypeState(
                **{  # type: ignore[arg-type]
                    **entry,
                    "fields": tuple((str(n), int(i)) for n, i in value["fields"]),
                    "templates": tuple((str(n), int(i)) for n, i in value["templates"]),
                }
            )
        last_nid = data.get("last_nid", 0)
        if not isinstance(last_nid, int) or isinstance(last_nid, bool):
            raise ValueError("'last_nid' must be a number")
        return State(str(data["namespace"]), notes, note_types, last_nid)
    except json.JSONDecodeError as exc:
        diags.error(shown, exc.lineno, f"state file is not valid JSON: {exc.msg}")
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        diags.error(
            shown,
            1,
            f"state file is malformed ({exc!r}); restore it from version control, or delete it "
            "to rebuild every note as changed",
        )
    return State()


def record(value: NoteState | NoteTypeState) -> dict[str, object]:
    # dataclasses.asdict deep-copies every field; a flat read is ten times faster on 10k notes.
    entry = {spec.name: getattr(value, spec.name) for spec in fields(value)}
    for name, default in OMITTED_WHEN_DEFAULT.items():
        if name in entry and entry[name] == default:
            del entry[name]
    return entry


def dumps(state: State) -> str:
    lines = [
        "{",
        f'"version": {FORMAT_VERSION},',
        f'"namespace": {json.dumps(state.namespace)},',
        f'"last_nid": {state.last_nid},',
    ]
    lines.append('"note_types": {')
    entries = [
        f"{json.dumps(key)}: {json.dumps(record(value), sort_keys=True, ensure_ascii=False)}"
        for key, value in sorted(state.note_types.items())
    ]
    lines.append(",\n".join(entries))
    lines.append("},")
    lines.append('"notes": {')
    entries = [
        f"{json.dumps(key, ensure_ascii=False)}: "
        f"{json.dumps(record(value), sort_keys=True, ensure_ascii=False)}"
        for key, value in sorted(state.notes.items())
    ]
    lines.append(",\n".join(entries))
    lines.append("}")
    lines.append("}")
    return "\n".join(line for line in lines if line) + "\n"


def save(path: Path, state: State) -> bool:
    """Write the state file atomically; returns False when the content did not change."""
    text = dumps(state)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except OSError:
        pass
    atomic_write_text(path, text)
    return True
