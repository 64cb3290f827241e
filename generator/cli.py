"""Command line: parse options, run the pipeline, report. Nothing below this module prints.

The renderer and the pipeline are imported by the commands that use them, not here: a build
that changes nothing answers from the cache (generator.cache.memo) in a fraction of the time
importing them takes.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from generator import __version__, codecache
from generator.diagnostics import Diagnostic, Diagnostics
from generator.sync import DEFAULT_URL
from generator.terminal import Progress, is_terminal, styled, wants_color

if TYPE_CHECKING:
    from generator.config import BuildConfig
    from generator.pipeline import BuildResult
    from generator.sync.run import SyncResult

CONTENT_ARGUMENT = click.argument(
    "content", default="content", type=click.Path(file_okay=False, path_type=Path)
)
F = TypeVar("F", bound=Callable[..., Any])


def out_option(help_text: str, default: str = "build") -> Callable[[F], F]:
    """`--out`: the output folder, with what the command does with it."""
    return click.option(
        "--out",
        "out_dir",
        default=default,
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text,
    )


OUT_OPTION = out_option("Folder the .apkg (and the build cache) is written to.")
LOCK_OPTION = click.option(
    "--lock",
    type=click.Path(dir_okay=False, path_type=Path),
    help="State file (default: CONTENT/ankigen.lock).",
)
QUIET_OPTION = click.option(
    "--quiet", "-q", is_flag=True, help="Print problems only: no progress, no summary."
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


@click.group(
    cls=Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", "-V", prog_name="ankigen")
def main() -> None:
    """Compile a folder of Markdown lessons into an Anki deck (.apkg).

    Start a course with 'ankigen init', preview it with 'ankigen serve', build it with
    'ankigen build'. Shell completion: see 'Shell completion' in the README.
    """


@main.command("build", short_help="Build the course into an .apkg and say what changes.")
@CONTENT_ARGUMENT
@OUT_OPTION
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
    "--forget-moved",
    is_flag=True,
    help="Stop reporting moved notes (after moving their cards in Anki with Change Deck).",
)
@LOCK_OPTION
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
@QUIET_OPTION
def build_command(
    *,
    content: Path,
    out_dir: Path,
    strict: bool,
    verbose: bool,
    as_json: bool,
    dry_run: bool,
    forget_removed: bool,
    forget_moved: bool,
    lock: Path | None,
    jobs: int,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Build CONTENT (default: content/) into OUT/<course>.apkg and say what will change.

    Every problem is reported as 'path:line: error: message'. On any error nothing is
    written and the previous package stays as it was. Lessons that did not change since the
    last build are taken from OUT/.ankigen-cache; a build that changes nothing writes nothing.
    Builds that take more than a second show a progress bar on a terminal.
    """
    if not (no_cache or verbose or as_json or dry_run) and print_unchanged(
        content,
        out_dir,
        lock,
        strict=strict,
        forget_removed=forget_removed,
        forget_moved=forget_moved,
        quiet=quiet,
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
        forget_moved=forget_moved,
        cache=not no_cache,
    )
    progress = Progress(sys.stderr, enabled=not quiet and is_terminal(sys.stderr))
    try:
        result = build(config, progress=progress)
    finally:
        progress.close()
    outlive(result)
    echo_diagnostics(result.diagnostics)
    if as_json:
        from generator import report  # noqa: PLC0415

        click.echo(json.dumps(report.as_json(result), indent=2, ensure_ascii=False))
    elif not quiet or not result.ok:
        print_human(result, config, verbose=verbose)
    if not result.ok:
        sys.exit(1)


