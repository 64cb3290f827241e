"""What an option looks like, so that a generated wrong option can stand where the answer stands.

A wrong option is worth showing only when it could be the answer as far as its form goes: a number
for a number, code for code, a plural noun phrase for a plural noun phrase, of a similar length,
agreeing with the article in front of the blank. Otherwise the learner picks the answer by its
form, not by knowing it. Everything here reads plain text (HTML tags stripped), so Markdown,
emphasis and entities never make two equal texts look different.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from typing import Literal

TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
NUMBER = re.compile(
    r"^(?P<sign>[~≈<>≤≥±+−-]?)\s*(?P<digits>\d[\d,.\u202f\u00a0 ]*\d|\d)"
    r"\s*(?P<unit>%|[^\W\d_][\w/°·^²³µ-]{0,7})?$"
)
YEAR = re.compile(r"^(1[0-9]{3}|20[0-9]{2})$")
# Words that start with a vowel sound although their first letter says otherwise, and back.
VOWEL_WORD = re.compile(r"^(?:hour|honest|honou?r|heir|8|11|18|80)", re.I)
CONSONANT_WORD = re.compile(r"^(?:uni|use|usu|uro|uti|ura|eu|one|once)", re.I)
VOWEL_LETTERS = "AEFHILMNORSX"
ARTICLES = ("a", "an", "the")
# Nouns ending in "s" that are singular: "analysis", "bus", "class", "status", "process" ….
SINGULAR_S = re.compile(r"(?:ss|us|is|ous|ics|ys|as)$", re.I)

Kind = Literal["code", "math", "number", "percent", "year", "text"]


def plain(html: str) -> str:
    """What a reader sees of an HTML option: tags removed, entities decoded, spacing folded."""
    return " ".join(unescape(TAG.sub(" ", html)).split())


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(text.casefold()))


@dataclass(frozen=True, slots=True)
class Shape:
    """The form of an option."""

    kind: Kind
    """Code, math, a number (with its unit class), a year, or text."""
    text: str
    """Plain text."""
    words: int
    """Number of words."""
    unit: str = ""
    """For numbers: the unit written after it (`km/s`, `ms`), lower case."""
    plural: bool = False
    """Text whose head word (the last) looks plural."""
    article: str = ""
    """Text starting with `a`, `an` or `the`: that article."""
    gerund: bool = False
    """Text starting with an `-ing` word (`Learning general skills`)."""
    capital: bool = False
    """Text starting with a capital letter (a name, or the start of a sentence)."""

    @property
    def length(self) -> int:
        return len(self.text)


def shape_of(html: str, markdown: str = "") -> Shape:
    """The shape of an option from its HTML (and Markdown, which tells code and math apart)."""
    text = plain(html)
    source = markdown.strip()
    count = len(words(text))
    if source.startswith("`") and source.endswith("`") and source.count("`") % 2 == 0:
        return Shape("code", text, count)
    if re.fullmatch(r"\$[^$]+\$|\\\(.*\\\)|\\\[.*\\\]", source, re.DOTALL):
        return Shape("math", text, count)
    if html.strip().startswith("<code>") and html.strip().endswith("</code>"):
        return Shape("code", text, count)
    number = NUMBER.match(text)
    if number:
        unit = (number["unit"] or "").casefold()
        if YEAR.match(text):
            return Shape("year", text, 1)
        if unit == "%":
            return Shape("percent", text, 1, unit)
        return Shape("number", text, count, unit)
    tokens = words(text)
    first = tokens[0] if tokens else ""
    last = tokens[-1] if tokens else ""
    plural = len(last) > 3 and last.endswith("s") and not SINGULAR_S.search(last)
    return Shape(
        "text",
        text,
        count,
        plural=plural,
        article=first if first in ARTICLES and count > 1 else "",
        gerund=len(first) > 4 and first.endswith("ing") and count > 1,
        capital=text[:1].isupper(),
    )


@dataclass(frozen=True, slots=True)
class Slot:
    """Where the answer stands: what the card shows around it."""

    shown: str
    """Plain text the question side shows (the sentence with the blank, or the question)."""
    before: str = ""
    """The word right before the blank, lower case ('' when the blank starts a sentence)."""
    starts_sentence: bool = True
    """The blank is the first thing of a sentence."""


def slot_of(shown_html: str, blank_marker: str = "") -> Slot:
    """The slot of a card from the HTML of its question side; `blank_marker` is where the
    blank is, for a cloze sentence."""
    if blank_marker and blank_marker in shown_html:
        head, _, tail = shown_html.partition(blank_marker)
        tail = tail.split(">", 1)[1] if ">" in tail else tail
        tail = re.sub(r"^[^<]*</span>", "", tail, count=1)
        before_text = plain(head)
        shown = f"{before_text} … {plain(tail)}"
        previous = words(before_text[-40:])
        starts = not before_text or before_text.rstrip()[-1:] in ".:!?—–•"
        return Slot(shown, previous[-1] if previous else "", starts)
    return Slot(plain(shown_html))


def too_different(answer: Shape, option: Shape) -> bool:
    """Lengths so far apart that the odd one out gives itself away."""
    if answer.kind != "text":
        return False
    short, long = sorted((max(answer.length, 1), max(option.length, 1)))
    if long / short > 2.5 and long - short > 6:
        return True
    return abs(answer.words - option.words) > max(1, answer.words // 2)


def compatible(answer: Shape, option: Shape, slot: Slot) -> bool:
    """Whether `option` could stand in the answer's place by its form."""
    if answer.kind != option.kind:
        return False
    if answer.kind in ("number", "percent"):
        return same_unit(answer.unit, option.unit)
    if answer.kind != "text":
        return True
    if too_different(answer, option):
        return False
    if answer.plural != option.plural and answer.words <= 4 and not answer.gerund:
        return False
    if bool(answer.article) != bool(option.article):
        return False
    if answer.gerund != option.gerund:
        return False
    if answer.capital != option.capital:
        return False
    return not (slot.before in ("a", "an") and (slot.before == "an") != vowel_sound(option.text))


