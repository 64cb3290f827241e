"""Shared fixtures: building a content folder and importing packages into a real collection."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.config import BuildConfig
from generator.kinds import REGISTRY, Registry
from generator.pipeline import BuildResult, build

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def build_into(
    content: Path,
    out_dir: Path,
    *,
    strict: bool = False,
    now: int | None = None,
    registry: Registry = REGISTRY,
    forget_moved: bool = False,
    forget_removed: bool = False,
) -> BuildResult:
    """Build with the state file kept in `out_dir`, so tests never write into the sources."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = out_dir / "ankigen.lock"
    committed = content / "ankigen.lock"
    if not lock.exists() and committed.exists():
        shutil.copyfile(committed, lock)
    config = BuildConfig(
        content=content,
        out_dir=out_dir,
        strict=strict,
        jobs=1,
        lock=lock,
        now=now,
        registry=registry,
        forget_moved=forget_moved,
        forget_removed=forget_removed,
    )
    return build(config)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The course in content/, built once per test session."""
    result = build_into(CONTENT, tmp_path_factory.mktemp("seed-build"))
    assert result.output is not None, [d.format() for d in result.diagnostics.sorted()]
    return result


@pytest.fixture
def course(tmp_path: Path) -> Iterator[Path]:
    """A scratch copy of tests/fixtures/course to edit in a test."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", target)
    yield target
