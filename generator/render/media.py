"""Images and sounds referenced by lessons: resolved, checked and named for the package.

A reference is a path relative to the lesson file (`![alt](figures/a.png)`). It must stay inside
the content folder — also after symlinks are followed — and is never read otherwise. A file is
packaged under a flat, content-hashed name, `ankigen-<sha256[:16]>.<ext>`: Anki wants a single path
component, the same name must never stand for two contents (two `figure.png` in two folders), and
a file used twice is stored once. Because the name is in the note's field, a changed file changes
the note's content hash, so the note is updated in Anki.

The Markdown side is a treeprocessor: `<img>` elements whose source is a sound become Anki's
`[sound:name]`, images get the packaged name as `src`. Nothing is reported from here directly:
problems are collected with the text to look for in the source, and the pipeline, which has the
lesson's lines, turns them into `path:line` diagnostics.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from generator.notes import ContentProblem
from generator.render.conversion import Switchboard

IMAGE_TYPES = ("png", "jpg", "jpeg", "gif", "svg", "webp")
AUDIO_TYPES = ("mp3", "ogg", "m4a")
MEDIA_TYPES = frozenset(IMAGE_TYPES + AUDIO_TYPES)
MAX_BYTES = 5 * 1024 * 1024
"""Files above this size get a warning: every client downloads every file on sync."""
NAME_PREFIX = "ankigen-"
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
REMOTE = re.compile(r"^(?:https?:)?//", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file that goes into the package."""

    name: str
    """Packaged name: `ankigen-<sha256[:16]>.<ext>`, one path component, never `_`-prefixed."""
    source: str
    """Path relative to the content folder, POSIX separators."""
    audio: bool
    """A sound (`[sound:…]`) rather than an image."""


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a reference resolves to."""

    file: MediaFile | None
    """The file to package, or None when the reference is unusable."""
    problems: tuple[ContentProblem, ...] = ()
    """Errors (then `file` is None) or warnings about the reference."""


def packaged_name(data: bytes, extension: str) -> str:
    return f"{NAME_PREFIX}{hashlib.sha256(data).hexdigest()[:16]}.{extension}"


def extension_of(path: str) -> str:
    return PurePosixPath(path).suffix.lower().removeprefix(".")


def is_media_file(name: str) -> bool:
    return extension_of(name) in MEDIA_TYPES


def size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


class MediaResolver:
    """Resolves the references of one lesson. Each reference is checked and read once."""

    def __init__(self, root: Path, lesson_rel: str) -> None:
        self.root = root
        self.folder = posixpath.dirname(lesson_rel)
        self._real_root: Path | None = None
        self._cache: dict[str, Resolved] = {}

    @property
    def real_root(self) -> Path:
        # Resolved on first use: most lessons reference no file at all.
        if self._real_root is None:
            self._real_root = self.root.resolve()
        return self._real_root

    def resolve(self, ref: str) -> Resolved:
        found = self._cache.get(ref)
        if found is None:
            found = self._cache[ref] = self._resolve(ref)
        return found

    def resolved(self) -> dict[str, Resolved]:
        """Every reference resolved so far: what the lesson's HTML depends on besides its text
        (a cached lesson is used again only while each still resolves the same way)."""
        return dict(self._cache)

    def _resolve(self, ref: str) -> Resolved:
        needles = needles_of(ref)

        def error(message: str, code: str) -> Resolved:
            return Resolved(None, (ContentProblem(True, message, code, needles),))

        if not ref.strip():
            return error(
                "image or sound with an empty path: write the file's path between the "
                "parentheses, relative to the lesson",
                "media-empty-path",
            )
        if REMOTE.match(ref):
            return error(
                f"remote file '{ref}': cards must work offline on every Anki client; download "
                "it into the content folder and reference it by a relative path",
                "media-remote",
            )
        if SCHEME.match(ref):
            return error(
                f"'{ref}' is not a file path: images and sounds must be files in the content "
                "folder, referenced relative to the lesson",
                "media-not-a-path",
            )
        # Query and fragment are URL syntax (GitHub's `?raw=true`), not part of the file name.
        path = unquote(ref.split("#", 1)[0].split("?", 1)[0])
        if path.startswith(("/", "\\")):
            return error(
                f"absolute path '{ref}': write the path relative to the lesson file, inside "
                "the content folder",
                "media-absolute",
            )
        rel = posixpath.normpath(posixpath.join(self.folder, path))
        if rel == ".." or rel.startswith("../"):
            return error(
                f"'{ref}' points outside the content folder; move the file inside it",
                "media-outside",
            )
        extension = extension_of(rel)
        if extension not in MEDIA_TYPES:
            return error(
                f"'{ref}' is not a supported image or sound (images: {', '.join(IMAGE_TYPES)}; "
                f"sounds: {', '.join(AUDIO_TYPES)})",
                "media-type",
            )
        try:
            real = (self.root / rel).resolve()
        except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
            return error(f"cannot resolve '{ref}': a symbolic link loops", "symlink-loop")
        if not real.is_relative_to(self.real_root):
            return error(
                f"'{ref}' leads outside the content folder through a symbolic link; copy the "
                "file into the content folder",
                "media-outside",
            )
        if not real.is_file():
            return error(
                f"file not found: '{ref}' (looked for '{rel}' in the content folder)",
                "media-missing",
            )
        try:
            data = real.read_bytes()
        except OSError as exc:
            return error(f"cannot read '{ref}': {exc.strerror}", "unreadable")
        media = MediaFile(packaged_name(data, extension), rel, extension in AUDIO_TYPES)
        if len(data) > MAX_BYTES:
            warning = ContentProblem(
                False,
                f"'{ref}' is {size_text(len(data))}, over the {size_text(MAX_BYTES)} limit for "
                "one file: every Anki client downloads it on sync; make it smaller",
                "media-large",
                needles,
            )
            return Resolved(media, (warning,))
        return Resolved(media)


def needles_of(ref: str) -> tuple[str, ...]:
    """Where a reference is written: `](ref` before `ref` alone (the path may also be prose);
    an empty one by its empty parentheses."""
    if not ref.strip():
        return ("]()", "](<>)", "]( ", "![")
    return (f"]({ref}", f"](<{ref}", ref)


@dataclass(slots=True)
class MediaLog:
    """What the fields rendered since the last `take()` used and got wrong."""

    resolver: MediaResolver | None = None
    """Resolves references of the lesson being rendered; None leaves references as written."""
    files: dict[str, MediaFile] = field(default_factory=dict)
    """Packaged name → file."""
    problems: list[ContentProblem] = field(default_factory=list)
    """In the order found."""

    def take(self) -> tuple[tuple[MediaFile, ...], tuple[ContentProblem, ...]]:
        if not self.files and not self.problems:
            return (), ()
        taken = tuple(self.files[name] for name in sorted(self.files)), tuple(self.problems)
        self.files.clear()
        self.problems.clear()
        return taken


class ResolveMedia(Treeprocessor):
    """`<img>` → packaged image, or `[sound:name]` for a sound."""

    def __init__(self, md: Markdown, log: MediaLog, board: Switchboard) -> None:
        super().__init__(md)
        self.log = log
        self.board = board

    def run(self, root: etree.Element) -> None:
        if not self.board.current.media:
            return
        for parent in list(root.iter()):
            # A sound taken out of `parent` moves the children after it one place forward.
            removed = 0
            for index, child in enumerate(list(parent)):
                if child.tag == "img" and self.replace(parent, index - removed, child):
                    removed += 1

    def replace(self, parent: etree.Element, index: int, img: etree.Element) -> bool:
        """Resolve one image or sound; True when it was taken out for `[sound:…]` text."""
        ref = img.get("src", "")
        resolver = self.log.resolver
        if resolver is None:
            if extension_of(ref) in AUDIO_TYPES:
                swap_for_text(parent, index, f"[sound:{ref}]")
                return True
            return False
        resolved = resolver.resolve(ref)
        self.log.problems.extend(resolved.problems)
        media = resolved.file
        if media is None:
            return False
        self.log.files[media.name] = media
        if media.audio:
            swap_for_text(parent, index, f"[sound:{media.name}]")
            return True
        img.set("src", media.name)
        return False


def swap_for_text(parent: etree.Element, index: int, text: str) -> None:
    """Remove `parent[index]`, leaving `text` (and the element's tail) in its place."""
    child = parent[index]
    joined = text + (child.tail or "")
    if index:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + joined
    else:
        parent.text = (parent.text or "") + joined
    parent.remove(child)


class MediaExtension(Extension):
    """Resolves images and sounds through `log.resolver` and records what was used."""

    def __init__(self, log: MediaLog, board: Switchboard) -> None:
        super().__init__()
        self.log = log
        self.board = board

    def extendMarkdown(self, md: Markdown) -> None:
        # Last of all: after attr_list (8) may have changed `src`, and after unescaping (0).
        md.treeprocessors.register(ResolveMedia(md, self.log, self.board), "ankigen-media", -1)


def unreferenced(root: Path, used: Iterable[str]) -> list[str]:
    """Media files in the content folder that no card uses, relative to it, sorted.

    Files and folders whose name starts with `_` or `.` are not looked at (the same rule that
    skips them as lessons): `_media/` may hold shared files, sources and drafts.
    """
    seen = set(used)
    unused: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(("_", ".")))
        rel_folder = Path(folder).relative_to(root).as_posix()
        for name in sorted(files):
            if name.startswith(("_", ".")) or not is_media_file(name):
                continue
            if not Path(folder, name).is_file():
                continue  # a link to nothing, or one that loops: reported by discovery
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            if rel not in seen:
                unused.append(rel)
    return sorted(unused)
