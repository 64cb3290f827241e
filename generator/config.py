"""Build settings, resolved once by the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.anki.state import LOCK_NAME
from generator.cache.store import course_folder
from generator.kinds import REGISTRY, Registry


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
    lock: Path | None = None
    """State file; defaults to `<content>/ankigen.lock`."""
    now: int | None = None
    """Clock for new and changed notes; defaults to SOURCE_DATE_EPOCH or the current time."""
    dry_run: bool = False
    """Plan only: write neither the package nor the state file."""
    forget_removed: bool = False
    """Drop removed notes from the state file instead of packaging them once more."""
    forget_moved: bool = False
    """The cards of moved notes were moved in Anki by hand: stop reporting them."""
    registry: Registry = REGISTRY
    """The constructs and note types the build knows."""
    lock_timeout: float = 120.0
    """Seconds to wait for another build of the same course to finish."""
    cache: bool = True
    """Keep compiled lessons in `<out_dir>/.ankigen-cache` and use them while they hold."""

    @property
    def lock_path(self) -> Path:
        return self.lock if self.lock is not None else self.content / LOCK_NAME

    @property
    def cache_dir(self) -> Path:
        """This course's cache: in the output folder, per content folder and state file."""
        return course_folder(
            self.out_dir, str(self.content.resolve()), str(self.lock_path.resolve())
        )

    @property
    def content_display(self) -> str:
        """The content folder as the user named it, for messages."""
        return str(self.content)
