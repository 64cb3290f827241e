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

import gc
import hashlib
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator import incremental, lint, report
from generator.anki import state, update
from generator.anki.package import (
    NoteBatch,
    PackagedNote,
    PackagedNoteType,
    PackageSpec,
    PreviousNote,
    family_of,
    read_package,
)
from generator.anki.plan import (
    Basis,
    Change,
    Joined,
    Kept,
    KeptPlan,
    NoteHashes,
    Plan,
    Planned,
    Status,
    make_plan,
    needs_previous_fields,
)
from generator.anki.recover import reconcile, state_from_package
from generator.cache import memo
from generator.cache.fingerprint import tool_fingerprint
from generator.cache.store import Packed, Store
from generator.compile import (
    Ahead,
    LessonSource,
    Pending,
    compile_all,
    compile_cache,
    read_source,
    registry_fingerprint,
    shared_renderer,
    still_resolves,
    store_pending,
)
from generator.config import BuildConfig
from generator.diagnostics import Diagnostic, Diagnostics
from generator.files import (
    LockTimeout,
    clean_stale_temporaries,
    course_lock,
    file_digest,
    replacing,
)
from generator.incremental import (
    Block,
    Part,
    Reading,
    Snapshot,
    Unread,
    make_block,
    offered,
    pools_of,
)
from generator.kinds import REGISTRY
from generator.kinds.distractors import Fallback, History, Pools, Shown, choose_all
from generator.kinds.variants import Candidate, RenderedVariant, candidate
from generator.notes import RenderedNote, Text
from generator.render.media import MediaResolver, extension_of, packaged_name, unreferenced
from generator.source.discover import Course, discover, display
from generator.source.noteids import IdUse, check_unique_ids, slugify
from generator.summary import Summary


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
    parts: list[Part] = field(default_factory=list)
    """Each lesson, in order: kept from the last build or built in this one."""
    plan: Plan | None = None
    """The change plan, when the build got that far."""
    output: Path | None = None
    """The package, current, or None when the build failed or was a dry run."""
    written: bool = False
    """The package or the state file was written (False: both were up to date)."""
    findings: list[lint.Finding] = field(default_factory=list)
    """Card-quality findings (`ankigen lint`)."""
    supersedes: Path | None = None
    """The course's earlier package when it had another name (the deck was renamed)."""
    replaced: Path | None = None
    """That earlier package, when this build removed it."""
    previous: state.State | None = None
    """What the plan phase compared with: the state file, or what it recovered from the last
    package when there is none."""
    recorded: tuple[state.State | None, Diagnostics] | None = None
    """The state file as read by this build, and the problems reading it; None until read."""
    kept_state: state.State | None = None
    """That state, when it is the one the last build wrote (its kept lessons then apply)."""
    lock_bytes: bytes | None = None
    """The state file's bytes, when they are the ones the last build wrote: read once."""
    keyed: list[tuple[state.State, state.Keyed]] = field(default_factory=list)
    """The states this build looked notes up in, each with its notes by key (`by_key`)."""
    steady: bool = False
    """The plan compared the notes with that very state (so kept lessons were planned as kept)."""
    snapshot: Snapshot | None = None
    """What the last build kept, when it applies to this one."""
    last: update.LastCollection | None = None
    """The collection the last build kept, when most lessons are kept (being checked)."""
    keeping: update.Keeping | None = None
    """This build's collection, being kept for the next (generator.anki.update)."""
    saving: threading.Thread | None = None
    """The package's compressed pieces and frame, being kept for the next build."""
    stowing: Stowing | None = None
    """What it keeps for the next build, when made while the package was being made."""
    pending: Pending = field(default_factory=Pending)
    """Cache entries of the lessons this build compiled, stored if it succeeds."""
    compile_cache: Packed | None = None
    """The compile cache, when the build uses one."""
    cache_keys: set[str] = field(default_factory=set)
    """Cache keys of every lesson of this build."""
    sources: list[LessonSource] = field(default_factory=list)
    """Each lesson's bytes as this build read them."""
    indexes: dict[str, bytes] = field(default_factory=dict)
    """Each index file's bytes as this build read them (path relative to the content folder)."""
    gathered: int = 0
    """How many diagnostics the gather phase left (those after it come from the plan)."""
    linting: bool = False
    """The card-quality warnings are still to be reported (`report_lint`)."""
    chosen: list[Diagnostic] = field(default_factory=list)
    """Diagnostics about generated options (said once: the next build does not repeat them)."""
    all_notes: list[RenderedNote] | None = None
    """`notes`, once made."""
    counted: dict[str, Counter[str]] | None = None
    """`counts()`, once made."""
    pools: Pools | None = None
    """The answers of the course generated cards drew their options from."""
    progress: Progress | None = field(default=None, repr=False)
    """Told how far the build is (the command line draws it on a terminal)."""
    memory: incremental.Memory | None = field(default=None, repr=False)
    """What the builds of one process keep of the cache between them, decoded (`serve`)."""

    def by_key(self, of: state.State) -> state.Keyed:
        """`of.by_key()`, made once per state in a build: the options' history and the plan
        look notes up in it (the last build's state, then the one this build writes)."""
        for known, keyed in self.keyed:
            if known is of:
                return keyed
        keyed = of.by_key()
        self.keyed.append((of, keyed))
        return keyed

    def step(self, stage: str, done: int = 0, total: int = 0) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    now: int = 0
    """The clock the plan used."""
    kept_written: Written | None = None
    """What the write phase left on disk."""

    @property
    def notes(self) -> list[RenderedNote]:
        """All notes in package order (those of kept lessons made from their plain form)."""
        if self.all_notes is None:
            self.all_notes = [note for part in self.parts for note in part.final_notes()]
        return self.all_notes

    @property
    def note_count(self) -> int:
        return sum(sum(counter.values()) for counter in self.counts().values())

    def counts(self) -> dict[str, Counter[str]]:
        """Deck → note type key → number of notes."""
        if self.counted is None:
            table: dict[str, Counter[str]] = {}
            # Counted in C, then grouped: one step per deck and note type, not per note.
            for (deck, note_type), count in Counter(note_kinds(self.parts)).items():
                table.setdefault(deck, Counter())[note_type] = count
            self.counted = dict(sorted(table.items()))
        return self.counted


