"""A campaign of realistic edits, each followed by a build and an import into one collection with
real review history, checking after every step that nothing was lost:

- every note of the sources is in Anki exactly once among the notes not tagged removed, with the
  fields the build made (no duplicate, no lost edit);
- every card Anki had keeps its scheduling and the review log only grows (no lost review);
- nothing is conflicting and no note type is copied as `Name+`;
- Anki's import log is the plan: new ↔ new, changed ↔ updated, unchanged ↔ duplicate, and a
  note removed in this build ↔ updated (tagged), an older removal ↔ duplicate.

Edits are drawn with a seeded random generator; a failure names the seed and the edits so far.
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from anki.collection import Collection

from generator.anki.notetypes import PACKAGED, Templates
from generator.anki.plan import REMOVED_TAG, Status
from generator.kinds import REGISTRY, Registry
from generator.pipeline import BuildResult
from generator.stamp_ids import stamp_ids
from tests.anki_helpers import import_package
from tests.conftest import FIXTURES, build_into
from tests.lifecycle import CARD_COLUMNS

HEADING = re.compile(
    r"^### (?P<text>.+?)(?P<id>[ \t]*<!--[ \t]*id:[ \t]*(?P<value>\S+)[ \t]*-->)?$", re.M
)
SPECIAL = re.compile(r"^(key facts|common confusions|summary|analogy:)", re.I)
PLAIN_LINE = re.compile(r"^[A-Z][^|`*\n<]*[.!?]$", re.M)


@dataclass
class Campaign:
    """The course being edited, the collection it is imported into, and what happened so far."""

    root: Path
    col: Collection
    rng: random.Random
    content: Path = field(init=False)
    out: Path = field(init=False)
    registry: Registry = REGISTRY
    clock: int = 1_800_000_000
    counter: int = 0
    history: list[str] = field(default_factory=list)
    removed_blocks: list[tuple[str, str]] = field(default_factory=list)
    """(lesson path relative to content, card block) of cards removed, to bring back later."""
    violations: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.content = self.root / "content"
        self.out = self.root / "out"
        shutil.copytree(FIXTURES / "course", self.content)

    # --- the loop ---------------------------------------------------------------------------

    def run(self, steps: int) -> None:
        self.step("initial build")
        for _ in range(steps):
            self.review()
            name, edit = self.rng.choice(list(self.edits().items()))
            done = edit()
            if done is None:
                continue
            self.step(f"{name}: {done}")

    def step(self, what: str) -> None:
        self.history.append(what)
        self.clock += self.rng.choice([1, 60, 86_400])
        result = build_into(self.content, self.out, now=self.clock, registry=self.registry)
        assert result.ok and result.output is not None and result.plan is not None, (
            self.where(),
            [d.format() for d in result.diagnostics.sorted()],
        )
        before_cards = self.cards()
        before_log = self.log()
        log = import_package(self.col, result.output)
        self.check(result, log, before_cards, before_log)
        assert not self.violations, (self.where(), self.violations)

    def where(self) -> str:
        return f"seed history: {' | '.join(self.history)}"

    def review(self) -> None:
        """The learner studies: new cards and some due ones, with varied answers."""
        for card_id in self.col.find_cards("is:new")[:20]:
            card = self.col.get_card(card_id)
            card.start_timer()
            self.col.sched.answerCard(card, self.rng.choice([1, 2, 3, 4]))  # type: ignore[attr-defined]

    # --- invariants -------------------------------------------------------------------------

    def cards(self) -> dict[int, tuple[object, ...]]:
        return {row[0]: tuple(row) for row in self.col.db.all(f"SELECT {CARD_COLUMNS} FROM cards")}

    def log(self) -> list[tuple[object, ...]]:
        return [tuple(row) for row in self.col.db.all("SELECT * FROM revlog ORDER BY id")]

    def check(
        self,
        result: BuildResult,
        log: object,
        before_cards: dict[int, tuple[object, ...]],
        before_log: list[tuple[object, ...]],
    ) -> None:
        assert result.plan is not None
        problems = self.violations
        after = self.cards()
        for card_id, row in before_cards.items():
            if after.get(card_id) != row:
                problems.append(
                    f"card {card_id} changed by the import: {row} → {after.get(card_id)}"
                )
        if self.log()[: len(before_log)] != before_log:
            problems.append("the review log lost or changed rows")
        if log.conflicting:  # type: ignore[attr-defined]
            problems.append(f"{len(log.conflicting)} conflicting notes")  # type: ignore[attr-defined]
        names = [model["name"] for model in self.col.models.all()]
        if any(name.endswith("+") for name in names):
            problems.append(f"note type copies: {names}")
        # The import log is the plan.
        guid_of = dict(self.col.db.all("SELECT id, guid FROM notes"))
        seen = {
            kind: {guid_of[entry.id.nid] for entry in getattr(log, kind)}
            for kind in ("new", "updated", "duplicate")
        }
        expected: dict[str, set[str]] = {"new": set(), "updated": set(), "duplicate": set()}
        for change, planned in zip(result.plan.changes, result.plan.notes, strict=True):
            if planned.fields is None:
                continue
            if change.status is Status.NEW:
                expected["new"].add(planned.guid)
            elif change.status is Status.CHANGED:
                expected["updated"].add(planned.guid)
            elif change.status is Status.UNCHANGED:
                expected["duplicate"].add(planned.guid)
            else:
                expected["updated" if change.first_removal else "duplicate"].add(planned.guid)
        if seen != expected:
            problems.append(
                f"import log {summarise(seen)} differs from the plan {summarise(expected)}"
            )
        # Every note of the sources once among live notes, with the fields the build made.
        live: dict[str, list[int]] = {}
        for nid in self.col.find_notes(f"-tag:{REMOVED_TAG}"):
            live.setdefault(self.col.get_note(nid)["ID"].casefold(), []).append(nid)
        built = {note.meta.id.casefold(): note for note in result.notes}
        if set(live) != set(built):
            problems.append(
                f"live notes in Anki {sorted(set(live) - set(built))} not in the sources, "
                f"{sorted(set(built) - set(live))} missing"
            )
        for key, nids in live.items():
            if len(nids) > 1:
                problems.append(f"note '{key}' is in Anki {len(nids)} times")
            elif key in built:
                # Where a note sits in the sources (Source) is not content: a moved file does not
                # rewrite its notes.
                note = self.col.get_note(nids[0])
                names = list(note.keys())
                have = [v for name, v in zip(names, note.fields, strict=True) if name != "Source"]
                made = [
                    v for name, v in zip(names, built[key].fields, strict=True) if name != "Source"
                ]
                if have != made:
                    problems.append(f"note '{key}' in Anki lacks the latest edit")

    # --- edits ------------------------------------------------------------------------------

    def edits(self) -> dict[str, Callable[[], str | None]]:
        return {
            "edit answer": self.edit_answer,
            "edit question with id": self.edit_question_with_id,
            "reword heading without id": self.reword_heading_without_id,
            "toggle lesson tag": self.toggle_tag,
            "add card": self.add_card,
            "remove card": self.remove_card,
            "restore card": self.restore_card,
            "move lesson": self.move_lesson,
            "rename lesson": self.rename_lesson,
            "change kind": self.change_kind,
            "change id case": self.change_id_case,
            "ankigen ids": self.run_stamp_ids,
            "delete state file": self.delete_state,
            "edit templates": self.edit_templates,
            "add option": self.add_option,
            "swap cloze deletions": self.swap_clozes,
            "edit key fact": self.edit_key_fact,
        }

    def lessons(self) -> list[Path]:
        return sorted(p for p in self.content.rglob("*.md") if p.name != "_index.md")

    def fresh(self) -> int:
        self.counter += 1
        return self.counter

    def pick_heading(
        self, want: Callable[[re.Match[str]], bool]
    ) -> tuple[Path, re.Match[str]] | None:
        found = [
            (lesson, match)
            for lesson in self.lessons()
            for match in HEADING.finditer(lesson.read_text(encoding="utf-8"))
            if want(match)
        ]
        return self.rng.choice(found) if found else None

    def block(self, text: str, start: int) -> tuple[int, int]:
        """The card block starting at `start`: up to the next `##`/`###` heading."""
        following = re.compile(r"^#{2,3} ", re.M).search(text, start + 4)
        return start, following.start() if following else len(text)

    def edit_answer(self) -> str | None:
        chosen = self.pick_heading(lambda m: not SPECIAL.match(m["text"]))
        if chosen is None:
            return None
        lesson, match = chosen
        text = lesson.read_text(encoding="utf-8")
        _, end = self.block(text, match.start())
        body = text[match.end() : end]
        line = PLAIN_LINE.search(body)
        if line is None:
            return None
        at = match.end() + line.end() - 1
        lesson.write_text(text[:at] + f" (edit {self.fresh()})" + text[at:], encoding="utf-8")
        return f"{lesson.name}: {match['text']!r}"

    def edit_question_with_id(self) -> str | None:
        chosen = self.pick_heading(lambda m: bool(m["id"]) and not SPECIAL.match(m["text"]))
        if chosen is None:
            return None
        lesson, match = chosen
        text = lesson.read_text(encoding="utf-8")
        reworded = f"### {match['text'].rstrip('?.')} (v{self.fresh()})?{match['id']}"
        lesson.write_text(text[: match.start()] + reworded + text[match.end() :], encoding="utf-8")
        return f"{match['value']}"

    def reword_heading_without_id(self) -> str | None:
        chosen = self.pick_heading(lambda m: not m["id"] and not SPECIAL.match(m["text"]))
        if chosen is None:
            return None
        lesson, match = chosen
        text = lesson.read_text(encoding="utf-8")
        reworded = f"### {match['text'].rstrip('?.')} indeed {self.fresh()}?"
        lesson.write_text(text[: match.start()] + reworded + text[match.end() :], encoding="utf-8")
        return f"{lesson.name}: {match['text']!r}"

    def toggle_tag(self) -> str | None:
        lesson = self.rng.choice(self.lessons())
        text = lesson.read_text(encoding="utf-8")
        if "tags: [campaign]\n" in text:
            lesson.write_text(text.replace("tags: [campaign]\n", ""), encoding="utf-8")
            return f"{lesson.name}: off"
        if text.startswith("---\n") and "\ntags:" not in text.split("\n---\n", 1)[0]:
            lesson.write_text("---\ntags: [campaign]\n" + text[4:], encoding="utf-8")
        elif not text.startswith("---\n"):
            lesson.write_text("---\ntags: [campaign]\n---\n\n" + text, encoding="utf-8")
        else:
            return None
        return f"{lesson.name}: on"

    def add_card(self) -> str | None:
        lesson = self.rng.choice(self.lessons())
        number = self.fresh()
        with lesson.open("a", encoding="utf-8") as handle:
            handle.write(
                f"\n### Campaign question {number}? <!-- id: cq-{number} -->\n\nAnswer {number}.\n"
            )
        return f"cq-{number} in {lesson.name}"

    def remove_card(self) -> str | None:
        chosen = self.pick_heading(lambda m: True)
        if chosen is None:
            return None
        lesson, match = chosen
        text = lesson.read_text(encoding="utf-8")
        start, end = self.block(text, match.start())
        remaining = text[:start] + text[end:]
        if not HEADING.search(remaining) and "==" not in remaining:
            return None  # the lesson would have no card at all
        lesson.write_text(remaining, encoding="utf-8")
        self.removed_blocks.append((str(lesson.relative_to(self.content)), text[start:end]))
        return f"{lesson.name}: {match['text']!r}"

    def restore_card(self) -> str | None:
        if not self.removed_blocks:
            return None
        rel, block = self.removed_blocks.pop(self.rng.randrange(len(self.removed_blocks)))
        lesson = self.content / rel
        if not lesson.exists():
            return None
        with lesson.open("a", encoding="utf-8") as handle:
            handle.write("\n" + block.rstrip("\n") + "\n")
        return f"{rel}: {block.splitlines()[0]!r}"

    def move_lesson(self) -> str | None:
        lesson = self.rng.choice(self.lessons())
        folders = sorted({p.parent for p in self.lessons()} | {self.content / "30-campaign"})
        target = self.rng.choice([f for f in folders if f != lesson.parent] or folders)
        target.mkdir(exist_ok=True)
        destination = target / lesson.name
        if destination.exists():
            return None
        self.follow(lesson, destination)
        return f"{lesson.relative_to(self.content)} → {destination.relative_to(self.content)}"

    def rename_lesson(self) -> str | None:
        lesson = self.rng.choice(self.lessons())
        destination = lesson.with_name(f"{lesson.stem}-{self.fresh()}.md")
        self.follow(lesson, destination)
        return f"{lesson.name} → {destination.name}"

    def follow(self, lesson: Path, destination: Path) -> None:
        lesson.rename(destination)
        old = str(lesson.relative_to(self.content))
        new = str(destination.relative_to(self.content))
        self.removed_blocks = [
            (new if rel == old else rel, block) for rel, block in self.removed_blocks
        ]

    def change_kind(self) -> str | None:
        chosen = self.pick_heading(lambda m: bool(m["id"]) and not SPECIAL.match(m["text"]))
        if chosen is None:
            return None
        lesson, match = chosen
        text = lesson.read_text(encoding="utf-8")
        _, end = self.block(text, match.start())
        body = text[match.end() : end]
        options = re.search(r"\n- \[x\] (?P<right>[^\n]+)\n(?:- \[[ x]\] [^\n]+\n)+", body)
        if options:  # multiple choice → reveal
            new_body = body[: options.start()] + f"\n{options['right']}.\n" + body[options.end() :]
            new_body = re.sub(r"\n\*\*(Difficulty|Shuffle):\*\*[^\n]*\n", "\n", new_body)
        else:
            if "**Key concepts:**" in body or "**Answer:**" in body:
                return None
            # Only a card whose answer is the paragraph right under the heading.
            lead = len(body) - len(body.lstrip("\n"))
            line = PLAIN_LINE.match(body, lead)
            if line is None:
                return None
            right = line.group(0)
            new_body = (
                body[: line.start()] + f"- [x] {right}\n- [ ] Not {right}" + body[line.end() :]
            )
        lesson.write_text(text[: match.end()] + new_body + text[end:], encoding="utf-8")
        return f"{match['value']}: {'choice → reveal' if options else 'reveal → choice'}"

    def change_id_case(self) -> str | None:
        chosen = self.pick_heading(lambda m: bool(m["id"]))
        if chosen is None:
            return None
        lesson, match = chosen
        value = match["value"]
        flipped = value.swapcase() if self.rng.random() < 0.5 else value.capitalize()
        if flipped == value:
            return None
        text = lesson.read_text(encoding="utf-8")
        old = match.group(0)
        lesson.write_text(text.replace(old, old.replace(value, flipped), 1), encoding="utf-8")
        return f"{value} → {flipped}"

    def run_stamp_ids(self) -> str | None:
        stamped = stamp_ids(self.content, force=True, registry=self.registry)
        assert not stamped.diagnostics.errors, [d.format() for d in stamped.diagnostics.items]
        return f"{sum(len(v) for v in stamped.stamped.values())} ids"

    def delete_state(self) -> str | None:
        lock = self.out / "ankigen.lock"
        if not lock.exists():
            return None
        lock.unlink()
        return "ankigen.lock"

    def edit_templates(self) -> str | None:
        number = self.fresh()
        folder = self.root / f"templates-{number}"
        shutil.copytree(Path(str(PACKAGED.root)), folder)
        with (folder / "base.css").open("a", encoding="utf-8") as css:
            css.write(f"\n.ak-campaign-{number} {{ color: #123456; }}\n")
        self.registry = REGISTRY.with_templates(Templates.at(folder))
        return f"css {number}"

    def add_option(self) -> str | None:
        lesson = self.rng.choice(self.lessons())
        text = lesson.read_text(encoding="utf-8")
        found = list(re.finditer(r"^- \[[ x]\] [^\n]+\n(?!- \[)", text, re.M))
        if not found:
            return None
        at = self.rng.choice(found).end()
        option = f"- [ ] Campaign option {self.fresh()}\n"
        lesson.write_text(text[:at] + option + text[at:], encoding="utf-8")
        return f"{lesson.name}"

    def swap_clozes(self) -> str | None:
        lesson = self.rng.choice(self.lessons())
        text = lesson.read_text(encoding="utf-8")
        line = re.search(r"^(?!\s*[-*] ~~)[^\n]*==[^=\n]+==[^\n]*==[^=\n]+==[^\n]*$", text, re.M)
        if line is None:
            return None
        marks = list(re.finditer(r"==[^=\n]+==", line.group(0)))
        a, b = marks[0], marks[1]
        sentence = line.group(0)
        swapped = (
            sentence[: a.start()]
            + b[0]
            + sentence[a.end() : b.start()]
            + a[0]
            + sentence[b.end() :]
        )
        lesson.write_text(text[: line.start()] + swapped + text[line.end() :], encoding="utf-8")
        return f"{lesson.name}"

    def edit_key_fact(self) -> str | None:
        lesson = self.rng.choice(self.lessons())
        text = lesson.read_text(encoding="utf-8")
        found = list(re.finditer(r"^:   [^\n]+$", text, re.M))
        if not found:
            return None
        chosen = self.rng.choice(found)
        edited = chosen.group(0).rstrip(".") + f", really ({self.fresh()})."
        lesson.write_text(text[: chosen.start()] + edited + text[chosen.end() :], encoding="utf-8")
        return f"{lesson.name}"


def summarise(table: dict[str, set[str]]) -> str:
    return ", ".join(f"{len(value)} {key}" for key, value in table.items())
