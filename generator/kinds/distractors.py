"""Options for generated multiple-choice cards.

Wrong options come from the author's own list when there is one; otherwise from other answers of
the course that could stand where the answer stands (generator.kinds.shapes: the same kind —
number, code, text —, a similar length, the same grammatical shape) and that the card does not
already show: first the card's own block (the other terms, the other mappings), then the same
lesson (answers of the same kind, then any answer), then the same deck.

- **Not guessable.** The answer's position is spread evenly over the positions within each lesson,
  and its rank by length among the options is drawn uniformly: it is the longest option about
  once in n, not every time.
- **Stable.** The draw is seeded by the note id. Options a card showed in an earlier build (the
  state file records them) stay, in their places, while they remain valid; only an option that
  became invalid is replaced. So an edit in one lesson does not redraw another lesson's cards.
- **Quiet.** A card with too few good options gets fewer (never fewer than two). The build says so
  once, when the card first has that number of options, not on every build.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from generator.diagnostics import Diagnostics
from generator.kinds.shapes import compatible, shown_in
from generator.kinds.variants import Candidate, Pool, RenderedVariant
from generator.source.noteids import id_key


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
class Shown:
    """What a card showed in the previous build, as the state file recorded it."""

    options: tuple[str, ...]
    """Markdown of its wrong options, in display order."""
    answer_at: int
    """Position of the answer."""


@dataclass(frozen=True, slots=True)
class History:
    """What the previous build knew: the options each generated card showed, and which notes
    existed (a card that gets no options is reported only when its note is new)."""

    shown: Mapping[str, Shown]
    """Note id (compared without case, `id_key`) → options it showed."""
    notes: AbstractSet[str] = frozenset()
    """Ids (`id_key`) of every note of the previous build."""


NO_HISTORY = History({})
FACTS: tuple[Pool, ...] = ("cloze", "key-fact")
"""Pools whose answers are facts of the lesson, usable for each other."""

Fallback = Callable[[RenderedVariant, str], Candidate | None]
"""Renders a previously shown option that no lesson offers any more, in the card's lesson."""


@dataclass(frozen=True, slots=True)
class Pools:
    """Every answer of the build, by kind, per lesson and per deck."""

    by_lesson: Mapping[tuple[Pool, str], tuple[Candidate, ...]]
    """(pool, lesson) → answers in source order."""
    by_deck: Mapping[tuple[Pool, str], tuple[Candidate, ...]]
    """(pool, deck) → answers in source order."""
    by_text: Mapping[str, Candidate]
    """Markdown → the first candidate with that text, for options recorded by earlier builds."""

    @classmethod
    def of(cls, variants: Sequence[RenderedVariant]) -> Pools:
        lessons: dict[tuple[Pool, str], dict[str, Candidate]] = defaultdict(dict)
        decks: dict[tuple[Pool, str], dict[str, Candidate]] = defaultdict(dict)
        texts: dict[str, Candidate] = {}
        for variant in variants:
            for answer in (variant.answer, *variant.siblings):
                lessons[(variant.pool, variant.lesson)].setdefault(answer.text, answer)
                decks[(variant.pool, variant.meta.deck)].setdefault(answer.text, answer)
                texts.setdefault(answer.text, answer)
            for option in variant.distractors:
                texts.setdefault(option.text, option)
        return cls(
            {key: tuple(value.values()) for key, value in lessons.items()},
            {key: tuple(value.values()) for key, value in decks.items()},
            texts,
        )


def good(variant: RenderedVariant, option: Candidate, *, authored: bool) -> bool:
    """An option worth showing: not the answer; for a generated one, of the answer's form and
    not something the card already shows."""
    if option.key == variant.answer.key or not option.key:
        return False
    if authored:
        return True
    answer = variant.answer.shape
    return compatible(answer, option.shape, variant.slot) and not shown_in(
        option.shape, variant.slot, answer
    )


