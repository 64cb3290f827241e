"""Compiled code kept between runs (generator.codecache): the dataclasses' methods and the
programs of regular expressions."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import io
import marshal
import os
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from generator import codecache, files
from generator.codecache import CodeCache, PatternCache

CLASS = """
from dataclasses import dataclass, field

@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = field(default=())
"""


def define(name: str, source: str = CLASS) -> types.ModuleType:
    """A module named `name`, run from `source`."""
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(source, f"<{name}>", "exec"), vars(module))
    finally:
        del sys.modules[name]
    return module


def user_env(cache_home: Path) -> dict[str, str]:
    """The environment of a process whose user's cache folder is `cache_home`, writing
    bytecode (as an installed command does)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def printed(script: str, env: dict[str, str]) -> tuple[int, ...]:
    """The numbers a Python process running `script` prints."""
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return tuple(int(word) for word in done.stdout.split())


def compiled_once(script: str, cache_home: Path, name: str) -> None:
    """`script` (which prints how many entries it compiled and used) run twice: the first run
    compiles more than 100 and keeps them in `<name>.*.bin`; the second compiles none and uses
    as many."""
    env = user_env(cache_home)
    first = printed(script, env)
    assert first[0] == first[1] > 100
    assert list((cache_home / "ankigen").glob(f"{name}.*.bin"))
    assert printed(script, env) == (0, first[1])