def same_unit(one: str, other: str) -> bool:
    """A unit that differs tells the answer apart, except a rate against a rate (`km/s`, `m/s`);
    no unit must stay no unit."""
    if one == other:
        return True
    return "/" in one and "/" in other and one.rsplit("/", 1)[1] == other.rsplit("/", 1)[1]


def vowel_sound(text: str) -> bool:
    """Whether `text` is said starting with a vowel sound, for `a` versus `an`."""
    first = (WORD.findall(text) or [""])[0]
    if not first:
        return False
    if first.isupper() and len(first) > 1 and not VOWEL_WORD.match(first):
        return first[0] in VOWEL_LETTERS  # an acronym is spelt out: "an SQL query"
    if VOWEL_WORD.match(first):
        return True
    if CONSONANT_WORD.match(first):
        return False
    return first[0].lower() in "aeiou"


def shown_in(option: Shape, slot: Slot, answer: Shape) -> bool:
    """The option is text the card already shows, or it overlaps the answer word for word (one
    contains the other): either way the learner learns nothing from rejecting it."""
    mine = words(option.text)
    if not mine:
        return True
    if contains(words(slot.shown), mine):
        return True
    theirs = words(answer.text)
    return contains(theirs, mine) or contains(mine, theirs)


def contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    """`needle` occurs in `haystack` as a run of whole words."""
    if not needle or len(needle) > len(haystack):
        return False
    width = len(needle)
    return any(haystack[i : i + width] == needle for i in range(len(haystack) - width + 1))


NO_SHAPE = Shape("text", "", 0)
"""The shape of an empty text."""
NO_SLOT = Slot("")
"""A card that shows nothing around its answer."""
