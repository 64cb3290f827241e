"""Generated multiple-choice cards: a cloze group or an analogy mapping asked with options.

Their wrong options are other answers of the same kind, possibly from other lessons, so they are
drawn only once every lesson is parsed (generator.kinds.distractors). Everything Markdown is
rendered before that, with the lesson the text belongs to: a `Variant` becomes a
`RenderedVariant` in the lesson's worker, and the pipeline's main process only lays the chosen
options out (`complete`), which is string assembly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from generator.kinds import clozechoice
from generator.kinds.choice import NOTE_TYPE as CHOICE_NOTE_TYPE
from generator.kinds.choice import RenderedOption, choice_fields
from generator.kinds.context import context_html, question_html
from generator.kinds.shapes import NO_SHAPE, NO_SLOT, Shape, Slot, shape_of, slot_of
from generator.notes import NO_TEXT, NoteMeta, RenderedNote, Renderer, Text

Pool = Literal["key-fact", "cloze", "analogy"]
"""Which answers can stand in for each other as distractors."""


def normalise(text: str) -> str:
    """Text compared for sameness: case, emphasis and code marks and spacing do not count."""
    return " ".join(text.casefold().replace("*", "").replace("`", "").split())


@dataclass(frozen=True, slots=True)
class Variant:
    """A multiple-choice card still waiting for its options."""

    meta: NoteMeta
    """Identity, deck, tags and source of the card to make."""
    answer: Text
    """Markdown of the right option."""
    pool: Pool
    """Which answers can stand in as distractors."""
    lesson: str
    """Lesson the card comes from (the first pool to draw from after `siblings`)."""
    siblings: tuple[Text, ...] = ()
    """Answers of the same block, preferred as distractors (other terms, other mappings)."""
    distractors: tuple[Text, ...] = ()
    """Wrong options written by the author; when given, the only ones used."""
    text: Text = NO_TEXT
    """For a cloze variant: the Markdown sentence with numbered deletions."""
    group: int = 0
    """For a cloze variant: the deletion group blanked on this card."""
    question: Text = NO_TEXT
    """For a question variant: the question (inline Markdown)."""
    hint: Text = NO_TEXT
    """Hint for the blank."""
    back_extra: Text = NO_TEXT
    """Markdown shown on the back."""
    count: int = 4
    """How many options to show, the answer included."""
    parent: str = ""
    """Id of the note the card is generated from (the cloze note, the analogy mapping)."""

    @property
    def cloze(self) -> bool:
        return not self.text.empty

    def render(self, md: Renderer) -> RenderedVariant:
        """Render every text of the card and of its candidate options, each with its media."""
        answer = candidate(md, self.answer)
        siblings = tuple(candidate(md, text) for text in self.siblings)
        distractors = tuple(candidate(md, text) for text in self.distractors)
        parts: tuple[str, ...]
        if self.cloze:
            parts = (
                md.cloze(self.text, "blank", self.group),
                md.cloze(self.text, "reveal", self.group),
                md.inline(self.hint),
                md.block(self.back_extra),
            )
        else:
            parts = (
                question_html(md, self.question, NO_TEXT),
                md.block(self.back_extra),
                md.block(self.hint),
            )
        context = context_html(md, self.meta)
        media = md.take_media()
        return RenderedVariant(
            self.meta,
            self.pool,
            self.lesson,
            self.count,
            answer,
            siblings,
            distractors,
            parts,
            self.cloze,
            media,
            parent=self.parent,
            slot=slot_of(parts[0], BLANK if self.cloze else ""),
            context=context,
        )


BLANK = '<span class="ak-blank"'


@dataclass(frozen=True, slots=True)
class Candidate:
    """A text that can be an option, rendered in its own lesson."""

    text: str
    """Its Markdown."""
    key: str
    """`normalise(text)`: two candidates with the same key are the same option."""
    html: str
    """Inline HTML."""
    media: tuple[tuple[str, str], ...] = ()
    """Images and sounds it uses: (packaged name, source path)."""
    shape: Shape = NO_SHAPE
    """Its form: kind, length, grammatical shape (generator.kinds.shapes)."""


def candidate(md: Renderer, text: Text) -> Candidate:
    html = md.inline(text)
    return Candidate(
        text.markdown,
        normalise(text.markdown),
        html,
        md.take_media(),
        shape_of(html, text.markdown),
    )


@dataclass(frozen=True, slots=True)
class RenderedVariant:
    """A generated multiple-choice card, rendered but for the choice of its options."""

    meta: NoteMeta
    """Identity, deck, tags and source."""
    pool: Pool
    """Which answers can stand in as distractors."""
    lesson: str
    """Lesson it comes from."""
    count: int
    """Options to show, the answer included."""
    answer: Candidate
    """The right option."""
    siblings: tuple[Candidate, ...]
    """Preferred distractors: answers of the same block."""
    distractors: tuple[Candidate, ...]
    """Author-written distractors; when given, the only ones used."""
    parts: tuple[str, ...]
    """HTML of the card's own fields: (blank sentence, full sentence, hint, back extra) for a
    cloze variant, (question, explanation, hint) for a question variant."""
    cloze: bool
    """A cloze variant (note type Cloze choice) rather than a question (Multiple choice)."""
    media: tuple[tuple[str, str], ...] = ()
    """Images and sounds of its own fields."""
    parent: str = ""
    """Id of the note the card is generated from."""
    slot: Slot = NO_SLOT
    """What the question side shows around the answer."""
    context: str = ""
    """HTML of the lesson title and section shown on the card."""

    @property
    def note_type(self) -> str:
        return clozechoice.NOTE_TYPE.key if self.cloze else CHOICE_NOTE_TYPE.key

    def complete(self, options: Sequence[Candidate], correct: int) -> RenderedNote:
        """The finished note with `options` in display order, `options[correct]` the answer."""
        laid_out = [
            RenderedOption(option.html, index == correct) for index, option in enumerate(options)
        ]
        if self.cloze:
            blank, full, hint, back_extra = self.parts
            fields = clozechoice.fields(
                self.meta,
                sentence=blank,
                options=laid_out,
                answer=self.answer.html,
                full=full,
                hint=hint,
                back_extra=back_extra,
                context=self.context,
            )
        else:
            question, explanation, hint = self.parts
            fields = choice_fields(
                self.meta,
                question,
                laid_out,
                explanation=explanation,
                hint=hint,
                context=self.context,
            )
        media = dict(self.media)
        for option in options:
            media.update(option.media)
        return RenderedNote(
            self.meta,
            self.note_type,
            fields,
            media=tuple(sorted(media.items())),
            options=tuple(option.text for index, option in enumerate(options) if index != correct),
            answer_at=correct,
        )
