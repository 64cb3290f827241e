"""Typed notes and the context they are parsed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

LEVELS = ("beginner", "intermediate", "advanced")
DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True, slots=True)
class Defaults:
    """Values inherited from front matter: course → folders → lesson."""

    tags: tuple[str, ...] = ()
    """Tags added to every note."""
    level: str | None = None
    """Default level of reveal and self-check notes."""
    difficulty: str | None = None
    """Default difficulty of multiple-choice notes."""
    key_facts: tuple[str, ...] = ("reveal", "cloze", "choice")
    """Which notes each key fact produces."""
    cloze_choices: bool = True
    """Whether every cloze group also gets a multiple-choice card."""
    choice_options: int = 4
    """Options on a generated multiple-choice card: the answer and this many minus one."""
    shuffle: bool = True
    """Shuffle the options of authored multiple-choice questions on each card."""


@dataclass(frozen=True, slots=True)
class Lesson:
    """Where a lesson file sits in the course."""

    path: str
    """Path to report in diagnostics (as the user named the content folder)."""
    rel: str
    """Path relative to the content folder, POSIX separators; part of derived ids."""
    deck: str
    """Full deck name, `Course::Topic`."""
    defaults: Defaults
    """Inherited front-matter values, lesson front matter applied."""
    title: str | None = None
    """`title` from the lesson's front matter."""


@dataclass(frozen=True, slots=True)
class NoteMeta:
    """What every note carries besides its fields."""

    id: str
    """Stable note id, written by the author or derived from path and heading."""
    explicit_id: bool
    """True when the author wrote the id (or the id of the item this note derives from)."""
    stamp: tuple[int, str] | None
    """Line and id that `ankigen ids` writes to pin a derived id; None when the id is written."""
    path: str
    """Source file as reported in diagnostics."""
    source: str
    """Source file relative to the content folder; stored in the note."""
    line: int
    """Line where the note starts."""
    deck: str
    """Full deck name."""
    construct: str
    """The construct the note came from: reveal, multiple-choice, key-fact, …"""
    tags: tuple[str, ...]
    """All tags, hierarchical, sorted."""
    badge: str
    """Level and/or difficulty shown on the card, e.g. `beginner` or `medium`."""
    context: str
    """Lesson title and section, shown small on the card."""


class Renderer(Protocol):
    def block(self, markdown: str) -> str: ...

    def inline(self, markdown: str) -> str: ...

    def cloze(self, markdown: str, mode: str = "anki", target: int = 0) -> str: ...


class Note(Protocol):
    """A parsed note of any kind."""

    @property
    def meta(self) -> NoteMeta: ...

    @property
    def note_type(self) -> str: ...

    def render(self, md: Renderer) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of an Anki note type."""

    name: str
    """Field name as Anki shows it."""
    id: int
    """Stable field id; lets Anki match fields across template changes."""


@dataclass(frozen=True, slots=True)
class NoteType:
    """An Anki note type owned by ankigen. Its schema is frozen once released."""

    key: str
    """Short name used in code and in the registry."""
    name: str
    """Name shown in Anki."""
    model_id: int
    """Hard-coded Anki model id."""
    fields: tuple[FieldSpec, ...]
    """Fields in order; the first is the sort field."""
    template_name: str
    """Name of the single card template."""
    template_id: int
    """Stable template id."""
    template_dir: str
    """Folder under `generator/templates/` holding front.html and back.html."""
    replaces: str | None = None
    """Key of the released note type this one supersedes (a deliberate schema change)."""
    migration: str = ""
    """What users must do when this type replaces another; printed once by the build."""
    cloze: bool = False
    """An Anki cloze note type: one card per deletion group."""


def card_texts(note: Note) -> tuple[str, ...]:
    """The hidden text of each card of a cloze note; empty for other notes."""
    texts = getattr(note, "card_texts", ())
    return tuple(texts)


def card_ordinals(note: Note) -> tuple[int, ...]:
    """Card ordinals of a note: cloze notes have one per group, the others one card."""
    cards = getattr(note, "cards", (0,))
    return tuple(cards)


@dataclass(frozen=True, slots=True)
class RenderedNote:
    """A note with its fields rendered to HTML."""

    meta: NoteMeta
    """Identity, deck, tags and source."""
    note_type: str
    """Key of its note type in the registry."""
    fields: tuple[str, ...]
    """HTML in the note type's field order."""
    cards: tuple[int, ...] = (0,)
    """Card ordinals the note produces (one card, ordinal 0, for non-cloze note types)."""
    texts: tuple[str, ...] = ()
    """For cloze notes: the hidden text of each card, aligned with `cards`."""
    media: tuple[tuple[str, str], ...] = ()
    """Images and sounds its fields use: (packaged name, path relative to the content folder),
    sorted by name."""


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """A problem found while rendering a field. Fields do not know their lines, so the pipeline
    looks for `needle` in the lesson, from the note's first line on, to report it."""

    error: bool
    """An error (the build fails) rather than a warning."""
    message: str
    """What is wrong and how to fix it."""
    needle: str
    """Source text where the problem is: a file reference, a tag or an attribute."""
