"""discover → parse + render (per lesson, pure, parallel) → validate → ids → package."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.anki import state
from generator.anki.package import (
    PackagedNote,
    PackageSpec,
    PreviousNote,
    read_notes,
    write_package,
)
from generator.anki.plan import REMOVED_TAG, Plan, make_plan
from generator.config import BuildConfig
from generator.diagnostics import Diagnostic, Diagnostics
from generator.kinds import NOTE_TYPES
from generator.kinds.choice import ChoiceNote, Option
from generator.kinds.cloze import ClozeChoiceNote, Variant
from generator.kinds.distractors import Choice, choose_all
from generator.notes import (
    ContentProblem,
    Lesson,
    Note,
    NoteMeta,
    RenderedNote,
    card_ordinals,
    card_texts,
)
from generator.render.media import MediaResolver, extension_of, packaged_name, unreferenced
from generator.render.renderer import MarkdownRenderer
from generator.source.discover import Course, discover, display, read_text
from generator.source.noteids import id_key, slugify
from generator.source.outline import source_lines
from generator.source.parse import parse_lesson

PARALLEL_MIN_LESSONS = 24
MAX_WORKERS = 8


@dataclass(frozen=True, slots=True)
class CompiledLesson:
    """The outcome of one lesson file."""

    lesson: Lesson
    """The lesson as discovered."""
    notes: tuple[RenderedNote, ...]
    """Rendered notes in source order."""
    diagnostics: tuple[Diagnostic, ...]
    """Problems found in the file."""
    variants: tuple[Variant, ...] = ()
    """Multiple-choice cards that still need options drawn from the whole course."""


@dataclass(slots=True)
class BuildResult:
    """What a build did, for the CLI to report."""

    diagnostics: Diagnostics
    """Every problem, from every stage."""
    course: Course | None = None
    """The course, when discovery succeeded."""
    notes: list[RenderedNote] = field(default_factory=list)
    """All notes in package order."""
    plan: Plan | None = None
    """The change plan, when the build got that far."""
    output: Path | None = None
    """The package written, or None when the build failed or was a dry run."""

    def counts(self) -> dict[str, Counter[str]]:
        """Deck → note type → number of notes."""
        table: dict[str, Counter[str]] = {}
        for note in self.notes:
            table.setdefault(note.meta.deck, Counter())[note.note_type] += 1
        return dict(sorted(table.items()))


_renderer: MarkdownRenderer | None = None


def shared_renderer() -> MarkdownRenderer:
    """One renderer per process (a worker's, or the main process's for generated cards)."""
    global _renderer  # noqa: PLW0603 - created on first use, reused for every field after
    if _renderer is None:
        _renderer = MarkdownRenderer()
    return _renderer


def compile_lesson(root: Path, lesson: Lesson) -> CompiledLesson:
    """Read, parse and render one lesson. Depends only on the file and the lesson record."""
    md = shared_renderer()
    problem = Diagnostics()
    text = read_text(root / lesson.rel, lesson.path, problem)
    if problem.errors:
        return CompiledLesson(lesson, (), tuple(problem.items))
    parsed = parse_lesson(lesson, text)
    diags = Diagnostics(list(parsed.diagnostics))
    lines: list[str] | None = None
    notes: list[RenderedNote] = []
    md.use_media(MediaResolver(root, lesson.rel))
    for note in parsed.notes:
        done, problems = rendered(note, md)
        notes.append(done)
        if problems:
            lines = lines or source_lines(text)
            for found in problems:
                line = locate(lines, found.needle, note.meta.line)
                report(diags, lesson.path, line, found)
    md.use_media(None)
    return CompiledLesson(lesson, tuple(notes), tuple(diags.items), parsed.variants)


def rendered(note: Note, md: MarkdownRenderer) -> tuple[RenderedNote, tuple[ContentProblem, ...]]:
    """The note with its fields rendered, and the problems its fields have."""
    md.take()
    fields = note.render(md)
    files, problems = md.take()
    media = tuple((file.name, file.source) for file in files)
    return (
        RenderedNote(
            note.meta,
            note.note_type,
            fields,
            card_ordinals(note),
            media=media,
            texts=card_texts(note),
        ),
        problems,
    )


def locate(lines: list[str], needle: str, start: int) -> int:
    """The first line from `start` on that holds `needle` (ignoring case); else `start`.

    Fields are rendered from Markdown that no longer knows its lines, so a problem found while
    rendering names the text it is about, and the note's own line bounds the search."""
    key = needle.lower()
    for number in range(max(start, 1), len(lines) + 1):
        if key in lines[number - 1].lower():
            return number
    return start


def report(diags: Diagnostics, path: str, line: int, problem: ContentProblem) -> None:
    if problem.error:
        diags.error(path, line, problem.message)
    else:
        diags.warning(path, line, problem.message)


def variant_note(choice: Choice) -> Note:
    variant = choice.variant
    if variant.text:
        return ClozeChoiceNote(variant, choice.options, choice.correct)
    return ChoiceNote(
        meta=variant.meta,
        question=variant.question,
        question_body="",
        options=tuple(
            Option(text, index == choice.correct, variant.meta.line)
            for index, text in enumerate(choice.options)
        ),
        explanation=variant.back_extra,
        hint=variant.hint,
    )


