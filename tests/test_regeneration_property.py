"""Random edit sequences against real Anki: whatever authors do, re-imports stay safe.

Each example stamps ids into a copy of the fixture course, then applies 1–6 random edits. After
every edit it builds (the clock always moves forward), imports into the same collection and
reviews the new cards, and checks what a learner relies on: no note is duplicated or lost, no
scheduling or review history changes, and Anki updates exactly the notes the plan says changed.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.anki.plan import Status
from generator.stamp_ids import stamp_ids
from tests.anki_helpers import collection
from tests.conftest import FIXTURES
from tests.lifecycle import (
    build_and_import,
    note_ids_by_nid,
    review_all,
    review_log,
    scheduling,
)

pytestmark = pytest.mark.anki

T0 = 1_900_000_000
DAY = 86_400
ID_COMMENT = re.compile(r"<!-- id: (\S+) -->")
# Headings whose text decides the kind of card; they take a `: subtitle` instead of free text.
KEYWORD_HEADINGS = ("key facts", "common confusions", "summary")
LABEL_ONLY = re.compile(r"^\*\*[^*]+:\*\*\s*$|^\*\*[^*]+\*\*:\s*$")
ONE_WORD_FIELDS = ("**level:**", "**difficulty:**")
TAG_SETS = ((), ("alpha",), ("beta",), ("alpha", "beta"))

OPERATIONS = (
    "edit-answer",
    "edit-question",
    "change-tags",
    "add-card",
    "remove-card",
    "move-card",
    "rename-lesson",
    "reorder-cards",
    "no-op",
)


@dataclass
class Lesson:
    """A lesson file cut into front matter, the text before the first heading, and blocks that
    each start at a `##` or `###` heading (cards are the `###` ones)."""

    rel: str
    front: list[str] | None
    head: str
    blocks: list[str]

    @classmethod
    def parse(cls, rel: str, text: str) -> Lesson:
        lines = text.splitlines(keepends=True)
        front = None
        if lines and lines[0].rstrip() == "---":
            end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
            front = [line.rstrip("\n") for line in lines[1:end]]
            lines = lines[end + 1 :]
        head: list[str] = []
        blocks: list[list[str]] = []
        fenced = False
        for line in lines:
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            if not fenced and line.startswith(("## ", "### ")):
                blocks.append([line])
            elif blocks:
                blocks[-1].append(line)
            else:
                head.append(line)
        return cls(rel, front, "".join(head), ["".join(block) for block in blocks])

    def render(self) -> str:
        parts = []
        if self.front is not None:
            parts.append("---\n" + "".join(f"{line}\n" for line in self.front) + "---\n")
        for part in (self.head, *self.blocks):
            if part.strip():
                parts.append(part.rstrip("\n") + "\n\n")
        return "".join(parts).rstrip("\n") + "\n"

    @property
    def folder(self) -> str:
        return self.rel.rsplit("/", 1)[0]

    def cards(self) -> list[int]:
        return [i for i, block in enumerate(self.blocks) if block.startswith("### ")]


@dataclass
class CourseModel:
    """The lesson files of a course, edited as text."""

    root: Path
    lessons: list[Lesson]
    counter: int = 0
    log: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path) -> CourseModel:
        lessons = [
            Lesson.parse(path.relative_to(root).as_posix(), path.read_text(encoding="utf-8"))
            for path in sorted(root.rglob("*.md"))
            if not path.name.startswith("_")
        ]
        return cls(root, lessons)

    def write(self) -> None:
        for path in self.root.rglob("*.md"):
            if not path.name.startswith("_"):
                path.unlink()
        for lesson in self.lessons:
            (self.root / lesson.rel).write_text(lesson.render(), encoding="utf-8")

    def ids(self) -> set[str]:
        return {
            note_id
            for lesson in self.lessons
            for block in lesson.blocks
            for note_id in ID_COMMENT.findall(block)
        }

    def all_cards(self) -> list[tuple[Lesson, int]]:
        return [(lesson, index) for lesson in self.lessons for index in lesson.cards()]

    def apply(self, operation: str, seed: int) -> None:
        self.counter += 1
        rng = random.Random(seed)
        getattr(self, operation.replace("-", "_"))(rng)

    # --- the edits -----------------------------------------------------------------------

    def edit_answer(self, rng: random.Random) -> None:
        """Append a word to a line of card text (never a heading, id, label or code line)."""
        candidates = []
        for lesson, index in self.all_cards():
            lines = lesson.blocks[index].split("\n")
            fenced = False
            for number, line in enumerate(lines):
                fence = line.lstrip().startswith(("```", "~~~"))
                fenced = fenced != fence
                if number == 0 or fence or fenced or not line.strip() or "<!--" in line:
                    continue
                if LABEL_ONLY.match(line) or line.lower().startswith(ONE_WORD_FIELDS):
                    continue
                candidates.append((lesson, index, number))
        lesson, index, number = rng.choice(candidates)
        lines = lesson.blocks[index].split("\n")
        lines[number] = f"{lines[number].rstrip()} edited{self.counter}"
        lesson.blocks[index] = "\n".join(lines)
        self.log.append(f"edit answer: {lines[number]!r} in {lesson.rel}")

    def edit_question(self, rng: random.Random) -> None:
        """Reword a heading that carries an id, keeping the kind of card it makes."""
        candidates = [
            (lesson, index)
            for lesson, index in self.all_cards()
            if ID_COMMENT.search(lesson.blocks[index].split("\n", 1)[0])
        ]
        lesson, index = rng.choice(candidates)
        heading, rest = lesson.blocks[index].split("\n", 1)
        match = re.fullmatch(r"### (.*?)\s*(<!-- id: \S+ -->)", heading)
        assert match, heading
        text, comment = match.groups()
        base = text.split(":", 1)[0]
        if base.casefold().strip() in KEYWORD_HEADINGS:
            text = f"{base}: version {self.counter}"
        else:
            text = f"{text} (v{self.counter})"
        lesson.blocks[index] = f"### {text} {comment}\n{rest}"
        self.log.append(f"edit question: {text!r} in {lesson.rel}")

    def change_tags(self, rng: random.Random) -> None:
        lesson = rng.choice(self.lessons)
        front = [line for line in lesson.front or [] if not line.startswith("tags:")]
        current = next((line for line in lesson.front or [] if line.startswith("tags:")), "")
        choices = [tags for tags in TAG_SETS if f"tags: [{', '.join(tags)}]" != current]
        tags = rng.choice([tags for tags in choices if tags or current])
        if tags:
            front.append(f"tags: [{', '.join(tags)}]")
        lesson.front = front or None
        self.log.append(f"tags {list(tags)} on {lesson.rel}")

    def add_card(self, rng: random.Random) -> None:
        lesson = rng.choice(self.lessons)
        note_id = f"gen-{self.counter}"
        lesson.blocks.append(
            f"### Generated question {self.counter}? <!-- id: {note_id} -->\n\n"
            f"Generated answer {self.counter}.\n"
        )
        self.log.append(f"add {note_id} to {lesson.rel}")

    def remove_card(self, rng: random.Random) -> None:
        cards = self.all_cards()
        if len(cards) <= 1:
            self.log.append("remove: only one card left, nothing done")
            return
        lesson, index = rng.choice(cards)
        block = lesson.blocks.pop(index)
        self.log.append(f"remove {block.splitlines()[0]!r} from {lesson.rel}")

    def move_card(self, rng: random.Random) -> None:
        lesson, index = rng.choice(self.all_cards())
        targets = [other for other in self.lessons if other.folder != lesson.folder]
        target = rng.choice(targets)
        block = lesson.blocks.pop(index)
        target.blocks.append(block)
        self.log.append(f"move {block.splitlines()[0]!r} from {lesson.rel} to {target.rel}")

    def rename_lesson(self, rng: random.Random) -> None:
        lesson = rng.choice(self.lessons)
        stem = lesson.rel.rsplit("/", 1)[1].removesuffix(".md").split("-r", 1)[0]
        old, lesson.rel = lesson.rel, f"{lesson.folder}/{stem}-r{self.counter}.md"
        self.log.append(f"rename {old} to {lesson.rel}")

    def reorder_cards(self, rng: random.Random) -> None:
        lessons = [lesson for lesson in self.lessons if len(lesson.cards()) >= 2]
        if not lessons:
            self.log.append("reorder: no lesson with two cards, nothing done")
            return
        lesson = rng.choice(lessons)
        first, second = rng.sample(lesson.cards(), 2)
        blocks = lesson.blocks
        blocks[first], blocks[second] = blocks[second], blocks[first]
        self.log.append(f"swap cards {first} and {second} in {lesson.rel}")

    def no_op(self, rng: random.Random) -> None:
        self.log.append("no-op")


def test_lesson_model_round_trips_the_fixture(tmp_path: Path) -> None:
    """The edit model must not itself rewrite the lessons it starts from."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    stamp_ids(content, force=True)
    before = {p: p.read_text(encoding="utf-8") for p in content.rglob("*.md")}
    model = CourseModel.load(content)
    model.write()
    assert {p: p.read_text(encoding="utf-8") for p in content.rglob("*.md")} == before
    assert len(model.lessons) >= 2 and len({lesson.folder for lesson in model.lessons}) >= 2


