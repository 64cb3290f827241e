"""`ankigen build`, `check` and `lint` end the process without freeing its objects one by one
(generator.cli.run): the exit status and every line printed must be what `main` gives."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES


def command(args: list[str] | str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`args` run in `cwd` (a string: through the shell), with what it printed."""
    return subprocess.run(
        args,
        shell=isinstance(args, str),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"SOURCE_DATE_EPOCH": "1700000000", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )


def ankigen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return command([sys.executable, "-m", "generator", *args], cwd)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    return content


def test_a_build_says_everything_and_exits_0(course: Path, tmp_path: Path) -> None:
    done = ankigen("build", str(course), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("deck") and lines[-1].startswith("wrote ")
    assert list((tmp_path / "out").glob("*.apkg"))


def test_a_failed_build_says_why_and_exits_1(course: Path, tmp_path: Path) -> None:
    (course / "10-basics" / "broken.md").write_text("# Broken\n\n### Q? <!-- id: \n", "utf-8")
    done = ankigen("build", str(course), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 1
    assert "broken.md:" in done.stderr
    assert done.stderr.rstrip().endswith("nothing written")


def test_check_and_lint_keep_their_statuses(course: Path, tmp_path: Path) -> None:
    assert ankigen("check", str(course), cwd=tmp_path).returncode == 0
    usage = ankigen("check", str(course), "--format", "nonsense", cwd=tmp_path)
    assert usage.returncode == 2 and "nonsense" in usage.stderr
    linted = ankigen("lint", str(course), cwd=tmp_path)
    assert linted.returncode in (0, 1)
    assert linted.stdout or linted.stderr


def test_a_closed_pipe_ends_quietly(course: Path, tmp_path: Path) -> None:
    """`ankigen build -v | head -1`: the reader goes away; no traceback, no hang."""
    shown = command(
        f"{sys.executable} -m generator build {course} --out {tmp_path / 'out'} -v | head -1",
        tmp_path,
    )
    assert shown.stdout.startswith("deck")
    assert "Traceback" not in shown.stderr


def test_a_profiled_build_still_writes_its_profile(course: Path, tmp_path: Path) -> None:
    """The quick exit steps aside for a profiler, which writes its results as Python ends."""
    stats = tmp_path / "build.prof"
    done = command(
        [
            *(sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "generator", "build"),
            *(str(course), "--out", str(tmp_path / "out"), "-q"),
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert stats.stat().st_size > 0


@pytest.mark.parametrize(
    ("command_name", "paused"), [("build", True), ("lint", True), ("sync", False)]
)
def test_the_collector_stays_paused_in_a_process_that_ends_with_its_build(
    command_name: str, paused: bool, tmp_path: Path
) -> None:
    """Resumed at the end of a build, the cyclic collector's first pass would walk every object
    the build made, just before the process ends (a twentieth of a rebuild)."""
    probe = (
        "import gc, sys\n"
        "import generator.cli as cli\n"
        "cli.main = lambda: print('enabled' if gc.isenabled() else 'paused')\n"
        f"sys.argv = ['ankigen', {command_name!r}]\n"
        "cli.run()\n"
    )
    done = command([sys.executable, "-c", probe], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("paused" if paused else "enabled")
