"""The typed model: lessons, note metadata, the Markdown text of fields, and the protocols every
note kind and the renderer implement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

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
    reversed: bool = False
    """Every reveal card also asks the other way round (answer → question)."""
    type_in_clozes: bool = False
    """Cloze notes are answered by typing the hidden text (Anki's `{{type:cloze:…}}`)."""
    lint_ignore: tuple[str, ...] = ()
    """Lint rules turned off here (codes)."""
    lint_build: bool = True
    """Whether `ankigen build` reports lint findings as warnings."""
    flip_on_pick: bool = True
    """Picking the option of a single-answer question shows the answer at once."""


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
    """Lesson title and section, shown small on the card (Markdown)."""
    flip_on_pick: bool = True
    """Its card shows the answer as soon as the single right option is picked."""
    context_line: int = 0
    """Line of the lesson title, where a problem in rendering `context` is reported."""


ClozeMode = Literal["anki", "blank", "reveal", "mark"]
"""How a renderer writes `==…==` deletions: Anki's `{{cN::…}}` syntax (`anki`), one group as a
blank (`blank`) or as the marked answer (`reveal`) with the others as plain text, or a highlight
in notes that are not clozes (`mark`)."""


@dataclass(frozen=True, slots=True)
class Text:
    """Markdown written in a lesson, and the line it starts on."""

    markdown: str
    """The Markdown (list continuation lines dedented, blank lines around trimmed)."""
    line: int = 0
    """Line of its first line in the lesson file; 0 for text the parser made up."""

    @property
    def empty(self) -> bool:
        return not self.markdown.strip()


NO_TEXT = Text("")


class Renderer(Protocol):
    """Markdown to card HTML. Problems found in a text are reported at the text's line."""

    def block(self, text: Text) -> str: ...

    def inline(self, text: Text) -> str: ...

    def cloze(self, text: Text, mode: ClozeMode = "anki", target: int = 0) -> str: ...

    def take_media(self) -> tuple[tuple[str, str], ...]:
        """(packaged name, source path) of the images and sounds the texts rendered since the
        last call use, sorted by name; then forget them."""


class Note(Protocol):
    """A parsed note of any kind: everything the pipeline reads from one."""

    @property
    def meta(self) -> NoteMeta: ...

    @property
    def note_type(self) -> str:
        """Registry key of the note's Anki note type."""

    @property
    def cards(self) -> tuple[int, ...]:
        """Card ordinals the note produces: one per deletion group for cloze notes, else (0,)."""

    @property
    def card_texts(self) -> tuple[str, ...]:
        """For cloze notes, the hidden text of each card (aligned with `cards`); else ()."""

    def render(self, md: Renderer) -> tuple[str, ...]:
        """The fields as HTML, in the note type's field order."""


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
    options: tuple[str, ...] = ()
    """For generated multiple-choice cards: the Markdown of the wrong options, in display order
    (recorded in the state file so that a rebuild keeps them while they stay valid)."""
    answer_at: int = -1
    """For generated multiple-choice cards: the position of the answer among the options."""


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """A problem an extension found while rendering a text. The renderer reports it where the
    first of its `needles` that the text holds occurs (its line, and its column in the lesson)."""

    error: bool
    """An error (the build fails) rather than a warning."""
    message: str
    """What is wrong and how to fix it."""
    code: str
    """Stable name of the problem (docs/format.md)."""
    needles: tuple[str, ...]
    """Source text the problem is about, most precise first: `](path`, then `path`; a tag, an
    attribute. Compared without case."""