def tiers(
    variant: RenderedVariant, pools: Pools, *, own_lesson: bool = False
) -> list[Sequence[Candidate]]:
    """Where wrong options come from, nearest first. Key-fact terms and cloze answers of one
    lesson stand in for each other; an analogy's analogues belong to the analogy's own world
    and are never mixed with the lesson's facts. `own_lesson` leaves the deck out."""
    if variant.distractors:
        return [variant.distractors]
    near: list[Sequence[Candidate]] = [
        variant.siblings,
        pools.by_lesson.get((variant.pool, variant.lesson), ()),
    ]
    if variant.pool in FACTS:
        near.extend(pools.by_lesson.get((pool, variant.lesson), ()) for pool in FACTS)
    if own_lesson:
        return near
    return [*near, pools.by_deck.get((variant.pool, variant.meta.deck), ())]


def kept(
    variant: RenderedVariant, shown: Shown | None, pools: Pools, fallback: Fallback | None
) -> list[Candidate | None]:
    """The previous build's options that are still valid, in their places (None where one no
    longer is), with the answer in its place."""
    if shown is None:
        return []
    authored = bool(variant.distractors)
    allowed = {option.key for option in variant.distractors}
    slots: list[Candidate | None] = []
    seen = {variant.answer.key}
    for text in shown.options:
        option = pools.by_text.get(text)
        if option is None and fallback is not None and not authored:
            option = fallback(variant, text)
        valid = (
            option is not None
            and option.key not in seen
            and good(variant, option, authored=authored)
            and (not authored or option.key in allowed)
        )
        if option is not None and valid:
            seen.add(option.key)
            slots.append(option)
        else:
            slots.append(None)
    at = min(max(shown.answer_at, 0), len(slots))
    slots.insert(at, variant.answer)
    return slots


def draw(
    variant: RenderedVariant,
    pools: Pools,
    rng: random.Random,
    wanted: int,
    taken: Sequence[Candidate],
    *,
    own_lesson: bool = False,
) -> list[Candidate]:
    """`wanted` new wrong options, tier by tier (a nearer tier is used up before a farther one),
    balanced by length around the answer where a tier offers a choice: the number of options
    longer than the answer is drawn uniformly, so the answer is the longest about once in n."""
    seen = {variant.answer.key, *(option.key for option in taken)}
    authored = bool(variant.distractors)
    length = variant.answer.shape.length
    total = len(taken) + wanted
    longer = rng.randrange(total + 1) - sum(o.shape.length > length for o in taken)
    shorter = wanted - max(longer, 0)
    chosen: list[Candidate] = []
    for tier in tiers(variant, pools, own_lesson=own_lesson):
        need = wanted - len(chosen)
        if need <= 0:
            break
        fresh: list[Candidate] = []
        keys: set[str] = set()
        for option in tier:
            fits = option.key not in seen and option.key not in keys
            if fits and good(variant, option, authored=authored):
                fresh.append(option)
                keys.add(option.key)
        rng.shuffle(fresh)
        if len(fresh) > need:
            # First what the balance asks for, then whatever is left, in drawn order.
            picked: list[Candidate] = []
            for option in fresh:
                is_longer = option.shape.length > length
                if len(picked) < need and (longer if is_longer else shorter) > 0:
                    picked.append(option)
                    longer, shorter = (longer - 1, shorter) if is_longer else (longer, shorter - 1)
            rest = [option for option in fresh if option not in picked]
            picked.extend(rest[: need - len(picked)])
            fresh = picked
        else:
            longer -= sum(option.shape.length > length for option in fresh)
            shorter -= sum(option.shape.length <= length for option in fresh)
        chosen.extend(fresh)
        seen.update(option.key for option in fresh)
    return chosen


