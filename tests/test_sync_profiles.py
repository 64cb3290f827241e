"""Finding the collection file: Anki's base folder on each platform, its profiles, the one Anki
opened last."""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path

import pytest

from generator.sync.profiles import base_folder, find_collection, last_profile, profiles
from generator.sync.target import TargetError


def test_base_folder_per_platform(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert base_folder({"ANKI_BASE": "/x/Anki"}, "linux") == Path("/x/Anki")
    assert base_folder({"XDG_DATA_HOME": "/data"}, "linux") == Path("/data/Anki2")
    assert base_folder({}, "linux") == tmp_path / ".local" / "share" / "Anki2"
    assert base_folder({}, "darwin") == tmp_path / "Library" / "Application Support" / "Anki2"
    assert base_folder({"APPDATA": "C:/Users/me/AppData/Roaming"}, "win32") == Path(
        "C:/Users/me/AppData/Roaming/Anki2"
    )


class NotPlain:
    """Stands for the Qt objects Anki pickles into its preferences."""


def anki_base(tmp_path: Path, names: list[str], last: str | None) -> Path:
    base = tmp_path / "Anki2"
    base.mkdir()
    with sqlite3.connect(base / "prefs21.db") as db:
        db.execute("create table profiles (name text primary key collate nocase, data blob)")
        meta = {"last_loaded_profile_name": last, "geometry": NotPlain()}
        db.execute("insert into profiles values ('_global', ?)", (pickle.dumps(meta),))
        for name in names:
            db.execute("insert into profiles values (?, ?)", (name, pickle.dumps({})))
            (base / name).mkdir()
            (base / name / "collection.anki2").write_bytes(b"")
    return base


def test_the_only_profile_is_used(tmp_path: Path) -> None:
    base = anki_base(tmp_path, ["User 1"], None)
    assert find_collection(None, base) == base / "User 1" / "collection.anki2"


def test_several_profiles_use_the_last_opened_or_the_one_named(tmp_path: Path) -> None:
    base = anki_base(tmp_path, ["Alice", "Bob"], "Bob")
    assert profiles(base) == ["Alice", "Bob"]
    assert last_profile(base) == "Bob"
    assert find_collection(None, base) == base / "Bob" / "collection.anki2"
    assert find_collection("alice", base) == base / "Alice" / "collection.anki2"


def test_unknown_or_ambiguous_profiles_are_named(tmp_path: Path) -> None:
    base = anki_base(tmp_path, ["Alice", "Bob"], None)
    with pytest.raises(TargetError) as ambiguous:
        find_collection(None, base)
    assert ambiguous.value.code == "profile-ambiguous"
    assert "Alice, Bob" in ambiguous.value.message and "--profile" in ambiguous.value.message
    with pytest.raises(TargetError) as unknown:
        find_collection("Carol", base)
    assert unknown.value.code == "profile-not-found" and "--collection" in unknown.value.message


def test_no_anki_at_all(tmp_path: Path) -> None:
    with pytest.raises(TargetError) as missing:
        find_collection(None, tmp_path / "nothing")
    assert missing.value.code == "profile-not-found"