def note_kinds(parts: Iterable[Part]) -> Iterator[tuple[str, str]]:
    """(deck, note type) of every note."""
    for part in parts:
        if part.block is not None:
            yield from zip(part.block.kept.decks, part.block.kept.note_types, strict=True)
        else:
            for note in part.notes:
                yield note.meta.deck, note.note_type


# ---------------------------------------------------------------------------------------------
# Phase 1: gather


def recorded(config: BuildConfig, result: BuildResult) -> tuple[state.State | None, Diagnostics]:
    """The state file, read once per build, and the problems found reading it (reported by the
    plan phase). When it is, byte for byte, the file the last build wrote, the state that build
    kept is used instead of parsing it again."""
    if result.recorded is None:
        problems = Diagnostics()
        kept = result.kept_state
        if kept is not None and lock_matches(config, result):
            result.recorded = (kept, problems)
        else:
            result.kept_state = None
            loaded = state.load(config.lock_path, str(config.lock_path), problems)
            result.recorded = (loaded, problems)
    return result.recorded


def lock_matches(config: BuildConfig, result: BuildResult) -> bool:
    """Whether the state file holds what the last build wrote (its snapshot's digest). Read
    once: the bytes are kept for the state file's next text (`state_text`), and the build
    compares with the file as it first found it, as it does with the lessons."""
    if result.lock_bytes is not None:
        return True
    if result.snapshot is None:
        return False
    try:
        data = config.lock_path.read_bytes()
    except OSError:
        return False
    if hashlib.sha256(data).hexdigest() != result.snapshot.state:
        return False
    result.lock_bytes = data
    return True


def history_of(keyed: state.Keyed | None) -> History:
    """The options each generated card showed in the last build, from its state's notes by key
    (None: no state)."""
    if keyed is None:
        return History({})
    return History(ShownIn(keyed), keyed.keys())


class ShownIn(Mapping[str, Shown]):
    """The options each generated card of a state showed, found when a card asks: a build asks
    for the cards of the lessons it built, not for every card of the course."""

    __slots__ = ("keyed",)

    def __init__(self, keyed: state.Keyed) -> None:
        self.keyed = keyed

    def __getitem__(self, key: str) -> Shown:
        found = self.keyed.get(key)
        if found is None or not showed(found[1]):
            raise KeyError(key)
        return Shown(found[1].options, found[1].answer_at)

    def __iter__(self) -> Iterator[str]:
        return (key for key, (_, note) in self.keyed.items() if showed(note))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def showed(note: state.NoteState) -> bool:
    """Whether a note of the state showed generated options (a removed one shows nothing)."""
    return bool(note.options) and not note.removed


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


def course_pools(parts: Sequence[Part]) -> Pools:
    """Every answer of the course that a generated card may show (`Pools.of`): kept lessons
    offer theirs in plain form, made into objects only when a card looks at one."""
    built = [part for part in parts if part.compiled is not None and part.block is None]
    if len(built) == len(parts):
        return Pools.of([variant for part in built for variant in part.variants()])
    return pools_of(parts)


def choose(
    parts: Sequence[Part],
    diags: Diagnostics,
    history: History,
    fallback: Fallback,
    pools: Pools,
) -> None:
    """The notes of each lesson built in this build, its generated multiple-choice cards after
    them, with options drawn from the whole course (keeping those the state file recorded)."""
    todo = [part for part in parts if part.compiled is not None and part.block is None]
    variants = [variant for part in todo for variant in part.variants()]
    choices = iter(choose_all(variants, diags, history, fallback, pools))
    for part in todo:
        assert part.compiled is not None
        part.notes = list(part.compiled.notes)
        part.made = [True] * len(part.notes)
        for _ in part.compiled.variants:
            choice = next(choices)
            if choice is not None:
                part.notes.append(choice.variant.complete(choice.options, choice.correct))
                part.made.append(False)


def repeated_ids(parts: Iterable[Part]) -> bool:
    """Whether two notes have one id (ignoring case): a quick look first, since a course with
    thousands of notes has none most of the time."""
    keys: list[str] = []
    for part in parts:
        if part.block is not None:
            keys.extend(state.key_of(note_id) for note_id in part.block.kept.ids)
        else:
            keys.extend(state.key_of(note.meta.id) for note in part.notes)
    return len(set(keys)) != len(keys)


def id_uses(parts: Iterable[Part]) -> Iterator[IdUse]:
    for part in parts:
        if part.block is None:
            yield from (note.meta for note in part.notes)
            continue
        kept = part.block.kept
        for index, note_id in enumerate(kept.ids):
            yield KeptId(note_id, part.block.explicit[index], kept.paths[index], kept.lines[index])