def pick(
    variant: RenderedVariant,
    pools: Pools,
    count: int,
    diags: Diagnostics,
    *,
    history: History = NO_HISTORY,
    fallback: Fallback | None = None,
    place: int | None = None,
) -> Choice | None:
    """`count` options: the answer and count - 1 distinct wrong options, or fewer. A card new
    to the state file puts its answer at `place` (drawn when None)."""
    rng = random.Random(hashlib.sha256(variant.meta.id.encode()).digest())
    shown = history.shown.get(id_key(variant.meta.id))
    slots = kept(variant, shown, pools, fallback)
    held = [option for option in slots if option is not None and option is not variant.answer]
    # Trim to the count asked for, dropping from the end (a lowered `choice_options`).
    while len(held) > count - 1:
        dropped = held.pop()
        slots[slots.index(dropped)] = None
    # A card whose note was built before takes new options from its own lesson only: an edit
    # in another lesson never changes it (nor makes it appear).
    settled = shown is not None or id_key(variant.parent) in history.notes
    new = draw(variant, pools, rng, count - 1 - len(held), held, own_lesson=settled)
    options: list[Candidate | None]
    if slots:
        # The answer keeps its place; new options fill the places of invalid ones, then go last.
        options = []
        queue = list(new)
        for option in slots:
            if option is not None:
                options.append(option)
            elif queue:
                options.append(queue.pop(0))
        options.extend(queue)
    else:
        wrong: list[Candidate | None] = list(new)
        rng.shuffle(wrong)
        options = wrong
        at = rng.randrange(len(wrong) + 1) if place is None else min(place, len(wrong))
        options.insert(at, variant.answer)
    final = [option for option in options if option is not None]
    report(variant, len(final), count, shown=shown, history=history, diags=diags)
    if len(final) < 2:
        return None
    correct = next(index for index, option in enumerate(final) if option is variant.answer)
    return Choice(variant, tuple(final), correct)


def report(
    variant: RenderedVariant,
    found: int,
    count: int,
    *,
    shown: Shown | None,
    history: History,
    diags: Diagnostics,
) -> None:
    """Warn about a card with fewer options than asked for, once: when the card is new or its
    number of options changed, never again on later builds."""
    where = (variant.meta.path, variant.meta.line)
    how = (
        "write wrong options yourself after '||' (see docs/format.md, 'Generated options')"
        if not variant.distractors
        else "add wrong options to its '||' list"
    )
    if found < 2:
        if id_key(variant.parent) not in history.notes:
            diags.warning(
                *where,
                f"no multiple-choice card for '{variant.meta.id}': no other answer of the same "
                f"form (kind, length, grammar) in the lesson or deck to use as a distractor; {how}",
                code="choice-no-options",
            )
        return
    if found < count and (shown is None or len(shown.options) + 1 != found):
        diags.warning(
            *where,
            f"multiple-choice card '{variant.meta.id}' has only {found} options instead of "
            f"{count}: too few other answers of the same form (kind, length, grammar) in the "
            f"lesson or deck; {how}. Said once: later builds keep the card as it is.",
            code="choice-few-options",
        )


def places(variants: Sequence[RenderedVariant], history: History) -> dict[int, int]:
    """Where the answer goes on each card new to the state file: spread evenly over the
    positions within each lesson, counting the places its other cards already have, so that
    even a short lesson has its answers in every position. Cards are taken in the order of a
    hash of their id, so a card's place depends only on its own lesson."""
    by_lesson: dict[str, list[int]] = defaultdict(list)
    for index, variant in enumerate(variants):
        by_lesson[variant.lesson].append(index)
    result: dict[int, int] = {}
    for indexes in by_lesson.values():
        used: Counter[int] = Counter()
        fresh = []
        for index in indexes:
            shown = history.shown.get(id_key(variants[index].meta.id))
            if shown is None:
                fresh.append(index)
            else:
                used[shown.answer_at] += 1
        fresh.sort(key=lambda index: digest(variants[index]))
        for index in fresh:
            count = max(variants[index].count, 1)
            offset = digest(variants[index])[0]
            best = min(range(count), key=lambda at: (used[at], (at - offset) % count))
            result[index] = best
            used[best] += 1
    return result


def digest(variant: RenderedVariant) -> bytes:
    return hashlib.sha256(variant.meta.id.encode()).digest()


def choose_all(
    variants: Sequence[RenderedVariant],
    diags: Diagnostics,
    history: History = NO_HISTORY,
    fallback: Fallback | None = None,
    pools: Pools | None = None,
) -> list[Choice | None]:
    """Options for each of `variants` (whole lessons), drawn from `pools` (by default, the
    answers of `variants` themselves)."""
    pools = pools if pools is not None else Pools.of(variants)
    spread = places(variants, history)
    return [
        pick(
            variant,
            pools,
            variant.count,
            diags,
            history=history,
            fallback=fallback,
            place=spread.get(index),
        )
        for index, variant in enumerate(variants)
    ]
