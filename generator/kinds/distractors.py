"""Options for generated multiple-choice cards.

Wrong options come from the author's own list when there is one; otherwise from answers of the
same kind: first the card's own block (the other terms, the other mappings), then the same lesson,
then the same deck. The draw and the order are seeded by the note id, so the same sources always
give the same options in the same order, and the answer lands in any position.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from generator.diagnostics import Diagnostics
from generator.kinds.cloze import Variant


def normalise(text: str) -> str:
    return " ".join(text.casefold().replace("*", "").replace("`", "").split())


@dataclass(frozen=True, slots=True)
class Choice:
    """The options picked for one variant."""

    variant: Variant
    """The card they are for."""
    options: tuple[str, ...]
    """In display order."""
    correct: int
    """Index of the answer."""


@dataclass(frozen=True, slots=True)
class Pools:
    """Every answer of the build, by kind, per lesson and per deck."""

    by_lesson: dict[tuple[str, str], tuple[str, ...]]
    """(pool, lesson) → answers in source order."""
    by_deck: dict[tuple[str, str], tuple[str, ...]]
    """(pool, deck) → answers in source order."""

    @classmethod
    def of(cls, variants: Sequence[Variant]) -> Pools:
        lessons: dict[tuple[str, str], list[str]] = defaultdict(list)
        decks: dict[tuple[str, str], list[str]] = defaultdict(list)
        for variant in variants:
            for answer in (variant.answer, *variant.siblings):
                lessons[(variant.pool, variant.lesson)].append(answer)
                decks[(variant.pool, variant.meta.deck)].append(answer)
        return cls(
            {key: tuple(dict.fromkeys(value)) for key, value in lessons.items()},
            {key: tuple(dict.fromkeys(value)) for key, value in decks.items()},
        )


def pick(variant: Variant, pools: Pools, count: int, diags: Diagnostics) -> Choice | None:
    """`count` options: the answer and count - 1 distinct distractors, or fewer with a warning."""
    rng = random.Random(hashlib.sha256(variant.meta.id.encode()).digest())
    answer_key = normalise(variant.answer)
    seen = {answer_key}
    chosen: list[str] = []
    if variant.distractors:
        tiers: list[Sequence[str]] = [variant.distractors]
    else:
        tiers = [
            variant.siblings,
            pools.by_lesson.get((variant.pool, variant.lesson), ()),
            pools.by_deck.get((variant.pool, variant.meta.deck), ()),
        ]
    for tier in tiers:
        candidates: list[str] = []
        for text in tier:
            key = normalise(text)
            if key not in seen and key not in {normalise(c) for c in candidates}:
                candidates.append(text)
        take = min(count - 1 - len(chosen), len(candidates))
        picked = rng.sample(candidates, take) if take > 0 else []
        chosen.extend(picked)
        seen.update(normalise(text) for text in picked)
        if len(chosen) >= count - 1:
            break
    where = (variant.meta.path, variant.meta.line)
    if not chosen:
        diags.warning(
            *where,
            f"no multiple-choice card for '{variant.meta.id}': no other answer of its kind in "
            "the lesson or deck to use as a distractor (write some with '==answer || a | b==')",
        )
        return None
    if len(chosen) < count - 1:
        diags.warning(
            *where,
            f"multiple-choice card '{variant.meta.id}' has only {len(chosen) + 1} options "
            f"instead of {count}: too few other answers of its kind in the lesson or deck",
        )
    options = [variant.answer, *chosen]
    rng.shuffle(options)
    return Choice(variant, tuple(options), options.index(variant.answer))


def choose_all(variants: Sequence[Variant], diags: Diagnostics) -> list[Choice | None]:
    pools = Pools.of(variants)
    return [pick(variant, pools, variant.count, diags) for variant in variants]
