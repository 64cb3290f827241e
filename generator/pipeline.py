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
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from generator.anki import state
from generator.anki.package import (
    PackagedNote,
    PackagedNoteType,
    PackageSpec,
    PreviousNote,
    family_of,
    read_notes,
    write_package,
)
from generator.anki.plan import REMOVED_TAG, Plan, make_plan
from generator.config import BuildConfig
from generator.diagnostics import Diagnostic, Diagnostics
from generator.kinds import Registry
from generator.kinds.distractors import choose_all
from generator.kinds.lesson import parse_lesson
from generator.kinds.variants import RenderedVariant
from generator.notes import Lesson, Note, RenderedNote, Renderer
from generator.render import MarkdownRenderer
from generator.render.media import MediaResolver, extension_of, packaged_name, unreferenced
from generator.source.discover import Course, discover, display, read_text
from generator.source.noteids import check_unique_ids, slugify

PARALLEL_MIN_LESSONS = 24
MAX_WORKERS = 8


@dataclass(frozen=True, slots=True)
class CompiledLesson:
    """The outcome of one lesson file: everything but the options drawn from other lessons."""

    lesson: Lesson
    """The lesson as discovered."""
    notes: tuple[RenderedNote, ...]
    """Rendered notes in source order."""
    diagnostics: tuple[Diagnostic, ...]
    """Problems found in the file."""
    variants: tuple[RenderedVariant, ...] = ()
    """Generated multiple-choice cards, rendered, waiting for their options."""


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

    def counts(self) -> dict[str, Counter[str]]:
        """Deck → note type key → number of notes."""
        table: dict[str, Counter[str]] = {}
        for note in self.notes:
            table.setdefault(note.meta.deck, Counter())[note.note_type] += 1
        return dict(sorted(table.items()))


# ---------------------------------------------------------------------------------------------
# Phase 1: gather


_renderer: MarkdownRenderer | None = None


def shared_renderer() -> MarkdownRenderer:
    """One renderer per process, created on first use (a worker's, or the main process's)."""
    global _renderer  # noqa: PLW0603 - created on first use, reused for every field after
    if _renderer is None:
        _renderer = MarkdownRenderer()
    return _renderer


def compile_lesson(root: Path, lesson: Lesson, registry: Registry) -> CompiledLesson:
    """Read, parse and render one lesson. Depends only on the file, the lesson record and the
    registry, so it can run in any process."""
    diags = Diagnostics()
    text = read_text(root / lesson.rel, lesson.path, diags)
    if diags.errors:
        return CompiledLesson(lesson, (), tuple(diags.items))
    parsed = parse_lesson(lesson, text, registry)
    diags.extend(parsed.diagnostics)
    md = shared_renderer()
    with md.lesson(lesson.path, MediaResolver(root, lesson.rel), diags):
        notes = tuple(rendered(note, md) for note in parsed.notes)
        variants = tuple(variant.render(md) for variant in parsed.variants)
    return CompiledLesson(lesson, notes, tuple(diags.items), variants)


def rendered(note: Note, md: Renderer) -> RenderedNote:
    """The note with its fields rendered, and the media they use."""
    fields = note.render(md)
    return RenderedNote(
        note.meta, note.note_type, fields, note.cards, note.card_texts, md.take_media()
    )


