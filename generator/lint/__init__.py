"""`ankigen lint`: card-quality rules (generator.lint.rules) run over facts of the notes
(generator.lint.facts); the build reports the same findings as warnings unless a course turns
them off (`lint_build: false`)."""

from __future__ import annotations

from collections.abc import Sequence

from generator.diagnostics import Diagnostics
from generator.lint.facts import Fact, facts_of
from generator.lint.rules import CODES, RULES, Finding, Rule, run
from generator.source.silences import ALL


def report(facts: Sequence[Fact], diags: Diagnostics, *, build: bool = False) -> list[Finding]:
    """Run every rule and add the findings to `diags` as warnings (during a build, only those
    of lessons that keep `lint_build`). Unknown rule codes in silences are warned about too."""
    findings = run(facts)
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


__all__ = ["CODES", "RULES", "Fact", "Finding", "Rule", "facts_of", "report"]
