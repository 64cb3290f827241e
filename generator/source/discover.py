"""Find the course file, the folders (decks) and the lesson files, in sorted order."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from generator.diagnostics import Diagnostics
from generator.notes import Defaults, Lesson
from generator.source import frontmatter

INDEX = "_index.md"
ORDER_PREFIX = re.compile(r"^\d+[-_ .]+")


@dataclass(frozen=True, slots=True)
class Course:
    """The course as found on disk."""

    root: Path
    """The content folder."""
    deck: str
    """Name of the course deck."""
    namespace: str
    """Stable namespace of the course's note GUIDs."""
    lessons: tuple[Lesson, ...]
    """Lesson files in sorted order."""
    decks: tuple[str, ...]
    """Every deck a lesson lives in, sorted."""


def display(root_display: str, rel: str) -> str:
    return str(Path(root_display) / rel)


def humanize(name: str) -> str:
    text = ORDER_PREFIX.sub("", name).replace("-", " ").replace("_", " ").strip()
    text = " ".join(text.split()) or name
    return text[0].upper() + text[1:]


def skipped(name: str) -> bool:
    return name.startswith(("_", "."))


def discover(
    root: Path, root_display: str, diags: Diagnostics, read: dict[str, bytes] | None = None
) -> Course | None:
    """The course in `root`; `read`, when given, gets the bytes of every index file read (by
    path relative to `root`), for what depends on exactly those bytes."""
    if not root.is_dir():
        diags.error(root_display, 0, "content folder not found")
        return None
    index = root / INDEX
    index_display = display(root_display, INDEX)
    if not index.is_file():
        diags.error(
            index_display,
            0,
            "missing course file: create it with front matter 'deck: <course name>' and "
            "'namespace: <a fixed unique text>'",
        )
        return None
    text = read_text(index, index_display, diags, read, INDEX)
    fm = frontmatter.read(
        text,
        path=index_display,
        allowed=frontmatter.COURSE_KEYS,
        diags=diags,
    )
    deck, namespace = fm.text("deck"), fm.text("namespace")
    if deck is None:
        diags.error(index_display, 1, "the course needs 'deck: <course name>' in its front matter")
    if namespace is None:
        diags.error(
            index_display,
            1,
            "the course needs 'namespace: <a fixed unique text>' in its front matter; note "
            "GUIDs derive from it, so choose it once (e.g. the course name and a random suffix)",
        )
    lessons: list[Lesson] = []
    walk(
        root,
        "",
        deck or "Course",
        fm.apply(Defaults()),
        root_display=root_display,
        lessons=lessons,
        diags=diags,
        read=read,
    )
    if deck is None or namespace is None:
        return None
    return Course(
        root=root,
        deck=deck,
        namespace=namespace,
        lessons=tuple(lessons),
        decks=tuple(sorted({lesson.deck for lesson in lessons})),
    )


def walk(
    folder: Path,
    rel: str,
    deck: str,
    defaults: Defaults,
    *,
    root_display: str,
    lessons: list[Lesson],
    diags: Diagnostics,
    read: dict[str, bytes] | None = None,
) -> None:
    entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    for entry in entries:
        if skipped(entry.name) or not entry.is_file() or not entry.name.endswith(".md"):
            continue
        lesson_rel = f"{rel}{entry.name}"
        lessons.append(
            Lesson(
                path=display(root_display, lesson_rel),
                rel=lesson_rel,
                deck=deck,
                defaults=defaults,
            )
        )
    for entry in entries:
        if skipped(entry.name) or not entry.is_dir():
            continue
        sub_rel = f"{rel}{entry.name}/"
        sub_defaults, sub_name = defaults, humanize(entry.name)
        index = Path(entry.path) / INDEX
        if index.is_file():
            index_display = display(root_display, sub_rel + INDEX)
            text = read_text(index, index_display, diags, read, sub_rel + INDEX)
            fm = frontmatter.read(
                text,
                path=index_display,
                allowed=frontmatter.FOLDER_KEYS,
                diags=diags,
            )
            sub_defaults = fm.apply(defaults)
            name = fm.text("deck")
            if name is not None and "::" in name:
                diags.error(
                    index_display,
                    fm.line("deck"),
                    "a folder's deck name cannot contain '::' (use a subfolder)",
                )
            elif name is not None:
                sub_name = name
        walk(
            Path(entry.path),
            sub_rel,
            f"{deck}::{sub_name}",
            sub_defaults,
            root_display=root_display,
            lessons=lessons,
            diags=diags,
            read=read,
        )


def read_text(
    path: Path,
    shown: str,
    diags: Diagnostics,
    read: dict[str, bytes] | None = None,
    rel: str = "",
) -> str:
    """The file as text, line endings made '\n' (as reading it in text mode does); its bytes go
    to `read[rel]` when given."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        diags.error(shown, 0, f"cannot read: {exc.strerror}")
        return ""
    if read is not None:
        read[rel] = data
    return decoded(data, shown, diags)


def decoded(data: bytes, shown: str, diags: Diagnostics) -> str:
    """A file's bytes as text, line endings made '\n' (as reading it in text mode does)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        diags.error(shown, 0, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return ""
    return text.replace("\r\n", "\n").replace("\r", "\n")
