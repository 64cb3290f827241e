"""Compiled code kept between runs: the methods of the package's dataclasses, and the programs of
regular expressions.

`dataclasses` writes the source of each class's `__init__`, `__repr__`, `__eq__`, `__hash__`
and (frozen) `__setattr__` and compiles it with `exec` every time the class is defined: for the
hundred dataclasses a build imports, 570 compilations, a fifth of the time the build's imports
take (about 45 ms of 190 on a 2-core machine). `re` parses and compiles every pattern in Python
the first time a process uses it: the 190 patterns a build's imports compile (ours, Markdown's,
PyYAML's) take about 20 ms, and the 190 of the first lesson a worker renders (Pygments' lexers
above all) about 40 ms, half of that lesson's time. Both outcomes are the same on every run of
the same interpreter, so they can be kept, as Python keeps a module's bytecode: as `marshal`
data behind the interpreter's bytecode magic number, in the user's cache folder
(`cache_folder`). Not beside the package's own bytecode: uninstalling it would leave the files
behind.

What is run is what would have been compiled: a class's code is keyed by its source, a
pattern's program by the pattern and its flags (and that file by the exact interpreter, whose
`re` may compile differently in another release), so an edited class or pattern is compiled
again, never given another's code, and several installations can share the files. A program
`_sre` refuses, or a file that is broken or of another interpreter, means compiling as before.

Only classes of this package are served from the cache (other modules' dataclasses are compiled
as always); patterns are served to every module, since a pattern's program does not depend on
who compiles it.

The files are written only by the command line's processes (`enable`), at their end, when they
compiled something the files lacked (unless bytecode writing is off); a worker writes when its
lesson is done, since it ends without running the process's exit. Each writer adds to what the
file holds by then.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # re's engine: no stub, no public name
import builtins
import dataclasses
import importlib.util
import marshal
import os
import re
import sys
from array import array
from pathlib import Path
from types import CodeType
from typing import Any, Generic, TypeVar

PACKAGE = __name__.partition(".")[0]
LIMIT = 4096
"""At most this many entries are kept in a file: past it, only those of the last run (an edited
checkout leaves the sources of its older classes behind)."""
WRITING = False
"""Whether this process (or the one that forked it) writes what it compiled: the command line's
do (`enable`); a process that imports the package as a library leaves the user's cache alone."""

K = TypeVar("K")
V = TypeVar("V")


class CompiledFile(Generic[K, V]):
    """Compiled values by key, loaded from `path` and written back when this run added any."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[K, V] = self.read()
        self.used: dict[K, V] = {}
        self.compiled = 0
        """How many entries this run compiled (found in neither the file nor the run)."""

    def read(self) -> dict[K, V]:
        """The file's entries; none when it is missing, unreadable or of another interpreter."""
        if self.path is None:
            return {}
        magic = importlib.util.MAGIC_NUMBER
        try:
            data = self.path.read_bytes()
            if not data.startswith(magic):
                return {}
            return self.entries(marshal.loads(data[len(magic) :]))
        except (OSError, ValueError, EOFError, TypeError):
            return {}

    def entries(self, found: object) -> dict[K, V]:
        """The valid entries of what the file held."""
        raise NotImplementedError

    def contents(self, entries: dict[K, V]) -> Any:
        """What the file holds, for `entries` (the inverse of `entries`)."""
        return entries

    def remember(self, key: K, value: V) -> None:
        self.known[key] = self.used[key] = value
        self.compiled += 1

    def save(self) -> None:
        """Add what this run compiled to the file (unless bytecode is not written)."""
        if not self.compiled or self.path is None or sys.dont_write_bytecode:
            return
        self.compiled = 0
        # Another process (a worker, a second build) may have written since this one read.
        merged = {**self.read(), **self.known}
        kept = merged if len(merged) <= LIMIT else self.used
        # Imported here: the start of every command imports this module, and only a run that
        # compiled something writes.
        from generator.files import atomic_write_bytes  # noqa: PLC0415

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = marshal.dumps(self.contents(kept))
            atomic_write_bytes(self.path, importlib.util.MAGIC_NUMBER + data)
        except (OSError, ValueError):
            return  # a read-only install: the next run compiles again, as without the cache


class CodeCache(CompiledFile[str, CodeType]):
    """Source → code object, for `dataclasses`' `exec`."""

    def entries(self, found: object) -> dict[str, CodeType]:
        if not isinstance(found, dict):
            return {}
        return {
            source: code
            for source, code in found.items()
            if isinstance(source, str) and isinstance(code, CodeType)
        }

    def code(self, source: str) -> CodeType:
        found = self.known.get(source)
        if found is None:
            found = compile(source, "<string>", "exec")
            self.remember(source, found)
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


Pattern = tuple[str | bytes, int]
"""A pattern and the flags it is compiled with."""
Program = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]
"""What `_sre.compile` takes after the pattern: its flags (with those the pattern sets), its
code (kept as the bytes of an array of `CODE`: loaded as one object, not as an object per
number), the number of groups, and the group numbers by name and names by number."""
CODE = next((code for code in "IL" if array(code).itemsize == _sre.CODESIZE), "")
"""The array type of `_sre`'s code words."""


