"""The per-lesson part of phase 1: read, parse and render one lesson file. It depends only on the
file's bytes, the lesson record (with the front matter it inherits), the registry and the media
files it references, so its result is cached under a key made of exactly those
(generator.cache): a lesson that did not change is neither parsed nor rendered again.

Lessons that must be compiled run in worker processes when there are many; each sends back
what it made as plain data (quick to unpickle), which is also what the cache stores once the
build has succeeded (a failed build writes nothing at all).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from generator import codecache, lint
from generator.anki.plan import NoteHashes
from generator.cache.codec import decode, encode
from generator.cache.fingerprint import tool_fingerprint
from generator.cache.store import Packed, Store, pack_name
from generator.cache.store import decode as store_decode
from generator.cache.store import encode as store_encode
from generator.diagnostics import Diagnostic, Diagnostics
from generator.files import put_in_place, temporary_file
from generator.kinds import Registry
from generator.kinds.lesson import parse_lesson
from generator.kinds.variants import RenderedVariant
from generator.notes import Lesson, Note, RenderedNote, Renderer
from generator.render import MarkdownRenderer
from generator.render.media import MediaResolver
from generator.source.discover import decoded, unreadable_code
from generator.source.outline import source_lines

PARALLEL_MIN_LESSONS = 24
STALE_AFTER = 24 * 3600
"""Seconds an entry no build used stays in the cache (another branch may want it back)."""
PRUNE_EVERY = 3600
"""Seconds between two looks for stale entries."""
MAX_WORKERS = 8
NOT_LINTED = lint.LessonLint()
LESSONS = "lessons"
"""Kind of cache entry: one compiled lesson."""

Progress = Callable[[int], None]
"""Told how many lessons are done so far."""


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
    linted: lint.LessonLint = NOT_LINTED
    """What the lint rules found in this lesson alone (from its `lint.Fact`s, made here)."""
    hashes: tuple[NoteHashes | None, ...] = ()
    """What the plan compares each note by, aligned with `notes`."""
    resolved: tuple[tuple[str, Any], ...] = ()
    """Each media reference it resolved, and the outcome (`Resolved`, in plain form): what its
    HTML depends on besides its text."""


@dataclass(frozen=True, slots=True)
class LessonSource:
    """A lesson file as read for this build: compiled from these bytes, and cached under a key
    made from them, so an edit during the build cannot be stored under the old text's key."""

    lesson: Lesson
    """The lesson as discovered."""
    data: bytes | None
    """The file's bytes; None when it could not be read."""
    problem: str = ""
    """Why it could not be read."""
    code: str = "unreadable"
    """The diagnostic code of that problem."""
    key: str = ""
    """Cache key: the bytes, the lesson record, the registry and the tool; '' for no cache."""
    digest: str = ""
    """SHA-256 of the bytes (hex); '' when they could not be read."""


_renderer: MarkdownRenderer | None = None


def shared_renderer() -> MarkdownRenderer:
    """One renderer per process, created on first use (a worker's, or the main process's)."""
    global _renderer  # noqa: PLW0603 - created on first use, reused for every field after
    if _renderer is None:
        _renderer = MarkdownRenderer()
    return _renderer


def compile_source(root: Path, source: LessonSource, registry: Registry) -> CompiledLesson:
    """Parse and render one lesson from its bytes."""
    lesson = source.lesson
    diags = Diagnostics()
    if source.data is None:
        diags.error(lesson.path, 0, f"cannot read: {source.problem}", code=source.code)
        return CompiledLesson(lesson, (), tuple(diags.items))
    text = decoded(source.data, lesson.path, diags)
    if diags.errors:
        return CompiledLesson(lesson, (), tuple(diags.items))
    parsed = parse_lesson(lesson, text, registry)
    diags.extend(parsed.diagnostics)
    md = shared_renderer()
    resolver = MediaResolver(root, lesson.rel)
    with md.lesson(lesson.path, resolver, diags, source_lines(text)):
        notes = tuple(rendered(note, md) for note in parsed.notes)
        variants = tuple(variant.render(md) for variant in parsed.variants)
    facts = lint.facts_of((*parsed.notes, *parsed.variants), parsed.lesson, parsed.silences)
    hashes = tuple(hashes_of(note, registry) for note in notes)
    resolved = tuple((ref, encode(found)) for ref, found in sorted(resolver.resolved().items()))
    return CompiledLesson(
        lesson, notes, tuple(diags.items), variants, lint.lesson_lint(facts), hashes, resolved
    )


