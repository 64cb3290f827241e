"""Whole builds: golden note rows, package layout, determinism, atomic output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.config import BuildConfig
from generator.kinds import REGISTRY
from generator.pipeline import build
from tests.conftest import FIXTURES, build_into
from tests.package_rows import read_rows

GOLDEN = FIXTURES / "golden" / "course-notes.json"


def test_fixture_course_matches_golden_rows(course: Path, tmp_path: Path) -> None:
    result = build_into(course, tmp_path / "out", strict=True)
    assert result.output is not None, [d.format() for d in result.diagnostics.sorted()]
    rows = read_rows(result.output)
    if os.environ.get("ANKIGEN_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.fail(f"rewrote {GOLDEN.name}: review `git diff`, then run without update")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert rows == expected, "golden rows differ; rerun with ANKIGEN_UPDATE_GOLDEN=1 and review"


def test_package_holds_every_note_type_with_stable_ids(course: Path, tmp_path: Path) -> None:
    result = build_into(course, tmp_path / "out")
    assert result.output is not None
    rows = read_rows(result.output)
    assert rows["entries"] == ["collection.anki2", "media"]
    by_id = {m["id"]: m for m in rows["note_types"]}
    used = {note.note_type for note in result.notes}
    assert sorted(by_id) == sorted(REGISTRY.note_type(key).model_id for key in used)
    for note_type in (REGISTRY.note_type(key) for key in used):
        model = by_id[note_type.model_id]
        assert model["name"] == note_type.name
        assert model["fields"] == [[f.name, f.id] for f in note_type.fields]
        assert model["templates"] == [[spec.name, spec.id] for spec in note_type.template_specs]


def test_guids_do_not_depend_on_content(course: Path, tmp_path: Path) -> None:
    first = read_rows(build_into(course, tmp_path / "a").output or Path())
    lesson = course / "10-basics" / "cards.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace("Paris.", "Paris, on the Seine."),
        encoding="utf-8",
    )
    second = read_rows(build_into(course, tmp_path / "b").output or Path())
    assert [n["guid"] for n in first["notes"]] == [n["guid"] for n in second["notes"]]
    changed = [
        a["fields"]["ID"]
        for a, b in zip(first["notes"], second["notes"], strict=True)
        if a["fields"] != b["fields"]
    ]
    assert changed == ["fx-capital"]


def test_same_sources_give_same_notes(course: Path, tmp_path: Path) -> None:
    first = read_rows(build_into(course, tmp_path / "a").output or Path())
    second = read_rows(build_into(course, tmp_path / "b").output or Path())
    assert first == second


def test_parallel_build_equals_serial(course: Path, tmp_path: Path) -> None:
    serial = build(BuildConfig(content=course, out_dir=tmp_path / "s", jobs=1, now=1))
    parallel = build(BuildConfig(content=course, out_dir=tmp_path / "p", jobs=2, now=1))
    assert serial.output is not None and parallel.output is not None
    assert read_rows(serial.output) == read_rows(parallel.output)


def test_cli_build_reports_counts_per_deck(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(course), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = "deck reveal multiple choice self-check cloze cloze choice total"
    assert lines[0].split() == header.split()
    assert lines[1].split() == ["Fixture", "Course::Basics", "2", "1", "1", "1", "1", "6"]
    assert lines[2].split() == ["Fixture", "Course::More", "topics", "8", "4", "0", "6", "6", "24"]
    assert lines[3].split() == ["total", "10", "5", "1", "7", "7", "30"]
    assert lines[4] == "changes: 30 new, 0 changed, 0 unchanged, 0 removed, 0 moved to another deck"
    assert lines[5].startswith("first build here (no state file, no earlier package)")
    assert lines[6].startswith(f"wrote {out / 'fixture-course.apkg'} (30 notes,")
    assert (course / "ankigen.lock").is_file()
    # The package, and the cache that makes the next build quick.
    assert sorted(p.name for p in out.iterdir()) == [".ankigen-cache", "fixture-course.apkg"]


def test_cli_help_for_every_command() -> None:
    runner = CliRunner()
    for args in (["--help"], ["build", "--help"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0
        assert "Usage:" in result.output


def test_python_dash_m_runs_the_cli() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "generator", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("ankigen, version")


def test_missing_content_folder_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope'}: error: content folder not found" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("missing", ["deck", "namespace"])
def test_course_needs_deck_and_namespace(course: Path, tmp_path: Path, missing: str) -> None:
    index = course / "_index.md"
    lines = index.read_text(encoding="utf-8").splitlines()
    index.write_text(
        "\n".join(line for line in lines if not line.startswith(f"{missing}:")), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["build", str(course), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{course / '_index.md'}:1: error: the course needs '{missing}:" in result.output
    assert not (tmp_path / "out").exists()


def test_the_collection_indexes_are_genanki_s() -> None:
    """A collection made from a cached frame creates its indexes without genanki."""
    from generator.anki.package import INDEXES, schema  # noqa: PLC0415

    assert [" ".join(sql.split()) for sql in schema()[1]] == list(INDEXES)
