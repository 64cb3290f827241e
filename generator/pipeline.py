"""The build, in three phases, each ending at one gate:

1. **gather** — discover the course; read, parse and render every lesson (per lesson, pure, in
   worker processes for large courses); draw the options of generated multiple-choice cards from
   the whole course; check ids and media. Gate: no errors (no warnings with --strict).
2. **plan** — compare the notes with the state file (`content/ankigen.lock`): what is new,
   changed, unchanged, removed or moved, the times Anki will see, and the next state. Gate: the
   same. A dry run stops here.
3. **write** — read the media, write the .apkg atomically, then the state file. Gate: the same.

Every stage appends to one `Diagnostics`; `BuildResult.ok` is decided here, once, and the CLI's
exit status and its JSON both read it. Nothing here prints.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator import lint
from generator.anki import state
from generator.anki.package import (
    PackagedNote,
    PackagedNoteType,
    PackageSpec,
    PreviousNote,
    read_package,
    write_package,
)
from generator.anki.plan import Basis, NoteHashes, Plan, make_plan, needs_previous_fields
from generator.anki.recover import reconcile, state_from_package
from generator.cache.store import Store
from generator.compile import (
    CompiledLesson,
    LessonSource,
    Pending,
    compile_all,
    read_source,
    registry_fingerprint,
    shared_renderer,
    store_pending,
)
from generator.config import BuildConfig
from generator.diagnostics import Diagnostics
from generator.files import (
    LockTimeout,
    clean_stale_temporaries,
    course_lock,
    file_digest,
    replacing,
)
from generator.kinds.distractors import Fallback, History, Shown, choose_all
from generator.kinds.variants import Candidate, RenderedVariant, candidate
from generator.notes import RenderedNote, Text
from generator.render.media import MediaResolver, extension_of, packaged_name, unreferenced
from generator.source.discover import Course, discover, display
from generator.source.noteids import check_unique_ids, slugify


@dataclass(slots=True)
class BuildResult:
    """What a build did, for the CLI to report."""

    diagnostics: Diagnostics
    """Every problem, from every stage."""
    ok: bool = False
    """The verdict: the build did what was asked (a package written, or a dry run planned)
    with no error, nor a warning under --strict."""
    course: Course | None = None
    """The course, when discovery succeeded."""
    notes: list[RenderedNote] = field(default_factory=list)
    """All notes in package order."""
    plan: Plan | None = None
    """The change plan, when the build got that far."""
    output: Path | None = None
    """The package written, or None when the build failed or was a dry run."""
    findings: list[lint.Finding] = field(default_factory=list)
    """Card-quality findings (`ankigen lint`)."""
    supersedes: Path | None = None
    """The course's earlier package when it had another name (the deck was renamed)."""
    replaced: Path | None = None
    """That earlier package, when this build removed it."""
    recorded: tuple[state.State | None, Diagnostics] | None = None
    """The state file as read by this build, and the problems reading it; None until read."""
    pending: Pending = field(default_factory=list)
    """Cache entries of the lessons this build compiled, stored if it succeeds."""
    cache_keys: set[str] = field(default_factory=set)
    """Cache keys of every lesson of this build."""
    hashes: list[NoteHashes | None] = field(default_factory=list)
    """What the plan compares each of `notes` by, where already made (aligned with `notes`)."""

    def counts(self) -> dict[str, Counter[str]]:
        """Deck → note type key → number of notes."""
        table: dict[str, Counter[str]] = {}
        for note in self.notes:
            table.setdefault(note.meta.deck, Counter())[note.note_type] += 1
        return dict(sorted(table.items()))


# ---------------------------------------------------------------------------------------------
# Phase 1: gather


def recorded(config: BuildConfig, result: BuildResult) -> tuple[state.State | None, Diagnostics]:
    """The state file, read once per build, and the problems found reading it (reported by the
    plan phase)."""
    if result.recorded is None:
        problems = Diagnostics()
        result.recorded = (state.load(config.lock_path, str(config.lock_path), problems), problems)
    return result.recorded


