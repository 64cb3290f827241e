"""The collection file, opened with Anki's own library (the `anki` package, an optional
dependency: `pip install 'ankigen[anki]'`), while Anki is closed. Every change goes through the
library's own calls, as Anki desktop makes them; the collection is backed up first with Anki's
own backup, into the profile's `backups` folder where Anki keeps its others."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.sync.held import HeldCard, HeldNote, HeldNoteType
from generator.sync.target import TargetError

if TYPE_CHECKING:
    from anki.collection import Collection
    from anki.dbproxy import DBProxy

INSTALL = "pip install 'ankigen[anki]'"


def ids(values: Iterable[int]) -> str:
    return "(" + ",".join(str(int(value)) for value in values) + ")"


def readable(path: Path) -> str:
    """'locked' when another program holds the collection, 'ok' when it reads as a collection,
    else what is wrong with it."""
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=0)) as db:
            db.execute("select count() from col").fetchone()
    except sqlite3.OperationalError as exc:
        return "locked" if "locked" in str(exc) else str(exc)
    except sqlite3.Error as exc:
        return str(exc)
    return "ok"


IN_USE = (
    "is open in Anki: close Anki and sync again, or sync into the running Anki through the "
    "AnkiConnect add-on (install it from AnkiWeb, code 2055492159; then `ankigen sync` finds "
    "it, or give --url)"
)


class CollectionFile:
    """A collection file on disk, opened for the length of one sync."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        if not path.is_file():
            raise TargetError("collection-not-found", f"{path}: no collection file there")
        if readable(path) == "locked":
            raise TargetError("collection-in-use", f"{path} {IN_USE}")
        try:
            from anki.collection import Collection  # noqa: PLC0415 - optional dependency
        except ImportError as exc:
            raise TargetError(
                "anki-package-missing",
                f"opening a collection file needs Anki's library: {INSTALL} (or sync into a "
                "running Anki with the AnkiConnect add-on)",
            ) from exc
        try:
            self.col: Collection = Collection(str(path))
        except Exception as exc:
            # Anki holds its collection with an exclusive lock once it has written to it, and
            # before that with one that lets others read but not open it as Anki does.
            state = readable(path)
            if state in ("ok", "locked"):
                raise TargetError("collection-in-use", f"{path} {IN_USE}") from exc
            raise TargetError(
                "collection-unreadable",
                f"{path}: Anki's library cannot open it ({state}); restore it from Anki's "
                "backups (File › Switch Profile › Open Backup)",
            ) from exc
        self.deck_names = {entry.id: entry.name for entry in self.col.decks.all_names_and_ids()}

    @property
    def db(self) -> DBProxy:
        db = self.col.db
        assert db is not None, "the collection is closed"
        return db

    # --- reading -----------------------------------------------------------------------------

    def guids(self, model_ids: Iterable[int]) -> dict[str, int]:
        rows = self.db.all(f"select guid, id from notes where mid in {ids(model_ids)}")
        return {str(guid): int(nid) for guid, nid in rows}

    def read_notes(self, note_ids: Sequence[int]) -> dict[int, HeldNote]:
        if not note_ids:
            return {}
        names = {entry.id: entry.name for entry in self.col.decks.all_names_and_ids()}
        cards: dict[int, list[HeldCard]] = {}
        for cid, nid, did, queue in self.db.all(
            f"select id, nid, did, queue from cards where nid in {ids(note_ids)} order by ord"
        ):
            cards.setdefault(nid, []).append(HeldCard(cid, names.get(did, ""), queue == -1))
        fields_of: dict[int, list[str]] = {}
        notes = {}
        for nid, mid, mod, flds, tags in self.db.all(
            f"select id, mid, mod, flds, tags from notes where id in {ids(note_ids)}"
        ):
            if mid not in fields_of:
                model = self.col.models.get(mid)
                fields_of[mid] = [field["name"] for field in model["flds"]] if model else []
            values = str(flds).split("\x1f")
            notes[int(nid)] = HeldNote(
                id=int(nid),
                model_id=int(mid),
                mod=int(mod),
                fields=dict(zip(fields_of[mid], values, strict=False)),
                tags=tuple(str(tags).split()),
                cards=tuple(cards.get(nid, ())),
            )
        return notes

    def decks(self) -> set[str]:
        return {entry.name for entry in self.col.decks.all_names_and_ids()}

    def note_types(self, model_ids: Iterable[int]) -> dict[int, HeldNoteType]:
        found = {}
        for model_id in model_ids:
            model = self.col.models.get(model_id)  # type: ignore[arg-type]
            if model is None:
                continue
            found[model_id] = held_note_type(model_id, model)
        return found

    # --- writing -----------------------------------------------------------------------------

    def backup(self) -> str:
        folder = self.path.parent / "backups"
        folder.mkdir(exist_ok=True)
        try:
            self.col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True)
        except Exception as exc:
            raise TargetError(
                "backup-failed",
                f"Anki could not back up {self.path} into {folder} ({exc}); nothing was changed",
            ) from exc
        made = sorted(folder.glob("*.colpkg"), key=lambda path: path.stat().st_mtime)
        return str(made[-1]) if made else str(folder)

    def update_note_type(
        self, model_id: int, templates: Sequence[tuple[str, str]], css: str
    ) -> None:
        model = self.col.models.get(model_id)  # type: ignore[arg-type]
        assert model is not None
        for template, (front, back) in zip(model["tmpls"], templates, strict=False):
            template["qfmt"], template["afmt"] = front, back
        model["css"] = css
        self.col.models.update_dict(model)

    def rename_deck(self, old: str, new: str) -> None:
        deck_id = self.col.decks.id_for_name(old)
        assert deck_id is not None
        self.col.decks.rename(deck_id, new)

    def delete_empty_deck(self, name: str) -> bool:
        deck_id = self.col.decks.id_for_name(name)
        if deck_id is None or self.col.decks.children(deck_id):
            return False
        if self.db.scalar(f"select count() from cards where did = {deck_id} or odid = {deck_id}"):
            return False
        self.col.decks.remove([deck_id])
        return True

    def missing_media(self, names: Iterable[str]) -> set[str]:
        return {name for name in names if not self.col.media.have(name)}

    def store_media(self, name: str, data: bytes) -> None:
        self.col.media.write_data(name, data)

    def import_package(self, package: Path) -> None:
        from anki.collection import (  # noqa: PLC0415 - optional dependency
            ImportAnkiPackageOptions,
            ImportAnkiPackageRequest,
        )

        request = ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions()
        )
        log = self.col.import_anki_package(request).log
        if log.conflicting:
            raise TargetError(
                "import-conflict",
                f"Anki refused {len(log.conflicting)} new note(s) as conflicting with its note "
                "types; nothing else was added",
            )

    def update_note(self, note_id: int, fields: Mapping[str, str], tags: Sequence[str]) -> None:
        note = self.col.get_note(note_id)  # type: ignore[arg-type]
        for name, value in fields.items():
            note[name] = value
        note.tags = list(tags)
        self.col.update_note(note)

    def move_cards(self, card_ids: Sequence[int], deck: str) -> None:
        deck_id = self.col.decks.id(deck, create=True)
        assert deck_id is not None
        self.col.set_deck(list(card_ids), deck_id)  # type: ignore[arg-type]

    def suspend(self, card_ids: Sequence[int], *, suspend: bool) -> None:
        if suspend:
            self.col.sched.suspend_cards(list(card_ids))  # type: ignore[arg-type]
        else:
            self.col.sched.unsuspend_cards(list(card_ids))  # type: ignore[arg-type]

    def delete_notes(self, note_ids: Sequence[int]) -> None:
        self.col.remove_notes(list(note_ids))  # type: ignore[arg-type]

    def close(self) -> None:
        self.col.close()


def held_note_type(model_id: int, model: Mapping[str, Any]) -> HeldNoteType:
    return HeldNoteType(
        model_id=model_id,
        name=str(model["name"]),
        fields=tuple(str(field["name"]) for field in model["flds"]),
        templates=tuple(
            (str(template["name"]), str(template["qfmt"]), str(template["afmt"]))
            for template in model["tmpls"]
        ),
        css=str(model["css"]),
    )
