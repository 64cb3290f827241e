"""The compiled methods of the package's dataclasses, kept between runs.

`dataclasses` writes the source of each class's `__init__`, `__repr__`, `__eq__`, `__hash__`
and (frozen) `__setattr__` and compiles it with `exec` every time the class is defined: for the
hundred dataclasses a build imports, 570 compilations, a fifth of the time the build's imports
take (about 45 ms of 190 on a 2-core machine). The generated source of a class is the same on
every run of the same Python, so its code object can be kept, as Python keeps a module's: as
`marshal` data behind the interpreter's bytecode magic number, in the user's cache folder
(`cache_folder`), written when a run compiled something it did not find there (unless bytecode
writing is off). Not beside the package's own bytecode: uninstalling it would leave the file
behind. The code run is the code `exec` compiles from that source: the cache is keyed by the
source itself, so an edited class is compiled again, never given another's methods, and
several installations can share the file.

Only classes of this package are served from the cache; other modules' dataclasses are
compiled as always.
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

PACKAGE = __name__.partition(".")[0]
LIMIT = 4096
"""At most this many sources are kept: past it, only those of the last run (an edited checkout
leaves the sources of its older classes behind)."""


class CodeCache:
    """Source → code object, loaded from `path` and written back when it gained any."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[str, CodeType] = load(path) if path is not None else {}
        self.used: dict[str, CodeType] = {}
        self.compiled = 0
        """How many sources this run compiled (found in neither the file nor the run)."""

    def code(self, source: str) -> CodeType:
        found = self.known.get(source)
        if found is None:
            found = compile(source, "<string>", "exec")
            self.known[source] = found
            self.compiled += 1
        self.used[source] = found
        return found

    def exec(
        self,
        source: str | CodeType,
        globals: dict[str, Any] | None = None,
        locals: dict[str, Any] | None = None,
        /,
    ) -> None:
        """`exec` as `dataclasses` calls it, with the code of its source from the cache when
        the class is of this package (its module's globals name the module)."""
        if isinstance(source, str) and globals is not None and ours(globals.get("__name__")):
            source = self.code(source)
        builtins.exec(source, globals, locals)

    def save(self) -> None:
        """Write the cache if this run compiled something new (and bytecode is written)."""
        if not self.compiled or self.path is None or sys.dont_write_bytecode:
            return
        self.compiled = 0
        kept = self.known if len(self.known) <= LIMIT else self.used
        # Imported here: the start of every command imports this module, and only a run that
        # compiled something writes.
        from generator.files import atomic_write_bytes  # noqa: PLC0415

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.path, importlib.util.MAGIC_NUMBER + marshal.dumps(kept))
        except (OSError, ValueError):
            return  # a read-only install: the next run compiles again, as without the cache


def ours(module: object) -> bool:
    return isinstance(module, str) and (module == PACKAGE or module.startswith(f"{PACKAGE}."))


def cache_folder() -> Path | None:
    """ankigen's folder in the user's cache, as each system names it: `$XDG_CACHE_HOME/ankigen`
    (by default `~/.cache/ankigen`), `~/Library/Caches/ankigen` on macOS,
    `%LOCALAPPDATA%\\ankigen\\Cache` on Windows. (platformdirs says the same, but importing it
    takes a quarter of what this module saves.)"""
    try:
        if sys.platform == "win32":
            local = os.environ.get("LOCALAPPDATA", "")
            return Path(local, "ankigen", "Cache") if local else None
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / "ankigen"
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        # The XDG specification: a relative path is invalid and is ignored.
        return (Path(xdg) if Path(xdg).is_absolute() else Path.home() / ".cache") / "ankigen"
    except RuntimeError:  # no home folder to be found
        return None


def cache_path() -> Path | None:
    """`dataclasses.<tag>.bin` in `cache_folder`: one file per interpreter."""
    tag = sys.implementation.cache_tag
    folder = cache_folder()
    if tag is None or folder is None:
        return None
    return folder / f"dataclasses.{tag}.bin"


def load(path: Path) -> dict[str, CodeType]:
    """The cache at `path`; empty when it is missing, unreadable or of another interpreter."""
    magic = importlib.util.MAGIC_NUMBER
    try:
        data = path.read_bytes()
        if not data.startswith(magic):
            return {}
        found = marshal.loads(data[len(magic) :])
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {
        source: code
        for source, code in found.items()
        if isinstance(source, str) and isinstance(code, CodeType)
    }


CACHE = CodeCache(cache_path())


def install() -> None:
    """Serve `dataclasses` from `CACHE`: it calls `exec` by its global name, so a global
    `exec` in its namespace is what it calls (on a Python whose `dataclasses` compiles some
    other way, nothing changes)."""
    vars(dataclasses)["exec"] = CACHE.exec


def save() -> None:
    CACHE.save()