@pytest.fixture
def serving(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`dataclasses` served from a cache of its own, in `tmp_path`."""

    def serve(path: Path | None = None) -> CodeCache:
        cache = CodeCache(path if path is not None else tmp_path / "dataclasses.bin")
        monkeypatch.setitem(vars(dataclasses), "exec", cache.exec)
        return cache

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return serve


def test_a_class_of_the_package_is_compiled_once_then_served(serving, tmp_path: Path) -> None:
    first = serving()
    made = define("generator.example").Point
    assert first.compiled >= 4  # __init__, __repr__, __eq__, __hash__, frozen __setattr__ …
    first.save()
    assert (tmp_path / "dataclasses.bin").is_file()

    second = serving()
    again = define("generator.example").Point
    assert second.compiled == 0
    assert len(second.used) == len(first.used)
    point = again(1, tags=("a",))
    assert point == again(1, 0, ("a",))
    assert point != again(2)
    assert hash(point) == hash(again(1, tags=("a",)))
    assert repr(point) == "Point(x=1, y=0, tags=('a',))"
    assert repr(point) == repr(made(1, tags=("a",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 3  # type: ignore[misc]


def test_an_edited_class_is_compiled_again_never_given_the_old_methods(serving) -> None:
    first = serving()
    define("generator.example")
    first.save()
    edited = CLASS.replace("    y: int = 0\n", "    y: int = 0\n    z: int = 5\n")
    second = serving()
    point = define("generator.example", edited).Point(1)
    assert second.compiled > 0
    assert (point.x, point.y, point.z) == (1, 0, 5)
    assert repr(point) == "Point(x=1, y=0, z=5, tags=())"


def test_other_modules_classes_are_compiled_as_always(serving, tmp_path: Path) -> None:
    cache = serving()
    assert define("elsewhere").Point(1).y == 0
    assert cache.compiled == 0 and not cache.known
    cache.save()
    assert not (tmp_path / "dataclasses.bin").exists()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a cache",
        importlib.util.MAGIC_NUMBER + b"\xff\x00 truncated",
        importlib.util.MAGIC_NUMBER + marshal.dumps(["a list"]),
        importlib.util.MAGIC_NUMBER + marshal.dumps({"source": "not code", 1: "x"}),
        # Another interpreter's magic number, in front of code this one could load.
        b"\x00\x00\x0d\x0a" + marshal.dumps({"x = 1": compile("x = 1", "<string>", "exec")}),
    ],
)
def test_a_broken_or_foreign_cache_is_empty(serving, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "dataclasses.bin"
    path.write_bytes(data)
    cache = serving(path)
    assert cache.known == {}
    assert define("generator.example").Point(4).x == 4
    assert cache.compiled > 0


def test_past_the_limit_only_the_sources_of_the_last_run_are_kept(serving, tmp_path, monkeypatch):
    path = tmp_path / "dataclasses.bin"
    first = serving(path)
    define("generator.example")
    first.save()
    edited = CLASS.replace("    y: int = 0\n", "    y: int = 0\n    z: int = 5\n")
    second = serving(path)
    define("generator.example", edited)
    monkeypatch.setattr(codecache, "LIMIT", len(second.known) - 1)
    second.save()
    kept = CodeCache(path).known
    assert set(kept) == set(second.used)
    assert set(first.used) - set(kept)  # the unedited class's sources are gone


def test_nothing_is_written_when_bytecode_is_not(serving, tmp_path, monkeypatch) -> None:
    cache = serving()
    define("generator.example")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    cache.save()
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_install_is_left_alone(serving, tmp_path, monkeypatch) -> None:
    cache = serving()
    define("generator.example")

    def refuse(*args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files, "temporary_file", refuse)  # where a read-only folder refuses
    cache.save()  # no error: the next run compiles again
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_the_way_is_left_alone(serving, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    cache = serving(tmp_path / "file" / "dataclasses.bin")
    define("generator.example")
    cache.save()  # its folder cannot be made: no error, nothing written
    assert (tmp_path / "file").read_text() == "x"


def test_the_cache_is_in_the_users_cache_folder(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    tag = sys.implementation.cache_tag
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert codecache.cache_path() == tmp_path / "xdg" / "ankigen" / f"dataclasses.{tag}.bin"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # invalid, so not used
    assert codecache.cache_folder() == tmp_path / "home" / ".cache" / "ankigen"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert codecache.cache_folder() == tmp_path / "home" / ".cache" / "ankigen"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert codecache.cache_folder() == tmp_path / "home" / "Library" / "Caches" / "ankigen"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert codecache.cache_folder() == tmp_path / "local" / "ankigen" / "Cache"
    monkeypatch.delenv("LOCALAPPDATA")
    assert codecache.cache_path() is None


def test_a_second_run_compiles_nothing(tmp_path: Path) -> None:
    """Across processes, as the command line runs: the pipeline's dataclasses, compiled by the
    first run and served to the second."""
    script = (
        "import generator.pipeline\n"
        "from generator import codecache\n"
        "codecache.enable()\n"
        "print(codecache.CACHE.compiled, len(codecache.CACHE.used))\n"
        "codecache.save()\n"
    )
    compiled_once(script, tmp_path, "dataclasses")


def test_a_process_that_is_not_the_command_line_writes_nothing(tmp_path: Path) -> None:
    """A library user's process (a test, a script importing the package) compiles as usual and
    leaves the user's cache alone."""
    script = (
        "import generator.pipeline\n"
        "from generator import codecache\n"
        "assert codecache.CACHE.compiled and codecache.PATTERNS.compiled\n"
        "codecache.save()\n"
    )
    printed(script, user_env(tmp_path))
    assert not (tmp_path / "ankigen").exists()


# --- regular expressions --------------------------------------------------------------------

PATTERNS: list[tuple[str | bytes, int]] = [
    (r"(?P<label>\*\*[^*\n]+?:\*\*)\s*(?P<rest>.*)", 0),
    (r"^#{1,6}\s+(.*?)\s*#*$", re.MULTILINE),
    (r"straße|ǅ|[à-ÿ]+", re.IGNORECASE),
    (r"(?i)colou?r(?=s\b)|(?<!\w)grey", 0),
    (
        r"""
        (?P<open>`+)   # a code span's fence
        (?P<code>.+?)
        (?P=open)
    """,
        re.VERBOSE | re.DOTALL,
    ),
    (rb"^\x89PNG\r\n\x1a\n(?P<rest>.{8})", re.DOTALL),
    (r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\w+", re.ASCII),
    (r"(a)(b)?(?P<c>c)*+", 0),
]
SAMPLES = [
    "**Answer:** yes",
    "## A heading ##",
    "STRASSE Straße ǆ ÀÉÎ",
    "colours grey Colours",
    "say `x` and ``y`z`` ok",
    "12.5e-3 words",
    "abccc ac",
]


@pytest.fixture
def patterns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`re` served from a pattern cache of its own, in `tmp_path`, with `re`'s own cache empty
    (so that every `re.compile` reaches the compiler)."""

    original = codecache.PATTERNS.original

    def serve(path: Path | None = None) -> PatternCache:
        cache = PatternCache(path if path is not None else tmp_path / "patterns.bin", original)
        monkeypatch.setattr(re._compiler, "compile", cache.compile)  # type: ignore[attr-defined]
        re.purge()
        return cache

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    yield serve
    re.purge()


def compiled_as_re_does(pattern: str | bytes, flags: int) -> re.Pattern[Any]:
    return codecache.PATTERNS.original(pattern, flags)  # type: ignore[no-any-return]


def behaviour(compiled: re.Pattern[Any]) -> list[object]:
    """What a pattern does with the samples: matches, groups and spans, as far as it can."""
    seen: list[object] = [compiled.pattern, compiled.flags, compiled.groups]
    seen.append(dict(compiled.groupindex))
    for sample in SAMPLES:
        text: str | bytes = sample.encode() if isinstance(compiled.pattern, bytes) else sample
        seen.append([(m.span(), m.groups()) for m in compiled.finditer(text)])  # type: ignore[arg-type]
    return seen


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_a_pattern_is_compiled_once_then_served_as_re_compiles_it(
    patterns, pattern: str | bytes, flags: int
) -> None:
    first = patterns()
    made = re.compile(pattern, flags)
    assert first.compiled == 1
    assert made == compiled_as_re_does(pattern, flags)  # equal: the same flags and code
    first.save()

    second = patterns()
    served = re.compile(pattern, flags)
    assert second.compiled == 0 and len(second.used) == 1
    assert served == compiled_as_re_does(pattern, flags)
    assert behaviour(served) == behaviour(compiled_as_re_does(pattern, flags))


def test_every_pattern_a_build_imports_is_served_as_re_compiles_it(tmp_path: Path) -> None:
    """The patterns of the package, Markdown, Pygments and PyYAML, kept by one run and served
    to the next: each equal (flags and code) to what `re` itself compiles."""
    script = (
        "import re, sys\n"
        "import generator.pipeline\n"
        "from generator import codecache\n"
        "codecache.enable()\n"
        "cache = codecache.PATTERNS\n"
        "print(cache.compiled, len(cache.used))\n"
        "for (pattern, flags), _ in sorted(cache.used.items(), key=repr):\n"
        "    served = cache.compile(pattern, flags)\n"
        "    if served != cache.original(pattern, flags):\n"
        "        sys.exit(f'differs: {pattern!r}')\n"
        "codecache.save()\n"
    )
    compiled_once(script, tmp_path, "patterns")


def test_an_edited_pattern_is_compiled_again(patterns) -> None:
    first = patterns()
    re.compile(r"colou?r")
    first.save()
    second = patterns()
    edited = re.compile(r"colou?rs?")
    assert second.compiled == 1
    assert edited.fullmatch("colours")
    assert re.compile(r"colou?r", re.IGNORECASE).match("COLOR")  # other flags: another entry
    assert second.compiled == 2


def test_a_program_the_engine_refuses_is_compiled_again(patterns, tmp_path: Path) -> None:
    first = patterns()
    re.compile(r"(?P<word>\w+)-(?P=word)")
    first.save()
    data = (tmp_path / "patterns.bin").read_bytes()
    magic = importlib.util.MAGIC_NUMBER
    tag, programs = marshal.loads(data[len(magic) :])
    ((key, program),) = programs.items()
    broken = (program[0], b"\xff\xff\xff\x7f" * (len(program[1]) // 4), *program[2:])
    (tmp_path / "patterns.bin").write_bytes(magic + marshal.dumps((tag, {key: broken})))

    second = patterns()
    assert second.known  # well formed, so loaded: the engine is what refuses it
    again = re.compile(r"(?P<word>\w+)-(?P=word)")
    assert second.compiled == 1
    assert again == compiled_as_re_does(r"(?P<word>\w+)-(?P=word)", 0)
    assert again.fullmatch("hop-hop") and not again.fullmatch("hop-hip")


@pytest.mark.parametrize(
    "contents",
    [
        "not a tuple",
        ("another interpreter", {("x", 0): (0, b"", 0, {}, ())}),
        (None, "not a dict"),
        ("THIS", {("x", 0): (0, [1, 2], 0, {}, ())}),  # code as a list: another format
        ("THIS", {("x", "0"): (0, b"", 0, {}, ())}),
        ("THIS", {"x": (0, b"", 0, {}, ())}),
    ],
)
def test_a_foreign_or_malformed_pattern_file_is_empty(
    patterns, tmp_path: Path, contents: object
) -> None:
    if isinstance(contents, tuple) and contents[0] in ("THIS", None):
        contents = (codecache.interpreter(), contents[1])
    path = tmp_path / "patterns.bin"
    path.write_bytes(importlib.util.MAGIC_NUMBER + marshal.dumps(contents))
    cache = patterns(path)
    assert cache.known == {}
    assert re.compile("x").match("x")
    assert cache.compiled == 1


def test_what_re_compiles_its_own_way_is_left_to_it(patterns) -> None:
    cache = patterns()
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        re.compile(r"a+b", re.DEBUG)  # prints its program: never served from a file
    assert "LITERAL" in printed.getvalue()
    assert cache.compiled == 0
    with pytest.raises(re.error) as raised:
        re.compile(r"(unclosed")
    assert "missing )" in str(raised.value)
    assert cache.compiled == 0 and not cache.known


def test_a_warning_of_the_parser_names_the_caller(patterns) -> None:
    patterns()
    with pytest.warns(FutureWarning, match="Possible nested set") as caught:
        re.compile(r"[[a-z]")
    assert caught[0].filename == __file__


def test_writers_add_to_what_the_file_holds(tmp_path: Path, monkeypatch) -> None:
    """A worker and the main process each write what they compiled: neither loses the other's."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path, original = tmp_path / "patterns.bin", codecache.PATTERNS.original
    main, worker = PatternCache(path, original), PatternCache(path, original)
    main.compile(r"main\d", 0)
    worker.compile(r"worker\d", 0)
    worker.save()
    main.save()
    kept = PatternCache(path).known
    assert {key for key, _ in kept} == {r"main\d", r"worker\d"}


def test_patterns_a_worker_compiled_are_served_to_the_next_run(tmp_path: Path) -> None:
    """A build whose lessons are compiled in worker processes: the patterns only they compile
    (Pygments' lexers, for a lesson's code) are in the file after it, and the next process
    compiles none of them."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "_index.md").write_text("---\ndeck: Workers\nnamespace: workers-test\n---\n")
    lesson = "# L{n}\n\n### Card {n}\n\n**Answer:**\n\n```python\ndef f{n}(x):\n    return x\n```\n"
    for n in (1, 2):
        (content / f"l{n}.md").write_text(lesson.format(n=n))
    env = user_env(tmp_path / "cache")
    build = ["-m", "generator", "build", str(content), "--out", str(tmp_path / "out"), "-j", "2"]
    built = subprocess.run(
        [sys.executable, *build], env=env, capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    script = (
        "from generator import codecache\n"
        "from pygments.lexers import PythonLexer\n"
        "list(PythonLexer().get_tokens('def f(x):\\n    return x\\n'))\n"
        "print(codecache.PATTERNS.compiled, len(codecache.PATTERNS.used))\n"
    )
    compiled, used = printed(script, env)
    assert compiled == 0 and used > 50
