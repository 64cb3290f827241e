"""Writing output files so that a reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Create `path` through `write(temporary)`, then move it into place in one step.

    The temporary file sits next to `path` (the same file system, so the move is atomic) and is
    removed if anything goes wrong, so `path` holds the old content or the new one, never a part.
    """
    try:
        mode = path.stat().st_mode & 0o777  # an existing file keeps its permissions
    except OSError:
        mode = 0o644
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, *, newline: str = "\n") -> None:
    """`atomic_write` of UTF-8 text; `newline=""` writes line endings as they are in `text`."""

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)

    atomic_write(path, write)
