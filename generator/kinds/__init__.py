"""The registry: which constructs exist, how a card is recognised, and the Anki note types.

The order of CONSTRUCTS is the rule order documented in docs/format.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generator.kinds import (
    analogy,
    choice,
    cloze,
    confusions,
    keyfacts,
    reveal,
    selfcheck,
    summary,
)
from generator.kinds.context import CardContext
from generator.notes import Note, NoteType

NOTE_TYPES: dict[str, NoteType] = {
    note_type.key: note_type
    for note_type in (
        reveal.NOTE_TYPE,
        choice.NOTE_TYPE,
        selfcheck.NOTE_TYPE,
        cloze.NOTE_TYPE,
        cloze.CHOICE_NOTE_TYPE,
    )
}


@dataclass(frozen=True, slots=True)
class Construct:
    """A way of writing cards in a lesson."""

    name: str
    """Name used in tags (`ankigen::<name>`) and build reports."""
    matches: Callable[[CardContext], bool]
    """Whether a `###` card is of this construct."""
    parse: Callable[[CardContext], Sequence[Note | cloze.Variant]]
    """Turns the card into notes, reporting problems to the context."""


def heading_is(*names: str) -> Callable[[CardContext], bool]:
    def matches(ctx: CardContext) -> bool:
        text = " ".join(ctx.block.heading.text.casefold().split())
        return any(text == name or text.startswith(f"{name}:") for name in names)

    return matches


def heading_starts(prefix: str) -> Callable[[CardContext], bool]:
    def matches(ctx: CardContext) -> bool:
        return ctx.block.heading.text.casefold().startswith(prefix)

    return matches


CONSTRUCTS: tuple[Construct, ...] = (
    Construct("key-fact", heading_is("key facts"), keyfacts.parse),
    Construct("confusion", heading_is("common confusions"), confusions.parse),
    Construct("summary", heading_is("summary"), summary.parse),
    Construct("analogy", heading_starts("analogy:"), analogy.parse),
    Construct("multiple-choice", choice.has_task_list, choice.parse),
    Construct("self-check", selfcheck.has_concepts, selfcheck.parse),
    Construct("reveal", lambda ctx: True, reveal.parse),
)


def parse_card(ctx: CardContext) -> list[Note | cloze.Variant]:
    construct = next(c for c in CONSTRUCTS if c.matches(ctx))
    return list(construct.parse(ctx))
