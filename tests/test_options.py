"""Generated options a teacher would sign: of the answer's form, never shown by the question, not
guessable by length or position, stable from build to build, and quiet about short cards.

The unit tests drive `generator.kinds.distractors` with rendered variants; the build tests go
through the pipeline and the state file.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from generator.anki.state import NoteState, State, dumps, load
from generator.diagnostics import Diagnostics
from generator.kinds import REGISTRY
from generator.kinds.distractors import History, Pools, Shown, choose_all, pick
from generator.kinds.lesson import parse_lesson
from generator.kinds.shapes import compatible, shape_of, shown_in, slot_of, vowel_sound
from generator.kinds.variants import Candidate, Pool, RenderedVariant, Variant
from generator.notes import Defaults, Lesson, Text
from tests.conftest import build_into
from tests.test_distractors import RENDERER, meta

# --------------------------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------------------------


def shape(markdown: str) -> object:
    return shape_of(RENDERER.inline(markdown), markdown)


@pytest.mark.parametrize(
    ("markdown", "kind"),
    [
        ("`git commit`", "code"),
        ("$x^2$", "math"),
        ("343 m/s", "number"),
        ("42", "number"),
        ("12%", "percent"),
        ("1969", "year"),
        ("two trees", "text"),
        ("Pre-training", "text"),
    ],
)
def test_kinds(markdown: str, kind: str) -> None:
    assert shape(markdown).kind == kind  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("answer", "option", "before", "fits"),
    [
        ("`HEAD`", "`ORIG_HEAD`", "", True),
        ("`HEAD`", "HEAD pointer", "", False),  # code with code
        ("343 m/s", "300,000 km/s", "", True),  # a rate for a rate
        ("343 m/s", "343 ms", "", False),
        ("12%", "40%", "", True),
        ("12%", "12", "", False),
        ("1969", "1971", "", True),
        ("1969", "42", "", False),
        ("zero", "blob", "", True),
        ("one tree", "two or more", "", True),
        ("trees", "tree", "", False),  # plural with plural
        ("the index", "working tree", "", False),  # an article with an article
        ("Learning the rules", "Tuning the instrument", "", True),
        ("Learning the rules", "The instrument", "", False),  # a gerund with a gerund
        ("Paris", "london", "", False),  # a name with a name
        ("apple", "banana", "an", False),  # "an banana"
        ("apple", "orange", "an", True),
        ("unicorn", "horse", "a", True),  # "a unicorn": a consonant sound
        ("model", "large, diverse data set", "", False),  # length gives it away
    ],
)
def test_compatible(answer: str, option: str, before: str, fits: bool) -> None:
    slot = slot_of(f'It is {before} <span class="ak-blank">[…]</span>.', '<span class="ak-blank"')
    assert compatible(shape(answer), shape(option), slot) is fits  # type: ignore[arg-type]


def test_vowel_sounds() -> None:
    assert vowel_sound("hour") and vowel_sound("SQL query") and vowel_sound("apple")
    assert not vowel_sound("university") and not vowel_sound("GPU") and not vowel_sound("tree")


def test_text_the_card_shows_is_no_option() -> None:
    html = RENDERER.inline("Branches are stored under ==`.git/refs/heads/`==.")
    slot = slot_of(
        'A commit is stored under <span class="ak-blank">[…]</span>, next to `.git/refs/heads/`.',
        '<span class="ak-blank"',
    )
    assert html
    answer = shape("`.git/objects/`")
    assert shown_in(shape("`.git/refs/heads/`"), slot, answer)  # type: ignore[arg-type]
    assert not shown_in(shape("`.git/hooks/`"), slot, answer)  # type: ignore[arg-type]
    # An option inside the answer, or the answer inside an option, overlaps it.
    assert shown_in(shape("data"), slot_of("x"), shape("large data"))  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# The draw
# --------------------------------------------------------------------------------------------


def cloze(
    note_id: str,
    sentence: str,
    answer: str,
    *,
    pool: Pool = "cloze",
    lesson: str = "a.md",
    siblings: tuple[str, ...] = (),
    distractors: tuple[str, ...] = (),
    count: int = 4,
) -> RenderedVariant:
    """A variant whose sentence has `==answer==` where `___` is."""
    return Variant(
        meta=meta(note_id),
        answer=Text(answer),
        pool=pool,
        lesson=lesson,
        siblings=tuple(Text(text) for text in siblings),
        distractors=tuple(Text(text) for text in distractors),
        text=Text(sentence.replace("___", f"=={answer}==")),
        group=1,
        count=count,
        parent=note_id.split("/", maxsplit=1)[0],
    ).render(RENDERER)


def texts(options: tuple[Candidate, ...]) -> list[str]:
    return [option.text for option in options]


def test_a_commit_points_at_one_tree() -> None:
    """The example of issue 13: numbers of things with numbers of things, nothing shown."""
    target = cloze("c", "A commit points at ___.", "one tree")
    others = [
        cloze("z", "An empty repository has ___ commits.", "zero"),
        cloze("b", "A file's content is a ___.", "blob"),
        cloze("t", "A merge commit has ___ parents.", "two or more"),
        cloze("h", "A branch is a file under ___.", "`.git/refs/heads/`"),
        cloze("p", "A tree lists ___ and trees.", "blobs"),
        cloze("r", "A tag points at ___.", "one commit"),
        cloze("m", "A merge points at ___.", "two trees"),
    ]
    choices = choose_all([target, *others], Diagnostics())
    assert choices[0] is not None
    wrong = set(texts(choices[0].options)) - {"one tree"}
    assert "`.git/refs/heads/`" not in wrong  # code is no option for text
    assert "blobs" not in wrong  # a plural for a singular phrase
    assert wrong <= {"zero", "blob", "two or more", "one commit", "two trees"}


def many(count: int, pool_size: int = 12) -> list[RenderedVariant]:
    """`count` cards drawing from one lesson pool of answers of varied lengths."""
    words = ["ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghi"]
    answers = [f"{words[i % len(words)]}x{i}" for i in range(pool_size)]
    return [cloze(f"note-{i}", "It is ___.", answers[i % pool_size]) for i in range(count)]


def stats(choices: list[object]) -> tuple[Counter[int], float]:
    positions: Counter[int] = Counter()
    longest = 0
    total = 0
    for choice in choices:
        assert choice is not None
        options = choice.options  # type: ignore[attr-defined]
        correct = choice.correct  # type: ignore[attr-defined]
        positions[correct] += 1
        lengths = [option.shape.length for option in options]
        total += 1
        longest += lengths[correct] > max(lengths[:correct] + lengths[correct + 1 :])
    return positions, longest / total


def test_a_short_lesson_has_its_answers_in_every_position() -> None:
    choices = choose_all(many(8), Diagnostics())
    positions, _ = stats(choices)  # type: ignore[arg-type]
    assert positions == {0: 2, 1: 2, 2: 2, 3: 2}


def test_neither_position_nor_length_gives_the_answer_away() -> None:
    choices = choose_all(many(400), Diagnostics())
    positions, longest = stats(choices)  # type: ignore[arg-type]
    assert sorted(positions) == [0, 1, 2, 3]
    assert min(positions.values()) >= 70, positions  # 100 expected in each place
    # The answer is the longest of four about once in four (0.25), never nearly always.
    assert 0.15 <= longest <= 0.35, longest


# --------------------------------------------------------------------------------------------
# Stability: what a card showed stays while it is valid
# --------------------------------------------------------------------------------------------


def shown_of(choice: object) -> Shown:
    options = choice.options  # type: ignore[attr-defined]
    correct = choice.correct  # type: ignore[attr-defined]
    wrong = tuple(o.text for i, o in enumerate(options) if i != correct)
    return Shown(wrong, correct)


def test_recorded_options_stay_when_the_pool_changes() -> None:
    variants = many(20)
    first = choose_all(variants, Diagnostics())
    history = History({c.variant.meta.id: shown_of(c) for c in first if c is not None})
    # Another lesson's answers appear: the cards keep what they showed.
    grown = [
        *variants,
        *(cloze(f"new-{i}", "So ___.", f"newword{i}", lesson="b.md") for i in range(9)),
    ]
    again = choose_all(grown, Diagnostics(), history)
    for before, after in zip(first, again, strict=False):
        assert before is not None and after is not None
        assert texts(before.options) == texts(after.options)
        assert before.correct == after.correct


def test_an_invalid_recorded_option_is_replaced_in_its_place() -> None:
    target = cloze("t", "It is ___.", "alpha", siblings=("beta", "gamma", "delta", "omega"))
    history = History({"t": Shown(("beta", "alpha", "delta"), 2)})
    # "alpha" is the answer now: it cannot stay a wrong option.
    choice = pick(target, Pools.of([target]), 4, Diagnostics(), history=history)
    assert choice is not None
    assert texts(choice.options)[0] == "beta"
    assert texts(choice.options)[2] == "alpha"
    assert texts(choice.options)[3] == "delta"
    assert texts(choice.options)[1] in {"gamma", "omega"}


def test_a_vanished_option_is_kept_through_the_fallback() -> None:
    target = cloze("t", "It is ___.", "alpha", siblings=("beta", "gamma", "delta"))
    history = History({"t": Shown(("beta", "epsilon", "delta"), 0)})
    asked: list[str] = []

    def fallback(variant: RenderedVariant, text: str) -> Candidate | None:
        asked.append(text)
        return Candidate(text, text, text, (), shape_of(text, text))

    choice = pick(target, Pools.of([target]), 4, Diagnostics(), history=history, fallback=fallback)
    assert choice is not None
    assert asked == ["epsilon"]
    assert texts(choice.options) == ["alpha", "beta", "epsilon", "delta"]


def test_a_short_card_is_reported_once() -> None:
    target = cloze("t", "It is ___.", "alpha", siblings=("beta",))
    diags = Diagnostics()
    choice = pick(target, Pools.of([target]), 4, diags)
    assert choice is not None
    assert [d.code for d in diags.items] == ["choice-few-options"]
    later = Diagnostics()
    history = History({"t": shown_of(choice)}, frozenset({"t"}))
    assert pick(target, Pools.of([target]), 4, later, history=history) is not None
    assert later.items == []


def test_a_card_without_options_is_reported_while_its_note_is_new() -> None:
    target = cloze("t/choice-c1", "It is ___.", "alpha")
    diags = Diagnostics()
    assert pick(target, Pools.of([target]), 4, diags) is None
    assert [d.code for d in diags.items] == ["choice-no-options"]
    later = Diagnostics()
    known = History({}, frozenset({"t"}))
    assert pick(target, Pools.of([target]), 4, later, history=known) is None
    assert later.items == []


# --------------------------------------------------------------------------------------------
# The state file
# --------------------------------------------------------------------------------------------


def test_old_state_files_load_and_new_entries_round_trip(tmp_path: Path) -> None:
    old = {
        "version": 1,
        "namespace": "n",
        "last_nid": 5,
        "note_types": {},
        "notes": {
            "a": {
                "guid": "g",
                "nid": 1,
                "hash": "h",
                "mod": 2,
                "deck": "D",
                "construct": "reveal",
                "note_type": "reveal",
            }
        },
    }
    path = tmp_path / "ankigen.lock"
    path.write_text(json.dumps(old), encoding="utf-8")
    diags = Diagnostics()
    state = load(path, "lock", diags)
    assert diags.items == []
    assert state is not None
    assert state.notes["a"].options == () and state.notes["a"].answer_at == -1
    entry = NoteState(
        "g2", 2000, "h", 2, "D", "cloze-choice", "clozechoice", options=("x",), answer_at=1
    )
    text = dumps(State("n", {"a": state.notes["a"], "b": entry}))
    # Notes without generated options are written as before; the others carry their options.
    lines = {line.split(":", 1)[0]: line for line in text.splitlines() if line.startswith('"')}
    assert '"options"' not in lines['"a"'] and '"options": ["x"]' in lines['"b"']
    path.write_text(text, encoding="utf-8")
    again = load(path, "lock", diags)
    assert again is not None
    assert again.notes["b"].options == ("x",) and again.notes["b"].answer_at == 1
    assert diags.items == []


def test_bad_options_in_a_state_file_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "ankigen.lock"
    entry = {
        "guid": "g",
        "nid": 1,
        "hash": "h",
        "mod": 2,
        "deck": "D",
        "construct": "x",
        "note_type": "choice",
        "options": [1, 2],
    }
    path.write_text(
        json.dumps({"version": 1, "namespace": "n", "note_types": {}, "notes": {"a": entry}}),
        encoding="utf-8",
    )
    diags = Diagnostics()
    load(path, "lock", diags)
    assert any("options" in d.message and "list of str" in d.message for d in diags.items), [
        d.message for d in diags.items
    ]


# --------------------------------------------------------------------------------------------
# Through the build: an edit in one lesson never changes another lesson's cards
# --------------------------------------------------------------------------------------------

LESSON = """\
# {title}

