"""`ankigen ids`: pin every derived id in the sources without changing anything else in Anki.

Stamping must touch only the line that starts each note without an id, write exactly the id the
note already has (so its GUID, and the note in Anki, stay the same), keep line endings and a BOM,
do nothing the second time, and refuse files git has not committed unless told otherwise.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.anki import state as lockfile
from generator.cli import main
from generator.config import BuildConfig
from generator.diagnostics import Diagnostics
from generator.pipeline import BuildResult, build
from generator.stamp_ids import stamp_ids
from tests.conftest import build_into
from tests.package_rows import read_rows

T1, T2 = 1_800_000_000, 1_800_086_400
BOM = b"\xef\xbb\xbf"

# Every construct without an id, plus lines that must not be mistaken for notes.
EXTRA_LESSON = """\
---
title: Extra
tags: [extra]
---

# Extra

Lesson prose is not a card.

## Section

### Why is the sea salty? ###

Rivers carry minerals into it.

```text
### not a heading: code
```

### Which of these are colours?\x20\x20\x20

- [x] Red
- [ ] Dog

### Describe the water cycle.

**Key concepts:**

- Evaporation
- Condensation

### Key facts

Salinity
:   How salty water is.

### Common confusions

- ~~The sea is salty because of fish.~~
  Minerals from rivers make it salty.

### Analogy: How is memory like a library?

Books are facts.

- Memory → Library

### Summary: The sea

- The sea is salty.
"""

Stamps = dict[tuple[str, int], set[str]]
"""(path relative to the content folder, line) → ids to pin there, for notes without a written id
(a note derived from an item, such as a key fact's cloze, is pinned by the item's id)."""


@pytest.fixture
def lessons(course: Path) -> Path:
    """The fixture course with a lesson of unstamped notes and one heading's id taken away."""
    (course / "30-extra").mkdir()
    (course / "30-extra" / "more.md").write_text(EXTRA_LESSON, encoding="utf-8")
    cards = course / "10-basics" / "cards.md"
    text = cards.read_text(encoding="utf-8")
    cards.write_text(text.replace(" <!-- id: fx-print -->", ""), encoding="utf-8")
    return course


def run_ids(*args: str) -> Result:
    return CliRunner().invoke(main, ["ids", *args])


def plan_notes(content: Path, scratch: Path) -> BuildResult:
    """Parse and plan without writing anything."""
    config = BuildConfig(
        content=content, out_dir=scratch, jobs=1, lock=scratch / "none.lock", dry_run=True
    )
    result = build(config)
    assert not result.diagnostics.errors, [d.format() for d in result.diagnostics.sorted()]
    return result


def unstamped(content: Path, scratch: Path) -> Stamps:
    stamps: Stamps = {}
    for note in plan_notes(content, scratch).notes:
        if note.meta.stamp is not None:
            assert not note.meta.explicit_id
            line, note_id = note.meta.stamp
            stamps.setdefault((note.meta.source, line), set()).add(note_id)
        else:
            assert note.meta.explicit_id
    return stamps


def line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line.startswith(start))


