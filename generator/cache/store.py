"""The cache on disk: `OUT/.ankigen-cache/<course>/`, a folder per kind of entry, every file
written atomically. A file holds one entry, or a pack of many (`PackWriter`): a build keeps the
blocks and the compiled lessons it made as one pack each, since creating a file costs as much as
writing tens of kilobytes into one. Compiled lessons are found through an index (`Packed`).

An entry holds plain data only (tuples, strings, numbers: see generator.cache.codec), pickled,
behind a header with the format version and a CRC of the body, and it names its own key. Reading
never fails: a missing, truncated, corrupted, foreign or older entry is a miss, and the build
makes the result again (a pack is read as far as it is sound). Unpickling refuses every class,
so an entry cannot run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import pickle
import shutil
import struct
import time
import zlib
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import IO

from generator.files import (
    atomic_write,
    atomic_write_bytes,
    clean_stale_temporaries,
    put_in_place,
    temporary_file,
)

FOLDER = ".ankigen-cache"
MAGIC = b"ankigen-cache\n"
FORMAT = 3
"""Raised whenever the layout of any entry changes, so that older entries are misses."""
HEADER = struct.Struct(">HIQ")  # format, CRC-32 of the body, body length
TAG_NAME = "CACHEDIR.TAG"
COPY_PIECE = 1 << 20
"""How much of a file `copy_raw` copies at a time."""
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
            atomic_write_bytes(target, data)

    def write_raw(self, kind: str, key: str, data: bytes) -> bool:
        """Store `data` as it is, under a key that names its content (a digest of it): kept
        already when the file is there. Whether it is there now."""
        if not self.writable:
            return False
        target = self.path(kind, key)
        try:
            if not target.is_file():
                self.prepare(target.parent)
                atomic_write_bytes(target, data)
        except OSError:
            return False
        return True

    def copy_raw(self, kind: str, key: str, source: IO[bytes]) -> bool:
        """Store the bytes of the open file `source`, from its start, as the entry `key` of
        `kind` (see `write_raw`); whether the entry is there now."""
        if not self.writable:
            return False
        target = self.path(kind, key)
        try:
            if not target.is_file():
                self.prepare(target.parent)
                source.seek(0)
                atomic_write(target, partial(copy_stream, source))
        except OSError:
            return False
        return True

    def prepare(self, folder: Path) -> None:
        if folder.is_dir():
            return
        folder.mkdir(parents=True, exist_ok=True)
        top = self.root.parent
        tag = top / TAG_NAME
        if top.name == FOLDER and not tag.exists():
            with contextlib.suppress(OSError):
                tag.write_text(TAG, encoding="ascii")

    def pack(self, kind: str) -> PackWriter:
        """A pack of entries of `kind`: one file, written as the entries come (see `PackWriter`)."""
        return PackWriter(self, kind)

    def read_pack(self, kind: str, name: str) -> Iterator[tuple[str, object]]:
        """(key, payload) of each sound entry of a pack, read one at a time (none when there is
        no such pack)."""
        try:
            with self.path(kind, name).open("rb") as file:
                yield from unpack_file(file)
        except OSError:
            return

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
    ) -> set[str]:
        """Remove the entries of `kind` not in `keep` that were written more than `older_than`
        seconds ago; not at all while there are at most `slack` others (looking at each
        entry's age costs a system call), nor more often than once in `every` seconds (an
        author's cache gathers an entry per save, and a build should not look at each).
        Returns the keys removed."""
        removed: set[str] = set()
        if not self.writable:
            return removed
        marker = self.root / kind / PRUNED
        now = time.time()
        if every:
            with contextlib.suppress(OSError):
                if now - marker.stat().st_mtime < every:
                    return removed
        # What a build killed while writing entries of `kind` left: an hour old, not this one's.
        clean_stale_temporaries(self.root / kind, older_than=3600)
        others = self.keys(kind) - keep
        if len(others) <= slack:
            return removed
        limit = now - older_than
        for key in others:
            path = self.path(kind, key)
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed.add(key)
        if every:
            with contextlib.suppress(OSError):
                marker.touch()
        return removed


def copy_stream(source: IO[bytes], path: Path) -> None:
    with path.open("wb") as target:
        shutil.copyfileobj(source, target, COPY_PIECE)


def encode(key: str, payload: object) -> bytes:
    body = pickle.dumps((key, payload), protocol=5)
    return MAGIC + HEADER.pack(FORMAT, zlib.crc32(body), len(body)) + body


def decode(data: bytes, key: str) -> object | None:
    """The payload of the entry `data` holds, if it is sound, whole and `key`'s."""
    found = entry_at(memoryview(data), 0)
    if found is None or found[2] != len(data) or found[0] != key:
        return None
    return found[1]


def entry_at(data: memoryview, start: int) -> tuple[str, object, int] | None:
    """The entry that starts at `start` in `data`, if it is sound: its key, its payload and where
    it ends."""
    body = start + len(MAGIC) + HEADER.size
    if len(data) < body or data[start : start + len(MAGIC)] != MAGIC:
        return None
    version, crc, length = HEADER.unpack_from(data, start + len(MAGIC))
    chunk = data[body : body + length]
    if version != FORMAT or len(chunk) != length or zlib.crc32(chunk) != crc:
        return None
    try:
        key, payload = PlainUnpickler(io.BytesIO(chunk)).load()
    except Exception:  # whatever is wrong with an entry, it is a miss
        return None
    return (key, payload, body + length) if isinstance(key, str) else None


def unpack_file(file: IO[bytes]) -> Iterator[tuple[str, object]]:
    """`unpack`, reading one entry at a time."""
    start = len(MAGIC) + HEADER.size
    while head := file.read(start):
        if len(head) < start or not head.startswith(MAGIC):
            return
        length = HEADER.unpack_from(head, len(MAGIC))[2]
        found = entry_at(memoryview(head + file.read(length)), 0)
        if found is None:
            return  # as `unpack`: what follows a damaged entry is not trusted
        yield found[0], found[1]


def unpack(data: bytes) -> Iterator[tuple[str, object]]:
    """The entries of a pack (entries as `encode` makes them, one after another), up to the first
    that is not sound."""
    view = memoryview(data)
    start = 0
    while start < len(view) and (found := entry_at(view, start)) is not None:
        key, payload, start = found
        yield key, payload


def pack_name(keys: Iterable[str]) -> str:
    """The name of the pack of the entries with these keys, in this order."""
    return hashlib.sha256("\0".join(keys).encode()).hexdigest()[:24]


class PackWriter:
    """Entries of one kind written into one file as they come, so that none waits in memory; the
    file is named by a digest of their keys, and appears whole or not at all (`finish`)."""

    def __init__(self, store: Store, kind: str) -> None:
        self.store = store
        self.kind = kind
        self.keys: list[str] = []
        self.file: IO[bytes] | None = None
        self.temporary: Path | None = None
        self.failed = False
        """A write failed: nothing more is written, and the pack is not kept."""

    def add(self, key: str, payload: object) -> None:
        self.add_encoded(key, encode(key, payload))

    def add_encoded(self, key: str, entry: bytes) -> None:
        """Add an entry as `encode` made it."""
        if self.failed or not self.store.writable:
            return
        try:
            if self.file is None:
                folder = self.store.root / self.kind
                self.store.prepare(folder)
                self.file, self.temporary = temporary_file(folder, self.kind)
            self.file.write(entry)
            self.keys.append(key)
        except OSError:
            self.abandon()

    def finish(self) -> str:
        """The pack's name once it is in place; '' when it holds nothing or could not be
        written (its entries are then simply not kept)."""
        if self.file is None or self.temporary is None:
            return ""
        name = pack_name(self.keys)
        try:
            self.file.close()
            put_in_place(self.temporary, self.store.path(self.kind, name))
        except OSError:
            self.abandon()
            return ""
        self.file = self.temporary = None
        return name

    def abandon(self) -> None:
        if self.file is not None:
            with contextlib.suppress(OSError):
                self.file.close()
        if self.temporary is not None:
            self.temporary.unlink(missing_ok=True)
        self.file = self.temporary = None
        self.keys = []
        self.failed = True


Where = tuple[str, int, int]
"""Pack, offset and size of an entry."""


class Packed:
    """The entries of one kind, kept in packs and found through an index (key → `Where`): a
    build adds the entries it made as one pack, not one file each (creating a file costs as much
    as writing tens of kilobytes into one)."""

    def __init__(self, store: Store, kind: str) -> None:
        self.store = store
        self.kind = kind
        found = store.read(f"{kind}-index", INDEX)
        self.index: dict[str, Where] = found if valid_index(found) else {}  # type: ignore[assignment]
        self.changed = False

    def __contains__(self, key: object) -> bool:
        return key in self.index

    def read(self, key: str) -> object | None:
        """The payload stored under `key`, or None."""
        where = self.index.get(key)
        if where is None:
            return None
        pack, offset, size = where
        try:
            with self.store.path(self.kind, pack).open("rb") as file:
                file.seek(offset)
                data = file.read(size)
        except OSError:
            return None
        return decode(data, key)

    def add(self, pack: str, entries: list[tuple[str, int, int]]) -> None:
        """Index the entries (key, offset, size) of the pack just stored under `pack`."""
        for key, offset, size in entries:
            self.index[key] = (pack, offset, size)
        self.changed = True

    def save(self, keep: set[str], *, older_than: float, every: float) -> None:
        """Write the index; remove the packs holding no entry in `keep` that were written more
        than `older_than` seconds ago (looking at most once in `every` seconds)."""
        if not self.store.writable:
            return
        live = {pack for key, (pack, _, _) in self.index.items() if key in keep}
        gone = self.store.prune(self.kind, live, older_than=older_than, every=every)
        if gone:
            self.index = {key: at for key, at in self.index.items() if at[0] not in gone}
            self.changed = True
        if self.changed:
            self.store.write(f"{self.kind}-index", INDEX, self.index)
            self.changed = False


INDEX = "index"


def valid_index(found: object) -> bool:
    return isinstance(found, dict) and all(
        isinstance(key, str)
        and isinstance(at, tuple)
        and len(at) == 3
        and isinstance(at[0], str)
        and isinstance(at[1], int)
        and isinstance(at[2], int)
        for key, at in found.items()
    )
