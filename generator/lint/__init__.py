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
    Asked,
    Finding,
    Rule,
    asked_key,
    duplicate_findings,
    fact_findings,
    run,
)
from generator.source.silences import ALL


@dataclass(frozen=True, slots=True)
class LessonLint:
    """What a lesson's worker finds by itself: the findings of the rules that look at one note,
    and what each note asks, for the rule that compares notes across the course."""

    findings: tuple[Finding, ...] = ()
    """Findings of the one-note rules, silenced ones left out."""
    asked: tuple[Asked, ...] = ()
    """`asked_key` of each fact, aligned with the lesson's facts."""


def lesson_lint(facts: Sequence[Fact]) -> LessonLint:
    return LessonLint(tuple(fact_findings(facts)), tuple(asked_key(fact) for fact in facts))


def report(
    facts: Sequence[Fact],
    diags: Diagnostics,
    *,
    build: bool = False,
    lessons: Sequence[LessonLint] | None = None,
) -> list[Finding]:
    """Run every rule and add the findings to `diags` as warnings (during a build, only those
    of lessons that keep `lint_build`). Unknown rule codes in silences are warned about too.
    `lessons` are the lessons' own findings when their workers made them (`lesson_lint`, in
    the order of `facts`)."""
    if lessons is None:
        findings = run(facts)
    else:
        asked = [key for lesson in lessons for key in lesson.asked]
        findings = [finding for lesson in lessons for finding in lesson.findings]
        findings.extend(duplicate_findings(facts, asked))
    allowed = {fact.path for fact in facts if fact.in_build} if build else None
    for finding in findings:
        if allowed is None or finding.path in allowed:
            diags.warning(finding.path, finding.line, finding.message, code=finding.code)
    warned: set[tuple[str, int]] = set()
    for fact in facts:
        for silence in fact.silences:
            unknown = sorted(silence.codes - CODES - {ALL})
            if unknown and (fact.path, silence.line) not in warned:
                warned.add((fact.path, silence.line))
                diags.warning(
                    fact.path,
                    silence.line,
                    f"unknown lint rule(s) {', '.join(unknown)}: the rules are "
                    f"{', '.join(sorted(CODES))}",
                    code="lint-unknown-rule",
                )
        unknown = sorted(fact.ignored - CODES)
        if unknown and (fact.path, 0) not in warned:
            warned.add((fact.path, 0))
            diags.warning(
                fact.path,
                0,
                f"unknown lint rule(s) {', '.join(unknown)} in 'lint_ignore': the rules are "
                f"{', '.join(sorted(CODES))}",
                code="lint-unknown-rule",
            )
    return findings


__all__ = [
    "CODES",
    "RULES",
    "Fact",
    "Finding",
    "LessonLint",
    "Rule",
    "facts_of",
    "lesson_lint",
    "report",
]