def compile_all(
    root: Path, lessons: tuple[Lesson, ...], registry: Registry, jobs: int
) -> list[CompiledLesson]:
    # Each worker holds its own renderer (~30 MB); more than eight buys little and costs memory.
    workers = jobs or min(MAX_WORKERS, os.cpu_count() or 1)
    if workers <= 1 or (not jobs and len(lessons) < PARALLEL_MIN_LESSONS):
        return [compile_lesson(root, lesson, registry) for lesson in lessons]
    chunk = max(1, len(lessons) // (workers * 8))
    count = len(lessons)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(
            pool.map(compile_lesson, [root] * count, lessons, [registry] * count, chunksize=chunk)
        )


def with_variants(compiled: list[CompiledLesson], diags: Diagnostics) -> list[RenderedNote]:
    """All notes in lesson order, each lesson's generated multiple-choice cards after its notes,
    with options drawn from the whole course."""
    variants = [variant for lesson in compiled for variant in lesson.variants]
    choices = iter(choose_all(variants, diags))
    notes: list[RenderedNote] = []
    for lesson in compiled:
        notes.extend(lesson.notes)
        for _ in lesson.variants:
            choice = next(choices)
            if choice is not None:
                notes.append(choice.variant.complete(choice.options, choice.correct))
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


def gather(config: BuildConfig, result: BuildResult) -> None:
    diags = result.diagnostics
    course = discover(config.content, config.content_display, diags)
    if course is None:
        return
    result.course = course
    compiled = compile_all(config.content, course.lessons, config.registry, config.jobs)
    for lesson in compiled:
        diags.extend(lesson.diagnostics)
    if diags.errors:
        # Distractors are drawn from the whole course; with broken lessons they would mislead.
        result.notes.extend(note for lesson in compiled for note in lesson.notes)
    else:
        result.notes.extend(with_variants(compiled, diags))
    check_unique_ids((note.meta for note in result.notes), diags)
    if not diags.errors:
        # With errors, some lesson may not have been rendered and its files would look unused.
        warn_unused_media(config, result.notes, diags)
    if not result.notes and not diags.errors:
        diags.error(config.content_display, 0, "no cards found: nothing to package")


# ---------------------------------------------------------------------------------------------
# Phase 2: plan


def plan(config: BuildConfig, result: BuildResult) -> None:
    assert result.course is not None
    lock_shown = str(config.lock_path)
    old = state.load(config.lock_path, lock_shown, result.diagnostics)
    now = config.now or int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())
    result.plan = make_plan(
        result.notes,
        old,
        namespace=result.course.namespace,
        note_types=config.registry.note_types,
        templates=config.registry.templates,
        now=now,
        lock_path=lock_shown,
        diags=result.diagnostics,
        forget_removed=config.forget_removed,
    )


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
    config: BuildConfig,
    *,
    course: Course,
    plan: Plan,
    previous: dict[str, PreviousNote],
    media: tuple[tuple[str, bytes], ...],
    diags: Diagnostics,
) -> PackageSpec:
    registry = config.registry
    packaged = []
    for change, note in zip(plan.changes, plan.notes, strict=True):
        fields, tags = note.fields, note.tags
        note_type = registry.note_type(note.note_type)
        if fields is None:
            old = previous.get(note.guid)
            if old is None or old.model_id != note_type.model_id:
                if change.first_removal:
                    diags.warning(
                        str(config.lock_path),
                        0,
                        f"removed note '{change.id}' is not in the previous package, so it cannot "
                        f'be tagged {REMOVED_TAG}; find it in Anki with "ID:{change.id}"',
                    )
                continue
            fields, tags = old.fields, tuple(sorted({*old.tags, REMOVED_TAG}))
        packaged.append(
            PackagedNote(
                guid=note.guid,
                note_type=note_type,
                fields=fields,
                tags=tags,
                deck=note.deck,
                note_id=note.nid,
                mod=note.mod,
                cards=note.cards,
                family=family_of(change.id),
            )
        )
    return PackageSpec(
        namespace=course.namespace,
        decks=tuple(sorted({*course.decks, *(note.deck for note in packaged)})),
        note_types=tuple(
            PackagedNoteType(note_type, registry.template(key), plan.note_type_mods[key])
            for key, note_type in registry.note_types.items()
        ),
        notes=tuple(packaged),
        media=media,
    )


def write(config: BuildConfig, result: BuildResult) -> None:
    assert result.course is not None and result.plan is not None
    diags = result.diagnostics
    out = output_path(config, result.course)
    media = package_media(config, result.notes, diags)
    if diags.failed(strict=config.strict):
        return
    # A removed note goes out once more with its last fields and a tag; the previous package is
    # the only record of those fields (see docs/architecture.md, "Removed notes").
    needs_previous = any(note.fields is None for note in result.plan.notes)
    previous = read_notes(out) if needs_previous else {}
    spec = package_spec(
        config,
        course=result.course,
        plan=result.plan,
        previous=previous,
        media=media,
        diags=diags,
    )
    if diags.failed(strict=config.strict):
        return
    write_package(out, spec)
    state.save(config.lock_path, result.plan.state)
    result.output = out


# ---------------------------------------------------------------------------------------------


def build(config: BuildConfig) -> BuildResult:
    """Gather, plan and write; stop at the first phase that leaves a problem."""
    result = BuildResult(Diagnostics())
    for phase in (gather, plan, write):
        if phase is write and config.dry_run:
            break
        phase(config, result)
        if result.course is None or result.diagnostics.failed(strict=config.strict):
            return result
    result.ok = True
    return result
