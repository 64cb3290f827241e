"""The names discovery reads and leaves out: kept apart from `discover` so that the no-change
memo (generator.cache.memo), which runs before anything heavy is imported, asks the same rule."""

from __future__ import annotations

INDEX = "_index.md"
"""A folder's front matter."""


def skipped(name: str) -> bool:
    """A file or folder discovery leaves out: its name starts with '_' or '.' (an `_index.md`
    is read as the folder's front matter, not as a lesson)."""
    return name.startswith(("_", "."))