def hashes_of(note: RenderedNote, registry: Registry) -> NoteHashes | None:
    note_type = registry.note_type(note.note_type)
    if len(note_type.fields) != len(note.fields):
        return None  # a note type changed under its kind: the plan refuses it
    return NoteHashes.of(note, note_type)


def compile_lesson(root: Path, lesson: Lesson, registry: Registry) -> CompiledLesson:
    """Read, parse and render one lesson (no cache)."""
    return compile_source(root, read_source(root, lesson), registry)


def rendered(note: Note, md: Renderer) -> RenderedNote:
    """The note with its fields rendered, and the media they use."""
    fields = note.render(md)
    return RenderedNote(
        note.meta, note.note_type, fields, note.cards, note.card_texts, md.take_media()
    )


# --- the cache -----------------------------------------------------------------------------------


FINGERPRINTS: dict[int, tuple[Registry, str]] = {}
"""`registry_fingerprint` of each registry a process used, by identity (the registry is kept
with it, so that its id is not another's)."""


def registry_fingerprint(registry: Registry) -> str:
    """What of the registry a compiled lesson depends on: its constructs (by name and the
    functions they call), its note types, and the templates' files. Made once per registry in a
    process (a build asks three times, `serve` at every save), as its templates are read once
    (`anki.notetypes`)."""
    known = FINGERPRINTS.get(id(registry))
    if known is not None:
        return known[1]
    digest = hashlib.sha256()
    for construct in registry.constructs:
        parts = [construct.name, callable_name(construct.matches), callable_name(construct.parse)]
        digest.update(repr(parts).encode())
    for key, note_type in registry.note_types.items():
        digest.update(f"{key}\0{note_type!r}\0".encode())
    digest.update(templates_digest(registry).encode())
    fingerprint = digest.hexdigest()
    FINGERPRINTS[id(registry)] = (registry, fingerprint)
    return fingerprint


def callable_name(function: object) -> str:
    if hasattr(function, "__dataclass_fields__"):
        return repr(function)
    module = getattr(function, "__module__", "?")
    return f"{module}.{getattr(function, '__qualname__', repr(function))}"


def templates_digest(registry: Registry) -> str:
    digest = hashlib.sha256()
    pending = [registry.templates.root]
    while pending:
        node = pending.pop()
        try:
            children = sorted(node.iterdir(), key=lambda child: child.name)
        except OSError:
            continue
        for child in children:
            if child.is_dir():
                pending.append(child)
            else:
                digest.update(child.name.encode() + b"\0" + child.read_bytes() + b"\0")
    return digest.hexdigest()


def read_source(root: Path, lesson: Lesson, registry_key: str = "") -> LessonSource:
    """Read a lesson file; with `registry_key` (the registry's fingerprint), also its cache
    key."""
    try:
        data = (root / lesson.rel).read_bytes()
    except OSError as exc:
        return LessonSource(lesson, None, exc.strerror or str(exc), unreadable_code(exc))
    # The bytes are hashed once: the key is made from their digest, which the build's memo
    # records too (a second pass over a 10,000-note course's 9 MB took 4-5 ms).
    digest = hashlib.sha256(data).hexdigest()
    if not registry_key:
        return LessonSource(lesson, data, digest=digest)
    key = hashlib.sha256()
    for part in (tool_fingerprint(), registry_key, str(root), repr(encode(lesson)), digest):
        key.update(part.encode() + b"\0")
    return LessonSource(lesson, data, key=key.hexdigest(), digest=digest)


def still_resolves(root: Path, lesson: Lesson, resolved: tuple[tuple[str, Any], ...]) -> bool:
    """Whether every media reference a compiled lesson resolved still resolves the same way (the
    same file, bytes and problems)."""
    if not resolved:
        return True
    resolver = MediaResolver(root, lesson.rel)
    return all(encode(resolver.resolve(ref)) == found for ref, found in resolved)


