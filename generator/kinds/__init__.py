"""Note kinds: how each construct of a lesson is recognised and parsed, the notes it makes, and
the Anki note types they use — one module per kind, all listed in `REGISTRY`. `lesson` parses a
whole lesson file, handing each `###` card to its construct.

The order of the constructs is the rule order documented in docs/format.md: the first whose
`matches` accepts a `###` card parses it. Generated multiple-choice cards (variants) get their
options from generator.kinds.distractors once every lesson is parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from generator.anki.notetypes import PACKAGED, CardTemplate, NoteType, Templates
from generator.kinds import (
    analogy,
    choice,
    cloze,
    clozechoice,
    confusions,
    keyfacts,
    occlusion,
    reveal,
    selfcheck,
    summary,
    twoway,
    typein,
)
from generator.kinds.context import CardContext
from generator.kinds.variants import Variant
from generator.notes import Note


@dataclass(frozen=True, slots=True)
class Construct:
    """A way of writing cards in a lesson."""

    name: str
    """Name used in tags (`ankigen::<name>`) and build reports."""
    matches: Callable[[CardContext], bool]
    """Whether a `###` card is of this construct."""
    parse: Callable[[CardContext], Sequence[Note | Variant]]
    """Turns the card into notes, reporting problems to the context."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Its field labels (normalised label → field key), for telling an author who writes one
    in another kind of card."""
    plural: str = ""
    """How its cards are named in messages ('reveal cards')."""


def and_list(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# Matchers are classes and module functions rather than closures so that a registry can be sent
# to the worker processes that parse lessons.
@dataclass(frozen=True, slots=True)
class HeadingIs:
    """Matches a card whose heading is `name` or starts with `name:` (any case and spacing)."""

    name: str
    """Lower-case heading text."""

    def __call__(self, ctx: CardContext) -> bool:
        text = " ".join(ctx.block.heading.text.casefold().split())
        return text == self.name or text.startswith(f"{self.name}:")


@dataclass(frozen=True, slots=True)
class HeadingStarts:
    """Matches a card whose heading starts with `prefix` (any case)."""

    prefix: str
    """Lower-case start of the heading."""

    def __call__(self, ctx: CardContext) -> bool:
        return ctx.block.heading.text.casefold().startswith(self.prefix)


def every_card(ctx: CardContext) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Registry:
    """Every construct and note type a build knows, and the templates the note types use.

    Stages that need note types receive the registry; nothing reads a global one. A test or an
    experiment makes its own with `replace` or `with_note_types`."""

    constructs: tuple[Construct, ...]
    """In rule order; the last matches every card."""
    note_types: Mapping[str, NoteType]
    """Key → note type, in report order."""
    templates: Templates = field(default=PACKAGED)
    """Where the note types' template files are read from."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "note_types", MappingProxyType(dict(self.note_types)))

    def __reduce__(self) -> tuple[object, ...]:
        return (Registry, (self.constructs, dict(self.note_types), self.templates))

    def note_type(self, key: str) -> NoteType:
        return self.note_types[key]

    def template(self, key: str) -> CardTemplate:
        return self.templates.card(self.note_types[key])

    def with_note_types(self, *note_types: NoteType, drop: Sequence[str] = ()) -> Registry:
        """This registry with `note_types` added or replaced (by key) and `drop` removed."""
        table = {key: value for key, value in self.note_types.items() if key not in drop}
        table.update((note_type.key, note_type) for note_type in note_types)
        return replace(self, note_types=table)

    def with_templates(self, templates: Templates) -> Registry:
        return replace(self, templates=templates)

    @property
    def labels(self) -> Mapping[str, str]:
        """Every field label any construct has → the cards it belongs to ('reveal cards and
        two-way cards')."""
        kinds: dict[str, list[str]] = {}
        for construct in self.constructs:
            for label in construct.labels:
                kinds.setdefault(label, []).append(construct.plural)
        return {label: and_list(plurals) for label, plurals in kinds.items()}

    def parse_card(self, ctx: CardContext) -> list[Note | Variant]:
        construct = next(c for c in self.constructs if c.matches(ctx))
        return list(construct.parse(ctx))


REGISTRY = Registry(
    constructs=(
        Construct("key-fact", HeadingIs("key facts"), keyfacts.parse),
        Construct("confusion", HeadingIs("common confusions"), confusions.parse),
        Construct("summary", HeadingIs("summary"), summary.parse),
        Construct("analogy", HeadingStarts("analogy:"), analogy.parse),
        Construct(
            "occlusion",
            HeadingStarts("occlusion:"),
            occlusion.parse,
            occlusion.LABELS,
            "image occlusions",
        ),
        Construct(
            "multiple-choice",
            choice.has_task_list,
            choice.parse,
            choice.LABELS,
            "multiple-choice questions",
        ),
        Construct("type-in", typein.has_type_in, typein.parse, typein.LABELS, "type-in cards"),
        Construct(
            "self-check",
            selfcheck.has_concepts,
            selfcheck.parse,
            selfcheck.LABELS,
            "self-check prompts",
        ),
        Construct("two-way", twoway.matches, twoway.parse, twoway.LABELS, "two-way cards"),
        Construct("reveal", every_card, reveal.parse, reveal.LABELS, "reveal cards"),
    ),
    note_types={
        note_type.key: note_type
        for note_type in (
            reveal.NOTE_TYPE,
            choice.NOTE_TYPE,
            selfcheck.NOTE_TYPE,
            cloze.NOTE_TYPE,
            clozechoice.NOTE_TYPE,
            twoway.NOTE_TYPE,
            typein.NOTE_TYPE,
            typein.CLOZE_NOTE_TYPE,
            occlusion.NOTE_TYPE,
        )
    },
)

__all__ = ["REGISTRY", "Construct", "Registry"]