## Facts

- The cache holds ==64 KiB==. <!-- id: {p}-cache -->
- A page is ==4 KiB== on most machines. <!-- id: {p}-page -->
- A line is ==64 B== long. <!-- id: {p}-line -->
- The stack starts at ==8 MiB==. <!-- id: {p}-stack -->
- The scheduler runs ==every tick==. <!-- id: {p}-tick -->
- Memory is split into ==pages==. <!-- id: {p}-pages -->
- Disks are split into ==sectors==. <!-- id: {p}-sectors -->
- Files are split into ==blocks==. <!-- id: {p}-blocks -->
"""


def test_an_edit_in_one_lesson_changes_no_other_lesson(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "_index.md").write_text("---\ndeck: C\nnamespace: opt-test\n---\n", "utf-8")
    for name in ("a", "b", "c"):
        text = LESSON.format(title=name.upper(), p=name)
        (content / f"{name}.md").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    first = build_into(content, out, now=1_000)
    assert first.output is not None
    lesson = content / "b.md"
    text = lesson.read_text(encoding="utf-8")
    text = text.replace("==sectors==", "==tracks==").replace("==64 B==", "==128 B==")
    text += "- Pages are grouped into ==frames==. <!-- id: b-frames -->\n"
    lesson.write_text(text, encoding="utf-8")
    second = build_into(content, out, now=2_000)
    assert second.plan is not None and second.output is not None
    changed = [c for c in second.plan.changes if c.status.value != "unchanged"]
    assert changed
    assert all(change.path.endswith("b.md") for change in changed), [c.id for c in changed]
    # No warning about short cards on the rebuild of untouched lessons.
    assert not [
        d
        for d in second.diagnostics.items
        if d.code.startswith("choice-") and not d.path.endswith("b.md")
    ]


def test_the_seed_course_keeps_its_options_on_a_rebuild(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(Path(__file__).resolve().parent.parent / "content", content)
    out = tmp_path / "out"
    first = build_into(content, out, now=2_000_000_000)
    assert first.output is not None
    second = build_into(content, out, now=2_000_000_100)
    assert second.plan is not None
    assert second.plan.count(second.plan.changes[0].status.__class__("changed")) == 0
    assert not [d for d in second.diagnostics.items if d.code.startswith("choice-")]


# --------------------------------------------------------------------------------------------
# True/false cards from common confusions
# --------------------------------------------------------------------------------------------


def confusion_cards(items: list[str], heading: str = "### Common confusions") -> list[str]:
    text = "# T\n\n" + heading + "\n\n" + "\n".join(items) + "\n"
    record = Lesson(path="t.md", rel="t.md", deck="C", defaults=Defaults())
    parsed = parse_lesson(record, text, REGISTRY)
    assert [d.format() for d in parsed.diagnostics] == []
    return [note.final_answer.markdown for note in parsed.notes]  # type: ignore[attr-defined]


MISCONCEPTIONS = [
    f"- ~~Claim number {i} is always right.~~ <!-- id: m{i} -->\n"
    f"  Claim number {i} holds only for small inputs."
    for i in range(12)
]


def test_true_false_cards_are_balanced() -> None:
    answers = confusion_cards(MISCONCEPTIONS)
    assert Counter(answers) == {"**True.**": 6, "**False.**": 6}


def test_adding_an_item_at_the_end_flips_no_other() -> None:
    before = confusion_cards(MISCONCEPTIONS[:5])
    after = confusion_cards(MISCONCEPTIONS[:6])
    assert after[:5] == before


def test_a_correction_that_is_no_statement_is_not_flipped() -> None:
    items = [
        f"- ~~Claim {i} is right.~~ <!-- id: n{i} -->\n  No, only sometimes." for i in range(4)
    ]
    assert set(confusion_cards(items)) == {"**False.**"}
