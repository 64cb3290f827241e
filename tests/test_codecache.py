"""The dataclasses' compiled methods kept between runs (generator.codecache)."""

from __future__ import annotations

import dataclasses
import importlib.util
import marshal
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from generator import codecache, files
from generator.codecache import CodeCache

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
        "print(codecache.CACHE.compiled, len(codecache.CACHE.used))\n"
        "codecache.save()\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def run() -> tuple[int, int]:
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        compiled, used = done.stdout.split()
        return int(compiled), int(used)

    first = run()
    assert first[0] == first[1] > 100
    assert list((tmp_path / "ankigen").glob("dataclasses.*.bin"))
    assert run() == (0, first[1])
