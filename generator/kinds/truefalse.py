"""Balanced true/false cards from common confusions.

A list of misconceptions (`~~false claim~~ correction`) would make every card "False", and a
learner soon answers "False" without reading. So every other misconception of a list is asked the
other way round: its correction, when it is a statement that stands on its own, is the claim and
"True" is the answer; the misconception is named on the back. Which items flip depends on their
place in the list and on the card's id (for a one-item list), never on the text, so rewording an
item does not flip it, and adding an item at the end flips no other.
"""

from __future__ import annotations

import hashlib
import re

from generator.notes import Text

ABBREVIATIONS = ("Dr", "Mr", "Mrs", "Ms", "Prof", "St", "Jr", "Sr", "vs", "etc", "Fig", "No")
# A full stop ends a sentence unless it ends a title, a common abbreviation or an initial
# ("Dr. Knuth", "e.g. Python", "J. Smith"). Python's look-behinds have a fixed width: one each.
SENTENCE_END = re.compile(
    r"(?<=[.!?])"
    + "".join(rf"(?<!\b{word}\.)" for word in ABBREVIATIONS)
    + r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<![ (][A-Z]\.)(?<!^[A-Z]\.)"
    + r"\s+(?=[A-Z`*_$(\[])"
)
# A correction that starts like this answers the claim rather than stating a fact of its own.
NOT_A_STATEMENT = re.compile(
    r"^(?:no\b|not\b|nope\b|wrong\b|false\b|true\b|actually\b|in fact\b|it\b|this\b|that\b|"
    r"they\b|these\b|those\b|but\b|and\b|so\b|rather\b|instead\b|only\b|the opposite\b)",
    re.IGNORECASE,
)
MIN_WORDS = 4
# Code, lists, tables and the like make a correction that is no one-line claim.
BLOCK = re.compile(r"^\s*(?:```|~~~|[-*+] |\d+[.)] |\||>|!!!)", re.MULTILINE)


def flips(card_id: str, index: int) -> bool:
    """Whether item `index` of the list of card `card_id` is asked as its correction."""
    start = hashlib.sha256(f"true-false:{card_id}".encode()).digest()[0] % 2
    return (index + start) % 2 == 1


def statement(correction: Text) -> Text | None:
    """The first sentence of the correction when it can be read as a claim of its own."""
    text = " ".join(correction.markdown.split())
    if not text:
        return None
    first = SENTENCE_END.split(text, maxsplit=1)[0].strip()
    if (
        len(first.split()) < MIN_WORDS
        or not first.endswith(".")
        or NOT_A_STATEMENT.match(first)
        or BLOCK.search(correction.markdown)
    ):
        return None
    return Text(first, correction.line)


def explanation_after(correction: Text, claim: str) -> Text:
    """What the back of a flipped card explains: the rest of the correction, then the
    misconception it answers."""
    text = " ".join(correction.markdown.split())
    parts = SENTENCE_END.split(text, maxsplit=1)
    rest = parts[1] if len(parts) > 1 else ""
    mistake = f"A common confusion is the opposite: ~~{claim}~~"
    return Text("\n\n".join(part for part in (rest, mistake) if part), correction.line)
