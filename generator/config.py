"""Build settings, resolved once by the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class BuildConfig:
    """What to build and where."""

    content: Path
    """The content folder."""
    out_dir: Path
    """Where the package is written."""
    strict: bool = False
    """Treat warnings as errors."""
    jobs: int = 0
    """Worker processes for parsing and rendering; 0 picks one per core for large courses."""

    @property
    def content_display(self) -> str:
        """The content folder as the user named it, for messages."""
        return str(self.content)
