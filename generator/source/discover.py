"""Find the course file, the folders (decks) and the lesson files, in sorted order."""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path

from generator.diagnostics import Diagnostics
from generator.files import folder_identity
from generator.notes import Defaults, Lesson
from generator.source import frontmatter
from generator.source.names import INDEX, skipped
from generator.source.outline import source_lines

ORDER_PREFIX = re.compile(r"^\d+[-_ .]+")
MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")


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


def missing_content(root: Path) -> str:
    """What to say of a content folder that is not there, with the way out when it was not
    named (the commands' default is `content`)."""
    if root.name != "content":
        return "content folder not found"
    # Run from inside a course's content folder (or one of its lessons' folders)?
    here = root.parent.resolve()
    top = None
    while (here / INDEX).is_file():
        top, here = here, here.parent
        if here == top:
            break
    if top is not None:
        name = os.path.relpath(top)
        return (
            f"content folder not found; '{name}' looks like one (it has {INDEX}): name it "
            f"after the command, or run the command in the folder above it"
        )
    return (
        "content folder not found: run ankigen in the folder that holds the course's content/, "
        "or name the content folder after the command"
    )


def discover(
    root: Path, root_display: str, diags: Diagnostics, read: dict[str, bytes] | None = None
) -> Course | None:
    """The course in `root`; `read`, when given, gets the bytes of every index file read (by
    path relative to `root`), for what depends on exactly those bytes."""
    if not root.is_dir():
        diags.error(root_display, 0, missing_content(root), code="content-missing")
        return None
    index = root / INDEX
    index_display = display(root_display, INDEX)
    if not index.is_file():
        diags.error(
            index_display,
            0,
            "missing course file: create it with front matter 'deck: <course name>' and "
            "'namespace: <a fixed unique text>'",
            code="course-file-missing",
        )
        return None
    errors = len(diags.errors)
    text = read_text(index, index_display, diags, read, INDEX)
    if len(diags.errors) > errors:
        return None  # what the file says is not known: nothing more to say about it
    fm = frontmatter.read(text, path=index_display, allowed=frontmatter.COURSE_KEYS, diags=diags)
    deck, namespace = fm.text("deck"), fm.text("namespace")
    if deck is None and "deck" not in fm.lines:
        diags.error(
            index_display,
            1,
            "the course needs 'deck: <course name>' in its front matter",
            code="course-deck-missing",
        )
    if namespace is None and "namespace" not in fm.lines:
        diags.error(
            index_display,
            1,
            "the course needs 'namespace: <a fixed unique text>' in its front matter; note "
            "GUIDs derive from it, so choose it once (e.g. the course name and a random suffix)",
            code="course-namespace-missing",
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
        above=(folder_identity(root),),
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


def kind_of(entry: os.DirEntry[str]) -> str:
    """`file`, `folder`, `loop` (a symbolic link that leads back to itself) or `other`."""
    try:
        if entry.is_dir():
            return "folder"
        if entry.is_file():
            return "file"
        if entry.is_symlink():
            Path(entry.path).stat()  # a link to nothing raises FileNotFoundError: other
    except OSError as exc:
        return "loop" if exc.errno == errno.ELOOP else "other"
    return "other"


def walk(
    folder: Path,
    rel: str,
    deck: str,
    defaults: Defaults,
    *,
    root_display: str,
    lessons: list[Lesson],
    diags: Diagnostics,
    above: tuple[tuple[int, int], ...],
    read: dict[str, bytes] | None = None,
) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        shown = display(root_display, rel) if rel else root_display
        diags.error(shown, 0, f"cannot read folder: {exc.strerror}", code="unreadable")
        return
    kinds = {entry.name: kind_of(entry) for entry in entries if not skipped(entry.name)}
    for entry in entries:
        kind = kinds.get(entry.name)
        shown = display(root_display, f"{rel}{entry.name}")
        if kind == "loop":
            # A lesson that cannot be read is lost; anything else is only noise.
            report = diags.error if is_lesson_name(entry.name) else diags.warning
            report(
                shown,
                0,
                "symbolic link loops (it leads back to itself): remove it or point it at a "
                "file; it is not read",
                code="symlink-loop",
            )
            continue
        if kind != "file" or not is_lesson_name(entry.name):
            continue
        if not entry.name.endswith(".md"):
            stem = entry.name.rsplit(".", 1)[0]
            diags.error(
                shown,
                0,
                "not read as a lesson: lessons are files ending in '.md' (lower case); rename "
                f"it to '{stem}.md', or start its name with '_' to keep it out of the course",
                code="lesson-extension",
            )
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
        if kinds.get(entry.name) != "folder":
            continue
        sub_rel = f"{rel}{entry.name}/"
        shown = display(root_display, f"{rel}{entry.name}")
        try:
            here = folder_identity(entry.path)
        except OSError as exc:
            diags.error(shown, 0, f"cannot read folder: {exc.strerror}", code="unreadable")
            continue
        if here in above:
            diags.warning(
                shown,
                0,
                "symbolic link loops (it leads to a folder that contains it): its lessons are "
                "read once, from their own folder; remove the link",
                code="symlink-loop",
            )
            continue
        if is_lesson_name(entry.name):
            diags.warning(
                shown,
                0,
                f"a folder named like a lesson is read as a folder (the subdeck "
                f"'{humanize(entry.name)}'): rename it, or move its lessons up and delete it",
                code="folder-named-like-lesson",
            )
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
                    code="deck-name-colons",
                    column=fm.column("deck"),
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
            above=(*above, here),
            read=read,
        )


def is_lesson_name(name: str) -> bool:
    """Named like a Markdown file, in any case: `.md`, and the longer extensions some editors
    use. Only lower-case `.md` files are lessons; the others are reported."""
    return name.lower().endswith(MARKDOWN_EXTENSIONS)


def read_text(
    path: Path,
    shown: str,
    diags: Diagnostics,
    read: dict[str, bytes] | None = None,
    rel: str = "",
    *,
    newline: str | None = None,
) -> str:
    """The file's text with its line ends as Python's text mode reads them (or, with
    `newline=""`, as written); a problem is reported with its place, and gives "". Its bytes go
    to `read[rel]` when given."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        diags.error(shown, 0, f"cannot read: {exc.strerror}", code=unreadable_code(exc))
        return ""
    if read is not None:
        read[rel] = data
    return decoded(data, shown, diags, newline=newline)


def unreadable_code(exc: OSError) -> str:
    """The diagnostic code of a file that cannot be read."""
    return "symlink-loop" if exc.errno == errno.ELOOP else "unreadable"


def decoded(data: bytes, shown: str, diags: Diagnostics, *, newline: str | None = None) -> str:
    """A file's bytes as text, line ends as `read_text` makes them; bytes that are not UTF-8
    are reported at their line and column, and give ""."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        lines = source_lines(data[: exc.start].decode("utf-8") + "x")
        diags.error(
            shown,
            len(lines),
            f"not UTF-8 text ({exc.reason} at byte {exc.start}): save the file as UTF-8",
            code="not-utf8",
            column=len(lines[-1]),
        )
        return ""
    return text if newline == "" else text.replace("\r\n", "\n").replace("\r", "\n")