@dataclass(frozen=True, slots=True)
class KeptId:
    """A kept note's id and place (for `check_unique_ids`)."""

    id: str
    """The note id."""
    explicit_id: bool
    """Written by the author."""
    path: str
    """Source file."""
    line: int
    """Line."""


def media_used(parts: Iterable[Part]) -> Iterator[tuple[str, str]]:
    """(packaged name, source) of every file the notes use."""
    for part in parts:
        if part.block is None:
            for note in part.notes:
                yield from note.media
        else:
            for media in part.block.media:
                yield from media


def warn_unused_media(
    config: BuildConfig, used: Iterable[tuple[str, str]], diags: Diagnostics
) -> None:
    sources = {source for _, source in used}
    for rel in unreferenced(config.content, sources):
        diags.warning(
            display(config.content_display, rel),
            0,
            "media file not used by any card: delete it, or keep it in a folder whose name "
            "starts with '_' (those are not checked)",
            code="media-unused",
        )


def sources_of(config: BuildConfig, course: Course) -> list[LessonSource]:
    """Every lesson's bytes, read once, with its cache key when the build uses the cache."""
    key = registry_fingerprint(config.registry) if config.cache else ""
    return [read_source(config.content, lesson, key) for lesson in course.lessons]


def cache_store(config: BuildConfig) -> Store | None:
    """The course's cache, in the output folder (never in the sources); None without one. A
    build that writes nothing (`--dry-run`, `ankigen check`) reads it and leaves it alone."""
    if not config.cache:
        return None
    return Store(config.cache_dir, writable=not config.dry_run)


