"""What every card parser needs: the card's context, note metadata, and shared checks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape

from generator.diagnostics import Diagnostics
from generator.notes import DIFFICULTIES, LEVELS, Lesson, NoteMeta, Renderer, Text
from generator.source.fields import CardFields, Field, split_fields
from generator.source.noteids import id_slug, valid_id
from generator.source.outline import CardBlock


@dataclass(frozen=True, slots=True)
class CardContext:
    """Everything a card parser may look at besides the card itself."""

    lesson: Lesson
    """The lesson the card is in."""
    lesson_title: str
    """Title shown as context on the card."""
    block: CardBlock
    """The card's source."""
    diags: Diagnostics
    """Where problems go."""
    known_labels: Mapping[str, str] = field(default_factory=dict)
    """Field labels of every kind of card → the cards they belong to (see `Registry.labels`)."""
    title_line: int = 0
    """Line of the lesson title in the file (0 when it comes from the file name)."""

    @property
    def path(self) -> str:
        return self.lesson.path

    def fields(self, labels: Mapping[str, str]) -> CardFields:
        """The card's body split at its `labels`, every label it does not read reported."""
        return split_fields(
            self.block.body, labels, path=self.path, diags=self.diags, known=self.known_labels
        )

    def error(self, line: int, message: str, *, code: str, column: int = 0) -> None:
        self.diags.error(self.path, line, message, code=code, column=column)

    def warning(self, line: int, message: str, *, code: str, column: int = 0) -> None:
        self.diags.warning(self.path, line, message, code=code, column=column)

    @property
    def card_id(self) -> str:
        """The heading's id: written, or derived from the lesson path and heading text."""
        heading = self.block.heading
        if heading.id is not None:
            return heading.id
        return f"{self.lesson_stem}#{id_slug(heading.text)}"

    @property
    def lesson_stem(self) -> str:
        """The lesson path as an id prefix: every part slugged, so derived ids are valid ids."""
        parts = self.lesson.rel.removesuffix(".md").split("/")
        return "/".join(id_slug(part, limit=40) for part in parts)[:70]

    def item_id(self, written: str | None, text: str) -> str:
        return written if written is not None else f"{self.card_id}/{id_slug(text)}"

    def meta(
        self,
        construct: str,
        *,
        line: int,
        note_id: str,
        explicit: bool,
        level: str | None = None,
        difficulty: str | None = None,
        anchor: tuple[int, str] | None = None,
    ) -> NoteMeta:
        """Metadata of a note. `anchor` is the (line, id) of the source item a derived note
        comes from (a key fact's cloze comes from its term); by default the note itself."""
        if explicit and anchor is None and not valid_id(note_id):
            self.error(
                line,
                f"invalid id '{note_id}': use letters, digits, '-', '_', '.', '/', '#', "
                "starting with a letter or digit (at most 200 characters)",
                code="invalid-id",
            )
        tags = set(self.lesson.defaults.tags)
        tags.add(f"ankigen::{construct}")
        if level:
            tags.add(f"level::{level}")
        if difficulty:
            tags.add(f"difficulty::{difficulty}")
        section = self.block.section
        context = f"{self.lesson_title} › {section}" if section else self.lesson_title
        return NoteMeta(
            id=note_id,
            explicit_id=explicit,
            stamp=None if explicit else (anchor or (line, note_id)),
            path=self.path,
            source=self.lesson.rel,
            line=line,
            deck=self.lesson.deck,
            construct=construct,
            tags=tuple(sorted(tags)),
            badge=" · ".join(v for v in (level, difficulty) if v),
            context=context,
            flip_on_pick=self.lesson.defaults.flip_on_pick,
            context_line=self.title_line,
        )

    def heading_meta(
        self, construct: str, *, level: str | None = None, difficulty: str | None = None
    ) -> NoteMeta:
        heading = self.block.heading
        if not heading.text:
            self.error(
                heading.line,
                "card heading is empty: write the question after '###'",
                code="empty-heading",
            )
        return self.meta(
            construct,
            line=heading.line,
            note_id=self.card_id,
            explicit=heading.id is not None,
            level=level,
            difficulty=difficulty,
        )


def one_word_of(
    ctx: CardContext, field: Field, allowed: tuple[str, ...], what: str, *, code: str
) -> str | None:
    """The field's one word when it is one of `allowed` (any case); else an error and None."""
    value = field.text.markdown.strip()
    word = value.lower()
    if word not in allowed:
        ctx.error(
            field.line, f"{what} must be one of {', '.join(allowed)}, not '{value}'", code=code
        )
        return None
    return word


def level_of(ctx: CardContext, field: Field | None, *, inherit: bool = True) -> str | None:
    if field is None:
        return ctx.lesson.defaults.level if inherit else None
    return one_word_of(ctx, field, LEVELS, "level", code="bad-level")


def difficulty_of(ctx: CardContext, field: Field | None) -> str | None:
    if field is None:
        return ctx.lesson.defaults.difficulty
    return one_word_of(ctx, field, DIFFICULTIES, "difficulty", code="bad-difficulty")


# What would start a block at the front of a heading's text: a list marker (followed by a space),
# a thematic break, a number and dot, a quote, a heading, a fence. `*Why*` is emphasis.
BLOCK_START = re.compile(
    r"^(?:\d+[.)]|[-+*](?=\s|$)|[-*_](?=(?:[ ]{0,2}[-*_]){2,}[ ]*$)|[>#=]|`{3}|~{3})"
)
TAIL_FIELDS = ("Level", "Context", "Source", "ID", "Extra", "Spare")


def tail(meta: NoteMeta, context: str) -> tuple[str, ...]:
    """Values of the fields every note type ends with (see TAIL_FIELDS); `context` is the
    rendered `context_html`."""
    return (escape(meta.badge), context, escape(meta.source), escape(meta.id), "", "")


def context_html(md: Renderer, meta: NoteMeta) -> str:
    """The lesson title (and section) shown on the card: Markdown, as the headings it comes
    from (`Q&amp;A` shows '&', `*why*` is emphasis)."""
    return md.inline(Text(heading_markdown(meta.context), meta.context_line))


def heading_markdown(text: str) -> str:
    """Heading text as inline Markdown: a leading `3.`, `-` or `>` is text, not a block."""
    return BLOCK_START.sub(lambda match: match[0][:-1] + "\\" + match[0][-1], text, count=1)


def question_html(md: Renderer, question: Text, body: Text) -> str:
    """A heading as the question, followed by any code or text written under it."""
    lead = md.inline(Text(heading_markdown(question.markdown), question.line))
    if body.empty:
        return lead
    return f'<p class="ak-lead">{lead}</p>\n{md.block(body)}'
