"""Diagnostic codes are stable names, and docs/format.md lists every one of them.

A code is given where a problem is found (`code="…"`); these tests read the sources and the docs,
and run the error corpus, so that a new code cannot be left out of the table, a code the
generator no longer gives cannot stay in it, and no problem of the corpus is reported without
one.
"""

from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import ROOT
from tests.test_errors import CASES, FIXTURES

GENERATOR = ROOT / "generator"
FORMAT = ROOT / "docs" / "format.md"
LINT = ROOT / "docs" / "lint.md"
CODE = re.compile(r"`([a-z][a-z0-9]*(?:-[a-z0-9]+)*)`")
PRINTED = re.compile(r"^(?P<where>\S+?): (?P<severity>error|warning): .* \[(?P<code>[a-z0-9-]+)\]$")


def documented() -> set[str]:
    """Codes in the first column of the table under 'Errors and warnings'."""
    text = FORMAT.read_text(encoding="utf-8")
    table = text[text.index("## Errors and warnings") :]
    codes: set[str] = set()
    for row in table.splitlines():
        if row.startswith("| `"):
            codes.update(CODE.findall(row.split(" | ")[0]))
    return codes


def keyword_codes() -> dict[str, str]:
    """Every `code="…"` written in the generator → where."""
    found: dict[str, str] = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg == "code"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    found.setdefault(value.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def lint_codes() -> set[str]:
    return set(CODE.findall(LINT.read_text(encoding="utf-8")))


@pytest.mark.sources
def test_every_code_given_is_in_the_table() -> None:
    table, lint = documented(), lint_codes()
    missing = {
        code: where
        for code, where in keyword_codes().items()
        if code not in table and not (code.startswith("lint-") and code in lint)
    }
    assert missing == {}


@pytest.mark.sources
def test_every_code_in_the_table_is_given_somewhere() -> None:
    sources = "\n".join(path.read_text(encoding="utf-8") for path in GENERATOR.rglob("*.py"))
    stale = sorted(code for code in documented() if f'"{code}"' not in sources)
    assert stale == []


@pytest.mark.sources
def test_codes_are_kebab_case() -> None:
    for code in [*documented(), *keyword_codes()]:
        assert re.fullmatch(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", code), code


@pytest.mark.parametrize("case", CASES)
def test_every_problem_of_the_corpus_has_a_documented_code(case: str) -> None:
    table, lint = documented(), lint_codes()
    lines = (FIXTURES / f"{case}.expected").read_text(encoding="utf-8").splitlines()
    for line in lines[:-1]:  # the last line counts them
        printed = PRINTED.match(line)
        assert printed is not None, f"{case}: {line}"
        code = printed["code"]
        assert code in table or (code.startswith("lint-") and code in lint), f"{case}: {code}"
