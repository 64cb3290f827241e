"""`ankigen init`: a course of one's own that builds at once, also from an installed wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.config import BuildConfig
from generator.pipeline import build
from tests.conftest import ROOT

EVERY_KIND = {
    "reveal",
    "choice",
    "selfcheck",
    "cloze",
    "clozechoice",
    "twoway",
    "typein",
    "occlusion",
}


def namespace_of(content: Path) -> str:
    for line in (content / "_index.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("namespace:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("no namespace")


def test_init_writes_a_course_that_builds_without_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "biology-notes"
    result = CliRunner().invoke(main, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    assert "started the course 'Biology notes'" in result.stdout
    content = folder / "content"
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "build/"
    assert "ankigen serve" in (folder / "README.md").read_text(encoding="utf-8")
    built = build(BuildConfig(content=content, out_dir=folder / "build", strict=True))
    assert built.ok, [d.format() for d in built.diagnostics.sorted()]
    used = {note_type for counter in built.counts().values() for note_type in counter}
    assert used >= EVERY_KIND
    assert built.output == folder / "build" / "biology-notes.apkg"


def test_the_next_steps_can_be_pasted_into_a_shell(tmp_path: Path) -> None:
    folder = tmp_path / "my notes"
    result = CliRunner().invoke(main, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"next: cd '{folder}' && ankigen serve" in result.stdout
    assert f"      cd '{folder}' && ankigen build   # build/my-notes.apkg" in result.stdout


def test_every_course_gets_its_own_namespace(tmp_path: Path) -> None:
    for name in ("one", "two"):
        assert (
            CliRunner().invoke(main, ["init", str(tmp_path / name), "--deck", "Same"]).exit_code
            == 0
        )
    first, second = (namespace_of(tmp_path / name / "content") for name in ("one", "two"))
    assert first != second
    assert first.startswith("same-") and second.startswith("same-")


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc", encoding="utf-8")
    (tmp_path / "README.md").write_text("mine\n", encoding="utf-8")
    first = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "*.pyc\nbuild/\n"
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "mine\n"
    lesson = next((tmp_path / "content").rglob("01-every-kind-of-card.md"))
    lesson.write_text("changed", encoding="utf-8")
    again = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert again.exit_code == 1
    assert "there is a course here already" in again.stderr
    assert "[init-course-exists]" in again.stderr
    assert lesson.read_text(encoding="utf-8") == "changed"
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "*.pyc\nbuild/\n"


def test_init_refuses_a_content_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "notes.md").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert "[init-content-exists]" in result.stderr
    assert sorted(path.name for path in (tmp_path / "content").iterdir()) == ["notes.md"]


def project_copy(target: Path) -> Path:
    """The project's sources, as a release would take them (building in the checkout would
    leave setuptools' files in its build/ folder)."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(
        ROOT / "generator", target / "generator", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


@pytest.mark.wheel
@pytest.mark.skipif(sys.platform == "win32", reason="venv layout")
def test_init_and_build_work_from_an_installed_wheel(tmp_path: Path) -> None:
    """The wheel carries everything a course needs (templates, starter files, assets): built
    from the sources, installed into a fresh virtual environment and run from outside the
    checkout. The libraries it needs come from the test environment (no network)."""
    source = project_copy(tmp_path / "source")
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    built = subprocess.run(
        [*pip, "wheel", "--no-build-isolation", "--no-deps", "-w", str(wheels), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("ankigen-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "ankigen-test-libraries.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    ankigen = str(venv / "bin" / "ankigen")

    def run(*args: str, cwd: Path = work) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [ankigen, *args], cwd=cwd, capture_output=True, text=True, env=env, check=False
        )

    where = subprocess.run(
        [str(python), "-c", "import generator; print(generator.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert Path(where.strip()).is_relative_to(venv), where
    assert run("--version").stdout.startswith("ankigen, version")
    started = run("init", "my-course")
    assert started.returncode == 0, started.stderr
    course = work / "my-course"
    built = run("build", "--strict", cwd=course)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (course / "build" / "my-course.apkg").is_file()
    assert "30 new" in built.stdout
    again = run("build", "--strict", cwd=course)
    assert again.returncode == 0 and "0 changed" in again.stdout
