"""Run `ankigen sync` from tests, through the library as the CLI does."""

from __future__ import annotations

from pathlib import Path

from generator.config import BuildConfig
from generator.kinds import REGISTRY, Registry
from generator.sync.run import SyncConfig, SyncResult, apply, session


def sync_config(
    content: Path,
    out: Path,
    *,
    now: int | None = None,
    collection: Path | None = None,
    url: str | None = None,
    registry: Registry = REGISTRY,
    delete: bool = False,
    force: bool = False,
) -> SyncConfig:
    """The state file is kept in `out`, so tests never write into the sources."""
    out.mkdir(parents=True, exist_ok=True)
    build = BuildConfig(
        content=content,
        out_dir=out,
        jobs=1,
        lock=out / "ankigen.lock",
        now=now,
        registry=registry,
    )
    return SyncConfig(build=build, url=url, collection=collection, delete=delete, force=force)


def run_sync(config: SyncConfig, *, dry_run: bool = False) -> SyncResult:
    """Plan and (unless a dry run) apply; fails the test on any error."""
    with session(config) as result:
        assert result.ok, [d.format() for d in result.diagnostics.sorted()]
        if not dry_run:
            apply(config, result)
    assert result.ok, [d.format() for d in result.diagnostics.sorted()]
    return result
