"""Card-quality rules, from the minimum-information principle and item-writing research (SuperMemo's
twenty rules of formulating knowledge; Haladyna, Downing and Rodriguez's multiple-choice
item-writing guidelines). Each rule has a code, a one-line why and a check; docs/lint.md shows a
bad and a good example of each.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from generator.lint.facts import Fact, list_items, plain

LONG_ANSWER_WORDS = 40
SENTENCES = 3
ENUMERATION_ITEMS = 4
STANDS_OUT_RATIO = 1.3
STANDS_OUT_CHARS = 10
OVERLAP = 0.75

WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
SENTENCE_END = re.compile(r"[.!?](?:\s+|$)")
ABOVE = re.compile(
    r"\b(?:all|none|both|neither) of (?:the )?(?:above|these|them|the options)\b|"
    r"\bboth [a-d] and [a-d]\b",
    re.IGNORECASE,
)
NEGATIVE = re.compile(
    r"(?<![\w*_])(not|never|no|except|least|incorrect|false|cannot|can't|isn't|aren't|doesn't|"
    r"don't|won't|wasn't|weren't|shouldn't|unlike)(?![\w*_])",
    re.IGNORECASE,
)
LITERAL = re.compile(r"[`$]|\\\(|\\\[")
CODE_SPAN = re.compile(r"(`+)[^`].*?\1")
EMPHASIS = re.compile(r"(\*\*|__|\*|_)([^*_]+?)\1")
LIST_QUESTION = re.compile(
    r"^\s*(?:list|name (?:all|the \w+)|enumerate|what are (?:the )?(?:\w+ )?(?:\d+|two|three|"
    r"four|five|six|seven|eight|nine|ten))\b",
    re.IGNORECASE,
)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "he",
        "she",
        "they",
        "we",
        "you",
        "i",
        "his",
        "her",
        "their",
        "our",
        "your",
        "my",
        "me",
        "him",
        "them",
        "us",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "not",
        "no",
        "so",
        "if",
        "then",
        "than",
        "too",
        "very",
        "can",
        "will",
        "would",
        "should",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "into",
        "onto",
        "over",
        "under",
        "up",
        "down",
        "out",
        "about",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "each",
        "some",
        "such",
        "own",
        "same",
        "other",
        "more",
        "most",
        "only",
        "just",
        "also",
    ]
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule broken by one note."""

    code: str
    """The rule's code."""
    path: str
    """Lesson file."""
    line: int
    """Line of the problem."""
    message: str
    """What is wrong here, and the way to fix it."""


@dataclass(frozen=True, slots=True)
class Rule:
    """A card-quality rule."""

    code: str
    """Stable name, used in messages, in `lint_ignore` and in `<!-- lint-ignore: … -->`."""
    why: str
    """One line: why a card like this is worse for learning."""
    check: Callable[[Fact], Iterator[tuple[int, str]]] | None = None
    """(line, what is wrong) for each problem of one note; None for a course-wide rule."""


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(plain(text).casefold()))


def content(text: str) -> set[str]:
    return set(content_words(text))


def content_words(text: str) -> tuple[str, ...]:
    """The words that carry meaning, stemmed, in order."""
    return tuple(stem(word) for word in words(text) if word not in STOPWORDS)


