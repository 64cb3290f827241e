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
from generator.kinds.variants import Candidate, Pool, RenderedVariant


@dataclass(frozen=True, slots=True)
class Choice:
    """The options picked for one variant."""

    variant: RenderedVariant
    """The card they are for."""
    options: tuple[Candidate, ...]
    """In display order."""
    correct: int
    """Index of the answer."""


@dataclass(frozen=True, slots=True)
class Pools:
    """Every answer of the build, by kind, per lesson and per deck."""

    by_lesson: dict[tuple[Pool, str], tuple[Candidate, ...]]
    """(pool, lesson) → answers in source order."""
    by_deck: dict[tuple[Pool, str], tuple[Candidate, ...]]
    """(pool, deck) → answers in source order."""

    @classmethod
    def of(cls, variants: Sequence[RenderedVariant]) -> Pools:
        lessons: dict[tuple[Pool, str], dict[str, Candidate]] = defaultdict(dict)
        decks: dict[tuple[Pool, str], dict[str, Candidate]] = defaultdict(dict)
        for variant in variants:
            for answer in (variant.answer, *variant.siblings):
                lessons[(variant.pool, variant.lesson)].setdefault(answer.text, answer)
                decks[(variant.pool, variant.meta.deck)].setdefault(answer.text, answer)
        return cls(
            {key: tuple(value.values()) for key, value in lessons.items()},
            {key: tuple(value.values()) for key, value in decks.items()},
        )


def pick(variant: RenderedVariant, pools: Pools, count: int, diags: Diagnostics) -> Choice | None:
    """`count` options: the answer and count - 1 distinct distractors, or fewer with a warning."""
    rng = random.Random(hashlib.sha256(variant.meta.id.encode()).digest())
    seen = {variant.answer.key}
    chosen: list[Candidate] = []
    if variant.distractors:
        tiers: list[Sequence[Candidate]] = [variant.distractors]
    else:
        tiers = [
            variant.siblings,
            pools.by_lesson.get((variant.pool, variant.lesson), ()),
            pools.by_deck.get((variant.pool, variant.meta.deck), ()),
        ]
    for tier in tiers:
        candidates: list[Candidate] = []
        keys: set[str] = set()
        for option in tier:
            if option.key not in seen and option.key not in keys:
                candidates.append(option)
                keys.add(option.key)
        take = min(count - 1 - len(chosen), len(candidates))
        picked = rng.sample(candidates, take) if take > 0 else []
        chosen.extend(picked)
        seen.update(option.key for option in picked)
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


def choose_all(variants: Sequence[RenderedVariant], diags: Diagnostics) -> list[Choice | None]:
    pools = Pools.of(variants)
    return [pick(variant, pools, variant.count, diags) for variant in variants]
