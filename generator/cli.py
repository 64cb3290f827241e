"""Command line: parse options, run the pipeline, report. Nothing below this module prints.

The renderer and the pipeline are imported by the commands that use them, not here: a build
that changes nothing answers from the cache (generator.cache.memo) in a fraction of the time
importing them takes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator import __version__
from generator.diagnostics import Diagnostic, Diagnostics

if TYPE_CHECKING:
    from generator.config import BuildConfig
    from generator.pipeline import BuildResult

CONTENT_ARGUMENT = click.argument(
    "content", default="content", type=click.Path(file_okay=False, path_type=Path)
)


class Commands(click.Group):
    """Every failure the build foresees is a diagnostic; what it does not (a bug, the machine
    failing in a way no stage handles) still ends in one line and status 2, not a traceback.
    `ANKIGEN_DEBUG=1` shows the traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("ankigen: interrupted; nothing half-written was left behind", err=True)
            sys.exit(130)
        except Exception as exc:
            if os.environ.get("ANKIGEN_DEBUG"):
                raise
            where = f" ({exc.filename})" if isinstance(exc, OSError) and exc.filename else ""
            click.echo(
                f"ankigen: internal error: {type(exc).__name__}: {exc}{where}. Nothing "
                "half-written was left behind. Please report it, with the output of the same "
                "command run with ANKIGEN_DEBUG=1.",
                err=True,
            )
            sys.exit(2)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ankigen")
def main() -> None:
    """Compile a folder of Markdown lessons into an Anki deck (.apkg)."""


@main.command("build")
@CONTENT_ARGUMENT
@click.option(
    "--out",
    "out_dir",
    default="build",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the .apkg is written to.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--verbose", "-v", is_flag=True, help="List every new, changed and removed note.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@click.option("--dry-run", is_flag=True, help="Show the change plan; write nothing.")
@click.option(
    "--forget-removed",
    is_flag=True,
    help="Stop packaging notes removed from the sources (after deleting them in Anki).",
)
@click.option(
    "--lock",
    type=click.Path(dir_okay=False, path_type=Path),
    help="State file (default: CONTENT/ankigen.lock).",
)
@click.option(
    "--jobs",
    "-j",
    default=0,
    type=click.IntRange(min=0),
    help="Worker processes for parsing and rendering (0: one per core for large courses).",
)
@click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Build everything from the sources; do not read or write OUT/.ankigen-cache.",
)
def build_command(
    *,
    content: Path,
    out_dir: Path,
    strict: bool,
    verbose: bool,
    as_json: bool,
    dry_run: bool,
    forget_removed: bool,
    lock: Path | None,
    jobs: int,
    no_cache: bool,
) -> None:
    """Build CONTENT (default: content/) into OUT/<course>.apkg and say what will change.

    Every problem is reported as 'path:line: error: message'. On any error nothing is
    written and the previous package stays as it was. Lessons that did not change since the
    last build are taken from OUT/.ankigen-cache; a build that changes nothing writes nothing.
    """
    if not (no_cache or verbose or as_json or dry_run) and print_unchanged(
        content, out_dir, lock, strict=strict, forget_removed=forget_removed
    ):
        return
    from generator.config import BuildConfig  # noqa: PLC0415 - see the module's docstring
    from generator.pipeline import build  # noqa: PLC0415

    config = BuildConfig(
        content=content,
        out_dir=out_dir,
        strict=strict,
        jobs=jobs,
        lock=lock,
        dry_run=dry_run,
        forget_removed=forget_removed,
        cache=not no_cache,
    )
    result = build(config)
    echo_diagnostics(result.diagnostics)
    if as_json:
        from generator import report  # noqa: PLC0415

        click.echo(json.dumps(report.as_json(result), indent=2, ensure_ascii=False))
    else:
        print_human(result, config, verbose=verbose)
    if not result.ok:
        sys.exit(1)


