"""The cache on disk: `OUT/.ankigen-cache/<course>/`, one file per entry, each written atomically.

An entry holds plain data only (tuples, strings, numbers: see generator.cache.codec), pickled,
behind a header with the format version and a CRC of the body, and it names its own key. Reading
never fails: a missing, truncated, corrupted, foreign or older entry is a miss, and the build
makes the result again. Unpickling refuses every class, so an entry cannot run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import pickle
import struct
import time
import zlib
from pathlib import Path

from generator.files import atomic_write

FOLDER = ".ankigen-cache"
MAGIC = b"ankigen-cache\n"
FORMAT = 3
"""Raised whenever the layout of any entry changes, so that older entries are misses."""
HEADER = struct.Struct(">HIQ")  # format, CRC-32 of the body, body length
TAG_NAME = "CACHEDIR.TAG"
PRUNED = ".pruned"
"""Marks when a kind's entries were last pruned (see `Store.prune`)."""
TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This folder is a cache made by ankigen (https://bford.info/cachedir/).\n"
    "# Deleting it is always safe: the next build makes it again.\n"
)


class PlainUnpickler(pickle.Unpickler):
    """Plain data only: tuples, lists, dicts, sets, strings, bytes, numbers."""

    def find_class(self, module: str, name: str) -> object:
        raise pickle.UnpicklingError(f"cache entries hold no objects ({module}.{name})")


def course_folder(out_dir: Path, *parts: str) -> Path:
    """The cache of one course: builds of several courses may share an output folder."""
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
    return out_dir / FOLDER / digest


class Store:
    """Entries of one course's cache, by kind (`lessons`, `blocks` …) and key."""

    def __init__(self, root: Path, *, writable: bool = True) -> None:
        self.root = root
        self.writable = writable
        """False for commands that promise to write nothing (`check`, `--dry-run`)."""

    def path(self, kind: str, key: str) -> Path:
        return self.root / kind / f"{key}.bin"

    def read(self, kind: str, key: str) -> object | None:
        """The payload stored under `key`, or None."""
        try:
            data = self.path(kind, key).read_bytes()
        except OSError:
            return None
        return decode(data, key)

    def write(self, kind: str, key: str, payload: object) -> None:
        """Store `payload` (plain data); a failure to write only costs speed later."""
        if self.writable:
            self.write_encoded(kind, key, encode(key, payload))

    def write_encoded(self, kind: str, key: str, data: bytes) -> None:
        """Store an entry `encode` made."""
        if not self.writable:
            return
        target = self.path(kind, key)
        with contextlib.suppress(OSError):
            if target.is_file() and target.read_bytes() == data:
                return  # as it is: a build that changes nothing writes nothing
            self.prepare(target.parent)
            atomic_write(target, lambda tmp: write_bytes(tmp, data))

    def prepare(self, folder: Path) -> None:
        if folder.is_dir():
            return
        folder.mkdir(parents=True, exist_ok=True)
        top = self.root.parent
        tag = top / TAG_NAME
        if top.name == FOLDER and not tag.exists():
            with contextlib.suppress(OSError):
                tag.write_text(TAG, encoding="ascii")

    def keys(self, kind: str) -> set[str]:
        try:
            names = [path.name for path in (self.root / kind).iterdir()]
        except OSError:
            return set()
        return {name.removesuffix(".bin") for name in names if name.endswith(".bin")}

    def prune(
        self,
        kind: str,
        keep: set[str],
        *,
        older_than: float = 0,
        slack: int = 0,
        every: float = 0,
    ) -> None:
        """Remove the entries of `kind` not in `keep` that were written more than `older_than`
        seconds ago; not at all while there are at most `slack` others (looking at each
        entry's age costs a system call), nor more often than once in `every` seconds (an
        author's cache gathers an entry per save, and a build should not look at each)."""
        if not self.writable:
            return
        marker = self.root / kind / PRUNED
        now = time.time()
        if every:
            with contextlib.suppress(OSError):
                if now - marker.stat().st_mtime < every:
                    return
        others = self.keys(kind) - keep
        if len(others) <= slack:
            return
        limit = now - older_than
        for key in others:
            path = self.path(kind, key)
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < limit:
                    path.unlink()
        if every:
            with contextlib.suppress(OSError):
                marker.touch()


def write_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def encode(key: str, payload: object) -> bytes:
    body = pickle.dumps((key, payload), protocol=5)
    return MAGIC + HEADER.pack(FORMAT, zlib.crc32(body), len(body)) + body


def decode(data: bytes, key: str) -> object | None:
    start = len(MAGIC) + HEADER.size
    if len(data) < start or not data.startswith(MAGIC):
        return None
    version, crc, length = HEADER.unpack_from(data, len(MAGIC))
    body = memoryview(data)[start:]
    if version != FORMAT or length != len(body) or zlib.crc32(body) != crc:
        return None
    try:
        stored_key, payload = PlainUnpickler(io.BytesIO(body)).load()
    except Exception:  # whatever is wrong with an entry, it is a miss
        return None
    return payload if stored_key == key else None