def history_of(previous: state.State | None) -> History:
    """The options each generated card showed in the last build, from the state file."""
    if previous is None:
        return History({})
    shown = {
        state.key_of(note_id): Shown(note.options, note.answer_at)
        for note_id, note in previous.notes.items()
        if note.options and not note.removed
    }
    return History(shown, frozenset(state.key_of(note_id) for note_id in previous.notes))


def fallback_renderer(root: Path) -> Fallback:
    """Renders an option a card showed before that no lesson offers any more (its answer was
    reworded or removed), in the card's own lesson. Such an option stays on the card, so that an
    edit in one lesson does not change another's cards; one that needs media, or that does not
    render cleanly, is replaced instead."""

    def render(variant: RenderedVariant, text: str) -> Candidate | None:
        md = shared_renderer()
        scratch = Diagnostics()
        with md.lesson(variant.meta.path, MediaResolver(root, variant.lesson), scratch):
            option = candidate(md, Text(text))
        return None if scratch.items or option.media else option

    return render


def with_variants(
    compiled: list[CompiledLesson],
    diags: Diagnostics,
    history: History | None = None,
    fallback: Fallback | None = None,
) -> list[tuple[RenderedNote, NoteHashes | None]]:
    """All notes in lesson order, each lesson's generated multiple-choice cards after its notes,
    with options drawn from the whole course (keeping those the state file recorded); each
    with its hashes where its lesson's worker made them."""
    variants = [variant for lesson in compiled for variant in lesson.variants]
    choices = iter(choose_all(variants, diags, history or History({}), fallback))
    notes: list[tuple[RenderedNote, NoteHashes | None]] = []
    for lesson in compiled:
        hashes = lesson.hashes if len(lesson.hashes) == len(lesson.notes) else None
        for index, note in enumerate(lesson.notes):
            notes.append((note, hashes[index] if hashes is not None else None))
        for _ in lesson.variants:
            choice = next(choices)
            if choice is not None:
                notes.append((choice.variant.complete(choice.options, choice.correct), None))
    return notes


def warn_unused_media(
    config: BuildConfig, notes: Iterable[RenderedNote], diags: Diagnostics
) -> None:
    used = {source for note in notes for _, source in note.media}
    for rel in unreferenced(config.content, used):
        diags.warning(
            display(config.content_display, rel),
            0,
            "media file not used by any card: delete it, or keep it in a folder whose name "
            "starts with '_' (those are not checked)",
        )


def sources_of(config: BuildConfig, course: Course) -> list[LessonSource]:
    """Every lesson's bytes, read once, with its cache key when the build uses the cache."""
    key = registry_fingerprint(config.registry) if config.cache else ""
    return [read_source(config.content, lesson, key) for lesson in course.lessons]


def compiled_lessons(
    config: BuildConfig, course: Course, result: BuildResult
) -> list[CompiledLesson]:
    sources = sources_of(config, course)
    result.cache_keys = {source.key for source in sources if source.key}
    store = cache_store(config)
    return compile_all(
        config.content,
        sources,
        config.registry,
        config.jobs,
        store=store,
        pending=result.pending,
    )


def cache_store(config: BuildConfig) -> Store | None:
    """The course's cache, in the output folder (never in the sources); None without one. A
    build that writes nothing (`--dry-run`, `ankigen check`) reads it and leaves it alone."""
    if not config.cache:
        return None
    return Store(config.cache_dir, writable=not config.dry_run)


def gather(config: BuildConfig, result: BuildResult) -> None:
    diags = result.diagnostics
    course = discover(config.content, config.content_display, diags)
    if course is None:
        return
    result.course = course
    compiled = compiled_lessons(config, course, result)
    for lesson in compiled:
        diags.extend(lesson.diagnostics)
    if diags.errors:
        # Distractors are drawn from the whole course; with broken lessons they would mislead.
        result.notes.extend(note for lesson in compiled for note in lesson.notes)
    else:
        history = history_of(recorded(config, result)[0])
        fallback = fallback_renderer(config.content)
        for note, hashes in with_variants(compiled, diags, history, fallback):
            result.notes.append(note)
            result.hashes.append(hashes)
    check_unique_ids((note.meta for note in result.notes), diags)
    if not diags.errors:
        # With errors, some lesson may not have been rendered and its files would look unused.
        warn_unused_media(config, result.notes, diags)
    if not result.notes and not diags.errors:
        diags.error(config.content_display, 0, "no cards found: nothing to package")
    if not diags.errors:
        facts = [fact for lesson in compiled for fact in lesson.facts]
        lint.report(facts, diags, build=True, lessons=[lesson.linted for lesson in compiled])


