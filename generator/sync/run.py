"""`ankigen sync`: the build's gather and plan phases, then the collection read and compared
(generator.sync.plan), then — unless it is a dry run, and once the CLI has asked where it must —
the steps applied and the state file saved. Nothing here prints.

One sync or build of a course at a time: the course lock is held from the first phase to the
last (see `session`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.anki import state
from generator.config import BuildConfig
from generator.diagnostics import Diagnostics
from generator.files import LockTimeout, clean_stale_folders, course_lock
from generator.pipeline import (
    BuildResult,
    folder_decks,
    gather,
    package_media,
    plan,
    report_lint,
)
from generator.sync import DEFAULT_URL
from generator.sync.apply import Applied, apply_plan, synced_state
from generator.sync.connect import AnkiConnect
from generator.sync.held import Held
from generator.sync.plan import Action, SyncPlan, make_sync_plan
from generator.sync.profiles import find_collection
from generator.sync.target import SCRATCH_PREFIX, Target, TargetError

PACKAGE_ONLY = frozenset({"notes-moved", "removed-note-unknown"})
"""Build advice about what an import leaves undone, which a sync does."""
STALE_SCRATCH = 86_400
"""Seconds after which a sync's folder in the system's temporary folder is one a killed sync
left: no sync runs for a day."""


@dataclass(frozen=True, slots=True)
class SyncConfig:
    """What to sync, into which collection, and how."""

    build: BuildConfig
    """The course, its state file and the build's settings."""
    url: str | None = None
    """AnkiConnect's address; None tries the default one, then the collection file."""
    api_key: str | None = None
    """AnkiConnect's API key, when its configuration sets one."""
    profile: str | None = None
    """Anki profile whose collection file to open."""
    collection: Path | None = None
    """The collection file itself."""
    delete: bool = False
    """Delete removed notes instead of suspending them."""
    force: bool = False
    """Overwrite notes the learner edited in Anki."""
    backups: Path | None = None
    """Where backups made through AnkiConnect go (default: OUT/sync-backups)."""


@dataclass(slots=True)
class SyncResult:
    """What a sync found and did, for the CLI to report."""

    build: BuildResult
    """The build's gather and plan."""
    where: str = ""
    """The collection, as reached."""
    plan: SyncPlan | None = None
    """The steps, when the collection was read."""
    applied: Applied | None = None
    """What was done, when the plan was applied."""
    target: Target | None = field(default=None, repr=False)
    """The open collection, between `session` and the end of its block."""
    old: state.State | None = field(default=None, repr=False)
    """The state file as the sync found it."""
    held: Held | None = field(default=None, repr=False)
    """What the collection held."""

    @property
    def diagnostics(self) -> Diagnostics:
        return self.build.diagnostics

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.diagnostics.errors


def connect(config: SyncConfig) -> Target:
    """AnkiConnect when asked for (--url), the collection file when asked for (--profile,
    --collection); otherwise a running Anki with AnkiConnect if one answers, else the file."""
    backups = config.backups or config.build.out_dir / "sync-backups"
    if config.url is not None:
        return AnkiConnect(config.url, config.api_key, backups)
    from generator.sync.colfile import CollectionFile  # noqa: PLC0415 - needs `anki` only here

    if config.collection is not None or config.profile is not None:
        return CollectionFile(config.collection or find_collection(config.profile))
    try:
        return AnkiConnect(DEFAULT_URL, config.api_key, backups, timeout=2)
    except TargetError as exc:
        if exc.code != "ankiconnect-unreachable":
            raise
    try:
        return CollectionFile(find_collection(None))
    except TargetError as exc:
        raise TargetError(
            exc.code,
            f"{exc.message} (and no Anki with AnkiConnect answered at {DEFAULT_URL})",
        ) from exc


def read_held(target: Target, config: SyncConfig, result: SyncResult) -> Held:
    """The notes with the GUIDs the course knows, the decks and ankigen's note types."""
    build_plan = result.build.plan
    assert build_plan is not None
    model_ids = {note_type.model_id for note_type in config.build.registry.note_types.values()}
    wanted = {note.guid for note in build_plan.notes}
    guids = {guid: nid for guid, nid in target.guids(model_ids).items() if guid in wanted}
    notes = target.read_notes(sorted(guids.values()))
    return Held(
        notes={guid: notes[nid] for guid, nid in guids.items() if nid in notes},
        decks=target.decks(),
        note_types=target.note_types(model_ids),
    )