def kept_inputs(config: BuildConfig) -> str:
    """What every kept lesson depends on besides its own bytes and the state file."""
    parts = [
        tool_fingerprint(),
        registry_fingerprint(config.registry),
        str(config.content.resolve()),
        config.content_display,
        str(config.lock_path),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def kept_blocks(
    config: BuildConfig, store: Store | None, sources: Sequence[LessonSource], result: BuildResult
) -> list[Block | None]:
    """The block the last build kept of each lesson, where its key is still the lesson's."""
    found = (
        incremental.load(store, kept_inputs(config), result.memory) if store is not None else None
    )
    if found is None:
        return [None] * len(sources)
    result.snapshot, result.kept_state = found
    if not lock_matches(config, result) or store is None:
        return [None] * len(sources)
    ids = result.snapshot.blocks
    wanted = [ids.get(source.lesson.rel) if source.key else None for source in sources]
    keys = {found: source.key for found, source in zip(wanted, sources, strict=True) if found}
    kept = incremental.blocks_of(store, result.snapshot, keys, result.memory)
    if store.writable and len(kept) * update.BATCHED_SHARE >= len(sources):
        # Most lessons are kept (an edit), and a package will be made (not a dry run, `check`
        # or `sync`): it will be filled from the collection the last build kept, which is
        # checked from now on (see generator.anki.update).
        result.last = update.last_collection(store, result.snapshot.collection)
    return [kept.get(found) if found is not None else None for found in wanted]


def build_parts(
    config: BuildConfig,
    store: Store | None,
    sources: Sequence[LessonSource],
    parts: Sequence[Part],
    result: BuildResult,
    *,
    ahead: Ahead | None = None,
) -> None:
    """Compile every lesson without a kept block (from the compile cache where it holds it, or
    from `ahead`)."""
    cache = result.compile_cache
    todo = [
        index for index, part in enumerate(parts) if part.block is None and part.compiled is None
    ]
    total = len(todo)
    compiled = compile_all(
        config.content,
        [sources[index] for index in todo],
        config.registry,
        config.jobs,
        cache=cache,
        pending=result.pending if store is not None and store.writable else None,
        progress=lambda done: result.step("compiling lessons", done, total),
        ahead=ahead,
    )
    for index, lesson in zip(todo, compiled, strict=True):
        parts[index].compiled = lesson


def gather(config: BuildConfig, result: BuildResult) -> None:
    diags = result.diagnostics
    course = discover(config.content, config.content_display, diags, result.indexes)
    if course is None:
        return
    result.course = course
    sources = sources_of(config, course)
    result.sources = sources
    result.cache_keys = {source.key for source in sources if source.key}
    store = cache_store(config)
    result.compile_cache = compile_cache(store)
    result.pending = Pending(store)
    ahead = Ahead.start(
        config.content, sources, config.registry, jobs=config.jobs, cache=result.compile_cache
    )
    try:
        parts = [Part(block=block) for block in kept_blocks(config, store, sources, result)]
        build_parts(config, store, sources, parts, result, ahead=ahead)
    finally:
        if ahead is not None:
            ahead.close()
    if any(part.block is not None for part in parts):
        # A kept lesson's cards keep their options while the course offers them as it did.
        offers = offered(parts)
        for index, part in enumerate(parts):
            if part.block is not None and (
                any(offers.get(text, "") != value for text, value in part.block.reads)
                or not still_resolves(config.content, sources[index].lesson, part.block.resolved)
            ):
                part.block = None
        build_parts(config, store, sources, parts, result)
    result.parts = parts
    for part in parts:
        diags.extend(part.diagnostics())
    if diags.errors:
        # Distractors are drawn from the whole course; with broken lessons they would mislead.
        for part in parts:
            part.notes = part.base_notes()
            part.block = None
    else:
        result.step("drawing options")
        chosen = Diagnostics()
        previous = recorded(config, result)[0]
        history = history_of(result.by_key(previous) if previous is not None else None)
        result.pools = course_pools(parts)
        choose(parts, chosen, history, fallback_renderer(config.content), result.pools)
        result.chosen = list(chosen.items)
        diags.extend(chosen.items)
    if repeated_ids(parts):
        check_unique_ids(id_uses(parts), diags)
    if not diags.errors:
        # With errors, some lesson may not have been rendered and its files would look unused.
        warn_unused_media(config, media_used(parts), diags)
    if not any(True for _ in note_kinds(parts)) and not diags.errors:
        diags.error(
            config.content_display, 0, "no cards found: nothing to package", code="no-cards-found"
        )
    result.gathered = len(diags.items)
    if not diags.errors:
        # Card-quality warnings stop only a strict build; any other build reports them while
        # its package is being made (`report_lint`).
        result.linting = True
        if config.strict:
            report_lint(result)


def report_lint(result: BuildResult) -> None:
    """Add the card-quality warnings of the build's lessons, as gathered (see `gather`)."""
    if not result.linting:
        return
    result.linting = False
    found = Diagnostics()
    lint.report([], found, build=True, lessons=[part.linted() for part in result.parts])
    result.gathered += result.diagnostics.extend_at(result.gathered, found.items)


def lint_course(config: BuildConfig) -> BuildResult:
    """`ankigen lint`: read and parse the course and run every card-quality rule; nothing is
    planned or written. Problems that stop a build are reported as they are."""
    result = BuildResult(Diagnostics())
    diags = result.diagnostics
    course = discover(config.content, config.content_display, diags)
    if course is None:
        return result
    result.course = course
    sources = sources_of(config, course)
    parts = [Part() for _ in sources]
    # Lint reads the compile cache and leaves it alone, as `ankigen check` does.
    store = cache_store(replace(config, dry_run=True))
    result.compile_cache = compile_cache(store)
    build_parts(config, store, sources, parts, result)
    result.parts = parts
    for part in parts:
        assert part.compiled is not None
        diags.extend(part.compiled.diagnostics)
        part.notes = list(part.compiled.notes)
    lessons = [part.linted() for part in parts]
    result.findings = lint.report([], diags, lessons=lessons)
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
    result.now = now
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
    elif needs_previous_fields(current_types(result.parts), old):
        previous = read_package(earlier)
    result.previous = old
    result.step("planning")
    # Kept lessons are planned as their state entries say only against that very state.
    result.steady = old is result.kept_state
    items, hashes = plan_items(result.parts, steady=result.steady)
    result.plan = make_plan(
        items,
        old,
        namespace=result.course.namespace,
        note_types=registry.note_types,
        templates=registry.templates,
        now=now,
        lock_path=lock_shown,
        diags=diags,
        forget_removed=config.forget_removed,
        forget_moved=config.forget_moved,
        previous=previous,
        package=package.name,
        decks=folder_decks(result.course),
        hashes=hashes,
        keyed=result.by_key(old),
    )
    result.plan.basis = basis
    result.supersedes = earlier if earlier != package else None


def current_types(parts: Iterable[Part]) -> dict[str, str]:
    """Each note's id (`key_of`) → its note type."""
    table: dict[str, str] = {}
    for part in parts:
        if part.block is None:
            table.update((state.key_of(note.meta.id), note.note_type) for note in part.notes)
        else:
            kept = part.block.kept
            table.update(
                (state.key_of(note_id), note_type)
                for note_id, note_type in zip(kept.ids, kept.note_types, strict=True)
            )
    return table


def plan_items(
    parts: Sequence[Part], *, steady: bool
) -> tuple[list[RenderedNote | Kept], list[NoteHashes | None]]:
    """What the plan takes, in package order, and the hashes already made for each."""
    items: list[RenderedNote | Kept] = []
    hashes: list[NoteHashes | None] = []
    for part in parts:
        if part.block is not None and steady:
            items.append(part.block.kept)
            hashes.append(None)
        elif part.block is not None:
            notes = part.final_notes()
            items.extend(notes)
            hashes.extend([None] * len(notes))
        else:
            items.extend(part.notes)
            hashes.extend(part.hashes())
    return items, hashes


def folder_decks(course: Course) -> dict[str, str]:
    """Content folder → its deck's name (`""` is the course), every parent folder included."""
    decks = {"": course.deck}
    for lesson in course.lessons:
        folders = lesson.rel.split("/")[:-1]
        names = lesson.deck.split("::")
        offset = len(names) - len(folders)
        for depth in range(1, len(folders) + 1):
            decks["".join(f"{part}/" for part in folders[:depth])] = "::".join(
                names[: offset + depth]
            )
    return decks


# ---------------------------------------------------------------------------------------------
# Phase 3: write


def output_path(config: BuildConfig, course: Course) -> Path:
    return config.out_dir / f"{slugify(course.deck, limit=80)}.apkg"


def package_media(
    config: BuildConfig, used: Iterable[tuple[str, str]], diags: Diagnostics
) -> tuple[tuple[str, bytes], ...]:
    """(packaged name, bytes) of every file the notes use (`used`: packaged name, source),
    sorted by name. A file is read again here, and its name is checked against its bytes: one
    edited since it was rendered would be packaged under the name of its old content."""
    sources: dict[str, str] = {}
    for name, source in used:
        sources.setdefault(name, source)
    media: list[tuple[str, bytes]] = []
    for name, source in sorted(sources.items()):
        shown = display(config.content_display, source)
        try:
            data = (config.content / source).read_bytes()
        except OSError as exc:
            diags.error(shown, 0, f"cannot read: {exc.strerror}", code="media-unreadable")
            continue
        if packaged_name(data, extension_of(source)) != name:
            diags.error(shown, 0, "changed during the build; build again", code="media-changed")
            continue
        media.append((name, data))
    return tuple(media)


def package_spec(
    config: BuildConfig, *, course: Course, plan: Plan, media: tuple[tuple[str, bytes], ...]
) -> PackageSpec:
    registry = config.registry
    packaged: list[PackagedNote | NoteBatch] = []
    used: set[str] = set()
    decks: set[str] = set(course.decks)
    for segment in plan.segments:
        if isinstance(segment, KeptPlan):
            kept = segment.kept
            packaged.append(
                NoteBatch(
                    guids=tuple(prior.guid for prior in segment.priors),
                    note_types=tuple(registry.note_type(key) for key in kept.note_types),
                    joined=Joined(kept),
                    tags=kept.tags,
                    decks=kept.decks,
                    note_ids=tuple(prior.nid for prior in segment.priors),
                    mods=tuple(prior.mod for prior in segment.priors),
                    cards=kept.cards,
                    families=tuple(family_of(note_id) for note_id in kept.ids),
                )
            )
            used.update(kept.note_types)
            decks.update(kept.decks)
            continue
        for change, note in zip(segment.changes, segment.notes, strict=True):
            if note.fields is None:
                continue
            packaged.append(
                PackagedNote(
                    guid=note.guid,
                    note_type=registry.note_type(note.note_type),
                    fields=note.fields,
                    tags=note.tags,
                    deck=note.deck,
                    note_id=note.nid,
                    mod=note.mod,
                    cards=note.cards,
                    family=family_of(change.id),
                )
            )
            used.add(note.note_type)
            decks.add(note.deck)
    return PackageSpec(
        namespace=course.namespace,
        decks=tuple(sorted(decks)),
        # Only the note types the package's notes use: each carries the whole stylesheet.
        note_types=tuple(
            PackagedNoteType(note_type, registry.template(key), plan.note_type_mods[key])
            for key, note_type in registry.note_types.items()
            if key in used
        ),
        notes=tuple(packaged),
        media=media,
    )


PENDING = "pending-" + "0" * 57
"""Stands for the package's digest in the state file's text until the package is made."""


class StateNotWritten(Exception):
    """The state file could not be written; the new package must not be moved into place."""


@dataclass(frozen=True, slots=True)
class Written:
    """What the write phase left on disk."""

    state: state.State
    """The state file's content."""
    encoded: bytes
    """Its text, as written (UTF-8)."""
    package_digest: str
    """SHA-256 of the package."""
    size: int
    """The package's size in bytes."""


def write(config: BuildConfig, result: BuildResult) -> None:
    """Make the package in memory; if it and the state file are what is on disk already, write
    nothing. Otherwise write the package to a temporary file, then the state file (which records
    the package's digest), then move the package into place. If the state cannot be written, the
    old package stays; a build stopped after the state file and before the move leaves a package
    that does not match the recorded digest, and the next build compares the notes with that
    package."""
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
    media = package_media(config, media_used(result.parts), diags)
    if diags.failed(strict=config.strict):
        return
    result.step("writing the package")
    spec = package_spec(config, course=result.course, plan=result.plan, media=media)
    store = cache_store(config)
    pieces = incremental.load_pieces(store)
    frames = incremental.FrameCache(store) if store is not None else None
    try:
        data, draft, existing = package_and_draft(config, result, spec, (pieces, frames), out)
        digest = hashlib.sha256(data).hexdigest()
        recorded_state = replace(result.plan.state, package_digest=digest)
        text = draft.replace(f'"package_digest": "{PENDING}"', f'"package_digest": "{digest}"', 1)
        encoded = text.encode()
        if existing == digest:
            changed = save_state(config, encoded, diags)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            with replacing(out) as tmp:
                tmp.write_bytes(data)
                # Not compared first: the text names this package, which is not on disk, so
                # the file holds it only if a build stopped before moving it into place.
                save_state(config, encoded, diags, compare=False)
            changed = True
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
    result.written = changed
    result.kept_written = Written(recorded_state, encoded, digest, len(data))
    # Written while the build records the rest; `build` waits for it before it returns.
    result.saving = threading.Thread(
        target=save_pieces, args=(store, pieces, frames), name="save-pieces", daemon=True
    )
    result.saving.start()
    earlier = result.supersedes
    if earlier is not None and earlier.is_file():
        # The course deck was renamed, and the package with it: the old one is superseded.
        with suppress(OSError):
            earlier.unlink()
            result.replaced = earlier
            result.written = True


def save_pieces(
    store: Store | None,
    pieces: incremental.PieceCache | None,
    frames: incremental.FrameCache | None,
) -> None:
    """Keep the package's compressed pieces and its collection's frame for the next build."""
    incremental.save_pieces(store, pieces)
    if frames is not None:
        frames.save()


def package_and_draft(
    config: BuildConfig,
    result: BuildResult,
    spec: PackageSpec,
    caches: tuple[incremental.PieceCache | None, incremental.FrameCache | None],
    out: Path,
) -> tuple[bytes, str, str]:
    """The package's bytes, the state file's text (its package digest left PENDING) and the
    digest of the package at `out` now. The package is made in a thread (SQLite and zlib let go
    of the interpreter while they work) while the rest, and after an edit what the next build
    would do, are prepared."""
    assert result.plan is not None
    store = cache_store(config)
    # After an edit, the kept lessons' rows are copied from the collection the last build kept
    # (generator.anki.update).
    last = result.last if result.steady else None
    keep = store if store is not None and store.writable else None
    begun = update.begin_package(spec, *caches, last, keep)
    with ThreadPoolExecutor(max_workers=1) as worker:
        making = worker.submit(begun.finish)
        report_lint(result)
        draft = state.dumps(
            replace(result.plan.state, package_digest=PENDING), last_written(result)
        )
        # Only after an edit, when little is to be planned again: on a cold build, the next
        # build's plan would hold as much again in memory as the package does.
        built = sum(part.block is None for part in result.parts)
        if store is not None and store.writable and built * 4 <= len(result.parts):
            # What the next build needs, as far as it does not depend on the package's digest:
            # made here while the package is (in C, mostly: see generator.anki.update).
            result.stowing = stow(config, result, store, result.plan.state)
        existing = existing_digest(out)
        data, result.keeping = making.result()
        return data, draft, existing


def last_written(result: BuildResult) -> tuple[state.State, str] | None:
    """The state the plan compared with and its text, when its entries' lines can be reused
    (`state.dumps`): decoded for that call alone from the bytes the build read
    (`lock_matches`)."""
    kept = result.kept_state
    return (kept, state_text(result)) if result.steady and kept else None


def state_text(result: BuildResult) -> str:
    try:
        return result.lock_bytes.decode() if result.lock_bytes is not None else ""
    except UnicodeDecodeError:
        return ""


def existing_digest(path: Path) -> str:
    """SHA-256 of the file at `path`; '' when there is none."""
    try:
        return file_digest(path) if path.is_file() else ""
    except OSError:
        return ""


def save_state(
    config: BuildConfig, data: bytes, diags: Diagnostics, *, compare: bool = True
) -> bool:
    """Write the state file's text (`data`, encoded) unless it holds it already (looked at only
    when `compare`); whether it was written."""
    try:
        config.lock_path.parent.mkdir(parents=True, exist_ok=True)
        return state.save_encoded(config.lock_path, data, compare=compare)
    except OSError as exc:
        diags.error(
            str(config.lock_path),
            0,
            f"cannot write the state file: {exc.strerror or exc}; nothing was written "
            "(make its folder writable, or keep the state elsewhere with --lock)",
            code="state-write-failed",
        )
        raise StateNotWritten from exc


# ---------------------------------------------------------------------------------------------


Progress = Callable[[str, int, int], None]
"""Told the stage a build is in, and how many of how many steps of it are done (0 of 0 for a
stage that has no count)."""


def build(
    config: BuildConfig,
    *,
    progress: Progress | None = None,
    memory: incremental.Memory | None = None,
) -> BuildResult:
    """Gather, plan and write; stop at the first phase that leaves a problem. One build of a
    course at a time: a second one waits for the first (see files.course_lock). A process that
    builds again and again passes the same `memory` each time."""
    result = BuildResult(Diagnostics(), progress=progress, memory=memory)
    try:
        with (
            course_lock(config.content, timeout=config.lock_timeout),
            no_collections(),
            quick_handoffs(),
        ):
            if not config.dry_run:
                # What a killed build left behind (a dry run writes, and removes, nothing).
                clean_stale_temporaries(config.out_dir, config.lock_path.parent)
            run_phases(config, result)
    except LockTimeout:
        result.diagnostics.error(
            config.content_display,
            0,
            "another build of this course is still running; try again when it has finished",
            code="build-locked",
        )
    finally:
        result.pending.close()
        if result.saving is not None:
            result.saving.join()
        if result.keeping is not None:
            result.keeping.close()  # no write left running, nor a file left behind
    return result


@contextmanager
def no_collections() -> Iterator[None]:
    """The cyclic garbage collector, paused for a build: a build makes millions of objects and
    next to no reference cycles, and every full collection walks all of them (a third of a
    second of a cold build of 10,000 notes, a tenth of an edit's). Workers forked meanwhile
    inherit the pause."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            # Every object made meanwhile is still in the youngest generation, which the first
            # collection after resuming would walk whole (30 ms after an edit of 10,000 notes,
            # in `ankigen serve`): they are moved to the oldest instead, as if they had
            # survived the collections they missed.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


@contextmanager
def quick_handoffs(interval: float = 0.0001) -> Iterator[None]:
    """The interpreter's lock handed between threads every `interval` seconds while a build
    runs, instead of every 5 ms. The package and the collection kept for the next build are
    made in threads that spend their time in SQLite, zlib and file writes, and need the lock
    back for a moment after each step, while the main thread plans in Python: every step then
    waited up to 5 ms for the main thread to let go (after an edit, a tenth of the build).
    0.1 ms rather than 0.5 ms: an edit's build about 6 ms quicker again, a cold one no slower."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def run_phases(config: BuildConfig, result: BuildResult) -> None:
    for phase in (gather, plan, write):
        if phase is write and config.dry_run:
            break
        phase(config, result)
        if result.course is None or result.diagnostics.failed(strict=config.strict):
            report_lint(result)
            return
    report_lint(result)
    result.ok = True
    store = cache_store(config)
    if store is not None and store.writable:
        store_pending(store, result.pending, result.cache_keys)
        keep_for_next(config, result, store)


# ---------------------------------------------------------------------------------------------
# What the next build can use


def keep_for_next(config: BuildConfig, result: BuildResult, store: Store) -> None:
    """Keep every steady lesson (generator.incremental) for the next build: plan the next build
    in memory, against the state file just written, and keep the lessons that come out the same.
    Lessons kept by this build stay kept: nothing they depend on changed. After an edit, most
    of it was done while the package was being made (`stow`)."""
    written, course = result.kept_written, result.course
    if written is None or course is None or result.plan is None:
        return
    result.step("keeping what the next build needs")
    stowing = result.stowing or stow(config, result, store, written.state)
    # Named from the start: recorded while it is still being written (see `update.Keeping`).
    collection = result.keeping.name if result.keeping is not None else ""
    state_digest = hashlib.sha256(written.encoded).hexdigest()
    kept = incremental.save(
        store,
        inputs=kept_inputs(config),
        state_digest=state_digest,
        written=(stowing.state, written.package_digest),
        stowed=stowing.stowed,
        collection=collection,
        memory=(result.memory, written.state) if result.memory is not None else None,
    )
    if kept == len(result.parts) and stowing.memo is not None:
        keep_memo(result, store, stowing.memo, state_digest)
    else:
        memo.forget(store)
    if result.keeping is not None:
        result.keeping.result()  # written, and a first build's moved into the cache


@dataclass(frozen=True, slots=True)
class Stowing:
    """What a build keeps for the next, made before the package's digest is known."""

    stowed: incremental.Stowed
    """The steady lessons, written."""
    state: bytes
    """The state this build writes (its package's digest aside: `incremental.state_blob`)."""
    memo: MemoParts | None
    """What its memo holds, when the next build would change nothing (its package aside)."""


def stow(config: BuildConfig, result: BuildResult, store: Store, written: state.State) -> Stowing:
    """Plan the next build against `written`, write the steady lessons and gather what the
    memo holds: nothing here needs the package's digest."""
    assert result.plan is not None
    upcoming = plan_next(config, result, written)
    second = upcoming.plan
    stowed = incremental.stow(
        store,
        steady_blocks(result, second, upcoming.again, written),
        result.snapshot.packs if result.snapshot is not None else {},
        result.memory,
    )
    parts = None
    every = stowed.whole and len(stowed.ids) == len(result.parts)
    if every and same_outcome(result.plan, second, written):
        parts = memo_parts(config, result, second, upcoming.diagnostics)
    return Stowing(stowed, incremental.state_blob(written), parts)


Again = dict[int, tuple[list[RenderedNote], Reading]]
"""Lessons built in this build whose options come out the same against the state just written:
their notes, and the options of the course they looked up."""


@dataclass(frozen=True, slots=True)
class Upcoming:
    """The next build, planned in memory against the state this build writes."""

    plan: Plan
    """Its plan."""
    again: Again
    """The lessons built in this build that would come out the same."""
    diagnostics: Diagnostics
    """What planning it said."""


def plan_next(config: BuildConfig, result: BuildResult, written: state.State) -> Upcoming:
    """Plan the next build against `written` (the package's digest does not matter to a plan,
    so this can run while the package is being made)."""
    course, current = result.course, result.plan
    assert course is not None and current is not None
    items, hashes, again = next_items(config, result, written)
    checked = Diagnostics()
    second = make_plan(
        items,
        written,
        namespace=course.namespace,
        note_types=config.registry.note_types,
        templates=config.registry.templates,
        now=result.now,
        lock_path=str(config.lock_path),
        diags=checked,
        forget_removed=config.forget_removed,
        forget_moved=config.forget_moved,
        package=current.state.package,
        decks=current.state.decks,
        hashes=hashes,
        keyed=result.by_key(written),
    )
    return Upcoming(second, again, checked)


def next_items(
    config: BuildConfig, result: BuildResult, written: state.State
) -> tuple[list[RenderedNote | Kept], list[NoteHashes | None], Again]:
    """What the next build would plan, if nothing changed."""
    parts = result.parts
    history, fallback = history_of(result.by_key(written)), fallback_renderer(config.content)
    offers = offered(parts)
    pools = result.pools if result.pools is not None else course_pools(parts)
    items: list[RenderedNote | Kept] = []
    hashes: list[NoteHashes | None] = []
    again: Again = {}
    for index, part in enumerate(parts):
        if part.block is not None and result.steady:
            items.append(part.block.kept)
            hashes.append(None)
        elif part.compiled is None or part.block is not None:
            notes = part.final_notes()
            items.extend(notes)
            hashes.extend([None] * len(notes))
        else:
            notes, reading, quiet = rechoose(part, pools, offers, history, fallback)
            items.extend(notes)
            own = part.hashes()[: len(part.compiled.notes)]
            hashes.extend(own + [None] * (len(notes) - len(own)))
            if quiet and notes == part.notes:
                again[index] = (notes, reading)
    return items, hashes, again


def rechoose(
    part: Part, pools: Pools, offers: dict[str, str], history: History, fallback: Fallback
) -> tuple[list[RenderedNote], Reading, bool]:
    """A built lesson's notes with options drawn again against `history`, the options of the
    course they looked up, and whether the drawing was quiet (no warning, nothing looked up in
    another deck: what a steady lesson's cards do)."""
    assert part.compiled is not None
    reading, unread = Reading(pools.by_text, offers), Unread(pools.by_deck)
    said = Diagnostics()
    local = Pools(pools.by_lesson, unread, reading)
    chosen = choose_all(part.compiled.variants, said, history, fallback, local)
    notes = list(part.compiled.notes)
    notes.extend(
        choice.variant.complete(choice.options, choice.correct)
        for choice in chosen
        if choice is not None
    )
    return notes, reading, not said.items and not unread.looked


def steady_blocks(
    result: BuildResult, second: Plan, again: Again, written: state.State
) -> Iterator[tuple[str, Block]]:
    """Every steady lesson with its block, made one at a time, for `incremental.save` to write
    as they come."""
    course = result.course
    assert course is not None
    # Changes of the notes planned one by one, in order (kept lessons' notes are not among them).
    planned = iter(second.planned_changes())
    for index, part in enumerate(result.parts):
        lesson = course.lessons[index].rel
        if part.block is not None and result.steady:
            yield lesson, part.block
            continue
        count = len(part.block.kept.ids) if part.block is not None else len(part.notes)
        changes = [next(planned) for _ in range(count)]
        found = again.get(index)
        if found is None or part.compiled is None:
            continue
        notes, reading = found
        if all(steady(change, written, second.state) for change in changes):
            yield (
                lesson,
                make_block(
                    part.compiled,
                    result.sources[index].key,
                    notes,
                    pool=part.pool(),
                    offers=part.offers(),
                    reads=tuple(sorted(reading.reads.items())),
                ),
            )


def same_outcome(first: Plan, second: Plan, written: state.State) -> bool:
    """Whether the next build, planned in memory (`second`), would package what this one did
    and keep the state file as written: then it changes nothing (the package's digest aside)."""
    # The plan leaves the package's digest to the write phase.
    planned_state = replace(second.state, package_digest=written.package_digest)
    if planned_state != written or second.note_type_mods != first.note_type_mods:
        return False
    if len(first.segments) != len(second.segments):
        return False
    for one, other in zip(first.segments, second.segments, strict=True):
        if isinstance(one, KeptPlan) and isinstance(other, KeptPlan):
            if one.priors != other.priors or one.kept != other.kept:
                return False
        elif isinstance(one, Planned) and isinstance(other, Planned):
            if one.notes != other.notes:
                return False
        else:
            return False
    return True


@dataclass(frozen=True, slots=True)
class MemoParts:
    """What the memo of a build that would change nothing holds that is known before its
    package is made (generator.cache.memo)."""

    inputs: str
    """Digest of the tool and the settings."""
    files: memo.Files
    """The files it depends on."""
    table: tuple[str, ...]
    """The table of notes per deck."""
    plan: tuple[str, ...]
    """What planning the next build says."""
    diagnostics: tuple[Diagnostic, ...]
    """What the next build would print on stderr."""


def memo_parts(
    config: BuildConfig, result: BuildResult, second: Plan, checked: Diagnostics
) -> MemoParts | None:
    """What the next build would print, when it would change nothing: this build's diagnostics
    but those about generated options (said once), and those of planning it; None when no memo
    can be kept."""
    if config.registry is not REGISTRY:
        return None
    said = set(result.chosen)
    gathered = [d for d in result.diagnostics.items[: result.gathered] if d not in said]
    diagnostics = Diagnostics([*gathered, *checked.items])
    if diagnostics.failed(strict=config.strict):
        return None
    files = memo.files_read(
        content=config.content,
        out_dir=config.out_dir,
        lock=config.lock_path,
        used=used_files(result),
        media={source: name for name, source in media_used(result.parts)},
    )
    if files is None:
        return None
    return MemoParts(
        inputs=memo.inputs_of(
            content=config.content,
            out_dir=config.out_dir,
            lock=config.lock_path,
            strict=config.strict,
            forget_removed=config.forget_removed,
            forget_moved=config.forget_moved,
        ),
        files=files,
        table=tuple(report.deck_table(result, config.registry)),
        plan=(report.plan_summary(second), *report.plan_details(second, verbose=False)),
        diagnostics=tuple(diagnostics.items),
    )


def keep_memo(result: BuildResult, store: Store, parts: MemoParts, state_digest: str) -> None:
    """Keep what the next build would print, when it would change nothing (`state_digest`: of
    the state file's text this build wrote)."""
    written = result.kept_written
    if written is None or result.output is None:
        return
    summary = Summary(
        table=parts.table,
        plan=parts.plan,
        output=str(result.output),
        notes=result.note_count,
        size=written.size,
        written=False,
    )
    memo.keep(
        store,
        inputs=parts.inputs,
        files=parts.files,
        state_digest=state_digest,
        package=result.output,
        package_digest=written.package_digest,
        summary=summary,
        diagnostics=parts.diagnostics,
    )


def used_files(result: BuildResult) -> dict[str, str]:
    """The digest of the bytes this build read of each lesson and index file."""
    used = {rel: hashlib.sha256(data).hexdigest() for rel, data in result.indexes.items()}
    for source in result.sources:
        if source.data is not None:
            used[source.lesson.rel] = source.digest
    return used


def steady(change: Change, before: state.State, after: state.State) -> bool:
    """A note that planning again leaves as it is: unchanged, where it was, with the same state
    entry (the same key, too)."""
    return (
        change.status is Status.UNCHANGED
        and change.old_deck is None
        and not change.lost_cards
        and change.kind_change is None
        and change.id in before.notes
        and after.notes.get(change.id) == before.notes[change.id]
    )
