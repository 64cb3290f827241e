"""Cloze edits that would move or orphan review history are reported by name and number."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import build_into

COURSE = "---\ndeck: C\nnamespace: cloze-history\ncloze_choices: false\n---\n"


def write(content: Path, sentence: str) -> None:
    content.mkdir(exist_ok=True)
    (content / "_index.md").write_text(COURSE, encoding="utf-8")
    lesson = f"# Lesson\n\n{sentence} <!-- id: sentence -->\n"
    (content / "lesson.md").write_text(lesson, encoding="utf-8")


def warnings(content: Path, out: Path, now: int) -> list[str]:
    result = build_into(content, out, now=now)
    assert result.output is not None, [d.format() for d in result.diagnostics.sorted()]
    return [d.format() for d in result.diagnostics.warnings]


def test_swapped_deletions_are_reported_as_renumbered(tmp_path: Path) -> None:
    content, out = tmp_path / "content", tmp_path / "out"
    write(content, "Paris is in ==France== and Berlin in ==Germany==.")
    assert warnings(content, out, 1_000) == []
    write(content, "Berlin is in ==Germany== and Paris in ==France==.")
    [message] = warnings(content, out, 2_000)
    assert "lesson.md:3: warning: cloze note 'sentence' renumbered its deletions" in message
    assert "c2 → c1, c1 → c2" in message


def test_removed_deletion_is_reported_as_a_lost_card(tmp_path: Path) -> None:
    content, out = tmp_path / "content", tmp_path / "out"
    write(content, "Paris is in ==France== and Berlin in ==Germany==.")
    warnings(content, out, 1_000)
    write(content, "Paris is in ==France== and Berlin in Germany.")
    [message] = warnings(content, out, 2_000)
    assert "note 'sentence' no longer has card(s) 2" in message


def test_explicit_numbers_keep_history_in_place(tmp_path: Path) -> None:
    content, out = tmp_path / "content", tmp_path / "out"
    write(content, "Paris is in ==France== and Berlin in ==Germany==.")
    warnings(content, out, 1_000)
    write(content, "Berlin is in ==c2::Germany== and Paris in ==c1::France==.")
    assert warnings(content, out, 2_000) == []
