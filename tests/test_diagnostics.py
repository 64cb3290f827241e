"""The diagnostics collector: each problem kept once, in the order the build found it."""

from __future__ import annotations

from generator.diagnostics import Diagnostic, Diagnostics, Severity


def warning(line: int) -> Diagnostic:
    return Diagnostic("lesson.md", line, Severity.WARNING, f"problem {line}", "code")


def test_the_same_problem_reported_twice_is_kept_once() -> None:
    diags = Diagnostics([warning(1), warning(1)])
    diags.warning("lesson.md", 1, "problem 1", code="code")
    assert diags.items == [warning(1)]


def test_problems_found_later_can_take_their_place_among_earlier_ones() -> None:
    diags = Diagnostics([warning(1), warning(2), warning(3)])
    # Inserted after the first two, each once, leaving out what is there already.
    added = diags.extend_at(2, [warning(10), warning(1), warning(11), warning(10)])
    assert added == 2
    assert diags.items == [warning(1), warning(2), warning(10), warning(11), warning(3)]
    diags.extend([warning(11), warning(12)])
    assert diags.items[-1] == warning(12) and len(diags.items) == 6
    assert diags.extend_at(0, []) == 0
