"""A build that would change nothing, recognised before anything is parsed.

When a build has written (or found up to date) the package and the state file, it plans the next
build in memory (generator.pipeline.keep_for_next); if that next build would change nothing, it
keeps a `Memo`: every file of the content folder (lessons and index files by digest, other files
by their identity on disk), the digests of the state file and of the package, the settings and
the tool, and what that next build prints. A build whose inputs all match prints it and stops:
no lesson is read into the renderer, nothing is written. Anything that does not match, and the
build runs as usual.

This module imports nothing heavy: the command line asks it first.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.cache.codec import decode, encode
from generator.cache.fingerprint import tool_fingerprint
from generator.cache.store import Store, course_folder
from generator.diagnostics import Diagnostic
from generator.files import (
    LockTimeout,
    clean_stale_temporaries,
    course_lock,
    file_digest,
    folder_identity,
)
from generator.source import names
from generator.summary import Summary

MEMO = "memo"
LAST = "last"
DIGESTED = (".md",)
"""Files compared by their bytes; others by size, times and inode."""


@dataclass(frozen=True, slots=True)
class Basis:
    """What a memo depends on."""

    inputs: str
    """Digest of the tool and the settings (`inputs_of`)."""
    files: tuple[tuple[str, str, str], ...]
    """Every file of the content folder the build may read: (path, identity, digest), the
    digest only for lessons and index files (`Files`)."""
    state: str
    """SHA-256 of the state file."""
    package: str
    """The package."""
    package_digest: str
    """SHA-256 of the package."""


@dataclass(frozen=True, slots=True)
class Memo:
    """What the next build would do if nothing changed, and what it depends on."""

    basis: Basis
    """What it depends on: checked, in plain form, before the rest is decoded."""
    summary: Summary
    """What the build prints on stdout."""
    diagnostics: tuple[Diagnostic, ...]
    """What it prints on stderr."""


def inputs_of(
    *,
    content: Path,
    out_dir: Path,
    lock: Path,
    strict: bool,
    forget_removed: bool,
    forget_moved: bool,
) -> str:
    """The settings a memo holds for, with the tool (and its registry: the memo is only used by
    the command line, which builds with the registry the tool ships)."""
    parts = [
        tool_fingerprint(),
        str(content.resolve()),
        str(content),
        str(out_dir.resolve()),
        str(out_dir),
        str(lock.resolve()),
        str(lock),
        f"strict={strict}",
        f"forget_removed={forget_removed}",
        f"forget_moved={forget_moved}",
        f"epoch={os.environ.get('SOURCE_DATE_EPOCH', '').strip().isdigit()}",
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def content_files(content: Path, leave_out: tuple[Path, ...]) -> Iterator[os.DirEntry[str]]:
    """Every file under `content` a build may read, in a stable order: all but those under a
    folder or with a name starting with '.', and those under `leave_out` (the state file, an
    output folder inside the content folder). Folders reached through links are followed, as
    discovery follows them, and as it does, not into a folder that contains them (a loop)."""
    skipped = {str(path.absolute()) for path in leave_out}
    root = str(content.absolute())
    pending: list[tuple[str, tuple[tuple[int, int], ...]]] = [(root, (folder_identity(root),))]
    while pending:
        folder, above = pending.pop()
        with os.scandir(folder) as scanned:
            entries = sorted(scanned, key=lambda entry: entry.name)
        folders = []
        for entry in entries:
            if entry.name.startswith(".") or entry.path in skipped:
                continue
            if entry.is_dir():
                here = folder_identity(entry.path)
                if here not in above:
                    folders.append((entry.path, (*above, here)))
            elif entry.is_file():
                yield entry
        pending.extend(reversed(folders))


def identity(entry: os.DirEntry[str]) -> str:
    """A file's size, times and inode: any write changes its ctime."""
    info = entry.stat()
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def relative(entry: os.DirEntry[str], root: str) -> str:
    return entry.path[len(root) + 1 :].replace(os.sep, "/")


def fingerprint(
    content: Path, entries: list[os.DirEntry[str]], read: Mapping[str, str]
) -> tuple[tuple[str, str, str], ...]:
    """Each entry's name, identity and, for a lesson or an index file, the digest of its bytes:
    the one in `read` (what the build read of it) when it is there, else of the file now."""
    root = str(content.absolute())
    rows = []
    for entry in entries:
        rel = relative(entry, root)
        digest = ""
        if entry.name.endswith(DIGESTED):
            digest = read.get(rel) or file_digest(Path(entry.path))
        rows.append((rel, identity(entry), digest))
    return tuple(rows)


