"""Options of generated multiple-choice cards (`generator.distractors`).

Wrong options come from the author's own `|| a | b` list when there is one; otherwise from
answers of the same pool kind: the card's own block first (siblings), then the same lesson, then
the same deck. The draw and the order are seeded by the note id. With too few candidates the card
gets fewer options (never fewer than two) and a warning; with none, no card and a warning.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.config import BuildConfig
from generator.diagnostics import Diagnostics, Severity
from generator.kinds import REGISTRY
from generator.kinds.cloze import ClozeNote
from generator.kinds.distractors import NO_HISTORY, Choice, Pools, choose_all, pick, places
from generator.kinds.lesson import parse_lesson
from generator.kinds.reveal import RevealNote
from generator.kinds.variants import Candidate, Pool, RenderedVariant, Variant, normalise
from generator.notes import Defaults, Lesson, NoteMeta, Text
from generator.pipeline import build
from generator.render import MarkdownRenderer

ROOT = Path(__file__).resolve().parent.parent


def meta(note_id: str, deck: str = "Course::Topic", line: int = 1) -> NoteMeta:
    return NoteMeta(
        id=note_id,
        explicit_id=True,
        stamp=None,
        path="lessons/a.md",
        source="a.md",
        line=line,
        deck=deck,
        construct="cloze-choice",
        tags=(),
        badge="",
        context="",
    )


RENDERER = MarkdownRenderer()


def variant(
    note_id: str,
    answer: str,
    *,
    pool: Pool = "cloze",
    lesson: str = "a.md",
    deck: str = "Course::Topic",
    siblings: tuple[str, ...] = (),
    distractors: tuple[str, ...] = (),
    count: int = 4,
) -> RenderedVariant:
    return Variant(
        meta=meta(note_id, deck),
        answer=Text(answer),
        pool=pool,
        lesson=lesson,
        siblings=tuple(Text(text) for text in siblings),
        distractors=tuple(Text(text) for text in distractors),
        text=Text(f"It is =={answer}==."),
        group=1,
        count=count,
    ).render(RENDERER)


@dataclass(frozen=True)
class Picked:
    """A choice as the tests look at it: texts instead of rendered candidates."""

    answer: str
    count: int
    options: tuple[str, ...]
    correct: int


def seen(choice: Choice | None) -> Picked | None:
    if choice is None:
        return None
    options = tuple(option.text for option in choice.options)
    return Picked(choice.variant.answer.text, choice.variant.count, options, choice.correct)


def choose(variants: list[RenderedVariant]) -> tuple[list[Picked | None], Diagnostics]:
    diags = Diagnostics()
    return [seen(choice) for choice in choose_all(variants, diags)], diags


def wrong(choice: Picked | None) -> set[str]:
    assert choice is not None
    return {text for index, text in enumerate(choice.options) if index != choice.correct}


def check_choice(choice: Picked | None) -> Picked:
    """What holds for every choice: the answer at `correct`, once; options pairwise different."""
    assert choice is not None
    assert choice.options[choice.correct] == choice.answer
    keys = [normalise(text) for text in choice.options]
    assert len(set(keys)) == len(keys), choice.options
    assert 2 <= len(choice.options) <= choice.count
    return choice


# --------------------------------------------------------------------------------------------
# Where the wrong options come from
# --------------------------------------------------------------------------------------------


def test_explicit_list_wins() -> None:
    target = variant(
        "t",
        "photons",
        siblings=("s1", "s2", "s3"),
        distractors=("electrons", "protons", "neutrons"),
    )
    others = [variant(f"o{i}", f"lesson answer {i}") for i in range(5)]
    (choice, *_), diags = choose([target, *others])
    assert wrong(check_choice(choice)) == {"electrons", "protons", "neutrons"}
    assert diags.items == []


def test_explicit_list_is_the_only_source_even_when_short() -> None:
    target = variant("t", "photons", siblings=("s1", "s2", "s3"), distractors=("electrons",))
    (choice, *_), diags = choose([target, variant("o", "other")])
    assert wrong(check_choice(choice)) == {"electrons"}
    assert len(check_choice(choice).options) == 2
    assert [d.severity for d in diags.items] == [Severity.WARNING]
    assert "'t'" in diags.items[0].message


def test_siblings_come_first() -> None:
    target = variant("t", "Photon", pool="key-fact", siblings=("Wavelength", "Frequency", "Mass"))
    others = [variant(f"o{i}", f"lesson answer {i}", pool="key-fact") for i in range(6)]
    (choice, *_), diags = choose([target, *others])
    assert wrong(check_choice(choice)) == {"Wavelength", "Frequency", "Mass"}
    assert diags.items == []


def test_then_the_lesson_then_the_deck() -> None:
    target = variant("t", "answer", siblings=("sibling",))
    same_lesson = variant("l", "lessonword")
    same_deck = [variant(f"d{i}", f"deckword{i}", lesson="b.md") for i in range(4)]
    (choice, *_), diags = choose([target, same_lesson, *same_deck])
    chosen = wrong(check_choice(choice))
    assert len(chosen) == 3
    assert {"sibling", "lessonword"} <= chosen
    assert len(chosen & {f"deckword{i}" for i in range(4)}) == 1
    assert diags.items == []


def test_the_lesson_before_the_deck() -> None:
    target = variant("t", "answer")
    lesson = [variant(f"l{i}", f"lesson{i}") for i in range(3)]
    deck = [variant(f"d{i}", f"deck{i}", lesson="b.md") for i in range(5)]
    choices, diags = choose([target, *lesson, *deck])
    assert wrong(check_choice(choices[0])) == {"lesson0", "lesson1", "lesson2"}
    assert diags.items == []


def test_analogies_and_other_decks_are_never_used() -> None:
    target = variant("t", "answer", pool="cloze")
    analogies = [variant(f"a{i}", f"analogy{i}", pool="analogy") for i in range(3)]
    elsewhere = [
        variant(f"e{i}", f"otherdeck{i}", lesson="z.md", deck="Course::Other") for i in range(3)
    ]
    same = variant("s", "onlycloze", lesson="c.md")
    choices, diags = choose([target, *analogies, *elsewhere, same])
    assert wrong(check_choice(choices[0])) == {"onlycloze"}
    # The analogues draw from each other, never from the facts of the lesson.
    for choice in choices[1:4]:
        assert wrong(check_choice(choice)) <= {f"analogy{i}" for i in range(3)}
    for choice in choices[4:7]:
        assert wrong(check_choice(choice)) <= {f"otherdeck{i}" for i in range(3)}
    assert [d.severity for d in diags.items] == [Severity.WARNING] * len(diags.items)


def test_key_facts_and_clozes_of_a_lesson_stand_in_for_each_other() -> None:
    target = variant("t", "answer", pool="cloze")
    facts = [variant(f"k{i}", f"keyfact{i}", pool="key-fact") for i in range(3)]
    choices, diags = choose([target, *facts])
    assert wrong(check_choice(choices[0])) == {f"keyfact{i}" for i in range(3)}
    assert diags.items == []


def test_pools_group_answers_by_kind_lesson_and_deck() -> None:
    variants = [
        variant("a", "A", siblings=("B", "C")),
        variant("b", "B", siblings=("A", "C")),
        variant("x", "X", pool="analogy"),
        variant("y", "Y", lesson="b.md", deck="Course::Other"),
    ]
    pools = Pools.of(variants)

    def texts(candidates: tuple[Candidate, ...]) -> tuple[str, ...]:
        return tuple(candidate.text for candidate in candidates)

    assert texts(pools.by_lesson[("cloze", "a.md")]) == ("A", "B", "C")
    assert texts(pools.by_lesson[("analogy", "a.md")]) == ("X",)
    assert texts(pools.by_lesson[("cloze", "b.md")]) == ("Y",)
    assert texts(pools.by_deck[("cloze", "Course::Topic")]) == ("A", "B", "C")
    assert texts(pools.by_deck[("cloze", "Course::Other")]) == ("Y",)


# --------------------------------------------------------------------------------------------
# Never the answer twice, never two equal options
# --------------------------------------------------------------------------------------------


def test_no_distractor_equals_the_answer() -> None:
    target = variant(
        "t",
        "Paris",
        siblings=("paris", " PARIS ", "Paris\n", "\tpaRIS", "Lyon"),
    )
    (choice, *_), diags = choose([target])
    choice = check_choice(choice)
    assert wrong(choice) == {"Lyon"}
    assert [text.casefold().strip() for text in choice.options].count("paris") == 1
    assert [d.severity for d in diags.items] == [Severity.WARNING]


def test_no_explicit_distractor_equals_the_answer() -> None:
    target = variant("t", "Paris", distractors=("  paris", "PARIS", "Lyon", "Nice"))
    (choice, *_), _ = choose([target])
    assert wrong(check_choice(choice)) == {"Lyon", "Nice"}


@pytest.mark.parametrize("source", ["siblings", "distractors", "lesson"])
def test_no_two_equal_options(source: str) -> None:
    texts = ("Lyon", "lyon", " LYON ", "Nice", "nice", "Lille")
    if source == "lesson":
        variants = [variant("t", "Paris"), *(variant(f"o{i}", t) for i, t in enumerate(texts))]
    else:
        variants = [variant("t", "Paris", **{source: texts})]  # type: ignore[arg-type]
    (choice, *_), _ = choose(variants)
    choice = check_choice(choice)
    assert {normalise(text) for text in wrong(choice)} == {"lyon", "nice", "lille"}


# --------------------------------------------------------------------------------------------
# Determinism and the answer's position
# --------------------------------------------------------------------------------------------


def many_variants(count: int) -> list[RenderedVariant]:
    """`count` cards that all draw from one lesson pool of eight answers."""
    answers = [f"answer {i}" for i in range(8)]
    return [variant(f"note-{i}", answers[i % 8]) for i in range(count)]


def test_same_inputs_give_the_same_options_in_the_same_order() -> None:
    first, _ = choose(many_variants(50))
    second, _ = choose(many_variants(50))
    assert first == second
    variants = many_variants(50)
    pools = Pools.of(variants)
    spread = places(variants, NO_HISTORY)
    again = [
        seen(pick(v, pools, v.count, Diagnostics(), place=spread[i]))
        for i, v in enumerate(variants)
    ]
    assert again == first


DUMP = """
import json, sys
sys.path.insert(0, {root!r})
from tests.test_distractors import many_variants, choose
choices, _ = choose(many_variants(40))
print(json.dumps([[c.options, c.correct] for c in choices]))
"""


def test_options_are_the_same_in_another_process() -> None:
    """No dependence on string hashing or anything else that changes between runs."""
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", DUMP.format(root=str(ROOT))],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.append(json.loads(done.stdout))
    here, _ = choose(many_variants(40))
    assert outputs[0] == outputs[1] == [[list(c.options), c.correct] for c in here if c]


def test_the_answer_lands_in_every_position() -> None:
    choices, diags = choose(many_variants(200))
    assert diags.items == []
    positions = Counter(check_choice(choice).correct for choice in choices)
    assert sorted(positions) == [0, 1, 2, 3]
    # Roughly uniform: 50 expected in each of the four places.
    assert min(positions.values()) >= 25, positions


def test_the_distractors_vary_between_cards() -> None:
    choices, _ = choose(many_variants(200))
    sets = {
        frozenset(wrong(choice)) for choice in choices if choice and choice.answer == "answer 0"
    }
    assert len(sets) > 5


def test_explicit_distractors_are_shuffled_too() -> None:
    variants = [variant(f"n{i}", "right", distractors=("x", "y", "z")) for i in range(100)]
    choices, _ = choose(variants)
    assert {check_choice(choice).correct for choice in choices} == {0, 1, 2, 3}
    assert len({choice.options for choice in choices if choice}) > 6


# --------------------------------------------------------------------------------------------
# Fallbacks
# --------------------------------------------------------------------------------------------


def test_too_few_candidates_give_fewer_options_with_a_warning() -> None:
    target = variant("short-note", "answer", siblings=("one other",))
    (choice, *_), diags = choose([target])
    assert check_choice(choice).options in {("answer", "one other"), ("one other", "answer")}
    assert len(diags.items) == 1
    warning = diags.items[0]
    assert warning.severity is Severity.WARNING
    assert (warning.path, warning.line) == ("lessons/a.md", 1)
    assert "'short-note'" in warning.message
    assert "2 options instead of 4" in warning.message


def test_three_of_four() -> None:
    target = variant("three", "answer", siblings=("b", "c"))
    (choice, *_), diags = choose([target])
    assert len(check_choice(choice).options) == 3
    assert "'three'" in diags.items[0].message
    assert "3 options instead of 4" in diags.items[0].message


@pytest.mark.parametrize(
    "candidates",
    [(), ("answer",), ("ANSWER", " answer ")],
    ids=["none", "only-the-answer", "only-the-answer-in-other-case"],
)
def test_no_candidate_means_no_card_and_a_warning(candidates: tuple[str, ...]) -> None:
    target = variant("lonely", "answer", siblings=candidates)
    other_kind = variant("k", "analogue", pool="analogy", siblings=("another",))
    choices, diags = choose([target, other_kind])
    assert choices[0] is None
    check_choice(choices[1])
    messages = [d.message for d in diags.items if "'lonely'" in d.message]
    assert len(messages) == 1
    assert diags.items[0].severity is Severity.WARNING
    assert "no other answer of the same form" in messages[0]
    assert "distractor" in messages[0]


def test_the_option_count_is_honoured() -> None:
    siblings = tuple(f"s{i}" for i in range(10))
    for count in range(2, 9):
        (choice, *_), diags = choose([variant("t", "answer", siblings=siblings, count=count)])
        assert len(check_choice(choice).options) == count
        assert diags.items == []


def test_one_choice_per_variant_in_order() -> None:
    variants = [variant("a", "A", siblings=("B",)), variant("b", "B"), variant("c", "C")]
    diags = Diagnostics()
    choices = choose_all(variants, diags)
    assert [choice.variant if choice else None for choice in choices] == variants


# --------------------------------------------------------------------------------------------
# Front matter, through parse_lesson and build
# --------------------------------------------------------------------------------------------

LESSON_BODY = """\
# Waves

