"""Command line: parse options, run the pipeline, report. Nothing below this module prints."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator import __version__
from generator.config import BuildConfig
from generator.kinds import NOTE_TYPES
from generator.pipeline import BuildResult, build

KIND_LABELS = {"reveal": "reveal", "choice": "multiple choice", "selfcheck": "self-check"}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ankigen")
def main() -> None:
    """Compile a folder of Markdown lessons into an Anki deck (.apkg)."""


@main.command("build")
@click.argument(
    "content",
    default="content",
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--out",
    "out_dir",
    default="build",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the .apkg is written to.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--jobs",
    "-j",
    default=0,
    type=click.IntRange(min=0),
    help="Worker processes for parsing and rendering (0: one per core for large courses).",
)
def build_command(content: Path, out_dir: Path, strict: bool, jobs: int) -> None:
    """Build CONTENT (default: content/) into OUT/<course>.apkg.

    Every problem is reported as 'path:line: error: message'. On any error nothing is
    written and the previous package stays as it was.
    """
    result = build(BuildConfig(content=content, out_dir=out_dir, strict=strict, jobs=jobs))
    report_diagnostics(result)
    if result.output is None:
        errors = len(result.diagnostics.errors)
        warnings = len(result.diagnostics.warnings)
        if strict and not errors:
            click.echo(f"build failed: {warnings} warning(s) with --strict", err=True)
        else:
            click.echo(f"build failed: {errors} error(s), nothing written", err=True)
        sys.exit(1)
    report_counts(result)


def report_diagnostics(result: BuildResult) -> None:
    for diagnostic in result.diagnostics.sorted():
        click.echo(diagnostic.format(), err=True)


def report_counts(result: BuildResult) -> None:
    kinds = list(NOTE_TYPES)
    table = result.counts()
    width = max((len(deck) for deck in table), default=4)
    headers = [KIND_LABELS[kind] for kind in kinds]
    click.echo(f"{'deck':<{width}}  " + "  ".join(f"{h:>{len(h)}}" for h in headers) + "  total")
    totals = dict.fromkeys(kinds, 0)
    for deck, counter in table.items():
        cells = []
        for kind, header in zip(kinds, headers, strict=True):
            totals[kind] += counter[kind]
            cells.append(f"{counter[kind]:>{len(header)}}")
        click.echo(f"{deck:<{width}}  " + "  ".join(cells) + f"  {sum(counter.values()):>5}")
    cells = [f"{totals[k]:>{len(h)}}" for k, h in zip(kinds, headers, strict=True)]
    click.echo(f"{'total':<{width}}  " + "  ".join(cells) + f"  {sum(totals.values()):>5}")
    assert result.output is not None
    size = result.output.stat().st_size
    click.echo(f"wrote {result.output} ({len(result.notes)} notes, {size / 1024:.1f} KiB)")