def same_files(
    content: Path, entries: list[os.DirEntry[str]], files: tuple[tuple[str, str, str], ...]
) -> bool:
    """Whether `entries` are the memo's `files`: the same names, other files with the same
    identity, lessons and index files with the same bytes (those whose identity changed are
    read first: a build after an edit stops at the edited file)."""
    if len(entries) != len(files):
        return False
    root = str(content.absolute())
    suspects: list[tuple[str, str]] = []
    rest: list[tuple[str, str]] = []
    for entry, (rel, known, digest) in zip(entries, files, strict=True):
        if relative(entry, root) != rel:
            return False
        same = identity(entry) == known
        if not digest:
            if not same:
                return False
            continue
        (rest if same else suspects).append((entry.path, digest))
    return all(file_digest(Path(path)) == digest for path, digest in [*suspects, *rest])


def leave_out(content: Path, out_dir: Path, lock: Path) -> tuple[Path, ...]:
    return (lock, out_dir)


def check(
    store: Store,
    *,
    content: Path,
    out_dir: Path,
    lock: Path,
    inputs: str,
) -> Memo | None:
    """The memo, when every input it depends on is as it was; None otherwise. Its inputs are
    checked in plain form: what it would print is decoded only when it holds."""
    plain = store.read(MEMO, LAST)
    try:
        known: Basis = decode(Basis, plain[0])  # type: ignore[index]
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        return None
    if known.inputs != inputs:
        return None
    try:
        # The sources first: after an edit, the edited file is where the memo stops holding.
        entries = list(content_files(content, leave_out(content, out_dir, lock)))
        if not same_files(content, entries, known.files):
            return None
        if file_digest(lock) != known.state:
            return None
        if file_digest(Path(known.package)) != known.package_digest:
            return None
    except OSError:
        return None
    try:
        memo: Memo = decode(Memo, plain)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        return None
    return memo


Files = tuple[tuple[str, str, str], ...]
"""Every file of the content folder a build may read (see `Basis.files`)."""


def files_read(
    *, content: Path, out_dir: Path, lock: Path, used: dict[str, str], media: dict[str, str]
) -> Files | None:
    """The files a memo depends on. `used` maps each lesson and index file to the digest of the
    bytes the build read, `media` each image and sound it packaged to its packaged name (which
    holds a digest of its bytes). A lesson's digest is the one of the bytes the build read, not
    read again: one that changed in the meantime differs from it, and `check` reads every lesson
    before it takes the memo. When a medium is no longer what the build packaged, or a file the
    build read is gone, None: no memo is kept, and the next build runs as usual (and keeps
    one)."""
    try:
        entries = list(content_files(content, leave_out(content, out_dir, lock)))
        files = fingerprint(content, entries, used)
        for source, name in media.items():
            if not name.startswith(f"ankigen-{file_digest(content / source)[:16]}."):
                return None
    except OSError:
        return None
    walked = {rel for rel, _, _ in files}
    if set(used) - walked or set(media) - walked:
        return None  # a file the build read is gone, or is where the walk does not look
    if any(digest and rel not in used and discovered(rel) for rel, _, digest in files):
        return None  # a lesson made during the build, after discovery: the next one builds it
    return files


def discovered(rel: str) -> bool:
    """Whether discovery reads the Markdown file at `rel` (a path the walk found): a lesson or
    an `_index.md`, in no folder it leaves out."""
    *folders, name = rel.split("/")
    return not any(map(names.skipped, folders)) and (name == names.INDEX or not names.skipped(name))


def keep(
    store: Store,
    *,
    inputs: str,
    files: Files,
    state_digest: str,
    package: Path,
    package_digest: str,
    summary: Summary,
    diagnostics: tuple[Diagnostic, ...],
) -> None:
    """Keep the memo of a build that would change nothing, its `files` as `files_read` gave
    them (`state_digest`: SHA-256 of the state file's text it wrote)."""
    if not store.writable:
        return
    basis = Basis(inputs, files, state_digest, str(package), package_digest)
    memo = Memo(basis, summary, diagnostics)
    store.write(MEMO, LAST, encode(memo))


def forget(store: Store) -> None:
    """The inputs changed: the next build must not take the last memo (it checks anyway)."""
    if store.writable:
        store.path(MEMO, LAST).unlink(missing_ok=True)


def unchanged_build(
    content: Path,
    out_dir: Path,
    lock: Path,
    *,
    strict: bool,
    forget_removed: bool,
    forget_moved: bool,
    timeout: float,
) -> Memo | None:
    """The memo of the last build, when building now would change nothing; None otherwise (or
    when another build of the course is running). Holds the course lock while it looks, and
    clears what a killed build left behind, as every build does."""
    store = Store(course_folder(out_dir, str(content.resolve()), str(lock.resolve())))
    inputs = inputs_of(
        content=content,
        out_dir=out_dir,
        lock=lock,
        strict=strict,
        forget_removed=forget_removed,
        forget_moved=forget_moved,
    )
    try:
        with course_lock(content, timeout=timeout):
            clean_stale_temporaries(out_dir, lock.parent)
            return check(store, content=content, out_dir=out_dir, lock=lock, inputs=inputs)
    except LockTimeout:
        return None
