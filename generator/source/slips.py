"""Markdown that looks like lesson syntax but is not read the way it looks: a code fence never
closed, `==` that opens no deletion, a deletion in a heading, Anki's own `{{c1::…}}`, a `##`
heading over what reads like a card, `==…==` inside raw HTML. Each is reported where it is
written; none changes what the lesson makes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence

from generator.diagnostics import Diagnostics
from generator.render import deletions
from generator.render.literal import (
    FENCED_BLOCK,
    Ranges,
    fenced_blocks,
    html_blocks,
    inline_comments,
    stray_fences,
)
from generator.source.fields import LABEL, normalise_label
from generator.source.outline import Line, mark_fences, paragraphs_start, parse_heading, split_id

FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*?)[ \t]*$")
# `==` that is not part of a longer run of `=` nor of an arrow (`==>`, `<==`).
DOUBLE_EQUALS = re.compile(r"(?<![=<!])==(?![=>])")
SPACED_MARK = re.compile(r"==[ \t]+[^=\n]*?[^=\s][ \t]*==|==[^=\n]*?[^=\s][ \t]+==")
SETEXT = re.compile(r"^[ ]{0,3}=+[ \t]*$")
OPENING_TAG = re.compile(r"[ ]{0,3}<([A-Za-z][\w-]*)")
ANKI_CLOZE = re.compile(r"\{\{c\d+::", re.IGNORECASE)
MARKDOWN_INFO = frozenset(("markdown", "md", "mdown", "text", "txt", "plain", "plaintext"))
CONSTRUCT_HEADING = re.compile(
    r"^(?:key facts|common confusions|summary)(?:\s*:.*)?$|^(?:analogy|occlusion)\s*:", re.I
)


class Place:
    """Line and column of an offset in the text of some lines joined by `\\n`."""

    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = lines
        self.starts: list[int] = []
        offset = 0
        for line in lines:
            self.starts.append(offset)
            offset += len(line.text) + 1

    def of(self, offset: int) -> tuple[int, int]:
        index = max(bisect_right(self.starts, offset) - 1, 0)
        return self.lines[index].number, offset - self.starts[index] + 1


def check(
    path: str,
    lines: Sequence[Line],
    diags: Diagnostics,
    *,
    labels: Mapping[str, str],
) -> None:
    """Every slip of one lesson (`lines`: the lesson without its front matter)."""
    text = "\n".join(line.text for line in lines)
    place = Place(lines)
    check_fences(path, text, place, diags)
    check_marks(path, text, place, diags)
    check_headings(path, mark_fences(lines), diags, labels=labels)


def check_fences(path: str, text: str, place: Place, diags: Diagnostics) -> None:
    blocks = fenced_blocks(text)
    for offset in stray_fences(text, blocks):
        line, column = place.of(offset)
        end = text.find("\n", offset)
        written = text[offset : end if end >= 0 else len(text)]
        match = FENCE.match(written)
        info = match["info"] if match else ""
        if len(info.split()) > 1 and not info.startswith("{"):
            diags.error(
                path,
                line,
                f"'{written.strip()}' is no code fence: only one word (the language) may follow "
                f"the {match['fence'] if match else '```'}; the line is shown as text",
                code="fence-info",
                column=column,
            )
            continue
        diags.error(
            path,
            line,
            "code fence is never closed (a closing fence is the same backticks or tildes on a "
            "line of their own): it is shown as text, and on GitHub the rest of the file as code",
            code="fence-unclosed",
            column=column,
        )
    for start, end in blocks:
        block = FENCED_BLOCK.match(text, start)
        info = (block["lang"] or "").lower() if block else ""
        fence = block["fence"] if block else "```"
        inner = text[start:end].split("\n")[1:-1]
        first, _ = place.of(start)
        for index, code in enumerate(inner, start=1):
            opener = FENCE.match(code)
            # A shorter fence, or one of the other character, is code nested on purpose.
            opener = opener if opener and same_or_longer(opener["fence"], fence) else None
            heading = parse_heading(Line(0, code))
            if (opener and opener["info"]) or (
                heading and heading.level <= 3 and info and info not in MARKDOWN_INFO
            ):
                what = "opens a code block" if opener else "is a heading"
                diags.warning(
                    path,
                    first,
                    f"the code block opened here holds line {first + index}, which {what}: "
                    "is its closing fence missing before that line? (everything up to the next "
                    "closing fence is code, cards included)",
                    code="fence-swallows",
                    column=1,
                )
                break


def same_or_longer(inner: str, outer: str) -> bool:
    return inner[0] == outer[0] and len(inner) >= len(outer)


def literal_and_escaped(text: str) -> list[tuple[int, int]]:
    return deletions.literal_ranges(text) + deletions.escapes(text)


def check_marks(path: str, text: str, place: Place, diags: Diagnostics) -> None:
    if "==" not in text and "{{" not in text:
        return
    literal = literal_and_escaped(text)
    masked = deletions.mask(text, literal)
    marks = [match.span() for match in deletions.MARK.finditer(masked)]
    covered = Ranges(marks)
    reported: set[int] = set()
    for match in DOUBLE_EQUALS.finditer(masked):
        at = match.start()
        if covered.end_of(at) is not None or covered.end_of(at + 1) is not None:
            continue
        line, column = place.of(at)
        if line in reported or SETEXT.match(place.lines[line_index(place, at)].text):
            continue
        reported.add(line)
        spaced = SPACED_MARK.match(masked, at)
        if spaced:
            message = (
                f"'{text[at : spaced.end()]}' is no cloze deletion: the marks must touch the "
                "answer ('==answer=='); it is shown as written"
            )
        else:
            message = (
                "'==' opens or closes no cloze deletion (a deletion is '==answer==' on one line); "
                "it is shown as written — put a comparison such as 'a == b' in code"
            )
        diags.warning(path, line, message, code="cloze-mark-stray", column=column)
    for start, _ in marks:
        line_at = line_index(place, start)
        heading = parse_heading(place.lines[line_at])
        if heading is not None:
            line, column = place.of(start)
            diags.warning(
                path,
                line,
                "a deletion in a heading makes no cloze note (headings are titles and "
                "questions): put the sentence in a paragraph under it",
                code="cloze-in-heading",
                column=column,
            )
    for match in ANKI_CLOZE.finditer(masked):
        line, column = place.of(match.start())
        diags.warning(
            path,
            line,
            f"Anki's own cloze syntax '{match[0]}…}}}}' is shown as written, never made a "
            "deletion: write '==answer==' (or '==c1::answer==' to number it)",
            code="anki-cloze-syntax",
            column=column,
        )


def line_index(place: Place, offset: int) -> int:
    return max(bisect_right(place.starts, offset) - 1, 0)


def hidden_deletions(path: str, lines: Sequence[Line], diags: Diagnostics) -> None:
    """`==…==` inside raw HTML in one text (a card or a paragraph of lesson text, as it is
    rendered): Markdown is not read there, so it is no deletion."""
    text = "\n".join(line.text for line in lines)
    if "==" not in text or "<" not in text:
        return
    literal = deletions.literal_ranges(text, html=False)
    blocks = html_blocks(deletions.mask(text, literal))
    if not blocks:
        return
    place = Place(lines)
    # A deletion in a comment is commented out, hidden on purpose: nothing to warn of.
    masked = deletions.mask(
        text, literal + inline_comments(text, literal) + deletions.escapes(text)
    )
    inside = Ranges(blocks)
    starts = {end: start for start, end in blocks}
    for match in deletions.MARK.finditer(masked):
        end = inside.end_of(match.start())
        if end is None or end not in starts:
            continue
        block = (starts[end], end)
        opening = OPENING_TAG.match(text, block[0])
        tag = opening[1].lower() if opening else ""
        if tag and not text[block[0] : block[1]].rstrip().lower().endswith(f"</{tag}>"):
            # What the renderer says of a card; lesson text with no deletion left is not
            # rendered at all, so it is said here.
            line, column = place.of(block[0])
            diags.error(
                path,
                line,
                f"raw HTML <{tag}> is never closed: close it with </{tag}> (Markdown after it "
                "is shown as written, and the card's own layout breaks)",
                code="html-unclosed",
                column=column,
            )
            return
        line, column = place.of(match.start())
        diags.warning(
            path,
            line,
            "a deletion inside raw HTML is shown as written: Markdown, and so '==…==', is not "
            "read inside an HTML block; write the sentence outside the HTML",
            code="cloze-in-html",
            column=column,
        )
        return


def check_headings(
    path: str, lines: Sequence[Line], diags: Diagnostics, *, labels: Mapping[str, str]
) -> None:
    """A `#`/`##` heading, or a deeper one outside any card, over what reads like a card: the
    card vanishes into lesson text. (The first `#` heading is the lesson's title.)"""
    headings = [(i, h) for i, line in enumerate(lines) if (h := parse_heading(line)) is not None]
    # For each heading and each depth 3–6: where the next heading at that depth or above is.
    following: dict[int, list[int]] = {
        limit: [len(lines)] * len(headings) for limit in (3, 4, 5, 6)
    }
    for limit, ends in following.items():
        nearest = len(lines)
        for position in range(len(headings) - 1, -1, -1):
            ends[position] = nearest
            if headings[position][1].level <= limit:
                nearest = headings[position][0]
    in_card, titled = False, False
    for position, (index, heading) in enumerate(headings):
        if heading.level <= 3:
            in_card = heading.level == 3
        if heading.level == 3 or (heading.level > 3 and in_card):
            continue
        if heading.level == 1 and not titled:
            titled = True
            continue
        end = following[max(heading.level, 3)][position]
        reason = card_like(lines[index], heading.text, lines[index + 1 : end], labels)
        if reason:
            hashes = "#" * heading.level
            diags.warning(
                path,
                heading.line,
                f"'{hashes} {heading.text}' {reason}, but under a '{hashes}' heading it is "
                "lesson text and makes no card: a card starts at '###'",
                code="heading-not-card",
                column=1,
            )


def card_like(line: Line, text: str, body: Sequence[Line], labels: Mapping[str, str]) -> str:
    """Why a heading and the lines under it read like a card, or ''."""
    if split_id(line.text)[1] is not None:
        return "has a note id"
    if CONSTRUCT_HEADING.match(text.strip()):
        return "names a kind of card"
    for _, start in paragraphs_start(body):
        match = LABEL.match(start.text)
        if match and normalise_label(match["label"]) in labels:
            return f"has a '**{match['label'].strip()}:**' field"
    # `body` ends at the next `###` or higher heading, so it never holds a card.
    has_text = any(b.text.strip() and parse_heading(b) is None for b in body)
    if text.rstrip().endswith("?") and has_text:
        return "asks a question and has its answer below"
    return ""
