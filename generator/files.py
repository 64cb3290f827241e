"""Files the build writes and the lock it holds: a reader never sees half a file, a stopped build
leaves nothing behind for long, and two builds of one course never interleave."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]+\.ankigen-tmp$")
"""Names of the temporary files `atomic_write` creates (`.name.<random>.ankigen-tmp`)."""


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary file to write `path`'s new content into; move it into place in one step
    when the block ends without an exception, and remove it otherwise.

    The temporary file sits next to `path` (the same file system, so the move is atomic), so
    `path` holds the old content or the new one, never a part. A `path` that is a symbolic link
    keeps being one: the file it points to is replaced. An existing file keeps its permissions.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    file, tmp = temporary_file(path.parent, path.name)
    file.close()
    try:
        yield tmp
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def temporary_file(folder: Path, name: str) -> tuple[IO[bytes], Path]:
    """A new file in `folder`, open for writing and reading, named as `TEMPORARY` says (from
    `name`), so that one a killed build left behind is recognised and removed."""
    fd, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".ankigen-tmp", dir=folder)
    return os.fdopen(fd, "w+b"), Path(path)


def put_in_place(temporary: Path, target: Path) -> None:
    """Move a temporary file (`temporary_file` and `mkstemp` make them private) into place as
    `target`, in one step, readable as every other file the cache holds."""
    temporary.chmod(0o644)
    temporary.replace(target)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Create `path` through `write(temporary)` (see `replacing`)."""
    with replacing(path) as tmp:
        write(tmp)


def folder_identity(path: Path | str) -> tuple[int, int]:
    """The folder as the file system knows it (device, inode): a symbolic link to a folder has
    its target's identity. Walks that follow links use it to stop at a loop."""
    found = Path(path).stat()
    return found.st_dev, found.st_ino


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """`atomic_write` of `data`."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    atomic_write(path, write)


def atomic_write_text(path: Path, text: str, *, newline: str = "\n") -> None:
    """`atomic_write` of UTF-8 text; `newline=""` writes line endings as they are in `text`."""

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)

    atomic_write(path, write)


def clean_stale_temporaries(*folders: Path, older_than: float = 0) -> None:
    """Remove temporary files a killed build left behind (those written more than `older_than`
    seconds ago). Called with the course lock held, so no other build's temporaries can be
    among them."""
    limit = time.time() - older_than
    for folder in folders:
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder):
                if TEMPORARY.match(entry.name) and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        if not older_than or entry.stat().st_mtime < limit:
                            Path(entry.path).unlink()


def clean_stale_folders(prefix: str, *, older_than: float) -> None:
    """Remove the folders named `prefix…` in the system's temporary folder that have not
    changed for `older_than` seconds: what a killed `ankigen sync` left there (its package of
    new notes, AnkiConnect's exports). The age keeps a sync of another course, running now,
    safe."""
    limit = time.time() - older_than
    with contextlib.suppress(OSError):
        for entry in os.scandir(tempfile.gettempdir()):
            if not entry.name.startswith(prefix) or not entry.is_dir(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_mtime < limit:
                    shutil.rmtree(entry.path, ignore_errors=True)


class LockTimeout(Exception):
    """Another build held the course lock for longer than we wait."""


@contextlib.contextmanager
def course_lock(content: Path, *, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on the content folder for the duration of a build.

    The lock is taken on the folder itself (no lock file: a read-only course can be built too)
    and released by the operating system when the process ends, however it ends. Where the
    platform has no `flock`, or the folder cannot be opened, builds are not serialised."""
    try:
        import fcntl  # noqa: PLC0415 - not on Windows
    except ImportError:
        yield
        return
    try:
        fd = os.open(content, os.O_RDONLY)
    except OSError:
        yield  # discovery reports a missing or unreadable folder
        return
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)
