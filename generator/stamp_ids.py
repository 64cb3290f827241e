"""`ankigen ids`: write every derived id into the sources, so later edits cannot change it.

The stamped id is exactly the id the note has now, so its GUID (and the note in Anki) stays the
same. Only the end of the line that starts each note changes; nothing else in the file moves.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.diagnostics import Diagnostics
from generator.files import atomic_write_text
from generator.kinds import REGISTRY, Registry
from generator.kinds.lesson import parse_lesson
from generator.notes import NoteMeta
from generator.source.discover import discover, read_text
from generator.source.noteids import check_unique_ids


@dataclass(slots=True)
class StampResult:
    """What `ankigen ids` did or would do."""

    diagnostics: Diagnostics
    """Problems; stamping happens only when there are no errors."""
    stamped: dict[Path, list[NoteMeta]] = field(default_factory=dict)
    """File → notes whose id was (or would be) written."""


LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def uncommitted(files: list[Path]) -> set[Path] | None:
    """Files with changes git has not committed; None when git cannot tell (no repository)."""
    if not files:
        return set()
    folder = files[0].resolve().parent
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            [
                "git",
                "status",
                "--porcelain",
                "-z",
                "--untracked-files=all",
                "--",
                *(str(path.resolve()) for path in files),
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    dirty = set()
    for entry in status.split("\0"):
        if len(entry) > 3:
            dirty.add((Path(top) / entry[3:]).resolve())
    return {path for path in files if path.resolve() in dirty}


def stamp_line(line: str, note_id: str) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    return f"{body.rstrip()} <!-- id: {note_id} -->{ending}"


def stamp_ids(
    content: Path, *, force: bool = False, dry_run: bool = False, registry: Registry = REGISTRY
) -> StampResult:
    diags = Diagnostics()
    result = StampResult(diags)
    course = discover(content, str(content), diags)
    if course is None:
        return result
    pending: dict[Path, dict[int, NoteMeta]] = defaultdict(dict)
    metas: list[NoteMeta] = []
    texts: dict[Path, str] = {}
    shown: dict[Path, str] = {}
    for lesson in course.lessons:
        path = content / lesson.rel
        shown[path] = lesson.path
        errors = len(diags.errors)
        # As written, line ends included: only the ends of stamped lines change.
        texts[path] = read_text(path, lesson.path, diags, newline="")
        if len(diags.errors) > errors:
            continue
        parsed = parse_lesson(lesson, texts[path], registry)
        diags.extend(list(parsed.diagnostics))
        for meta in [note.meta for note in parsed.notes] + [v.meta for v in parsed.variants]:
            metas.append(meta)
            if meta.stamp is not None:
                line, note_id = meta.stamp
                pending[path].setdefault(line, replace(meta, line=line, id=note_id))
    check_unique_ids(metas, diags)
    if diags.errors:
        return result
    files = sorted(pending)
    if not force:
        dirty = uncommitted(files)
        for path in sorted(dirty or ()):
            diags.error(
                shown[path],
                0,
                "has uncommitted changes: commit them first so the stamped ids are a reviewable "
                "diff, or use --force",
                code="uncommitted-changes",
            )
        if diags.errors:
            return result
    for path in files:
        result.stamped[path] = sorted(pending[path].values(), key=lambda meta: meta.line)
        if dry_run:
            continue
        lines = LINE.findall(texts[path])
        for meta in result.stamped[path]:
            lines[meta.line - 1] = stamp_line(lines[meta.line - 1], meta.id)
        atomic_write_text(path, "".join(lines), newline="")
    return result
