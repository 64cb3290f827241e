"""Error fixtures run through the whole build: `tests/fixtures/errors/<case>.expected`.

A case is `<case>.md`, copied as `content/<case>.md` next to a course `_index.md`, or a folder
`<case>/` whose files are copied over that content folder (for problems that need several files,
or a different `_index.md`; a file `.symlinks` there lists symbolic links to make, one
`link -> target` a line). `<case>.expected` holds the exact lines `ankigen build` writes to
stderr, written by hand from docs/format.md. Cases named `strict-*` are built with `--strict`.

Every case must fail the way docs/format.md promises: exit status 1, every problem reported at
once as `path:line: severity: message [code]` at a line (and column) that exists in the file, no
traceback, no package written, and a package left by an earlier build kept byte for byte.

`ANKIGEN_UPDATE_FIXTURES=1` rewrites the `.expected` files from the current output.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from generator.config import BuildConfig
from generator.pipeline import build

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "errors"
CASES = sorted(path.stem for path in FIXTURES.glob("*.expected"))
STRICT_CASES = [case for case in CASES if case.startswith("strict-")]
UPDATE = os.environ.get("ANKIGEN_UPDATE_FIXTURES") == "1"

COURSE_INDEX = "---\ndeck: Course\nnamespace: errors-test\n---\n\nA course for error tests.\n"
GOOD_LESSON = "### What is a good lesson?\n\nOne that builds.\n"
PACKAGE = "course.apkg"


def make_content(root: Path, case: str) -> Path:
    content = root / "content"
    content.mkdir()
    (content / "_index.md").write_text(COURSE_INDEX, encoding="utf-8")
    lesson = FIXTURES / f"{case}.md"
    if lesson.is_file():
        shutil.copyfile(lesson, content / lesson.name)
    else:
        shutil.copytree(FIXTURES / case, content, dirs_exist_ok=True)
        links = content / ".symlinks"
        if links.is_file():
            for row in links.read_text(encoding="utf-8").splitlines():
                link, target = (part.strip() for part in row.split("->"))
                (content / link).symlink_to(target)
            links.unlink()
    return content


WHERE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+)(?::(?P<column>\d+))?: (?:error|warning): ")


def assert_places_exist(root: Path, lines: list[str]) -> None:
    """Every `path:line:column` names a line of that file, and a column within the line: the
    expectations were written by hand, this keeps them honest about where they point."""
    for printed in lines:
        where = WHERE.match(printed)
        if where is None:
            continue
        source = (root / where["path"]).read_bytes().decode("utf-8", errors="replace")
        text = source.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        rows = text.split("\n")
        if rows and rows[-1] == "":
            rows.pop()
        line = int(where["line"])
        assert 1 <= line <= max(len(rows), 1), printed
        if where["column"]:
            assert 1 <= int(where["column"]) <= len(rows[line - 1]) + 1, printed


def run_build(*args: str) -> Result:
    return CliRunner().invoke(main, ["build", "content", *args])


def assert_failed_cleanly(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.fixture(scope="module")
def previous_package(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A package written by an earlier, successful build."""
    root = tmp_path_factory.mktemp("previous")
    content = root / "content"
    content.mkdir()
    (content / "_index.md").write_text(COURSE_INDEX, encoding="utf-8")
    (content / "good.md").write_text(GOOD_LESSON, encoding="utf-8")
    result = build(BuildConfig(content=content, out_dir=root / "build", jobs=1))
    assert result.output is not None, [d.format() for d in result.diagnostics.sorted()]
    assert result.output.name == PACKAGE
    return result.output.read_bytes()


def test_cases_are_complete() -> None:
    sources = {path.stem for path in FIXTURES.glob("*.md")}
    sources |= {path.name for path in FIXTURES.iterdir() if path.is_dir()}
    assert sources == set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_error_fixture(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, previous_package: bytes
) -> None:
    make_content(tmp_path, case)
    monkeypatch.chdir(tmp_path)
    strict = ["--strict"] if case in STRICT_CASES else []

    # A first build writes nothing at all.
    fresh = run_build("--out", "fresh", *strict)
    assert_failed_cleanly(fresh)
    assert not (tmp_path / "fresh").exists() or not any((tmp_path / "fresh").iterdir())

    # A package from an earlier build stays as it was, and nothing is left beside it.
    out = tmp_path / "build"
    out.mkdir()
    package = out / PACKAGE
    package.write_bytes(previous_package)
    before = package.stat().st_mtime_ns
    again = run_build("--out", "build", *strict)
    assert_failed_cleanly(again)
    assert sorted(path.name for path in out.iterdir()) == [PACKAGE]
    assert package.read_bytes() == previous_package
    assert package.stat().st_mtime_ns == before
    assert again.stderr == fresh.stderr

    expected_file = FIXTURES / f"{case}.expected"
    if UPDATE:
        expected_file.write_text(fresh.stderr, encoding="utf-8")
        pytest.fail(f"rewrote {expected_file.name}: review `git diff`, then run without update")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert fresh.stderr.splitlines() == expected
    assert_places_exist(tmp_path, expected)


@pytest.mark.parametrize("case", STRICT_CASES)
def test_warnings_alone_do_not_fail_without_strict(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The `strict-*` cases only have warnings: without `--strict` they build."""
    make_content(tmp_path, case)
    monkeypatch.chdir(tmp_path)
    result = run_build("--out", "build")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "build" / PACKAGE).is_file()
    expected = (FIXTURES / f"{case}.expected").read_text(encoding="utf-8").splitlines()
    assert result.stderr.splitlines() == expected[:-1]