class PatternCache(CompiledFile[Pattern, Program]):
    """(pattern, flags) → program, for `re`'s compiler (`compile` takes the place of
    `re._compiler.compile`)."""

    def __init__(self, path: Path | None, original: Any = None) -> None:
        super().__init__(path)
        self.original = original

    def entries(self, found: object) -> dict[Pattern, Program]:
        if not (isinstance(found, tuple) and len(found) == 2 and found[0] == interpreter()):
            return {}
        programs = found[1]
        if not isinstance(programs, dict):
            return {}
        return {key: value for key, value in programs.items() if valid(key, value)}

    def contents(self, entries: dict[Pattern, Program]) -> Any:
        return (interpreter(), entries)

    def compile(self, pattern: Any, flags: int = 0) -> Any:
        """`re._compiler.compile`: the pattern's program from the cache, else parsed and
        compiled as `re` does (the same steps: see `re._compiler.compile`)."""
        kind = type(pattern)
        if (kind is not str and kind is not bytes) or flags & re.DEBUG:
            return self.original(pattern, flags)
        key = (pattern, int(flags))
        found = self.known.get(key)
        if found is not None:
            try:
                code = array(CODE, found[1]).tolist()
                compiled = _sre.compile(pattern, found[0], code, *found[2:])
            except Exception:  # a program this `_sre` refuses: compiled again below
                self.known.pop(key, None)
            else:
                self.used[key] = found
                return compiled
        # Parsed here, at the depth `re` parses: a warning the parser gives names the same caller.
        parsed = re._parser.parse(pattern, flags)  # type: ignore[attr-defined]
        code = re._compiler._code(parsed, flags)  # type: ignore[attr-defined]
        state = parsed.state
        indexgroup: list[str | None] = [None] * state.groups
        for name, index in state.groupdict.items():
            indexgroup[index] = name
        words = array(CODE, code).tobytes()
        program: Program = (
            int(flags | state.flags),
            words,
            state.groups - 1,
            state.groupdict,
            tuple(indexgroup),
        )
        # The call the cache serves with (above), but with the code as `re` made it.
        compiled = _sre.compile(pattern, program[0], code, *program[2:])
        self.remember(key, program)
        return compiled


def valid(key: object, value: object) -> bool:
    """Whether a file's entry has the shape of a pattern and its program (whether the program is
    sound, `_sre` checks as it compiles it)."""
    return (
        isinstance(key, tuple)
        and len(key) == 2
        and isinstance(key[0], str | bytes)
        and isinstance(key[1], int)
        and isinstance(value, tuple)
        and len(value) == 5
        and isinstance(value[0], int)
        and isinstance(value[1], bytes)
        and isinstance(value[2], int)
        and isinstance(value[3], dict)
        and isinstance(value[4], tuple)
    )


def interpreter() -> str:
    """Which interpreter's `re` made a program: a release may compile a pattern differently."""
    return f"{sys.version}\0{_sre.MAGIC}\0{_sre.CODESIZE}"


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


def cache_path(name: str = "dataclasses") -> Path | None:
    """`<name>.<tag>.bin` in `cache_folder`: one file per interpreter."""
    tag = sys.implementation.cache_tag
    folder = cache_folder()
    if tag is None or folder is None:
        return None
    return folder / f"{name}.{tag}.bin"


def compiles_as_expected() -> bool:
    """Whether `re` compiles a pattern in the steps `PatternCache.compile` repeats (Python 3.11
    to 3.13 do); elsewhere patterns are compiled as always."""
    compiler, parser = getattr(re, "_compiler", None), getattr(re, "_parser", None)
    return bool(CODE) and all(
        callable(getattr(module, name, None))
        for module, name in ((compiler, "compile"), (compiler, "_code"), (parser, "parse"))
    )


CACHE = CodeCache(cache_path())
PATTERNS = PatternCache(
    cache_path("patterns") if compiles_as_expected() else None,
    getattr(getattr(re, "_compiler", None), "compile", None),
)


def install() -> None:
    """Serve `dataclasses` from `CACHE`: it calls `exec` by its global name, so a global
    `exec` in its namespace is what it calls (on a Python whose `dataclasses` compiles some
    other way, nothing changes). Serve `re` from `PATTERNS`: `re.compile` calls
    `_compiler.compile` for a pattern it has not compiled in this process."""
    vars(dataclasses)["exec"] = CACHE.exec
    if PATTERNS.path is not None:
        re._compiler.compile = PATTERNS.compile  # type: ignore[attr-defined]


def enable() -> None:
    """Keep what this process and the workers it forks compile (the command line's processes)."""
    global WRITING  # noqa: PLW0603
    WRITING = True


def save() -> None:
    """Write what this process compiled, when it is the command line's (`enable`)."""
    if WRITING:
        CACHE.save()
        PATTERNS.save()