def media_of(result: SyncResult) -> dict[str, tuple[str, ...]]:
    """GUID → media file names, for the course's notes (the plan lists them first, in order)."""
    build_plan = result.build.plan
    assert build_plan is not None
    return {
        planned.guid: tuple(name for name, _ in note.media)
        for planned, note in zip(build_plan.notes, result.build.notes, strict=False)
    }


@contextmanager
def session(config: SyncConfig) -> Iterator[SyncResult]:
    """Gather, plan and read the collection; the block that follows may `apply` the plan. The
    course lock and the collection stay held until the block ends."""
    result = SyncResult(BuildResult(Diagnostics()))
    diags = result.diagnostics
    clean_stale_folders(SCRATCH_PREFIX, older_than=STALE_SCRATCH)
    try:
        with course_lock(config.build.content, timeout=config.build.lock_timeout):
            prepare(config, result)
            try:
                yield result
            finally:
                if result.target is not None:
                    result.target.close()
                    result.target = None
    except LockTimeout:
        diags.error(
            config.build.content_display,
            0,
            "another build or sync of this course is still running; try again when it has finished",
            code="build-locked",
        )
        yield result
    finally:
        # The cache entries this gather made are not stored: a sync writes no package.
        result.build.pending.close()


def prepare(config: SyncConfig, result: SyncResult) -> None:
    build, diags = config.build, result.diagnostics
    gather(build, result.build)
    report_lint(result.build)
    if result.build.course is None or diags.errors:
        return
    plan(build, result.build)
    kept = [d for d in diags.items if d.code not in PACKAGE_ONLY]
    diags.items.clear()
    diags.seen.clear()
    diags.extend(kept)
    if result.build.plan is None or diags.errors:
        return
    result.old = result.build.previous
    try:
        target = connect(config)
    except TargetError as exc:
        diags.error("sync", 0, exc.message, code=exc.code)
        return
    result.target, result.where = target, target.where
    try:
        result.held = read_held(target, config, result)
    except TargetError as exc:
        diags.error(target.where, 0, exc.message, code=exc.code)
        return
    result.plan = make_sync_plan(
        result.build.plan,
        result.old or state.State(),
        result.held,
        note_types=build.registry.note_types,
        templates=build.registry.templates,
        decks=folder_decks(result.build.course),
        media=media_of(result),
        delete=config.delete,
        force=config.force,
        diags=diags,
        where=target.where,
    )
    for step in result.plan.steps:
        if step.diff:
            names = ", ".join(diff.name for diff in step.diff)
            diags.warning(
                step.change.path,
                step.change.line,
                f"note '{step.id}' was edited in Anki ({names}): not overwritten; `ankigen "
                "sync --force` replaces the edit with the sources, or copy it into the sources",
                code="edited-in-anki",
            )


def apply(config: SyncConfig, result: SyncResult) -> None:
    """Apply the plan `session` made, then save the state file. Stops at the first step the
    collection refuses (everything before it is done, and the backup made)."""
    assert result.plan is not None and result.target is not None
    build_plan, course = result.build.plan, result.build.course
    assert build_plan is not None and course is not None
    diags = result.diagnostics
    writing = {
        step.planned.guid
        for step in result.plan.steps
        if step.media and step.action in (Action.ADD, Action.UPDATE)
    }
    needed = [
        note
        for note, planned in zip(result.build.notes, build_plan.notes, strict=False)
        if planned.guid in writing
    ]
    media = dict(
        package_media(config.build, (pair for note in needed for pair in note.media), diags)
    )
    if diags.errors:
        return
    try:
        result.applied = apply_plan(
            result.plan,
            result.target,
            namespace=course.namespace,
            note_types=config.build.registry.note_types,
            templates=config.build.registry.templates,
            note_type_mods=build_plan.note_type_mods,
            media=media,
        )
    except TargetError as exc:
        diags.error(result.target.where, 0, exc.message, code=exc.code)
        return
    recorded = synced_state(build_plan.state, result.old, result.plan, result.applied)
    lock = config.build.lock_path
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        state.save(lock, recorded)
    except OSError as exc:
        diags.error(
            str(lock),
            0,
            f"the collection was synced, but the state file cannot be written: "
            f"{exc.strerror or exc}. The next sync compares with the collection again; make "
            "the folder writable",
            code="state-write-failed",
        )
