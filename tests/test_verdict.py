"""One verdict: `build --json` says `"ok"` exactly when the exit status is 0, and a failed build
writes nothing, whatever stage found the problem (parser, renderer, plan) and with or without
--strict and --dry-run."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import FIXTURES

T1, T2 = 1_800_000_000, 1_800_086_400


def copy_course(root: Path) -> Path:
    content = root / "content"
    shutil.copytree(FIXTURES / "course", content)
    return content


def nothing(content: Path) -> None:
    """The course as it is."""


def parse_error(content: Path) -> None:
    """A multiple-choice question without a correct option: the parser's error."""
    with (content / "10-basics" / "cards.md").open("a", encoding="utf-8") as lesson:
        lesson.write("\n### Broken? <!-- id: fx-broken -->\n\n- [ ] a\n- [ ] b\n")


def render_error(content: Path) -> None:
    """A missing image: the renderer's error."""
    with (content / "10-basics" / "cards.md").open("a", encoding="utf-8") as lesson:
        lesson.write("\n### Where? <!-- id: fx-where -->\n\n![map](missing.png)\n")


def parse_warning(content: Path) -> None:
    """A near-miss field label: a warning only."""
    with (content / "10-basics" / "cards.md").open("a", encoding="utf-8") as lesson:
        lesson.write("\n### Which? <!-- id: fx-which -->\n\nThis.\n\n**Hnt:** not a label\n")


def plan_warning(content: Path) -> None:
    """A note moved to another deck since the last build: the plan's warning."""
    cards = content / "10-basics" / "cards.md"
    shutil.move(cards, content / "20-more-topics" / "cards.md")


def no_cards(content: Path) -> None:
    """Every lesson removed: nothing to package."""
    for lesson in content.rglob("*.md"):
        if lesson.name != "_index.md":
            lesson.unlink()


CHANGES: dict[str, Callable[[Path], None]] = {
    "nothing": nothing,
    "parse-error": parse_error,
    "render-error": render_error,
    "parse-warning": parse_warning,
    "plan-warning": plan_warning,
    "no-cards": no_cards,
}
EXPECTED_OK = {
    # (change, strict) -> ok
    ("nothing", False): True,
    ("nothing", True): True,
    ("parse-error", False): False,
    ("parse-error", True): False,
    ("render-error", False): False,
    ("render-error", True): False,
    ("parse-warning", False): True,
    ("parse-warning", True): False,
    ("plan-warning", False): True,
    ("plan-warning", True): False,
    ("no-cards", False): False,
    ("no-cards", True): False,
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("dry_run", [False, True], ids=["write", "dry-run"])
@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_json_ok_and_exit_status_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, strict: bool, dry_run: bool
) -> None:
    content = copy_course(tmp_path)
    out, lock = tmp_path / "out", tmp_path / "ankigen.lock"
    runner = CliRunner()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T1))
    first = runner.invoke(main, ["build", str(content), "--out", str(out), "--lock", str(lock)])
    assert first.exit_code == 0, first.stderr
    CHANGES[change](content)
    before = snapshot(tmp_path / "out") | {"lock": lock.read_bytes()}

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T2))
    options = ["--json", *(["--strict"] if strict else []), *(["--dry-run"] if dry_run else [])]
    result = runner.invoke(
        main, ["build", str(content), "--out", str(out), "--lock", str(lock), *options]
    )

    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert report["ok"] is (result.exit_code == 0), (report, result.stderr)
    assert report["ok"] is EXPECTED_OK[(change, strict)], result.stderr
    after = snapshot(tmp_path / "out") | {"lock": lock.read_bytes()}
    wrote = after != before
    if not report["ok"] or dry_run:
        assert not wrote, "a failed build or a dry run must write nothing"
        assert report["output"] is None
    else:
        assert report["output"] is not None
    severities = {d["severity"] for d in report["diagnostics"]}
    if not report["ok"]:
        assert "error" in severities or (strict and "warning" in severities)