def with_variants(
    compiled: list[CompiledLesson], diags: Diagnostics, root: Path | None = None
) -> list[RenderedNote]:
    """All notes in lesson order, each lesson's multiple-choice variants after its notes.
    Images in them resolve from `root` and the variant's lesson (none when `root` is None)."""
    md = shared_renderer()
    variants = [variant for lesson in compiled for variant in lesson.variants]
    choices = iter(choose_all(variants, diags))
    notes: list[RenderedNote] = []
    for lesson in compiled:
        notes.extend(lesson.notes)
        if lesson.variants and root is not None:
            md.use_media(MediaResolver(root, lesson.lesson.rel))
        for _ in lesson.variants:
            choice = next(choices)
            if choice is None:
                continue
            note, problems = rendered(variant_note(choice), md)
            notes.append(note)
            # The lesson's own notes reported its warnings; an error here comes from a wrong
            # option borrowed from another lesson whose path does not resolve from this one.
            for problem in problems:
                if problem.error:
                    report(diags, note.meta.path, note.meta.line, problem)
        md.use_media(None)
    return notes


def compile_all(root: Path, lessons: tuple[Lesson, ...], jobs: int) -> list[CompiledLesson]:
    # Each worker holds its own renderer (~30 MB); more than eight buys little and costs memory.
    workers = jobs or min(MAX_WORKERS, os.cpu_count() or 1)
    if workers <= 1 or (not jobs and len(lessons) < PARALLEL_MIN_LESSONS):
        return [compile_lesson(root, lesson) for lesson in lessons]
    chunk = max(1, len(lessons) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(compile_lesson, [root] * len(lessons), lessons, chunksize=chunk))


def check_unique_ids(notes: Iterable[RenderedNote], diags: Diagnostics) -> None:
    check_unique_ids_meta((note.meta for note in notes), diags)


def check_unique_ids_meta(metas: Iterable[NoteMeta], diags: Diagnostics) -> None:
    first: dict[str, NoteMeta] = {}
    for meta in metas:
        key = id_key(meta.id)
        other = first.get(key)
        if other is None:
            first[key] = meta
            continue
        how = "" if meta.explicit_id else " (derived; write an id to tell them apart)"
        diags.error(
            meta.path,
            meta.line,
            f"duplicate id '{meta.id}'{how}: already used at {other.path}:{other.line}",
        )


def package_spec(
    course: Course,
    plan: Plan,
    previous: dict[str, PreviousNote],
    *,
    lock_shown: str,
    diags: Diagnostics,
) -> PackageSpec:
    packaged = []
    for change, note in zip(plan.changes, plan.notes, strict=True):
        fields, tags = note.fields, note.tags
        if fields is None:
            old = previous.get(note.guid)
            if old is None or old.model_id != NOTE_TYPES[note.note_type].model_id:
                if change.first_removal:
                    diags.warning(
                        lock_shown,
                        0,
                        f"removed note '{change.id}' is not in the previous package, so it cannot "
                        f'be tagged {REMOVED_TAG}; find it in Anki with "ID:{change.id}"',
                    )
                continue
            fields, tags = old.fields, tuple(sorted({*old.tags, REMOVED_TAG}))
        packaged.append(
            PackagedNote(
                guid=note.guid,
                note_type=NOTE_TYPES[note.note_type],
                fields=fields,
                tags=tags,
                deck=note.deck,
                note_id=note.nid,
                mod=note.mod,
                cards=note.cards,
            )
        )
    return PackageSpec(
        namespace=course.namespace,
        decks=tuple(sorted({*course.decks, *(note.deck for note in packaged)})),
        note_types=tuple((nt, plan.note_type_mods[key]) for key, nt in NOTE_TYPES.items()),
        notes=tuple(packaged),
    )


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


def output_path(config: BuildConfig, course: Course) -> Path:
    return config.out_dir / f"{slugify(course.deck, limit=80)}.apkg"


def build(config: BuildConfig) -> BuildResult:
    diags = Diagnostics()
    result = BuildResult(diags)
    course = discover(config.content, config.content_display, diags)
    if course is None:
        return result
    result.course = course
    compiled = compile_all(config.content, course.lessons, config.jobs)
    for lesson in compiled:
        diags.extend(list(lesson.diagnostics))
    if diags.errors:
        # Distractors are drawn from the whole course; with broken lessons they would mislead.
        compiled = [replace(lesson, variants=()) for lesson in compiled]
    result.notes.extend(with_variants(compiled, diags, config.content))
    check_unique_ids(result.notes, diags)
    if not diags.errors:
        # With errors, some lesson may not have been rendered and its files would look unused.
        warn_unused_media(config, result.notes, diags)
    if diags.has_errors(strict=config.strict):
        return result
    if not result.notes:
        diags.error(config.content_display, 0, "no cards found: nothing to package")
        return result
    lock_shown = str(config.lock_path)
    old = state.load(config.lock_path, lock_shown, diags)
    now = config.now or int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())
    plan = make_plan(
        result.notes,
        old,
        namespace=course.namespace,
        note_types=NOTE_TYPES,
        now=now,
        lock_path=lock_shown,
        diags=diags,
        forget_removed=config.forget_removed,
    )
    result.plan = plan
    if diags.has_errors(strict=config.strict) or config.dry_run:
        return result
    out = output_path(config, course)
    needs_previous = any(note.fields is None for note in plan.notes)
    previous = read_notes(out) if needs_previous else {}
    media = package_media(config, result.notes, diags)
    if diags.has_errors(strict=config.strict):
        return result
    spec = package_spec(course, plan, previous, lock_shown=lock_shown, diags=diags)
    write_package(out, replace(spec, media=media))
    state.save(config.lock_path, plan.state)
    result.output = out
    return result