def lint_course(config: BuildConfig) -> BuildResult:
    """`ankigen lint`: read and parse the course and run every card-quality rule; nothing is
    planned or written. Problems that stop a build are reported as they are."""
    result = BuildResult(Diagnostics())
    diags = result.diagnostics
    course = discover(config.content, config.content_display, diags)
    if course is None:
        return result
    result.course = course
    compiled = compiled_lessons(config, course, result)
    for lesson in compiled:
        diags.extend(lesson.diagnostics)
        result.notes.extend(lesson.notes)
    facts = [fact for lesson in compiled for fact in lesson.facts]
    result.findings = lint.report(facts, diags, lessons=[lesson.linted for lesson in compiled])
    result.ok = not diags.errors and not result.findings
    return result


# ---------------------------------------------------------------------------------------------
# Phase 2: plan


def clock(config: BuildConfig, diags: Diagnostics) -> int | None:
    """Now, in seconds: the config's clock, SOURCE_DATE_EPOCH, or the wall clock."""
    if config.now is not None:
        return config.now
    written = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not written:
        return int(time.time())
    if not written.isdigit():
        diags.error(
            "SOURCE_DATE_EPOCH",
            0,
            f"'{written}' is not a time: it must be whole seconds since 1970 (as `date +%s` "
            "prints)",
            code="bad-source-date-epoch",
        )
        return None
    return int(written)


def plan(config: BuildConfig, result: BuildResult) -> None:
    assert result.course is not None
    diags = result.diagnostics
    now = clock(config, diags)
    if now is None:
        return
    lock_shown = str(config.lock_path)
    old, problems = recorded(config, result)
    diags.extend(problems.items)
    if diags.errors:
        return
    package = output_path(config, result.course)
    earlier = config.out_dir / old.package if old is not None and old.package else package
    registry = config.registry
    basis: Basis = "state"
    previous: dict[str, PreviousNote] = {}
    if old is None:
        # No state file: what the last package gave Anki is the next best record.
        previous = read_package(earlier)
        old = state_from_package(previous, registry.note_types, result.course.namespace)
        basis = "package" if previous else "nothing"
    elif old.package_digest and earlier.is_file() and file_digest(earlier) != old.package_digest:
        # A build stopped between writing the state and the package: trust what was shipped.
        previous = read_package(earlier)
        shipped = state_from_package(previous, registry.note_types, result.course.namespace)
        old = reconcile(old, shipped)
    elif needs_previous_fields(result.notes, old):
        previous = read_package(earlier)
    result.plan = make_plan(
        result.notes,
        old,
        namespace=result.course.namespace,
        note_types=registry.note_types,
        templates=registry.templates,
        now=now,
        lock_path=lock_shown,
        diags=diags,
        forget_removed=config.forget_removed,
        previous=previous,
        package=package.name,
        hashes=result.hashes if len(result.hashes) == len(result.notes) else None,
    )
    result.plan.basis = basis
    result.supersedes = earlier if earlier != package else None


# ---------------------------------------------------------------------------------------------
# Phase 3: write


def output_path(config: BuildConfig, course: Course) -> Path:
    return config.out_dir / f"{slugify(course.deck, limit=80)}.apkg"


def package_media(
    config: BuildConfig, notes: Iterable[RenderedNote], diags: Diagnostics
) -> tuple[tuple[str, bytes], ...]:
    """(packaged name, bytes) of every file the notes use, sorted by name. A file is read again
    here, and its name is checked against its bytes: one edited since it was rendered would be
    packaged under the name of its old content."""
    sources: dict[str, str] = {}
    for note in notes:
        for name, source in note.media:
            sources.setdefault(name, source)
    media: list[tuple[str, bytes]] = []
    for name, source in sorted(sources.items()):
        shown = display(config.content_display, source)
        try:
            data = (config.content / source).read_bytes()
        except OSError as exc:
            diags.error(shown, 0, f"cannot read: {exc.strerror}")
            continue
        if packaged_name(data, extension_of(source)) != name:
            diags.error(shown, 0, "changed during the build; build again")
            continue
        media.append((name, data))
    return tuple(media)