## Text

Light is made of ==photons || electrons | neutrinos | phonons== and sound of
==pressure waves || radio waves | light rays | gamma rays==.

### Key facts

Photon
:   A quantum of light.

Wavelength
:   The distance between two crests.

Frequency
:   Crests passing a point each second.

Amplitude
:   The height of a crest.

### Analogy: How is a wave like a stadium crowd?

- Wave → People standing up in turn
- Medium → People sitting in their rows
- Crest → People standing at one moment
- Trough → People sitting at one moment

### Summary

- Light travels at ==300,000 km/s==.
- Sound travels at ==343 m/s== in ==air || water | steel | glass==.
- Sound travels at ==1,480 m/s== in water.
- Sound travels at ==5,960 m/s== in steel.
"""


def lesson(front_matter: str = "") -> tuple[Lesson, str]:
    text = f"---\n{front_matter}---\n\n{LESSON_BODY}" if front_matter else LESSON_BODY
    record = Lesson(path="lessons/waves.md", rel="waves.md", deck="Course", defaults=Defaults())
    return record, text


def test_defaults_without_front_matter() -> None:
    parsed = parse_lesson(*lesson(), REGISTRY)
    assert [d.format() for d in parsed.diagnostics] == []
    counts = Counter(type(note).__name__ for note in parsed.notes)
    # 4 key facts × (reveal + cloze) + analogy + 4 mapping cards + summary; clozes: 1 prose,
    # 4 key facts, 4 summary points.
    assert counts == {"RevealNote": 10, "ClozeNote": 9}
    kinds = Counter(v.pool for v in parsed.variants)
    # Prose: 2 groups, key facts: 4, summary: 5 groups; analogy: 4 mappings.
    assert kinds == {"cloze": 7, "key-fact": 4, "analogy": 4}
    assert {v.count for v in parsed.variants} == {4}


def test_choice_options_front_matter() -> None:
    parsed = parse_lesson(*lesson("choice_options: 3\n"), REGISTRY)
    assert [d.format() for d in parsed.diagnostics] == []
    assert len(parsed.variants) == 15
    assert {v.count for v in parsed.variants} == {3}
    choices, diags = choose([v.render(RENDERER) for v in parsed.variants])
    assert [len(check_choice(choice).options) for choice in choices] == [3] * 15
    assert diags.items == []


def test_cloze_choices_false() -> None:
    parsed = parse_lesson(*lesson("cloze_choices: false\n"), REGISTRY)
    assert [d.format() for d in parsed.diagnostics] == []
    # The cloze notes stay; the prose and summary clozes get no multiple-choice cards.
    assert sum(isinstance(note, ClozeNote) for note in parsed.notes) == 9
    assert Counter(v.pool for v in parsed.variants)["cloze"] == 0
    assert Counter(v.pool for v in parsed.variants)["analogy"] == 4


@pytest.mark.parametrize(
    ("wanted", "reveal", "cloze", "choices"),
    [
        ("[reveal]", 4, 0, 0),
        ("[cloze]", 0, 4, 0),
        ("[reveal, cloze]", 4, 4, 0),
        ("[cloze, choice]", 0, 4, 4),
        ("[reveal, cloze, choice]", 4, 4, 4),
    ],
)
def test_key_facts_front_matter(wanted: str, reveal: int, cloze: int, choices: int) -> None:
    parsed = parse_lesson(*lesson(f"key_facts: {wanted}\n"), REGISTRY)
    assert [d.format() for d in parsed.diagnostics] == []
    facts = [note for note in parsed.notes if note.meta.construct == "key-fact"]
    assert sum(isinstance(note, RevealNote) for note in facts) == reveal
    assert sum(isinstance(note, ClozeNote) for note in facts) == cloze
    assert sum(v.pool == "key-fact" for v in parsed.variants) == choices


def write_course(root: Path, course_front_matter: str, lesson_front_matter: str = "") -> Path:
    content = root / "content"
    content.mkdir()
    (content / "_index.md").write_text(
        f"---\ndeck: Course\nnamespace: distractor-test\n{course_front_matter}---\n",
        encoding="utf-8",
    )
    _, text = lesson(lesson_front_matter)
    (content / "waves.md").write_text(text, encoding="utf-8")
    return content


def option_counts(result: object) -> Counter[int]:
    notes = result.notes  # type: ignore[attr-defined]
    counts: Counter[int] = Counter()
    for note in notes:
        if note.meta.construct.endswith("-choice"):
            options_field = note.fields[1]
            counts[options_field.count('class="ak-option"')] += 1
    return counts


def test_build_honours_course_front_matter(tmp_path: Path) -> None:
    content = write_course(tmp_path, "choice_options: 2\nkey_facts: [reveal]\n")
    result = build(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1, now=1))
    assert [d.format() for d in result.diagnostics.sorted()] == []
    assert result.output is not None
    constructs = Counter(note.meta.construct for note in result.notes)
    assert constructs["key-fact"] == 4
    assert constructs["key-fact-choice"] == 0
    # Prose (2) and summary (5) cloze choices, analogy (4): two options each.
    assert option_counts(result) == {2: 11}


def test_build_lesson_overrides_the_course(tmp_path: Path) -> None:
    content = write_course(
        tmp_path, "choice_options: 2\ncloze_choices: false\n", "choice_options: 3\n"
    )
    result = build(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1, now=1))
    assert [d.format() for d in result.diagnostics.sorted()] == []
    constructs = Counter(note.meta.construct for note in result.notes)
    assert constructs["cloze-choice"] == constructs["summary-choice"] == 0
    # Key facts (4) and analogy (4): three options each.
    assert option_counts(result) == {3: 8}


def test_build_warns_when_a_pool_is_too_small(tmp_path: Path) -> None:
    content = write_course(tmp_path, "choice_options: 8\n")
    result = build(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1, now=1))
    warnings = [d for d in result.diagnostics.sorted() if d.severity is Severity.WARNING]
    assert warnings
    assert all("options instead of 8" in d.message for d in warnings)
    assert all(d.path.endswith("waves.md") and d.line > 0 for d in warnings)
    assert result.output is not None
