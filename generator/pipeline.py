"""discover → parse + render (per lesson, pure, parallel) → validate → ids → package."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator import state
from generator.config import BuildConfig
from generator.diagnostics import Diagnostic, Diagnostics
from generator.discover import Course, discover
from generator.distractors import Choice, choose_all
from generator.ids import id_key, slugify
from generator.kinds import NOTE_TYPES
from generator.kinds.choice import ChoiceNote, Option
from generator.kinds.cloze import ClozeChoiceNote, Variant
from generator.model import Lesson, Note, NoteMeta, RenderedNote, Renderer, card_ordinals
from generator.package import (
    PackagedNote,
    PackageSpec,
    PreviousNote,
    read_notes,
    write_package,
)
from generator.parse import parse_lesson
from generator.plan import REMOVED_TAG, Plan, make_plan
from generator.render import MarkdownRenderer

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


def compile_lesson(root: Path, lesson: Lesson) -> CompiledLesson:
    """Read, parse and render one lesson. Depends only on the file and the lesson record."""
    global _renderer  # noqa: PLW0603 - one renderer per worker process
    if _renderer is None:
        _renderer = MarkdownRenderer()
    try:
        text = (root / lesson.rel).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problem = Diagnostics()
        problem.error(lesson.path, 0, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return CompiledLesson(lesson, (), tuple(problem.items))
    except OSError as exc:
        problem = Diagnostics()
        problem.error(lesson.path, 0, f"cannot read: {exc.strerror}")
        return CompiledLesson(lesson, (), tuple(problem.items))
    parsed = parse_lesson(lesson, text)
    notes = tuple(rendered(note, _renderer) for note in parsed.notes)
    return CompiledLesson(lesson, notes, parsed.diagnostics, parsed.variants)


def rendered(note: Note, md: Renderer) -> RenderedNote:
    return RenderedNote(note.meta, note.note_type, note.render(md), card_ordinals(note))


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


def with_variants(compiled: list[CompiledLesson], diags: Diagnostics) -> list[RenderedNote]:
    """All notes in lesson order, each lesson's multiple-choice variants after its notes."""
    global _renderer  # noqa: PLW0603 - shared with compile_lesson in this process
    if _renderer is None:
        _renderer = MarkdownRenderer()
    variants = [variant for lesson in compiled for variant in lesson.variants]
    choices = iter(choose_all(variants, diags))
    notes: list[RenderedNote] = []
    for lesson in compiled:
        notes.extend(lesson.notes)
        for _ in lesson.variants:
            choice = next(choices)
            if choice is not None:
                notes.append(rendered(variant_note(choice), _renderer))
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
    changes = {change.id: change for change in plan.changes}
    packaged = []
    for change, note in zip(plan.changes, plan.notes, strict=True):
        fields, tags = note.fields, note.tags
        if fields is None:
            old = previous.get(note.guid)
            if old is None or old.model_id != NOTE_TYPES[note.note_type].model_id:
                if changes[change.id].first_removal:
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
    result.notes.extend(with_variants(compiled, diags))
    check_unique_ids(result.notes, diags)
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
    write_package(out, package_spec(course, plan, previous, lock_shown=lock_shown, diags=diags))
    state.save(config.lock_path, plan.state)
    result.output = out
    return result
