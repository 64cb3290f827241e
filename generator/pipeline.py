"""discover → parse + render (per lesson, pure, parallel) → validate → ids → package."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import BuildConfig
from generator.diagnostics import Diagnostic, Diagnostics
from generator.discover import Course, discover
from generator.ids import guid, id_key, slugify
from generator.kinds import NOTE_TYPES
from generator.model import Lesson, NoteMeta
from generator.package import PackagedNote, PackageSpec, write_package
from generator.parse import parse_lesson
from generator.render import MarkdownRenderer

PARALLEL_MIN_LESSONS = 24


@dataclass(frozen=True, slots=True)
class RenderedNote:
    """A note with its fields rendered to HTML."""

    meta: NoteMeta
    """Identity, deck, tags and source."""
    note_type: str
    """Key of its note type in the registry."""
    fields: tuple[str, ...]
    """HTML in the note type's field order."""


@dataclass(frozen=True, slots=True)
class CompiledLesson:
    """The outcome of one lesson file."""

    lesson: Lesson
    """The lesson as discovered."""
    notes: tuple[RenderedNote, ...]
    """Rendered notes in source order."""
    diagnostics: tuple[Diagnostic, ...]
    """Problems found in the file."""


@dataclass(slots=True)
class BuildResult:
    """What a build did, for the CLI to report."""

    diagnostics: Diagnostics
    """Every problem, from every stage."""
    course: Course | None = None
    """The course, when discovery succeeded."""
    notes: list[RenderedNote] = field(default_factory=list)
    """All notes in package order."""
    output: Path | None = None
    """The package written, or None when the build failed."""

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
    notes = tuple(
        RenderedNote(note.meta, note.note_type, note.render(_renderer)) for note in parsed.notes
    )
    return CompiledLesson(lesson, notes, parsed.diagnostics)


def compile_all(root: Path, lessons: tuple[Lesson, ...], jobs: int) -> list[CompiledLesson]:
    workers = jobs or (os.cpu_count() or 1)
    if workers <= 1 or (not jobs and len(lessons) < PARALLEL_MIN_LESSONS):
        return [compile_lesson(root, lesson) for lesson in lessons]
    chunk = max(1, len(lessons) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(compile_lesson, [root] * len(lessons), lessons, chunksize=chunk))


def check_unique_ids(notes: Iterable[RenderedNote], diags: Diagnostics) -> None:
    first: dict[str, NoteMeta] = {}
    for note in notes:
        key = id_key(note.meta.id)
        other = first.get(key)
        if other is None:
            first[key] = note.meta
            continue
        how = "" if note.meta.explicit_id else " (derived; write an id to tell them apart)"
        diags.error(
            note.meta.path,
            note.meta.line,
            f"duplicate id '{note.meta.id}'{how}: already used at {other.path}:{other.line}",
        )


def package_notes(course: Course, notes: list[RenderedNote], now: int) -> PackageSpec:
    packaged = tuple(
        PackagedNote(
            guid=guid(course.namespace, note.meta.id),
            note_type=NOTE_TYPES[note.note_type],
            fields=note.fields,
            tags=note.meta.tags,
            deck=note.meta.deck,
            note_id=now * 1000 + index,
            mod=now,
        )
        for index, note in enumerate(notes)
    )
    return PackageSpec(
        namespace=course.namespace,
        decks=course.decks,
        note_types=tuple((nt, now) for nt in NOTE_TYPES.values()),
        notes=packaged,
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
    for compiled in compile_all(config.content, course.lessons, config.jobs):
        diags.extend(list(compiled.diagnostics))
        result.notes.extend(compiled.notes)
    check_unique_ids(result.notes, diags)
    if diags.has_errors(strict=config.strict):
        return result
    if not result.notes:
        diags.error(config.content_display, 0, "no cards found: nothing to package")
        return result
    # Until notes carry the time their content last changed, every build stamps the build time,
    # so Anki treats every note as updated.
    now = int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())
    out = output_path(config, course)
    write_package(out, package_notes(course, result.notes, now))
    result.output = out
    return result
