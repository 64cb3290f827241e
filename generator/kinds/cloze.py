"""Cloze notes: `==answer==` in lesson text, summaries and key facts. Anki makes one card per
deletion group; unless turned off, each single-deletion group also gets a multiple-choice variant
(generator.kinds.variants)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.anki.notetypes import FieldSpec, NoteType
from generator.kinds.context import TAIL_FIELDS, CardContext, context_html, tail
from generator.kinds.typein import CLOZE_NOTE_TYPE as TYPED_NOTE_TYPE
from generator.kinds.variants import Pool, Variant
from generator.notes import NO_TEXT, NoteMeta, Renderer, Text
from generator.render import deletions
from generator.source.noteids import id_slug
from generator.source.outline import Line, split_id, text_of

NOTE_TYPE = NoteType(
    key="cloze",
    name="ankigen Cloze",
    label="cloze",
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


@dataclass(frozen=True, slots=True)
class ClozeNote:
    """A text with deletions; Anki makes one card per group."""

    meta: NoteMeta
    """Identity, deck, tags and source."""
    text: Text
    """Markdown with every deletion numbered (`==cN::answer::hint==`)."""
    groups: tuple[int, ...]
    """Deletion groups, ascending."""
    back_extra: Text = NO_TEXT
    """Markdown shown under the text on the back."""
    deletions: tuple[tuple[int, str], ...] = ()
    """(group, answer) of every deletion, for telling renumbered deletions apart."""
    typed: bool = False
    """Answered by typing the hidden text (note type `ankigen Cloze type-in`)."""

    @property
    def note_type(self) -> str:
        return TYPED_NOTE_TYPE.key if self.typed else NOTE_TYPE.key

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
        return (
            md.cloze(self.text),
            md.block(self.back_extra),
            *tail(self.meta, context_html(md, self.meta)),
        )


def cloze_notes(
    ctx: CardContext,
    *,
    text: Text,
    note_id: str,
    explicit: bool,
    construct: str,
    back_extra: Text = NO_TEXT,
    pool: Pool = "cloze",
    siblings: Sequence[Text] = (),
    choices: bool | None = None,
    anchor: tuple[int, str] | None = None,
) -> list[ClozeNote | Variant]:
    """The cloze note for `text` and, unless turned off, one multiple-choice variant per group."""
    line = text.line
    parsed = deletions.parse(text.markdown)
    for problem in parsed.problems:
        ctx.error(line + problem.offset, problem.message, code=problem.code)
    if not parsed.deletions:
        if parsed.problems:
            ctx.error(
                line,
                "no valid cloze deletion left: Anki would refuse this note",
                code="cloze-none-valid",
            )
        return []
    level = ctx.lesson.defaults.level
    meta = ctx.meta(
        construct, line=line, note_id=note_id, explicit=explicit, level=level, anchor=anchor
    )
    canonical = Text(parsed.canonical, line)
    notes: list[ClozeNote | Variant] = [
        ClozeNote(
            meta,
            canonical,
            parsed.groups,
            back_extra,
            tuple((d.group, d.answer) for d in parsed.deletions),
            typed=ctx.lesson.defaults.type_in_clozes,
        )
    ]
    if not (ctx.lesson.defaults.cloze_choices if choices is None else choices):
        return notes
    for group in parsed.groups:
        members = [d for d in parsed.deletions if d.group == group]
        if len(members) > 1:
            continue  # several blanks on one card have no single answer to choose
        deletion = members[0]
        at = line + deletion.offset
        notes.append(
            Variant(
                meta=ctx.meta(
                    f"{construct}-choice",
                    line=at,
                    note_id=f"{note_id}/choice-c{group}",
                    explicit=explicit,
                    level=level,
                    anchor=anchor or (line, note_id),
                ),
                answer=Text(deletion.answer, at),
                pool=pool,
                lesson=ctx.lesson.rel,
                siblings=tuple(s for s in siblings if s.markdown != deletion.answer),
                distractors=tuple(Text(d, at) for d in deletion.distractors),
                text=canonical,
                group=group,
                hint=Text(deletion.hint, at),
                back_extra=back_extra,
                count=ctx.lesson.defaults.choice_options,
                parent=note_id,
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
        source = text_of(lines)
        parsed = deletions.parse(source.markdown)
        if not parsed.deletions and not parsed.problems:
            continue
        derived = f"{ctx.lesson_stem}#cloze-{slugify_words(deletions.strip_marks(source.markdown))}"
        notes.extend(
            cloze_notes(
                ctx,
                text=Text(source.markdown, unit[0].number),
                note_id=written or derived,
                explicit=written is not None,
                construct="cloze",
            )
        )
    return notes


def slugify_words(text: str, words: int = 8) -> str:
    return id_slug(" ".join(text.split()[:words]))
