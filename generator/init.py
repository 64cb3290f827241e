"""`ankigen init`: start a course of one's own. Writes the course file with a fresh namespace, a
lesson with one card of every kind, a .gitignore for build/ and a short README, from the
package's starter files (generator/starter). Never overwrites: an existing course is refused,
an existing .gitignore gains the line it lacks, an existing README is left alone."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from generator.diagnostics import Diagnostics
from generator.source.discover import humanize
from generator.source.names import INDEX
from generator.source.noteids import slugify

STARTER = "generator.starter"
IGNORED = "build/"


@dataclass(slots=True)
class Started:
    """What `init` did."""

    diagnostics: Diagnostics
    """Why it could not, if it could not."""
    written: list[Path] = field(default_factory=list)
    """Files created or extended, in order."""
    deck: str = ""
    """The course deck's name."""
    namespace: str = ""
    """The namespace note GUIDs derive from."""


def deck_name(folder: Path) -> str:
    name = folder.resolve().name
    return humanize(name) if name else "My course"


def new_namespace(deck: str) -> str:
    """Unique to this course: two courses started from the same template never share GUIDs."""
    return f"{slugify(deck, limit=40)}-{secrets.token_hex(4)}"


def init_course(folder: Path, *, deck: str | None = None) -> Started:
    started = Started(Diagnostics())
    content = folder / "content"
    shown = str(content)
    if (content / INDEX).exists():
        started.diagnostics.error(
            str(content / INDEX),
            0,
            "there is a course here already; init writes only into a folder without one "
            "(choose another folder, or keep building this course)",
            code="init-course-exists",
        )
        return started
    if content.exists() and (not content.is_dir() or any(content.iterdir())):
        started.diagnostics.error(
            shown,
            0,
            "exists and is not an empty folder; init writes the course into content/, so run "
            "it in a new folder (ankigen init my-course)",
            code="init-content-exists",
        )
        return started
    started.deck = deck or deck_name(folder)
    started.namespace = new_namespace(started.deck)
    fill = {
        "__DECK__": started.deck,
        "__NAMESPACE__": started.namespace,
        "__SLUG__": slugify(started.deck, limit=80),
    }
    try:
        root = resources.files(STARTER)
        copy_tree(root.joinpath("content"), content, fill, started.written)
        readme = folder / "README.md"
        if not readme.exists():
            write(readme, filled(root.joinpath("README.md").read_text("utf-8"), fill))
            started.written.append(readme)
        ignore = folder / ".gitignore"
        if ensure_ignored(ignore, root.joinpath("gitignore").read_text("utf-8")):
            started.written.append(ignore)
    except OSError as exc:
        started.diagnostics.error(
            str(exc.filename or folder),
            0,
            f"cannot write: {exc.strerror or exc}",
            code="init-write-failed",
        )
    return started


def filled(text: str, fill: dict[str, str]) -> str:
    for mark, value in fill.items():
        text = text.replace(mark, value)
    return text


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def copy_tree(source: Traversable, target: Path, fill: dict[str, str], written: list[Path]) -> None:
    for entry in sorted(source.iterdir(), key=lambda item: item.name):
        path = target / entry.name
        if entry.is_dir():
            copy_tree(entry, path, fill, written)
        elif entry.name.endswith(".md"):
            write(path, filled(entry.read_text("utf-8"), fill))
            written.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as handle:
                handle.write(entry.read_bytes())
            written.append(path)


def ensure_ignored(path: Path, template: str) -> bool:
    """Write the .gitignore, or add `build/` to an existing one; whether the file changed."""
    if not path.exists():
        write(path, template)
        return True
    text = path.read_text(encoding="utf-8")
    lines = {line.strip() for line in text.splitlines()}
    if lines & {IGNORED, "build", "/build", "/build/", "build/*", "/build/*"}:
        return False
    separator = "" if not text or text.endswith("\n") else "\n"
    with path.open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(f"{separator}{IGNORED}\n")
    return True
