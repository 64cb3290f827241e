"""Where Anki keeps its collections: the base folder (`ANKI_BASE`, else the platform's default,
as Anki desktop itself decides) and the profiles in it, each a folder holding
`collection.anki2`."""

from __future__ import annotations

import io
import os
import pickle
import sqlite3
import sys
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

from generator.sync.target import TargetError

COLLECTION = "collection.anki2"


def base_folder(environ: dict[str, str] | None = None, platform: str | None = None) -> Path:
    """Anki's base folder on this machine (aqt.profiles.ProfileManager._default_base)."""
    env = os.environ if environ is None else environ
    if env.get("ANKI_BASE"):
        return Path(env["ANKI_BASE"])
    platform = platform or sys.platform
    if platform.startswith("win"):
        return Path(env.get("APPDATA", str(Path.home() / "AppData" / "Roaming"))) / "Anki2"
    if platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Anki2"
    data = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "Anki2"


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def profiles(base: Path) -> list[str]:
    """Profile names with a collection, as Anki lists them (prefs21.db), else the folders."""
    names: list[str] = []
    prefs = base / "prefs21.db"
    if prefs.is_file():
        with suppress(sqlite3.Error), closing(read_only(prefs)) as db:
            rows = db.execute("select name from profiles where name != '_global'")
            names = [row[0] for row in rows]
    if not names and base.is_dir():
        names = [entry.name for entry in base.iterdir() if (entry / COLLECTION).is_file()]
    return sorted(name for name in names if (base / name / COLLECTION).is_file())


class _Placeholder:
    """Stands in for anything in Anki's preferences that is not plain data (Qt objects)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __setstate__(self, state: object) -> None:
        pass


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        return _Placeholder


def last_profile(base: Path) -> str | None:
    """The profile Anki opened last, from its preferences."""
    prefs = base / "prefs21.db"
    if not prefs.is_file():
        return None
    try:
        with closing(read_only(prefs)) as db:
            query = "select cast(data as blob) from profiles where name = '_global'"
            row = db.execute(query).fetchone()
    except sqlite3.Error:
        return None
    if row is None:
        return None
    try:
        meta = _PlainUnpickler(io.BytesIO(row[0])).load()
    except Exception:  # a preferences file we cannot read names no profile
        return None
    name = meta.get("last_loaded_profile_name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else None


def find_collection(profile: str | None, base: Path | None = None) -> Path:
    """The collection file of `profile`, or of the only (or last used) profile."""
    base = base or base_folder()
    names = profiles(base)
    if profile is not None:
        match = [name for name in names if name.casefold() == profile.casefold()]
        if not match:
            known = ", ".join(names) or "none"
            raise TargetError(
                "profile-not-found",
                f"no Anki profile '{profile}' in {base} (profiles: {known}); set ANKI_BASE to "
                "Anki's folder, or give the file with --collection PATH",
            )
        return base / match[0] / COLLECTION
    if not names:
        raise TargetError(
            "profile-not-found",
            f"no Anki profile found in {base}: start Anki once, set ANKI_BASE to Anki's folder, "
            "or give the file with --collection PATH",
        )
    if len(names) == 1:
        return base / names[0] / COLLECTION
    last = last_profile(base)
    if last in names:
        return base / last / COLLECTION
    raise TargetError(
        "profile-ambiguous",
        f"several Anki profiles in {base} ({', '.join(names)}): choose one with --profile NAME",
    )
