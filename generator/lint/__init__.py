"""`ankigen lint`: card-quality rules (generator.lint.rules) run over facts of the notes
(generator.lint.facts); the build reports the same findings as warnings unless a course turns
them off (`lint_build: false`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.diagnostics import Diagnostics
from generator.lint.facts import Fact, facts_of
from generator.lint.rules import (
    CODES,
    RULES,
    Asking,
    Finding,
    Rule,
    asking,
    duplicate_findings,
    fact_findings,
)
from generator.source.silences import ALL


@dataclass(frozen=True, slots=True)
class LessonLint:
    """What the rules find in one lesson by itself (its worker runs them), and what its notes
    ask, for the rule that compares notes across the course."""

    findings: tuple[Finding, ...] = ()
    """Findings of the one-note rules, silenced ones left out."""
    askings: tuple[Asking, ...] = ()
    """Each note as the duplicate-question rule sees it."""
    unknown: tuple[tuple[str, int, str], ...] = ()
    """Warnings (path, line, message) about rule codes no rule has."""
    shown: tuple[str, ...] = ()
    """Lesson paths whose findings `ankigen build` reports (`lint_build`)."""


def lesson_lint(facts: Sequence[Fact]) -> LessonLint:
    return LessonLint(
        tuple(fact_findings(facts)),
        tuple(asking(fact) for fact in facts),
        tuple(unknown_rules(facts)),
        tuple(sorted({fact.path for fact in facts if fact.in_build})),
    )


def unknown_rules(facts: Sequence[Fact]) -> list[tuple[str, int, str]]:
    """Rule codes in silences and `lint_ignore` that no rule has, once per comment and file."""
    found: list[tuple[str, int, str]] = []
    warned: set[tuple[str, int]] = set()
    for fact in facts:
        for silence in fact.silences:
            unknown = sorted(silence.codes - CODES - {ALL})
            if unknown and (fact.path, silence.line) not in warned:
                warned.add((fact.path, silence.line))
                found.append(
                    (
                        fact.path,
                        silence.line,
                        f"unknown lint rule(s) {', '.join(unknown)}: the rules are "
                        f"{', '.join(sorted(CODES))}",
                    )
                )
        unknown = sorted(fact.ignored - CODES)
        if unknown and (fact.path, 0) not in warned:
            warned.add((fact.path, 0))
            found.append(
                (
                    fact.path,
                    0,
                    f"unknown lint rule(s) {', '.join(unknown)} in 'lint_ignore': the rules are "
                    f"{', '.join(sorted(CODES))}",
                )
            )
    return found


def report(
    facts: Sequence[Fact],
    diags: Diagnostics,
    *,
    build: bool = False,
    lessons: Sequence[LessonLint] | None = None,
) -> list[Finding]:
    """Run every rule and add the findings to `diags` as warnings (during a build, only those
    of lessons that keep `lint_build`). Unknown rule codes in silences are warned about too.
    `lessons` are what the lessons' workers found (`lesson_lint`); without them the rules run
    on `facts` here."""
    if lessons is None:
        lessons = [lesson_lint(facts)]
    findings = [finding for lesson in lessons for finding in lesson.findings]
    findings.extend(duplicate_findings([note for lesson in lessons for note in lesson.askings]))
    allowed = {path for lesson in lessons for path in lesson.shown} if build else None
    for finding in findings:
        if allowed is None or finding.path in allowed:
            diags.warning(finding.path, finding.line, finding.message, code=finding.code)
    for lesson in lessons:
        for path, line, message in lesson.unknown:
            diags.warning(path, line, message, code="lint-unknown-rule")
    return findings


__all__ = [
    "CODES",
    "RULES",
    "Asking",
    "Fact",
    "Finding",
    "LessonLint",
    "Rule",
    "facts_of",
    "lesson_lint",
    "report",
]
