"""What the command line shows on a terminal and elsewhere: colour, the progress bar, help texts
that are not cut short, shell completion, the version."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.diagnostics import Diagnostic, Severity
from generator.terminal import DELAY, Progress, styled, wants_color
from tests.conftest import FIXTURES, ROOT

ANSI = re.compile(r"\x1b\[[0-9;]*m")
WARNING = Diagnostic("content/a.md", 3, Severity.WARNING, "unused", "media-unused", 2)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_styled_diagnostics_keep_their_text() -> None:
    plain = styled(WARNING, color=False)
    assert plain == "content/a.md:3:2: warning: unused [media-unused]"
    coloured = styled(WARNING, color=True)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert wants_color(Terminal())
    assert not wants_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_color(Terminal())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not wants_color(Terminal())


def test_the_bar_waits_a_second_then_draws_and_erases() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, enabled=True, clock=clock)
    progress("compiling lessons", 1, 10)
    assert stream.getvalue() == ""
    clock.now = DELAY + 0.01
    progress("compiling lessons", 5, 10)
    drawn = stream.getvalue()
    assert drawn.startswith("\rcompiling lessons [")
    assert "5/10" in drawn and "#" in drawn
    clock.now += 0.01
    progress("compiling lessons", 6, 10)
    assert stream.getvalue() == drawn, "redrawn at most every REDRAW seconds"
    progress.close()
    assert stream.getvalue().endswith("\r")
    assert stream.getvalue()[len(drawn) :].strip() == ""


def test_no_bar_when_disabled() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, enabled=False, clock=clock)
    clock.now = 10
    progress("planning", 0, 0)
    progress.close()
    assert stream.getvalue() == ""


def run_in_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run the command line with a pseudo-terminal for stdout and stderr; what it printed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=30)
    os.close(leader)
    return b"".join(chunks).decode()


def test_diagnostics_are_coloured_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    (content / "10-basics" / "unused.png").write_bytes(b"\x89PNG")
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env["TERM"] = "xterm-256color"
    env["PYTHONPATH"] = str(ROOT)
    coloured = run_in_terminal(["build", str(content), "--out", str(tmp_path / "a")], ROOT, env)
    assert "unused.png" in coloured
    assert ANSI.search(coloured), coloured
    plain = run_in_terminal(
        ["build", str(content), "--out", str(tmp_path / "b")], ROOT, {**env, "NO_COLOR": "1"}
    )
    assert "unused.png" in plain
    assert not ANSI.search(plain), plain


def test_no_colour_and_no_bar_in_a_pipe(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    (content / "10-basics" / "unused.png").write_bytes(b"\x89PNG")
    completed = subprocess.run(
        [sys.executable, "-m", "generator", "build", str(content), "--out", str(tmp_path / "o")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={key: value for key, value in os.environ.items() if key != "NO_COLOR"},
    )
    assert completed.returncode == 0
    assert not ANSI.search(completed.stderr + completed.stdout)
    assert "\r" not in completed.stderr


def test_quiet_prints_problems_only(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    (content / "10-basics" / "unused.png").write_bytes(b"\x89PNG")
    result = CliRunner().invoke(main, ["build", str(content), "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "unused.png" in result.stderr


COMMANDS = ["build", "check", "init", "serve", "preview", "lint", "ids"]


@pytest.mark.parametrize("args", [[], *[[name] for name in COMMANDS]])
def test_help_is_never_cut_short(args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "--help"], terminal_width=80)
    assert result.exit_code == 0
    assert "Usage:" in result.output
    for line in result.output.splitlines():
        if line.startswith("Usage:"):
            continue  # '[ARGS]...' is click's usage syntax, not a cut
        assert not line.rstrip().endswith(("...", "…")), line


def test_every_command_is_listed_with_its_whole_summary() -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    for name in COMMANDS:
        command = main.commands[name]
        summary = command.short_help
        assert summary, name
        assert re.search(rf"^\s+{name}\s+{re.escape(summary)}$", result.output, re.MULTILINE)


def test_version() -> None:
    for flag in ("--version", "-V"):
        result = CliRunner().invoke(main, [flag])
        assert result.exit_code == 0
        assert re.fullmatch(r"ankigen, version \d+\.\d+\.\d+\n", result.output)


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "_ankigen_completion"), ("zsh", "#compdef ankigen"), ("fish", "complete")],
)
def test_shell_completion_scripts(shell: str, marker: str) -> None:
    """click's completion, as the README tells to install it."""
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "ankigen")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "_ANKIGEN_COMPLETE": f"{shell}_source"},
    )
    assert marker in completed.stdout, completed.stdout[:500]


def test_completion_offers_commands() -> None:
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "ankigen")],
        capture_output=True,
        text=True,
        check=False,
        env={
            **os.environ,
            "_ANKIGEN_COMPLETE": "bash_complete",
            "COMP_WORDS": "ankigen se",
            "COMP_CWORD": "1",
        },
    )
    assert "serve" in completed.stdout
