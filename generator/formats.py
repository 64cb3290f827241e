"""Diagnostics as `ankigen check` prints them: text, JSON, SARIF 2.1.0 (for code scanning) or
GitHub Actions workflow commands (annotations on the changed lines of a pull request). Pure
text; the command line prints it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from generator import __version__
from generator.diagnostics import Diagnostic, Severity

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pypi.org/project/ankigen/"
SOURCE_ROOT = "SRCROOT"


def counts(diagnostics: Sequence[Diagnostic]) -> tuple[int, int]:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    return errors, len(diagnostics) - errors


def summary(diagnostics: Sequence[Diagnostic], notes: int, *, ok: bool) -> str:
    """The line that ends `ankigen check`."""
    errors, warnings = counts(diagnostics)
    if not diagnostics:
        return f"check: no problems in {notes} notes"
    verdict = "" if ok else ", check failed"
    return f"check: {errors} error(s), {warnings} warning(s) in {notes} notes{verdict}"


def as_json(diagnostics: Sequence[Diagnostic], notes: int, *, ok: bool) -> str:
    errors, warnings = counts(diagnostics)
    data = {
        "ok": ok,
        "notes": notes,
        "errors": errors,
        "warnings": warnings,
        "diagnostics": [d.as_dict() for d in diagnostics],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def uri_of(path: str) -> str:
    """A diagnostic's path as a URI reference relative to the working folder."""
    return quote(Path(path).as_posix(), safe="/")


def result_of(diagnostic: Diagnostic) -> dict[str, Any]:
    location: dict[str, Any] = {
        "artifactLocation": {"uri": uri_of(diagnostic.path), "uriBaseId": SOURCE_ROOT}
    }
    if diagnostic.line > 0:
        region: dict[str, int] = {"startLine": diagnostic.line}
        if diagnostic.column > 0:
            region["startColumn"] = diagnostic.column
        location["region"] = region
    result: dict[str, Any] = {
        "level": "error" if diagnostic.severity is Severity.ERROR else "warning",
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": location}],
    }
    if diagnostic.code:
        result["ruleId"] = diagnostic.code
    return result


def as_sarif(diagnostics: Sequence[Diagnostic], *, ok: bool, root: Path) -> str:
    """A SARIF 2.1.0 log with one run: a rule per diagnostic code, a result per diagnostic,
    paths relative to `root` (the working folder)."""
    codes = sorted({d.code for d in diagnostics if d.code})
    rules = [
        {
            "id": code,
            "name": code,
            "shortDescription": {"text": first_message(diagnostics, code)},
        }
        for code in codes
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ankigen",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": root.resolve().as_uri() + "/"}},
                "invocations": [{"executionSuccessful": ok}],
                "columnKind": "unicodeCodePoints",
                "results": [result_of(d) for d in diagnostics],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def first_message(diagnostics: Sequence[Diagnostic], code: str) -> str:
    return next(d.message for d in diagnostics if d.code == code)


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(diagnostics: Sequence[Diagnostic]) -> str:
    """One workflow command per diagnostic: GitHub Actions shows each as an annotation on its
    line (https://docs.github.com/actions/reference/workflow-commands-for-github-actions)."""
    lines = []
    for d in diagnostics:
        command = "error" if d.severity is Severity.ERROR else "warning"
        properties = [f"file={escape_property(d.path)}"]
        if d.line > 0:
            properties.append(f"line={d.line}")
            if d.column > 0:
                properties.append(f"col={d.column}")
        title = f"ankigen [{d.code}]" if d.code else "ankigen"
        properties.append(f"title={escape_property(title)}")
        lines.append(f"::{command} {','.join(properties)}::{escape_data(d.message)}")
    return "\n".join(lines)
