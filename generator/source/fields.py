"""Labelled fields inside a card: `**Hint:** …` up to the next label."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.diagnostics import Diagnostics
from generator.notes import NO_TEXT, Text
from generator.source.outline import Line, paragraphs_start, text_of, trim_blank

LABEL = re.compile(r"^\*\*(?P<label>[^*\n]{1,40}?)[ \t]*(?::\*\*|\*\*[ \t]*:)[ \t]*(?P<rest>.*)$")


def normalise_label(label: str) -> str:
    return " ".join(label.lower().split())


@dataclass(frozen=True, slots=True)
class Field:
    """The source of one labelled field."""

    line: int
    """Line of the label."""
    lines: tuple[Line, ...]
    """Lines of the field, the label removed, blank lines around trimmed."""

    @property
    def text(self) -> Text:
        return text_of(self.lines)


@dataclass(frozen=True, slots=True)
class CardFields:
    """A card body split at its labels."""

    preamble: tuple[Line, ...]
    """Lines before the first label."""
    fields: Mapping[str, Field]
    """Field key → field, for the labels that were present."""

    def text(self, key: str) -> Text:
        field = self.fields.get(key)
        return field.text if field else NO_TEXT


def split_fields(
    body: Sequence[Line],
    labels: Mapping[str, str],
    *,
    path: str,
    diags: Diagnostics,
) -> CardFields:
    """Split `body` at paragraphs that start with one of `labels` (normalised label → field key)."""
    starts: list[tuple[int, str, str]] = []
    for index, line in paragraphs_start(body):
        match = LABEL.match(line.text)
        if not match:
            continue
        label = normalise_label(match["label"])
        key = labels.get(label)
        if key is not None:
            starts.append((index, key, match["rest"]))
            continue
        close = difflib.get_close_matches(label, list(labels), n=1, cutoff=0.7)
        if close:
            diags.warning(
                path,
                line.number,
                f"'**{match['label']}:**' is not a field label here; did you mean '{close[0]}'?"
                " (kept as text)",
                code="label-near-miss",
                column=1,
            )

    fields: dict[str, Field] = {}
    for position, (index, key, rest) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(body)
        first = body[index]
        if key in fields:
            diags.error(
                path,
                first.number,
                f"field '{key}' given twice in one card (first at line {fields[key].line})",
                code="field-twice",
                column=1,
            )
            continue
        lines = [Line(first.number, rest, False), *body[index + 1 : end]]
        fields[key] = Field(first.number, tuple(trim_blank(lines)))
    preamble_end = starts[0][0] if starts else len(body)
    return CardFields(tuple(body[:preamble_end]), fields)


def has_label(body: Sequence[Line], label: str) -> bool:
    """True when a paragraph of `body` starts with the (normalised) `label`."""
    for _, line in paragraphs_start(body):
        match = LABEL.match(line.text)
        if match and normalise_label(match["label"]) == label:
            return True
    return False
