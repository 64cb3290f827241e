"""What the cached results were made with: this ankigen (its version and every file of the
package, so an edited checkout counts as another tool), the libraries that shape its output and
the Python that ran it. Computed from files and folder names only, without importing anything
heavy: the no-change build checks it before it imports the renderer."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import zlib
from functools import cache
from pathlib import Path

import generator

LIBRARIES = (
    "markdown",
    "pymdown_extensions",
    "pygments",
    "accessible_pygments",
    "pyyaml",
    "genanki",
    "anyascii",
)
"""Distributions (normalised names) whose version changes what a build makes."""
DIST_INFO = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+?)-(?P<version>[^-]+)\.(?:dist|egg)-info$")


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def library_versions() -> tuple[tuple[str, str], ...]:
    """(name, version) of each library in LIBRARIES, as the installed metadata folders name
    them (importlib.metadata would cost more than the rest of a no-change build)."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = [path.name for path in Path(entry or ".").iterdir()]
        except OSError:
            continue
        for name in names:
            match = DIST_INFO.match(name)
            if match is None:
                continue
            key = normalised(match["name"])
            if key in LIBRARIES and key not in found:
                found[key] = match["version"]
    return tuple(sorted(found.items()))


def package_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        files.extend(Path(folder) / name for name in sorted(names) if not name.endswith(".pyc"))
    return files


@cache
def tool_fingerprint() -> str:
    """One digest for everything above; computed once per process."""
    digest = hashlib.sha256()
    digest.update(f"ankigen {generator.__version__}\0{sys.version}\0".encode())
    digest.update(f"zlib {zlib.ZLIB_RUNTIME_VERSION}\0".encode())
    for name, version in library_versions():
        digest.update(f"{name} {version}\0".encode())
    root = Path(generator.__file__).resolve().parent
    for path in package_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\1unreadable")
        digest.update(b"\0")
    return digest.hexdigest()