@main.command("preview")
@CONTENT_ARGUMENT
@click.option(
    "--out",
    "out_dir",
    default="build/preview",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the site is written to (index.html).",
)
def preview_command(content: Path, out_dir: Path) -> None:
    """Write a static site showing every card of CONTENT, interactive, to open from disk.

    Cards use the same templates and CSS as in Anki. Nothing else is written: no package, no
    state file.
    """
    from generator.config import BuildConfig  # noqa: PLC0415
    from generator.pipeline import build  # noqa: PLC0415
    from generator.preview import write_preview  # noqa: PLC0415

    config = BuildConfig(content=content, out_dir=out_dir, dry_run=True)
    result = build(config)
    echo_diagnostics(result.diagnostics)
    if not result.ok or result.course is None:
        click.echo(f"preview failed: {len(result.diagnostics.errors)} error(s)", err=True)
        sys.exit(1)
    target = write_preview(out_dir, result.course.deck, result.notes, config.registry)
    click.echo(f"wrote {target} ({len(result.notes)} notes)")


@main.command("lint")
@CONTENT_ARGUMENT
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON on stdout.")
@click.option(
    "--jobs",
    "-j",
    default=0,
    type=click.IntRange(min=0),
    help="Worker processes for parsing (0: one per core for large courses).",
)
def lint_command(content: Path, as_json: bool, jobs: int) -> None:
    """Check the cards of CONTENT against card-quality rules (docs/lint.md).

    Every finding is 'path:line: warning: why [code]'. Silence one for a card with a line
    '<!-- lint-ignore: code -->' in it, or for a lesson or folder with 'lint_ignore: [code]' in
    front matter. Exits with status 1 when there is a finding or an error.
    """
    from generator import report  # noqa: PLC0415
    from generator.config import BuildConfig  # noqa: PLC0415
    from generator.pipeline import lint_course  # noqa: PLC0415

    config = BuildConfig(content=content, out_dir=Path("build"), jobs=jobs, dry_run=True)
    result = lint_course(config)
    echo_diagnostics(result.diagnostics)
    if as_json:
        click.echo(json.dumps(report.lint_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(report.lint_summary(result), err=not result.ok)
    if not result.ok:
        sys.exit(1)


@main.command("ids")
@CONTENT_ARGUMENT
@click.option("--force", is_flag=True, help="Stamp files that have uncommitted git changes too.")
@click.option("--dry-run", is_flag=True, help="List what would be stamped; change nothing.")
def ids_command(content: Path, force: bool, dry_run: bool) -> None:
    """Write every derived note id into CONTENT as '<!-- id: … -->'.

    A derived id changes when a heading is reworded or a file is moved, and Anki then sees a new
    note. Stamping pins each note's current id (so nothing changes in Anki) by appending a comment
    to the line that starts the note. Files with uncommitted git changes are refused unless
    --force, so the stamping is a reviewable diff of its own.
    """
    from generator.stamp_ids import stamp_ids  # noqa: PLC0415

    result = stamp_ids(content, force=force, dry_run=dry_run)
    echo_diagnostics(result.diagnostics)
    if result.diagnostics.errors:
        click.echo("ids: nothing stamped", err=True)
        sys.exit(1)
    total = sum(len(metas) for metas in result.stamped.values())
    for _path, metas in sorted(result.stamped.items()):
        for meta in metas:
            click.echo(f"  {meta.path}:{meta.line}  {meta.id}")
    verb = "would stamp" if dry_run else "stamped"
    click.echo(f"{verb} {total} id(s) in {len(result.stamped)} file(s)")


def print_unchanged(
    content: Path, out_dir: Path, lock: Path | None, *, strict: bool, forget_removed: bool
) -> bool:
    """Print what the last build kept for a build that changes nothing, if nothing changed."""
    from generator.anki.state import LOCK_NAME  # noqa: PLC0415
    from generator.cache.memo import unchanged_build  # noqa: PLC0415

    found = unchanged_build(
        content,
        out_dir,
        lock if lock is not None else content / LOCK_NAME,
        strict=strict,
        forget_removed=forget_removed,
        timeout=0,
    )
    if found is None:
        return False
    echo_diagnostics(Diagnostics(list(found.diagnostics)))
    for line in found.summary.lines():
        click.echo(line)
    return True


def echo_diagnostics(diagnostics: Diagnostics | list[Diagnostic]) -> None:
    items = diagnostics.sorted() if isinstance(diagnostics, Diagnostics) else diagnostics
    for diagnostic in items:
        click.echo(diagnostic.format(), err=True)


def print_human(result: BuildResult, config: BuildConfig, *, verbose: bool) -> None:
    from generator import report  # noqa: PLC0415

    if not result.ok:
        click.echo(report.failure(result, strict=config.strict), err=True)
        return
    for line in report.summary(result, config.registry, verbose=verbose).lines():
        click.echo(line)