steps_strategy = st.lists(
    st.tuples(st.sampled_from(OPERATIONS), st.integers(min_value=0, max_value=2**32)),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(steps=steps_strategy)
def test_random_edits_keep_notes_and_history(steps: list[tuple[str, int]]) -> None:
    with tempfile.TemporaryDirectory(prefix="ankigen-property-") as tmp_name:
        tmp = Path(tmp_name)
        content, out = tmp / "content", tmp / "out"
        shutil.copytree(FIXTURES / "course", content)
        assert not stamp_ids(content, force=True).diagnostics.errors
        model = CourseModel.load(content)
        model.write()
        with collection(tmp) as col:
            result, imported = build_and_import(col, content, out, now=T0)
            assert result.plan is not None
            current = {c.id for c in result.plan.changes if c.status is not Status.REMOVED}
            assert imported.new == current and imported.conflicting == 0
            assert model.ids() <= current
            ever = set(current)
            review_all(col)

            for step, (operation, seed) in enumerate(steps, start=1):
                model.apply(operation, seed)
                model.write()
                where = f"step {step}: {model.log[-1]}"
                schedule_before, log_before = scheduling(col), review_log(col)

                result, imported = build_and_import(col, content, out, now=T0 + step * DAY)

                plan = result.plan
                assert plan is not None, where
                assert not result.diagnostics.errors, where
                by_status = {
                    status: {c.id for c in plan.changes if c.status is status} for status in Status
                }
                first_removed = {c.id for c in plan.changes if c.first_removal}
                previous, current = (
                    current,
                    by_status[Status.NEW]
                    | (by_status[Status.CHANGED] | by_status[Status.UNCHANGED]),
                )
                assert model.ids() <= current, where
                assert first_removed == previous - current, where
                assert by_status[Status.NEW] == current - ever, where
                ever |= current

                # Anki does what the plan says: new notes added, changed and newly removed
                # ones updated, everything else left alone; nothing conflicts.
                assert imported.conflicting == 0, where
                assert imported.new == by_status[Status.NEW], where
                assert imported.updated == by_status[Status.CHANGED] | first_removed, where
                packaged = current | by_status[Status.REMOVED]
                assert imported.duplicate == packaged - imported.new - imported.updated, where

                # One note per id ever built: nothing duplicated, nothing deleted.
                ids = list(note_ids_by_nid(col).values())
                assert len(ids) == len(set(ids)), where
                assert set(ids) == ever and len(ids) == len(ever), where

                # Import never touches existing cards or the review log.
                schedule_after = scheduling(col)
                assert {cid: schedule_after[cid] for cid in schedule_before} == schedule_before, (
                    where
                )
                assert review_log(col) == log_before, where
                fresh = len(col.find_cards("is:new"))
                review_all(col)
                log_after = review_log(col)
                assert len(log_after) == len(log_before) + fresh, where
                assert log_after[: len(log_before)] == log_before, where