def from_payload(root: Path, source: LessonSource, stored: object) -> CompiledLesson | None:
    """The compiled lesson of a cache entry, if it is the lesson's and its media still resolve
    the same way; None otherwise."""
    try:
        compiled: CompiledLesson = decode(CompiledLesson, stored)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        return None
    if compiled.lesson != source.lesson or not still_resolves(
        root, source.lesson, compiled.resolved
    ):
        return None
    return compiled


def compile_plain(root: Path, source: LessonSource, registry: Registry) -> bytes:
    """A worker's job: compile, and send back the cache entry, as it will be stored (the main
    process reads it like an entry, and keeps the bytes to store them as they are)."""
    return store_encode(source.key, encode(compile_source(root, source, registry)))


def compile_job(root: Path, source: LessonSource, registry: Registry) -> bytes:
    """`compile_plain` in a worker process, which then keeps what it compiled of the patterns
    Markdown and Pygments use (generator.codecache): a worker ends without the exit that writes
    them in the main process."""
    entry = compile_plain(root, source, registry)
    codecache.save()
    return entry


class Pending:
    """Cache entries made by this build, stored when it succeeds. Until then they wait in a
    temporary file, not in memory (on a cold build of a big course they come to as much as the
    package): in the compile cache's folder, when a build made it already and `store` can be
    written, where the file becomes the build's pack as it is (`keep`); else in the system's
    temporary folder (a build that fails leaves the output folder as it found it)."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store if store is not None and store.writable else None
        self.file: IO[bytes] | None = None
        self.path: Path | None = None
        self.entries: list[tuple[str, int, int]] = []
        self.failed = False

    def open(self) -> IO[bytes]:
        if self.store is not None and (self.store.root / LESSONS).is_dir():
            with contextlib.suppress(OSError):
                file, self.path = temporary_file(self.store.root / LESSONS, LESSONS)
                return file
        return tempfile.TemporaryFile(prefix="ankigen-")

    def append(self, item: tuple[str, bytes]) -> None:
        """Keep an entry; when it cannot be written (a full disk), keep none of this build's:
        the cache only saves time, and the build goes on."""
        if self.failed:
            return
        key, entry = item
        try:
            if self.file is None:
                self.file = self.open()
            offset = self.file.tell()
            self.file.write(entry)
        except OSError:
            self.close()
            self.failed = True
            return
        self.entries.append((key, offset, len(entry)))

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        if self.file is None or self.failed:
            return
        try:
            self.file.flush()
            for key, offset, size in self.entries:
                self.file.seek(offset)
                entry = self.file.read(size)
                yield key, entry
        except OSError:
            return

    def keep(self, target: Path) -> bool:
        """Move the file, when it is in the cache's folder, into place as `target`."""
        if self.file is None or self.path is None:
            return False
        try:
            self.file.close()
            put_in_place(self.path, target)
        except OSError:
            self.close()
            self.failed = True
            return False
        self.file = self.path = None
        return True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.file is not None:
                self.file.close()
            if self.path is not None:
                self.path.unlink(missing_ok=True)
        self.file = self.path = None
        self.entries = []


def compile_all(
    root: Path,
    sources: Sequence[LessonSource],
    registry: Registry,
    jobs: int,
    *,
    cache: Packed | None = None,
    pending: Pending | None = None,
    progress: Progress | None = None,
    ahead: Ahead | None = None,
) -> list[CompiledLesson]:
    """Every lesson compiled, in order: from the cache where it holds the lesson, else made
    (and the entries made added to `pending`); `ahead` may have made some already."""
    results: list[CompiledLesson | None] = [None] * len(sources)
    missing: list[int] = []
    for index, source in enumerate(sources):
        stored = cache.read(source.key) if cache is not None and source.key else None
        found = from_payload(root, source, stored) if stored is not None else None
        if found is None:
            missing.append(index)
        results[index] = found
    done = len(sources) - len(missing)
    if progress is not None:
        progress(done)
    todo = [sources[index] for index in missing]
    for index, entry in zip(missing, made(root, todo, registry, jobs, ahead), strict=True):
        compiled: CompiledLesson = decode(CompiledLesson, store_decode(entry, sources[index].key))
        results[index] = compiled
        if pending is not None and sources[index].key and not has_errors(compiled):
            pending.append((sources[index].key, entry))
        done += 1
        if progress is not None:
            progress(done)
    return [result for result in results if result is not None]


