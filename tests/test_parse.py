"""Data-driven parser tests: `tests/fixtures/parse/<case>.md` → `<case>.json`.

Each `.md` file is a lesson; the `.json` next to it is what `parse_lesson` must return for it:
the lesson title, every note (identity, deck, tags, badge, context and the note's own Markdown
fields) and every diagnostic as the CLI prints it.

The expected files are written by hand from docs/format.md. To see what the parser does now,
run with `ANKIGEN_UPDATE_FIXTURES=1`: the `.json` files are rewritten from the current output,
and `git diff tests/fixtures/parse` shows every change for review.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest

from generator.config import BuildConfig
from generator.diagnostics import Diagnostic
from generator.kinds import REGISTRY
from generator.kinds.lesson import ParsedLesson, parse_lesson
from generator.notes import Defaults, Lesson, Note, Text
from generator.pipeline import build

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "parse"
CASES = sorted(FIXTURES.glob("*.md"))
UPDATE = os.environ.get("ANKIGEN_UPDATE_FIXTURES") == "1"


def lesson_for(case: str) -> Lesson:
    return Lesson(
        path=f"lessons/{case}.md",
        rel=f"{case}.md",
        deck="Course::Topic",
        defaults=Defaults(tags=("course",)),
    )


def read_source(path: Path) -> str:
    """The file's text exactly as written: no newline translation, a BOM is kept."""
    return path.read_bytes().decode("utf-8")


def plain(value: Any) -> Any:
    """Dataclasses and tuples as JSON values; a text as its line and Markdown ("" when empty)."""
    if isinstance(value, Text):
        return {"line": value.line, "markdown": value.markdown} if value.markdown else ""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    return value


def note_json(note: Note) -> dict[str, Any]:
    meta = note.meta
    assert dataclasses.is_dataclass(note)
    fields = {
        f.name: plain(getattr(note, f.name)) for f in dataclasses.fields(note) if f.name != "meta"
    }
    return {
        "construct": meta.construct,
        "note_type": note.note_type,
        "id": meta.id,
        "explicit_id": meta.explicit_id,
        "line": meta.line,
        "deck": meta.deck,
        "tags": list(meta.tags),
        "badge": meta.badge,
        "context": meta.context,
        "fields": fields,
    }


def diagnostic_lines(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    """As the CLI reports them: sorted by file, line and message."""
    ordered = sorted(diagnostics, key=lambda d: (d.path, d.line, d.message))
    return [d.format() for d in ordered]


def result_json(parsed: ParsedLesson) -> dict[str, Any]:
    return {
        "title": parsed.title,
        "notes": [note_json(note) for note in parsed.notes],
        "diagnostics": diagnostic_lines(parsed.diagnostics),
    }


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("source", CASES, ids=[case.stem for case in CASES])
def test_parse_fixture(source: Path) -> None:
    actual = result_json(parse_lesson(lesson_for(source.stem), read_source(source), REGISTRY))
    expected_file = source.with_suffix(".json")
    if UPDATE:
        expected_file.write_text(dump(actual), encoding="utf-8")
        pytest.fail(f"rewrote {expected_file.name}: review `git diff`, then run without update")
    assert expected_file.is_file(), (
        f"missing {expected_file.name}; run with ANKIGEN_UPDATE_FIXTURES=1"
    )
    expected = json.loads(expected_file.read_text(encoding="utf-8"))

    assert actual["title"] == expected["title"]
    assert actual["diagnostics"] == expected["diagnostics"]
    assert [n["id"] for n in actual["notes"]] == [n["id"] for n in expected["notes"]]
    for got, want in zip(actual["notes"], expected["notes"], strict=True):
        assert got == want, f"note {want['id']} (line {want['line']})"


def test_every_expected_file_has_a_lesson() -> None:
    lessons = {case.stem for case in CASES}
    orphans = sorted(p.name for p in FIXTURES.glob("*.json") if p.stem not in lessons)
    assert not orphans


def test_fixture_bytes_survived_checkout() -> None:
    """The encoding fixtures only test something while their special bytes are intact."""
    crlf = (FIXTURES / "crlf.md").read_bytes()
    assert b"\r\n" in crlf
    assert b"\n" not in crlf.replace(b"\r\n", b"")
    assert (FIXTURES / "bom.md").read_bytes().startswith(b"\xef\xbb\xbf---\n")
    assert (FIXTURES / "bom-heading.md").read_bytes().startswith(b"\xef\xbb\xbf###")
    breaks = (FIXTURES / "line-breaks.md").read_bytes()
    assert b"\x0c" in breaks
    assert "\u2028".encode() in breaks


INHERITANCE = {
    "_index.md": "---\ndeck: Course\nnamespace: ns\ntags: [course-tag]\nlevel: beginner\n"
    "difficulty: easy\n---\n",
    "top.md": "### Top-level card\n\nAnswer.\n",
    "01-topic/_index.md": "---\ntags: topic-tag\nlevel: intermediate\n---\n",
    "01-topic/inherit.md": "### Inherited reveal\n\nAnswer.\n\n"
    "### Inherited choice\n\n- [x] a\n- [ ] b\n",
    "01-topic/override.md": "---\ntags: [lesson-tag, course-tag]\nlevel: advanced\n"
    "difficulty: hard\n---\n\n### Overridden reveal\n\nAnswer.\n\n"
    "### Overridden choice\n\n- [x] a\n- [ ] b\n",
}


def test_front_matter_is_inherited_course_folder_lesson(tmp_path: Path) -> None:
    """Tags add up course → folder → lesson; level and difficulty are replaced."""
    content = tmp_path / "content"
    for rel, text in INHERITANCE.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
    result = build(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1))
    assert [d.format() for d in result.diagnostics.sorted()] == []
    got = {note.meta.id: (note.meta.deck, list(note.meta.tags)) for note in result.notes}
    assert got == {
        "top#top-level-card": (
            "Course",
            ["ankigen::reveal", "course-tag", "level::beginner"],
        ),
        "01-topic/inherit#inherited-reveal": (
            "Course::Topic",
            ["ankigen::reveal", "course-tag", "level::intermediate", "topic-tag"],
        ),
        "01-topic/inherit#inherited-choice": (
            "Course::Topic",
            ["ankigen::multiple-choice", "course-tag", "difficulty::easy", "topic-tag"],
        ),
        "01-topic/override#overridden-reveal": (
            "Course::Topic",
            ["ankigen::reveal", "course-tag", "lesson-tag", "level::advanced", "topic-tag"],
        ),
        "01-topic/override#overridden-choice": (
            "Course::Topic",
            [
                "ankigen::multiple-choice",
                "course-tag",
                "difficulty::hard",
                "lesson-tag",
                "topic-tag",
            ],
        ),
    }