@main.command("check", short_help="Find every problem without building anything.")
@CONTENT_ARGUMENT
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts, sarif for code scanning, github for annotations.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@LOCK_OPTION
@out_option("Output folder whose build cache is read (never written).")
def check_command(
    content: Path, output_format: str, strict: bool, lock: Path | None, out_dir: Path
) -> None:
    """Check CONTENT as a build would (lessons, ids, options, lint, the state file) and print
    every problem, with its code and place; write nothing: no package, no state file, no cache.

    Exits with status 1 when there is an error (or, with --strict, a warning). For CI:
    '--format github' annotates the lines of a pull request, '--format sarif' uploads to code
    scanning. A pre-commit hook and a workflow are in docs/ci.md.
    """
    from generator import formats  # noqa: PLC0415
    from generator.config import BuildConfig  # noqa: PLC0415
    from generator.pipeline import build  # noqa: PLC0415

    config = BuildConfig(content=content, out_dir=out_dir, strict=strict, lock=lock, dry_run=True)
    result = build(config)
    outlive(result)
    diagnostics = result.diagnostics.sorted()
    notes = result.note_count
    if output_format == "json":
        click.echo(formats.as_json(diagnostics, notes, ok=result.ok))
    elif output_format == "sarif":
        click.echo(formats.as_sarif(diagnostics, ok=result.ok, root=Path.cwd()))
    elif output_format == "github":
        text = formats.as_github(diagnostics)
        if text:
            click.echo(text)
        click.echo(formats.summary(diagnostics, notes, ok=result.ok))
    else:
        color = wants_color(sys.stdout)
        for diagnostic in diagnostics:
            click.echo(styled(diagnostic, color=color), color=color)
        click.echo(formats.summary(diagnostics, notes, ok=result.ok))
    if not result.ok:
        sys.exit(1)