def stem(word: str) -> str:
    """A crude plural stem, so that "model" and "models" count as one word."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# --------------------------------------------------------------------------------------------
# One note at a time
# --------------------------------------------------------------------------------------------


def long_answer(fact: Fact) -> Iterator[tuple[int, str]]:
    if fact.construct not in ("reveal", "two-way", "type-in", "key-fact"):
        return
    count = len(words(fact.answer))
    if count > LONG_ANSWER_WORDS:
        yield (
            fact.line,
            (
                f"the answer has {count} words: keep it to what must be recalled and move the rest "
                "to '**Explanation:**', or split the card"
            ),
        )


def several_facts(fact: Fact) -> Iterator[tuple[int, str]]:
    if fact.construct not in ("reveal", "two-way", "key-fact"):
        return
    prose = plain(fact.answer)
    sentences = len([part for part in SENTENCE_END.split(prose) if len(part.split()) >= 3])
    if sentences >= SENTENCES:
        yield (
            fact.line,
            (
                f"the answer states {sentences} sentences: give each fact its own card (or a cloze "
                "per fact), keeping one thing to recall per card"
            ),
        )


def enumeration(fact: Fact) -> Iterator[tuple[int, str]]:
    if fact.construct not in ("reveal", "two-way"):
        return
    items = list_items(fact.answer)
    if items >= ENUMERATION_ITEMS:
        yield (
            fact.line,
            (
                f"the answer is a list of {items} items: a set is hard to recall whole; make "
                "a cloze per item, or an ordered list with a card per step"
            ),
        )
    elif LIST_QUESTION.match(plain(fact.question)):
        yield (
            fact.line,
            (
                "the question asks for an enumeration: ask for one member at a time, or a "
                "cloze per item"
            ),
        )


def above(fact: Fact) -> Iterator[tuple[int, str]]:
    for text, _ in fact.options:
        if ABOVE.search(plain(text)):
            yield (
                fact.option_line or fact.line,
                (
                    f"option '{plain(text)}': 'all/none of the above' is answered by spotting two "
                    "true or one false option, not by knowing the answer; write a plausible option "
                    "instead"
                ),
            )


def negative_stem(fact: Fact) -> Iterator[tuple[int, str]]:
    if not fact.question:
        return
    question = CODE_SPAN.sub(" ", fact.question)
    emphasised = {m[2].strip().casefold() for m in EMPHASIS.finditer(question)}
    bare = EMPHASIS.sub(" ", question)
    for match in NEGATIVE.finditer(bare):
        word = match[1]
        if (word.isupper() and len(word) > 1) or word.casefold() in emphasised:
            continue
        yield (
            fact.line,
            (
                f"the question turns on '{word}' without emphasis: a negative is easily read past; "
                f"ask it positively, or write it in bold (**{word.upper()}**)"
            ),
        )
        return


def overlapping_options(fact: Fact) -> Iterator[tuple[int, str]]:
    texts = [(text, content(text)) for text, _ in fact.options]
    if {plain(text).casefold() for text, _ in texts} <= {"true", "false"}:
        return
    for index, (one, mine) in enumerate(texts):
        for other, theirs in texts[index + 1 :]:
            if len(mine) < 2 or len(theirs) < 2:
                continue
            same = len(mine & theirs) / len(mine | theirs)
            if same >= OVERLAP or mine <= theirs or theirs <= mine:
                yield (
                    fact.option_line or fact.line,
                    (
                        f"options '{plain(one)}' and '{plain(other)}' say nearly the same: a "
                        "learner can rule both out (or in) together; make every option distinct"
                    ),
                )
                return


def correct_stands_out(fact: Fact) -> Iterator[tuple[int, str]]:
    right = [plain(text) for text, correct in fact.options if correct]
    wrong = [plain(text) for text, correct in fact.options if not correct]
    if len(right) != 1 or len(wrong) < 2:
        return
    answer, longest = len(right[0]), max(len(text) for text in wrong)
    if answer >= STANDS_OUT_RATIO * longest and answer - longest >= STANDS_OUT_CHARS:
        yield (
            fact.option_line or fact.line,
            (
                f"the correct option ({answer} characters) is much longer than every other (at "
                f"most {longest}): test-wise learners pick the longest; make the options alike in "
                "length"
            ),
        )


def trivial_cloze(fact: Fact) -> Iterator[tuple[int, str]]:
    for answer, line in fact.deletions:
        if LITERAL.search(answer):
            continue  # code and math are content however short
        text = plain(answer).casefold()
        if text in STOPWORDS or (len(text) <= 2 and text.isalpha()):
            yield (
                line,
                (
                    f"the deletion '{plain(answer)}' hides a word that carries no knowledge: hide "
                    "the term or fact the sentence teaches"
                ),
            )


# --------------------------------------------------------------------------------------------
# The whole course
# --------------------------------------------------------------------------------------------


def asked(fact: Fact) -> str:
    return fact.question or fact.sentence


Asked = tuple[bytes, bytes | None] | None
"""What a note asks, to compare it with the others: a digest of its words, and one of its
content words in order when there are at least three (fewer say too little to call two questions
the same); None for a note whose question is generated. Digests, not the words: a build keeps
one per note of the course in its cache and reads them all back after every edit."""


class Asking(NamedTuple):
    """A note as the rule comparing notes across the course sees it (made in its lesson's
    worker, so that the course-wide comparison is a few dictionary lookups per note). A named
    tuple: a course has one per note, and a build keeps them in its cache."""

    id: str
    """Note id."""
    path: str
    """Lesson file, as reported."""
    line: int
    """Line where the note starts."""
    asked: Asked
    """What it asks."""
    silenced: bool
    """The rule is silenced for this note."""


def asked_key(fact: Fact) -> Asked:
    text = asked(fact)
    if not text:
        return None
    # The content words in order: "Does A cause B?" and "Does B cause A?" differ.
    loose = content_words(text)
    return words_digest(words(text)), words_digest(loose) if len(loose) >= 3 else None


def words_digest(found: tuple[str, ...]) -> bytes:
    """Equal for equal sequences of words (no word holds a space)."""
    return hashlib.blake2b(" ".join(found).encode(), digest_size=16).digest()


def asking(fact: Fact) -> Asking:
    silenced = fact.silenced(DUPLICATE)
    return Asking(fact.id, fact.path, fact.line, asked_key(fact), silenced)


def duplicates(askings: Sequence[Asking]) -> Iterator[tuple[Asking, str]]:
    """Notes asking what an earlier note of the course asks: the same words, or the same content
    words in the same order in another form ("the goal of pre-training a model" and "the goal
    that pre-training of models has")."""
    seen: dict[object, Asking] = {}
    for note in askings:
        if note.asked is None:
            continue
        exact, loose = note.asked
        found: list[object] = [("exact", exact)]
        if loose is not None:
            found.append(("content", loose))
        first = next((seen[item] for item in found if item in seen), None)
        if first is not None and first.id != note.id:
            yield (
                note,
                (
                    f"asks what '{first.id}' asks ({first.path}:{first.line}): two cards on one "
                    "fact interfere and are reviewed twice; merge them or make each ask something "
                    "else"
                ),
            )
            continue
        for item in found:
            seen.setdefault(item, note)


RULES: tuple[Rule, ...] = (
    Rule(
        "lint-long-answer",
        "a long answer is remembered as a vague gist; recall works on small pieces",
        long_answer,
    ),
    Rule(
        "lint-several-facts",
        "several facts in one answer are recalled unevenly and graded as one",
        several_facts,
    ),
    Rule(
        "lint-enumeration",
        "sets and enumerations are hard to recall whole; ask for one member at a time",
        enumeration,
    ),
    Rule(
        "lint-all-none-of-the-above",
        "'all/none of the above' tests spotting, not knowing",
        above,
    ),
    Rule(
        "lint-negative-stem",
        "a negative in the question is easily read past",
        negative_stem,
    ),
    Rule(
        "lint-overlapping-options",
        "options with the same meaning are ruled out together",
        overlapping_options,
    ),
    Rule(
        "lint-correct-stands-out",
        "a correct option that looks different (longer) is picked without knowing",
        correct_stands_out,
    ),
    Rule(
        "lint-duplicate-question",
        "two cards asking one thing interfere and double the reviews",
    ),
    Rule(
        "lint-trivial-cloze",
        "a cloze on a trivial word trains grammar, not the subject",
        trivial_cloze,
    ),
)
CODES = frozenset(rule.code for rule in RULES)


DUPLICATE = "lint-duplicate-question"


def run(facts: Sequence[Fact]) -> list[Finding]:
    """Every finding of every rule on `facts`, silenced ones left out, in rule order per note."""
    return [*fact_findings(facts), *duplicate_findings([asking(fact) for fact in facts])]


def fact_findings(facts: Sequence[Fact]) -> list[Finding]:
    """The findings of the rules that look at one note at a time (a lesson's worker runs them)."""
    findings = []
    for fact in facts:
        for rule in RULES:
            if rule.check is None:
                continue
            for line, message in rule.check(fact):
                if not fact.silenced(rule.code, line):
                    findings.append(Finding(rule.code, fact.path, line, message))
    return findings


def duplicate_findings(askings: Sequence[Asking]) -> list[Finding]:
    """The findings of the rule that compares notes across the course."""
    return [
        Finding(DUPLICATE, note.path, note.line, message)
        for note, message in duplicates(askings)
        if not note.silenced
    ]