def package_spec(
    config: BuildConfig, *, course: Course, plan: Plan, media: tuple[tuple[str, bytes], ...]
) -> PackageSpec:
    registry = config.registry
    packaged = [
        PackagedNote(
            guid=note.guid,
            note_type=registry.note_type(note.note_type),
            fields=note.fields,
            tags=note.tags,
            deck=note.deck,
            note_id=note.nid,
            mod=note.mod,
            cards=note.cards,
        )
        for note in plan.notes
        if note.fields is not None
    ]
    used = {note.note_type for note in plan.notes if note.fields is not None}
    return PackageSpec(
        namespace=course.namespace,
        decks=tuple(sorted({*course.decks, *(note.deck for note in packaged)})),
        # Only the note types the package's notes use: each carries the whole stylesheet.
        note_types=tuple(
            PackagedNoteType(note_type, registry.template(key), plan.note_type_mods[key])
            for key, note_type in registry.note_types.items()
            if key in used
        ),
        notes=tuple(packaged),
        media=media,
    )


class StateNotWritten(Exception):
    """The state file could not be written; the new package must not be moved into place."""


def write(config: BuildConfig, result: BuildResult) -> None:
    """Write the package to a temporary file, then the state file (which records the package's
    digest), then move the package into place. If the state cannot be written, the old package
    stays; a build stopped after the state file and before the move leaves a package that does
    not match the recorded digest, and the next build compares the notes with that package."""
    assert result.course is not None and result.plan is not None
    diags = result.diagnostics
    out = output_path(config, result.course)
    if out.is_dir():
        diags.error(
            str(out),
            0,
            "is a folder, so the package cannot be written there: remove it or choose another "
            "--out",
            code="output-is-folder",
        )
        return
    media = package_media(config, result.notes, diags)
    if diags.failed(strict=config.strict):
        return
    spec = package_spec(config, course=result.course, plan=result.plan, media=media)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with replacing(out) as tmp:
            write_package(tmp, spec)
            recorded = replace(result.plan.state, package_digest=file_digest(tmp))
            try:
                config.lock_path.parent.mkdir(parents=True, exist_ok=True)
                state.save(config.lock_path, recorded)
            except OSError as exc:
                diags.error(
                    str(config.lock_path),
                    0,
                    f"cannot write the state file: {exc.strerror or exc}; nothing was written "
                    "(make its folder writable, or keep the state elsewhere with --lock)",
                    code="state-write-failed",
                )
                raise StateNotWritten from exc
    except StateNotWritten:
        return
    except OSError as exc:
        diags.error(
            str(out),
            0,
            f"cannot write the package: {exc.strerror or exc}; the previous package is "
            "unchanged, and the next build writes it again",
            code="package-write-failed",
        )
        return
    result.output = out
    earlier = result.supersedes
    if earlier is not None and earlier.is_file():
        # The course deck was renamed, and the package with it: the old one is superseded.
        with suppress(OSError):
            earlier.unlink()
            result.replaced = earlier


# ---------------------------------------------------------------------------------------------


def build(config: BuildConfig) -> BuildResult:
    """Gather, plan and write; stop at the first phase that leaves a problem. One build of a
    course at a time: a second one waits for the first (see files.course_lock)."""
    result = BuildResult(Diagnostics())
    try:
        with course_lock(config.content, timeout=config.lock_timeout):
            clean_stale_temporaries(config.out_dir, config.lock_path.parent)
            run_phases(config, result)
    except LockTimeout:
        result.diagnostics.error(
            config.content_display,
            0,
            "another build of this course is still running; try again when it has finished",
            code="build-locked",
        )
    return result


def run_phases(config: BuildConfig, result: BuildResult) -> None:
    for phase in (gather, plan, write):
        if phase is write and config.dry_run:
            break
        phase(config, result)
        if result.course is None or result.diagnostics.failed(strict=config.strict):
            return
    result.ok = True
    store = cache_store(config)
    if store is not None and store.writable:
        store_pending(store, result.pending, result.cache_keys)