@main.command("init", short_help="Start a new course in DIR (default: here).")
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--deck", help="Name of the course deck (default: from the folder's name).")
def init_command(folder: Path, deck: str | None) -> None:
    """Start a new course in FOLDER (default: the current folder): content/_index.md with a
    fresh namespace, a lesson with one card of every kind, a .gitignore for build/ and a
    README. Nothing is overwritten: a folder that has a course already is refused.
    """
    import shlex  # noqa: PLC0415

    from generator.init import init_course  # noqa: PLC0415

    started = init_course(folder, deck=deck)
    echo_diagnostics(started.diagnostics)
    if started.diagnostics.errors:
        sys.exit(1)
    for path in started.written:
        click.echo(f"  {path}")
    # Quoted for the shell the line is copied into (a folder's name may hold a space).
    where = "" if folder == Path() else f"cd {shlex.quote(str(folder))} && "
    click.echo(f"started the course '{started.deck}' (namespace {started.namespace})")
    click.echo(f"next: {where}ankigen serve   # a preview that updates as you save")
    click.echo(f"      {where}ankigen build   # build/{slug(started.deck)}.apkg, to import")


def slug(deck: str) -> str:
    from generator.source.noteids import slugify  # noqa: PLC0415

    return slugify(deck, limit=80)


@main.command("serve", short_help="Preview the cards in a browser, rebuilt as you save.")
@CONTENT_ARGUMENT
@OUT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(min=0, max=65535),
    help="Port to listen on (0: any free port).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@LOCK_OPTION
@click.option(
    "--no-package",
    is_flag=True,
    help="Only preview: do not write the .apkg and the state file on each save.",
)
@QUIET_OPTION
def serve_command(
    *,
    content: Path,
    out_dir: Path,
    host: str,
    port: int,
    open_browser: bool,
    strict: bool,
    lock: Path | None,
    no_package: bool,
    quiet: bool,
) -> None:
    """Serve a preview of every card of CONTENT on http://HOST:PORT and rebuild it whenever a
    lesson, an image or a course file changes. The open page updates in place (the card you
    look at and where you are stay as they were); problems show in the page and here. Each
    successful rebuild also writes OUT/<course>.apkg, so the package is always current.
    Stop with Ctrl+C.
    """
    from generator.config import BuildConfig  # noqa: PLC0415
    from generator.serve import serve  # noqa: PLC0415

    config = BuildConfig(
        content=content, out_dir=out_dir, strict=strict, lock=lock, dry_run=no_package
    )
    color = wants_color(sys.stderr)

    def say(line: str) -> None:
        click.echo(line, err=True, color=color)

    def tell(diagnostics: list[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            say(styled(diagnostic, color=color))

    serve(
        config,
        host=host,
        port=port,
        open_browser=open_browser,
        say=(lambda line: None) if quiet else say,
        tell=tell,
    )


@main.command("sync", short_help="Make a learner's Anki collection hold the course.")
@CONTENT_ARGUMENT
@click.option("--dry-run", is_flag=True, help="Show what the sync would do; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@click.option("--verbose", "-v", is_flag=True, help="List every note added and updated.")
@click.option(
    "--delete",
    is_flag=True,
    help="Delete notes removed from the sources (default: suspend and tag them).",
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask before deleting notes.")
@click.option("--force", is_flag=True, help="Overwrite notes the learner edited in Anki.")
@click.option(
    "--url",
    default=None,
    help=f"AnkiConnect's address (default: {DEFAULT_URL} when Anki runs with it).",
)
@click.option(
    "--api-key", default=None, help="AnkiConnect's API key, if its configuration sets one."
)
@click.option("--profile", default=None, help="Anki profile whose collection file to open.")
@click.option(
    "--collection",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The collection file (collection.anki2) to open; Anki must be closed.",
)
@out_option("Build folder (the last package; backups made through AnkiConnect).")
@LOCK_OPTION
@click.option("--jobs", "-j", default=0, type=click.IntRange(min=0), help="Worker processes.")
def sync_command(
    *,
    content: Path,
    dry_run: bool,
    as_json: bool,
    verbose: bool,
    delete: bool,
    yes: bool,
    force: bool,
    url: str | None,
    api_key: str | None,
    profile: str | None,
    collection: Path | None,
    out_dir: Path,
    lock: Path | None,
    jobs: int,
) -> None:
    """Make a learner's Anki collection hold CONTENT as it is now, in place.

    Adds and updates notes and note types, moves cards whose deck changed, renames renamed
    decks, adds media, and suspends (or with --delete, deletes) notes removed from the sources.
    Notes edited in Anki are kept unless --force. Reaches a running Anki through AnkiConnect,
    or with Anki closed opens the collection file (pip install 'ankigen[anki]'), backing it up
    first.
    """
    from generator.config import BuildConfig  # noqa: PLC0415 - see the module's docstring
    from generator.sync import run as sync_run  # noqa: PLC0415
    from generator.sync.plan import Action  # noqa: PLC0415

    config = sync_run.SyncConfig(
        build=BuildConfig(content=content, out_dir=out_dir, jobs=jobs, lock=lock),
        url=url,
        api_key=api_key,
        profile=profile,
        collection=collection,
        delete=delete,
        force=force,
    )
    confirmed, shown = True, False
    with sync_run.session(config) as result:
        plan = result.plan
        if result.ok and plan is not None and not dry_run:
            deleting = plan.count(Action.DELETE)
            if deleting and not yes:
                # The plan first, so the question is asked about something the user has seen.
                echo_diagnostics(result.diagnostics)
                print_sync(result, dry_run=True, verbose=verbose, tail=False, err=as_json)
                shown = True
                confirmed = click.confirm(
                    f"Delete {deleting} note(s) removed from the sources, with their cards, "
                    f"from {result.where}?",
                    default=False,
                    err=True,
                )
            if confirmed:
                sync_run.apply(config, result)
    if not shown:
        echo_diagnostics(result.diagnostics)
    else:
        echo_diagnostics(Diagnostics(result.diagnostics.errors))
    if as_json:
        from generator.sync import report  # noqa: PLC0415

        click.echo(
            json.dumps(report.sync_json(result, dry_run=dry_run), indent=2, ensure_ascii=False)
        )
    elif not confirmed:
        click.echo("nothing changed")
    else:
        print_sync(result, dry_run=dry_run, verbose=verbose, plan=not shown)
    if not result.ok or not confirmed:
        sys.exit(1)


def print_sync(
    result: SyncResult,
    *,
    dry_run: bool,
    verbose: bool,
    plan: bool = True,
    tail: bool = True,
    err: bool = False,
) -> None:
    from generator.sync import report  # noqa: PLC0415

    if not result.ok or result.plan is None:
        click.echo(f"sync failed: {len(result.diagnostics.errors)} error(s)", err=True)
        return
    if plan:
        click.echo(f"collection: {result.where}", err=err)
        click.echo(report.sync_summary(result.plan), err=err)
        for line in report.sync_details(result.plan, verbose=verbose):
            click.echo(line, err=err)
    if not tail:
        return
    if dry_run:
        click.echo("dry run: nothing changed")
    elif result.applied is not None and result.plan.writes:
        for name in result.applied.decks_deleted:
            click.echo(f"deleted deck '{name}': the sync left it empty")
        if result.applied.backup:
            click.echo(f"backup: {result.applied.backup}")
        click.echo("synced")
    else:
        click.echo("nothing to change")


@main.command("preview", short_help="Write a static preview site of every card.")
@CONTENT_ARGUMENT
@out_option("Folder the site is written to (index.html).", "build/preview")
def preview_command(content: Path, out_dir: Path) -> None:
    """Write a static site showing every card of CONTENT, interactive, to open from disk.

    Cards use the same templates and CSS as in Anki. Nothing else is written: no package, no
    state file. 'ankigen serve' shows the same site and keeps it current as you edit.
    """
    from generator.config import BuildConfig  # noqa: PLC0415
    from generator.pipeline import build  # noqa: PLC0415
    from generator.preview import write_preview  # noqa: PLC0415

    config = BuildConfig(content=content, out_dir=out_dir, dry_run=True)
    result = build(config)
    echo_diagnostics(result.diagnostics)
    if not result.ok or result.course is None:
        errors, warnings = len(result.diagnostics.errors), len(result.diagnostics.warnings)
        also = f" and {warnings} warning(s)" if warnings else ""
        click.echo(f"preview failed: {errors} error(s){also}", err=True)
        sys.exit(1)
    written = write_preview(
        out_dir, result.course.deck, result.notes, config.registry, content=config.content
    )
    click.echo(f"wrote {written.path} ({len(result.notes)} notes)")


@main.command("lint", short_help="Check every card against card-quality rules.")
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
    outlive(result)
    echo_diagnostics(result.diagnostics)
    if as_json:
        click.echo(json.dumps(report.lint_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(report.lint_summary(result), err=not result.ok)
    if not result.ok:
        sys.exit(1)


@main.command("ids", short_help="Write every derived note id into the sources.")
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
    content: Path,
    out_dir: Path,
    lock: Path | None,
    *,
    strict: bool,
    forget_removed: bool,
    forget_moved: bool,
    quiet: bool,
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
        forget_moved=forget_moved,
        timeout=0,
    )
    if found is None:
        return False
    echo_diagnostics(list(found.diagnostics))
    if not quiet:
        for line in found.summary.lines():
            click.echo(line)
    return True


def echo_diagnostics(diagnostics: Diagnostics | list[Diagnostic]) -> None:
    """On stderr, sorted; in colour on a terminal."""
    items = diagnostics if isinstance(diagnostics, list) else diagnostics.items
    if not items:
        return
    color = wants_color(sys.stderr)
    lines = [styled(diagnostic, color=color) for diagnostic in Diagnostics(list(items)).sorted()]
    click.echo("\n".join(lines), err=True, color=color)


def print_human(result: BuildResult, config: BuildConfig, *, verbose: bool) -> None:
    from generator import report  # noqa: PLC0415

    if not result.ok:
        click.echo(report.failure(result, strict=config.strict), err=True)
        return
    for line in report.summary(result, config.registry, verbose=verbose).lines():
        click.echo(line)


OUTLIVING: list[object] = []
"""What a command made, kept until the process ends when it ends at once (`run`): freed as the
command returns, a build's objects would be freed one by one, a twentieth of a rebuild."""


def outlive(result: object) -> None:
    """Keep `result` until the process ends, when it ends at once (`run`)."""
    if QUICK.ending:
        OUTLIVING.append(result)


@dataclass(slots=True)
class Quick:
    """Whether this process ends at once after its command (`run`)."""

    ending: bool = False


QUICK = Quick()

QUICK_EXIT = frozenset({"build", "check", "lint"})
"""Commands after which the process ends without freeing its objects one by one: after a build
of 10,000 notes that takes 35 ms, a twentieth of a rebuild. (The others may have loaded Anki's
library, which cleans up when the interpreter ends.)"""


def run() -> None:
    """The `ankigen` command: `main`, then, after a build, check or lint, the quickest exit."""
    command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), "")
    codecache.enable()
    # A profiler or a coverage tracer writes its results as the interpreter ends.
    if command not in QUICK_EXIT or sys.getprofile() or sys.gettrace():
        try:
            main()
        finally:
            codecache.save()
        return
    # The build pauses the cyclic garbage collector (generator.pipeline.no_collections); in a
    # process that ends with the build it stays paused from the start: resumed at the end, its
    # first collection would walk every object the build made (a twentieth of a rebuild), for
    # nothing, since the objects are never freed one by one anyway.
    gc.disable()
    QUICK.ending = True
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    codecache.save()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe: what was left to say has nowhere to go.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code or 0)
