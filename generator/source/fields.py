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
# What an author may have meant as a label: `Hint:`, `*Hint:*`, `_Hint_:`, `__Hint:__`,
# `**Hint**` (no colon). Compared with the card's own labels only.
LOOSE_LABEL = re.compile(
    r"^(?:(?P<label>[A-Za-z][A-Za-z ]{0,39}?)[ \t]*:(?![/\\])"
    r"|(?P<open>\*|__?)(?P<label2>[A-Za-z][A-Za-z ]{0,39}?)[ \t]*:?[ \t]*(?P=open)[ \t]*:?"
    r"|\*\*(?P<label3>[A-Za-z][A-Za-z ]{0,39}?)\*\*(?![ \t]*:))"
)
NO_LABELS: Mapping[str, str] = {}


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
    known: Mapping[str, str] = NO_LABELS,
) -> CardFields:
    """Split `body` at paragraphs that start with one of `labels` (normalised label → field key).

    A label that is not read as one is reported, never dropped silently: a near miss, a label of
    another kind of card (`known`: label → the cards it belongs to), a label not in bold or
    without its colon, a label in the middle of a paragraph."""
    starts: list[tuple[int, str, str]] = []
    paragraph_starts = set()
    for index, line in paragraphs_start(body):
        paragraph_starts.add(index)
        match = LABEL.match(line.text)
        if not match:
            misformed(line, labels, path=path, diags=diags)
            continue
        label = normalise_label(match["label"])
        key = labels.get(label)
        if key is not None:
            starts.append((index, key, match["rest"]))
            continue
        not_a_label(line, match["label"], labels, known, path=path, diags=diags)
    for index, line in enumerate(body):
        if index in paragraph_starts or line.in_fence or line.text[:1] != "*":
            continue
        match = LABEL.match(line.text)
        if match and normalise_label(match["label"]) in labels:
            diags.warning(
                path,
                line.number,
                f"'**{match['label'].strip()}:**' does not start a paragraph, so it is read as "
                "part of the text above it: put a blank line before it",
                code="label-mid-paragraph",
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


def not_a_label(
    line: Line,
    written: str,
    labels: Mapping[str, str],
    known: Mapping[str, str],
    *,
    path: str,
    diags: Diagnostics,
) -> None:
    """A bold label this kind of card does not have: another kind's, or a near miss."""
    label = normalise_label(written)
    shown = f"'**{written.strip()}:**'"
    if label in known:
        diags.warning(
            path,
            line.number,
            f"{shown} is not a field of this card, so it is kept as text (it is a field of "
            f"{known[label]})",
            code="label-other-kind",
            column=1,
        )
        return
    close = difflib.get_close_matches(label, list(labels), n=1, cutoff=0.7)
    if close:
        diags.warning(
            path,
            line.number,
            f"'**{written}:**' is not a field label here; did you mean '{close[0]}'?"
            " (kept as text)",
            code="label-near-miss",
            column=1,
        )
        return
    close = difflib.get_close_matches(label, list(known), n=1, cutoff=0.7)
    if close:
        diags.warning(
            path,
            line.number,
            f"{shown} is not a field label; did you mean '**{close[0].capitalize()}:**' (a field "
            f"of {known[close[0]]})? (kept as text)",
            code="label-near-miss",
            column=1,
        )


def misformed(line: Line, labels: Mapping[str, str], *, path: str, diags: Diagnostics) -> None:
    """A paragraph that starts with one of `labels` not written as a label: without bold
    (`Hint:`), in italics (`*Hint:*`, `_Hint:_`), in underscore bold or without its colon."""
    match = LOOSE_LABEL.match(line.text)
    label = match and (match["label"] or match["label2"] or match["label3"])
    if not match or not label or normalise_label(label) not in labels:
        return
    written = match[0].rstrip()
    diags.warning(
        path,
        line.number,
        f"'{written}' is not read as a field label, so it is part of the text above it: write "
        f"'**{label.strip()}:**' (in bold with two asterisks, the colon inside or after)",
        code="label-form",
        column=1,
    )


def has_label(body: Sequence[Line], label: str) -> bool:
    """True when a paragraph of `body` starts with the (normalised) `label`."""
    for _, line in paragraphs_start(body):
        match = LABEL.match(line.text)
        if match and normalise_label(match["label"]) == label:
            return True
    return False