def has_errors(compiled: CompiledLesson) -> bool:
    # A lesson with an error is being edited: its next version is the one worth keeping.
    return any(d.severity.value == "error" for d in compiled.diagnostics)


def made(
    root: Path,
    sources: Sequence[LessonSource],
    registry: Registry,
    jobs: int,
    ahead: Ahead | None = None,
) -> Iterator[bytes]:
    """Compile `sources`, in order, in worker processes when there are enough of them; those
    `ahead` made are taken from it."""
    if ahead is not None:
        ready = [ahead.take(source.key) for source in sources]
        rest = made(
            root, [s for s, r in zip(sources, ready, strict=True) if r is None], registry, jobs
        )
        for entry in ready:
            yield entry if entry is not None else next(rest)
        return
    # Each worker holds its own renderer (~30 MB); more than eight buys little and costs memory.
    workers = jobs or min(MAX_WORKERS, os.cpu_count() or 1)
    count = len(sources)
    if workers <= 1 or count <= 1 or (not jobs and count < PARALLEL_MIN_LESSONS):
        for source in sources:
            yield compile_plain(root, source, registry)
        return
    chunk = max(1, count // (workers * 8))
    with ProcessPoolExecutor(max_workers=min(workers, count)) as pool:
        yield from pool.map(
            compile_job, [root] * count, sources, [registry] * count, chunksize=chunk
        )


class Ahead:
    """Lessons being compiled in a worker process while the main process reads what the cache
    kept of the others: after an edit, the two take about as long as each other."""

    def __init__(self, root: Path, sources: Sequence[LessonSource], registry: Registry) -> None:
        self.pool = ProcessPoolExecutor(max_workers=1)
        self.futures = {
            source.key: self.pool.submit(compile_job, root, source, registry) for source in sources
        }

    @classmethod
    def start(
        cls,
        root: Path,
        sources: Sequence[LessonSource],
        registry: Registry,
        *,
        jobs: int,
        cache: Packed | None,
    ) -> Ahead | None:
        """Start compiling the lessons the compile cache does not hold, when they are few and
        the others many (else there is nothing to overlap, or the usual workers do it). Not
        beside other threads (the preview server's): a thread holding a lock when the worker
        is forked would leave the worker stuck on it."""
        if cache is None or jobs == 1 or (os.cpu_count() or 1) < 2:
            return None
        if threading.active_count() > 1:
            return None
        todo = [s for s in sources if s.key and s.key not in cache]
        if not todo or len(todo) >= PARALLEL_MIN_LESSONS:
            return None
        if len(sources) - len(todo) < PARALLEL_MIN_LESSONS:
            return None
        return cls(root, todo, registry)

    def take(self, key: str) -> bytes | None:
        """The entry made for the lesson with cache key `key`; None when it was not asked for
        or the worker failed (the lesson is then compiled where it is needed)."""
        future = self.futures.pop(key, None)
        if future is None:
            return None
        try:
            return future.result()
        except Exception:  # a worker that died or was killed: compile in this process
            return None

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.futures.clear()


def compile_cache(store: Store | None) -> Packed | None:
    """The compile cache of `store`: compiled lessons in packs, by cache key."""
    return Packed(store, LESSONS) if store is not None else None


def store_pending(store: Store, pending: Pending, keep: set[str]) -> None:
    """Store the entries this build made, as one pack; forget the packs no build has asked an
    entry of in a day (`keep`: the keys of this build's lessons)."""
    cache = Packed(store, LESSONS)
    entries = list(pending.entries)
    if entries:
        name = pack_name(key for key, _, _ in entries)
        if not pending.keep(store.path(LESSONS, name)):
            # They waited outside the cache: copied into a pack, at the same offsets (as many as
            # could be read back).
            writer = store.pack(LESSONS)
            for key, entry in pending:
                writer.add_encoded(key, entry)
            entries = entries[: len(writer.keys)]
            name = writer.finish()
        if name:
            cache.add(name, entries)
    pending.close()
    cache.save(keep, older_than=STALE_AFTER, every=PRUNE_EVERY)
