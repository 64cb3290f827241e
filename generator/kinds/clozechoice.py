"""Cloze choice: one deletion group of a cloze sentence blanked, with options to fill it. The notes
are generated (see generator.kinds.variants); this module holds their note type and fields."""

from __future__ import annotations

from collections.abc import Sequence

from generator.anki.notetypes import FieldSpec, NoteType
from generator.kinds.choice import RenderedOption, options_html
from generator.kinds.context import TAIL_FIELDS, tail
from generator.notes import NoteMeta

NOTE_TYPE = NoteType(
    key="clozechoice",
    name="ankigen Cloze choice",
    label="cloze choice",
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


def fields(
    meta: NoteMeta,
    *,
    sentence: str,
    options: Sequence[RenderedOption],
    answer: str,
    full: str,
    hint: str,
    back_extra: str,
    context: str,
) -> tuple[str, ...]:
    """The fields from their HTML: the sentence with the blank, the options, the answer alone
    and in the full sentence, the blank's hint and what is shown under the sentence."""
    return (
        sentence,
        options_html(options, flip=meta.flip_on_pick),
        answer,
        full,
        hint,
        back_extra,
        *tail(meta, context),
    )