def all_ids(content: Path, scratch: Path) -> list[str]:
    return [note.meta.id for note in plan_notes(content, scratch).notes]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def assert_only_stamped(before: bytes, after: bytes, stamps: dict[int, set[str]]) -> None:
    """Line by line: a line that starts notes without ids gains one id comment before its line
    ending, and the id is one of those notes' ids; every other line is byte for byte the same."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(new) == len(old)
    for number, (was, now) in enumerate(zip(old, new, strict=True), start=1):
        if number in stamps:
            body = was.rstrip(b"\r\n")
            ending = was[len(body) :]
            stamped = re.fullmatch(
                re.escape(body.rstrip()) + rb" <!-- id: (\S+) -->" + re.escape(ending), now
            )
            assert stamped, f"line {number}: {was!r} became {now!r}"
            assert stamped[1].decode() in stamps[number], f"line {number}"
        else:
            assert now == was, f"line {number} changed"


def assert_stamped_files(before: dict[str, bytes], content: Path, stamps: Stamps) -> None:
    after = snapshot(content)
    assert after.keys() == before.keys()
    for rel, data in before.items():
        lines = {line: ids for (path, line), ids in stamps.items() if path == rel}
        assert_only_stamped(data, after[rel], lines)


def listed(result: Result) -> set[str]:
    """`path:line` of every note the command lists."""
    lines = [line for line in result.stdout.splitlines() if line.startswith("  ")]
    return {line.split()[0] for line in lines}


def test_ids_stamps_exactly_the_notes_without_ids(lessons: Path, tmp_path: Path) -> None:
    expected = unstamped(lessons, tmp_path / "scratch")
    files = {path for path, _ in expected}
    assert files == {"10-basics/cards.md", "20-more-topics/review.md", "30-extra/more.md"}
    # Headings, key-fact terms, confusions, analogies and summaries all count.
    cards, review = lessons / "10-basics" / "cards.md", lessons / "20-more-topics" / "review.md"
    print_line = line_of(cards, "### What does this print?")
    assert "10-basics/cards#what-does-this-print" in expected[("10-basics/cards.md", print_line)]
    wavelength = ("20-more-topics/review.md", line_of(review, "Wavelength"))
    assert "20-more-topics/review#key-facts/wavelength" in expected[wavelength]
    starts = (
        "### Why",
        "### Which",
        "### Describe",
        "Salinity",
        "- ~~",
        "### Analogy",
        "### Summary",
    )
    for start in starts:
        assert ("30-extra/more.md", line_of(lessons / "30-extra" / "more.md", start)) in expected
    ids = all_ids(lessons, tmp_path / "scratch")
    before = snapshot(lessons)

    result = run_ids(str(lessons))

    assert result.exit_code == 0, result.output
    assert listed(result) == {f"{lessons / path}:{line}" for path, line in expected}
    count = sum(1 for line in result.stdout.splitlines() if line.startswith("  "))
    assert result.stdout.splitlines()[-1] == f"stamped {count} id(s) in {len(files)} file(s)"
    assert_stamped_files(before, lessons, expected)
    assert unstamped(lessons, tmp_path / "scratch") == {}
    assert all_ids(lessons, tmp_path / "scratch") == ids
    more = (lessons / "30-extra" / "more.md").read_text(encoding="utf-8")
    assert "### not a heading: code\n" in more
    assert "### Which of these are colours? <!-- id: 30-extra/more#which-of-these" in more
    assert "### Why is the sea salty? ### <!-- id: 30-extra/more#why-is-the-sea-salty -->" in more


def test_stamped_ids_keep_every_guid(lessons: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = build_into(lessons, out, now=T1)
    assert first.output is not None
    package = first.output.read_bytes()
    before = load_state(out / "ankigen.lock")
    guids = {note["guid"] for note in read_rows(first.output)["notes"]}

    stamped = stamp_ids(lessons)

    assert not stamped.diagnostics.items
    assert stamped.stamped
    second = build_into(lessons, out, now=T2)
    assert second.output is not None and second.plan is not None
    assert not second.diagnostics.errors, [d.format() for d in second.diagnostics.sorted()]
    assert [n.meta.id for n in second.notes] == [n.meta.id for n in first.notes]
    assert unstamped(lessons, tmp_path / "scratch") == {}
    assert second.plan.summary() == {
        "new": 0,
        "changed": 0,
        "unchanged": len(first.notes),
        "removed": 0,
        "moved": 0,
    }
    assert {note["guid"] for note in read_rows(second.output)["notes"]} == guids
    # Nothing a note carries changed, so neither did the package; the state file only learns
    # that the ids are written now (a reworded heading no longer changes them).
    assert second.output.read_bytes() == package
    after = load_state(out / "ankigen.lock")
    assert {key: replace(note, explicit=True) for key, note in before.notes.items()} == after.notes
    assert all(note.explicit for note in after.notes.values())
    assert not all(note.explicit for note in before.notes.values())
    assert (before.note_types, before.last_mod, before.last_nid) == (
        after.note_types,
        after.last_mod,
        after.last_nid,
    )


def test_stamp_ids_reports_what_it_wrote(lessons: Path, tmp_path: Path) -> None:
    expected = unstamped(lessons, tmp_path / "scratch")
    result = stamp_ids(lessons, force=True)
    assert not result.diagnostics.items
    got: Stamps = {}
    for path, metas in result.stamped.items():
        for meta in metas:
            assert not meta.explicit_id
            key = (path.relative_to(lessons).as_posix(), meta.line)
            got.setdefault(key, set()).add(meta.id)
    # Every line that starts a note without an id is reported, with ids of notes on that line.
    assert got.keys() == expected.keys()
    assert all(got[key] <= expected[key] for key in got)
    assert unstamped(lessons, tmp_path / "scratch") == {}


def test_second_run_stamps_nothing(lessons: Path) -> None:
    assert run_ids(str(lessons)).exit_code == 0
    before = snapshot(lessons)

    again = run_ids(str(lessons))

    assert again.exit_code == 0, again.output
    assert again.stdout == "stamped 0 id(s) in 0 file(s)\n"
    assert snapshot(lessons) == before
    assert stamp_ids(lessons).stamped == {}


def test_dry_run_changes_nothing(lessons: Path, tmp_path: Path) -> None:
    expected = unstamped(lessons, tmp_path / "scratch")
    before = snapshot(lessons)

    result = run_ids(str(lessons), "--dry-run")

    assert result.exit_code == 0, result.output
    assert snapshot(lessons) == before
    assert listed(result) == {f"{lessons / path}:{line}" for path, line in expected}
    count = sum(1 for line in result.stdout.splitlines() if line.startswith("  "))
    assert result.stdout.splitlines()[-1] == f"would stamp {count} id(s) in 3 file(s)"
    api = stamp_ids(lessons, dry_run=True)
    assert sum(len(metas) for metas in api.stamped.values()) == count
    assert snapshot(lessons) == before


@pytest.mark.parametrize(
    ("bom", "ending"),
    [(False, b"\r\n"), (True, b"\n"), (True, b"\r\n")],
    ids=["crlf", "bom", "bom-crlf"],
)
def test_line_endings_and_bom_are_kept(
    lessons: Path, tmp_path: Path, bom: bool, ending: bytes
) -> None:
    for rel in ("20-more-topics/review.md", "30-extra/more.md"):
        path = lessons / rel
        data = path.read_bytes().replace(b"\n", ending)
        path.write_bytes(BOM + data if bom else data)
    expected = unstamped(lessons, tmp_path / "scratch")
    assert {path for path, _ in expected} >= {"20-more-topics/review.md", "30-extra/more.md"}
    before = snapshot(lessons)

    result = run_ids(str(lessons))

    assert result.exit_code == 0, result.output
    assert_stamped_files(before, lessons, expected)
    for rel in ("20-more-topics/review.md", "30-extra/more.md"):
        data = (lessons / rel).read_bytes()
        assert data.startswith(BOM) is bom
        if ending == b"\r\n":
            assert data.count(b"\n") == data.count(b"\r\n"), f"{rel} lost its CRLF line endings"
        else:
            assert b"\r" not in data
    assert unstamped(lessons, tmp_path / "scratch") == {}


@pytest.mark.parametrize(
    "problem",
    ["duplicate-derived", "derived-equals-written", "empty-answer"],
)
def test_errors_in_the_course_stop_it(lessons: Path, problem: str) -> None:
    more = lessons / "30-extra" / "more.md"
    text = more.read_text(encoding="utf-8")
    if problem == "duplicate-derived":
        text += "\n### Why is the sea salty?\n\nAgain.\n"
    elif problem == "derived-equals-written":
        cards = lessons / "10-basics" / "cards.md"
        cards.write_text(
            cards.read_text(encoding="utf-8").replace(
                "fx-capital", "30-extra/more#summary-the-sea"
            ),
            encoding="utf-8",
        )
    else:
        text = text.replace("Rivers carry minerals into it.\n", "")
        text = text.replace("```text\n### not a heading: code\n```\n", "")
    more.write_text(text, encoding="utf-8")
    before = snapshot(lessons)

    result = run_ids(str(lessons))

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors, result.stderr
    if problem != "empty-answer":
        assert all("duplicate id" in line for line in errors)
    assert result.stderr.splitlines()[-1] == "ids: nothing stamped"
    assert result.stdout == ""
    assert snapshot(lessons) == before
    assert stamp_ids(lessons, force=True).stamped == {}
    assert snapshot(lessons) == before


@pytest.mark.parametrize(
    "lesson",
    [
        "20-more-topics/study notes.md",
        "20-more-topics/café.md",
        "30-a-folder-with-a-rather-long-name/practice-questions-on-fine-tuning.md",
    ],
    ids=["space-in-name", "non-ascii-name", "long-path"],
)
def test_ids_never_writes_an_id_the_build_rejects(
    course: Path, tmp_path: Path, lesson: str
) -> None:
    """A derived id may hold characters (or a length) a written id may not; stamping must not
    turn a course that builds into one that does not."""
    path = course / lesson
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        "# Notes\n\n### What is a lens?\n\nA curved glass.\n\n### Common confusions\n\n"
        "- ~~A lens always magnifies whatever you look at through it, near or far.~~\n"
        "  A diverging lens makes things look smaller.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    first = build_into(course, out, now=T1)
    assert first.output is not None, [d.format() for d in first.diagnostics.sorted()]
    guids = {note["guid"] for note in read_rows(first.output)["notes"]}
    before = snapshot(course)

    result = run_ids(str(course))

    if result.exit_code == 0:
        second = build_into(course, out, now=T2)
        assert not second.diagnostics.errors, [d.format() for d in second.diagnostics.sorted()]
        assert second.output is not None
        assert {note["guid"] for note in read_rows(second.output)["notes"]} == guids
    else:
        # Refusing is fine too, as long as it says where and touches nothing.
        assert result.exit_code == 1
        assert f"{course / lesson}:" in result.stderr
        assert snapshot(course) == before


# --- git: stamping is a reviewable diff of its own -------------------------------------------


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(lessons: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The lessons committed in a fresh git repository; the user's git config is ignored."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CEILING_DIRECTORIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Author")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.invalid")
    root = lessons.parent
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "lessons")
    assert git(root, "status", "--porcelain") == ""
    return lessons


def refusal(shown: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(shown)}(?::0)?: error: .*uncommitted changes", re.MULTILINE)


def make_dirty(content: Path, how: str) -> str:
    """Leave a lesson with unstamped notes uncommitted; returns its path in the content folder."""
    if how == "untracked":
        rel = "30-extra/fresh.md"
        (content / rel).write_text("# Fresh\n\n### What is new?\n\nThis.\n", encoding="utf-8")
        return rel
    rel = "20-more-topics/review.md"
    path = content / rel
    path.write_text(path.read_text(encoding="utf-8") + "\nA closing remark.\n", encoding="utf-8")
    if how == "staged":
        git(content, "add", rel)
    return rel


def test_committed_course_is_stamped_without_force(repo: Path) -> None:
    result = run_ids(str(repo))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].endswith(" id(s) in 3 file(s)")
    changed = git(repo, "status", "--porcelain").splitlines()
    assert sorted(line[3:] for line in changed) == [
        "content/10-basics/cards.md",
        "content/20-more-topics/review.md",
        "content/30-extra/more.md",
    ]


@pytest.mark.parametrize("how", ["modified", "staged", "untracked"])
def test_uncommitted_files_are_refused(repo: Path, how: str) -> None:
    rel = make_dirty(repo, how)
    before = snapshot(repo)

    result = run_ids(str(repo))

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert refusal(str(repo / rel)).search(result.stderr), result.stderr
    assert result.stderr.splitlines()[-1] == "ids: nothing stamped"
    assert snapshot(repo) == before


@pytest.mark.parametrize("how", ["modified", "staged", "untracked"])
def test_force_stamps_uncommitted_files(repo: Path, tmp_path: Path, how: str) -> None:
    rel = make_dirty(repo, how)
    expected = unstamped(repo, tmp_path / "scratch")
    assert rel in {path for path, _ in expected}
    before = snapshot(repo)

    result = run_ids(str(repo), "--force")

    assert result.exit_code == 0, result.output
    assert_stamped_files(before, repo, expected)
    assert unstamped(repo, tmp_path / "scratch") == {}


@pytest.mark.parametrize("where", ["parent", "inside"])
def test_refusal_works_with_a_relative_content_path(
    repo: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """`ankigen ids` is usually run as `ankigen ids` (content/) or `ankigen ids .`."""
    rel = make_dirty(repo, "modified")
    before = snapshot(repo)
    if where == "parent":
        monkeypatch.chdir(repo.parent)
        argument = repo.name
    else:
        monkeypatch.chdir(repo)
        argument = "."

    result = run_ids(argument)

    assert result.exit_code == 1, result.output
    assert refusal(str(Path(argument) / rel)).search(result.stderr), result.stderr
    assert snapshot(repo) == before


def test_dry_run_reports_the_refusal_too(repo: Path) -> None:
    rel = make_dirty(repo, "untracked")
    before = snapshot(repo)
    result = run_ids(str(repo), "--dry-run")
    assert result.exit_code == 1
    assert refusal(str(repo / rel)).search(result.stderr), result.stderr
    assert snapshot(repo) == before


def load_state(path: Path) -> lockfile.State:
    diags = Diagnostics()
    loaded = lockfile.load(path, str(path), diags)
    assert loaded is not None and not diags.items, [d.format() for d in diags.items]
    return loaded
