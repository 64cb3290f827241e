"""Cloze notes (`==answer==` in lesson text, summaries and key facts) and their
multiple-choice variants: one card per deletion group showing the blank and a set of options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from generator.kinds.choice import Option, options_html
from generator.kinds.context import TAIL_FIELDS, CardContext, tail
from generator.notes import FieldSpec, NoteMeta, NoteType, Renderer
from generator.render import deletions
from generator.source.noteids import slugify
from generator.source.outline import Line, join, split_id

NOTE_TYPE = NoteType(
    key="cloze",
    name="ankigen Cloze",
    model_id=1_731_004_204_001,
    fields=tuple(
        FieldSpec(name, 1_731_004_204_100 + index)
        for index, name in enumerate(("Text", "BackExtra", *TAIL_FIELDS))
    ),
    template_name="Cloze",
    template_id=1_731_004_204_900,
    template_dir="cloze",
    cloze=True,
)

CHOICE_NOTE_TYPE = NoteType(
    key="clozechoice",
    name="ankigen Cloze choice",
    model_id=1_731_004_205_001,
    fields=tuple(
        FieldSpec(name, 1_731_004_205_100 + index)
        for index, name in enumerate(
            ("Sentence", "Options", "Answer", "Full", "Hint", "BackExtra", *TAIL_FIELDS)
        )
    ),
    template_name="Cloze choice",
    template_id=1_731_004_205_900,
    template_dir="clozechoice",
)


@dataclass(frozen=True, slots=True)
class ClozeNote:
    """A text with deletions; Anki makes one card per group."""

    meta: NoteMeta
    """Identity, deck, tags and source."""
    text: str
    """Markdown with every deletion numbered (`==cN::answer::hint==`)."""
    groups: tuple[int, ...]
    """Deletion groups, ascending."""
    back_extra: str = ""
    """Markdown shown under the text on the back."""

    note_type: ClassVar[str] = NOTE_TYPE.key

    deletions: tuple[tuple[int, str], ...] = ()
    """(group, answer) of every deletion, for telling renumbered deletions apart."""

    @property
    def cards(self) -> tuple[int, ...]:
        return tuple(group - 1 for group in self.groups)

    @property
    def card_texts(self) -> tuple[str, ...]:
        return tuple(
            " | ".join(answer for number, answer in self.deletions if number == group)
            for group in self.groups
        )

    def render(self, md: Renderer) -> tuple[str, ...]:
        return (md.cloze(self.text), md.block(self.back_extra), *tail(self.meta))


@dataclass(frozen=True, slots=True)
class Variant:
    """A multiple-choice card still waiting for its options (they may come from other lessons)."""

    meta: NoteMeta
    """Identity, deck, tags and source of the card to make."""
    answer: str
    """Markdown of the right option."""
    pool: str
    """Which answers can stand in as distractors: 'key-fact', 'cloze', 'analogy'."""
    lesson: str
    """Lesson the card comes from (the first pool to draw from after `siblings`)."""
    siblings: tuple[str, ...] = ()
    """Answers of the same block, preferred as distractors (other terms, other mappings)."""
    distractors: tuple[str, ...] = ()
    """Wrong options written by the author; when given, the only ones used."""
    text: str = ""
    """For a cloze variant: the Markdown sentence with numbered deletions."""
    group: int = 0
    """For a cloze variant: the deletion group blanked on this card."""
    question: str = ""
    """For a question variant: the question (inline Markdown)."""
    hint: str = ""
    """Hint for the blank."""
    back_extra: str = ""
    """Markdown shown on the back."""
    count: int = 4
    """How many options to show, the answer included."""


@dataclass(frozen=True, slots=True)
class ClozeChoiceNote:
    """A cloze sentence with one group blanked and options to choose from."""

    variant: Variant
    """The sentence, group and answer."""
    options: tuple[str, ...]
    """Options in display order (Markdown)."""
    correct: int
    """Index of the answer in `options`."""

    note_type: ClassVar[str] = CHOICE_NOTE_TYPE.key

    @property
    def meta(self) -> NoteMeta:
        return self.variant.meta

    def render(self, md: Renderer) -> tuple[str, ...]:
        variant = self.variant
        return (
            md.cloze(variant.text, "blank", variant.group),
            options_html(
                md,
                [
                    Option(text, index == self.correct, variant.meta.line)
                    for index, text in enumerate(self.options)
                ],
            ),
            md.inline(variant.answer),
            md.cloze(variant.text, "reveal", variant.group),
            md.inline(variant.hint),
            md.block(variant.back_extra),
            *tail(variant.meta),
        )


def cloze_notes(
    ctx: CardContext,
    *,
    text: str,
    line: int,
    note_id: str,
    explicit: bool,
    construct: str,
    back_extra: str = "",
    pool: str = "cloze",
    siblings: Sequence[str] = (),
    choices: bool | None = None,
    anchor: tuple[int, str] | None = None,
) -> list[ClozeNote | Variant]:
    """The cloze note for `text` and, unless turned off, one multiple-choice variant per group."""
    parsed = deletions.parse(text)
    for problem in parsed.problems:
        ctx.error(line + problem.offset, problem.message)
    if not parsed.deletions:
        if parsed.problems:
            ctx.error(line, "no valid cloze deletion left: Anki would refuse this note")
        return []
    level = ctx.lesson.defaults.level
    meta = ctx.meta(
        construct, line=line, note_id=note_id, explicit=explicit, level=level, anchor=anchor
    )
    notes: list[ClozeNote | Variant] = [
        ClozeNote(
            meta,
            parsed.canonical,
            parsed.groups,
            back_extra,
            tuple((d.group, d.answer) for d in parsed.deletions),
        )
    ]
    if not (ctx.lesson.defaults.cloze_choices if choices is None else choices):
        return notes
    for group in parsed.groups:
        members = [d for d in parsed.deletions if d.group == group]
        if len(members) > 1:
            continue  # several blanks on one card have no single answer to choose
        deletion = members[0]
        notes.append(
            Variant(
                meta=ctx.meta(
                    f"{construct}-choice",
                    line=line + deletion.offset,
                    note_id=f"{note_id}/choice-c{group}",
                    explicit=explicit,
                    level=level,
                    anchor=anchor or (line, note_id),
                ),
                answer=deletion.answer,
                pool=pool,
                lesson=ctx.lesson.rel,
                siblings=tuple(s for s in siblings if s != deletion.answer),
                distractors=deletion.distractors,
                text=parsed.canonical,
                group=group,
                hint=deletion.hint,
                back_extra=back_extra,
                count=ctx.lesson.defaults.choice_options,
            )
        )
    return notes


def prose_clozes(ctx: CardContext, units: Sequence[tuple[Line, ...]]) -> list[ClozeNote | Variant]:
    """Each paragraph or list item of lesson text that has `==…==` is a cloze note."""
    notes: list[ClozeNote | Variant] = []
    for unit in units:
        written = None
        lines = []
        for line in unit:
            text, found = split_id(line.text)
            written = written or found
            lines.append(Line(line.number, text, line.in_fence))
        text = join(lines)
        parsed = deletions.parse(text)
        if not parsed.deletions and not parsed.problems:
            continue
        derived = f"{ctx.lesson_stem}#cloze-{slugify_words(deletions.strip_marks(text))}"
        notes.extend(
            cloze_notes(
                ctx,
                text=text,
                line=unit[0].number,
                note_id=written or derived,
                explicit=written is not None,
                construct="cloze",
            )
        )
    return notes


def slugify_words(text: str, words: int = 8) -> str:
    return slugify(" ".join(text.split()[:words]))
