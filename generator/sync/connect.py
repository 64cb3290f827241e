"""A running Anki, through the AnkiConnect add-on (http://127.0.0.1:8765 by default).

AnkiConnect reads and changes notes by their id and has no way to read or set a GUID, which is
what identifies an ankigen note. So GUIDs are read from an export (`exportPackage`, with
scheduling) of every deck that holds cards of ankigen's note types, and new notes arrive through
`importPackage` of a package of just those notes, which keeps their GUIDs. Both files are
exchanged through a folder on this machine: Anki must run here. The export doubles as the
backup: it is kept in the backup folder when the sync changes anything.

AnkiConnect cannot rename a deck either: a deck is "renamed" by creating the new one with the
same options preset, moving every card of the old one and its subdecks, and deleting the old
decks once they are empty.
"""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.sync.held import HeldCard, HeldNote, HeldNoteType
from generator.sync.target import SCRATCH_PREFIX, TargetError

VERSION = 6
BATCH = 500
KEEP_BACKUPS = 5


class AnkiConnect:
    """A running Anki reached over AnkiConnect's HTTP API."""

    def __init__(self, url: str, api_key: str | None, backups: Path, timeout: float = 120) -> None:
        self.url, self.api_key, self.timeout = url, api_key, timeout
        self.where = f"Anki at {url} (AnkiConnect)"
        self.backups = backups
        self.folder: Path | None = None
        self.exports: list[Path] = []
        self.model_names: dict[int, str] = {}
        version = self.call("version")
        if not isinstance(version, int) or version < VERSION:
            raise TargetError(
                "ankiconnect-too-old",
                f"{self.where} speaks API version {version}; ankigen needs {VERSION} or later: "
                "update the add-on",
            )

    @property
    def scratch(self) -> Path:
        """The folder on this machine through which packages pass to and from Anki: made when
        first needed, so that a connection refused (or never used) leaves nothing behind."""
        if self.folder is None:
            try:
                self.folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
            except OSError as exc:
                raise TargetError(
                    "scratch-unwritable",
                    f"cannot make a temporary folder to exchange packages with Anki: "
                    f"{exc.strerror or exc} (set TMPDIR to a writable folder)",
                ) from exc
        return self.folder

    # --- the API -----------------------------------------------------------------------------

    def call(self, action: str, **params: object) -> Any:
        body: dict[str, object] = {"action": action, "version": VERSION, "params": params}
        if self.api_key:
            body["key"] = self.api_key
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TargetError(
                "ankiconnect-unreachable",
                f"no answer from AnkiConnect at {self.url} ({reason}): start Anki with the "
                "AnkiConnect add-on, or close Anki and sync into the collection file "
                "(--profile / --collection)",
            ) from exc
        except ValueError as exc:
            raise TargetError(
                "ankiconnect-bad-reply", f"{self.url} did not answer as AnkiConnect does"
            ) from exc
        if not isinstance(reply, dict) or "error" not in reply:
            raise TargetError(
                "ankiconnect-bad-reply", f"{self.url} did not answer as AnkiConnect does"
            )
        if reply["error"] is not None:
            error = str(reply["error"])
            if "valid api key" in error.lower():
                raise TargetError(
                    "ankiconnect-api-key",
                    f"{self.where} asks for an API key: give the one in the add-on's "
                    "configuration with --api-key",
                )
            raise TargetError("ankiconnect-error", f"{self.where} refused '{action}': {error}")
        return reply["result"]

    # --- reading -----------------------------------------------------------------------------

    def query(self, model_ids: Iterable[int]) -> str:
        return " OR ".join(f"mid:{model_id}" for model_id in model_ids)

    def guids(self, model_ids: Iterable[int]) -> dict[str, int]:
        wanted = list(model_ids)
        if not wanted:
            return {}
        notes = self.call("findNotes", query=self.query(wanted))
        if not notes:
            return {}
        cards = self.call("findCards", query=self.query(wanted))
        roots = sorted({name.split("::")[0] for name in self.card_decks(cards).values()})
        found: dict[str, int] = {}
        for number, root in enumerate(roots):
            path = self.scratch / f"export-{number}.apkg"
            done = self.call("exportPackage", deck=root, path=str(path), includeSched=True)
            if not done or not path.is_file():
                raise TargetError(
                    "ankiconnect-remote",
                    f"{self.where} could not export deck '{root}' to {path}: ankigen exchanges "
                    "files with Anki through this machine's disk, so Anki must run here",
                )
            self.exports.append(path)
            found.update(guids_in(path, set(wanted)))
        return found

    def card_decks(self, card_ids: Sequence[int]) -> dict[int, str]:
        decks: dict[int, str] = {}
        for start in range(0, len(card_ids), BATCH * 10):
            batch = list(card_ids[start : start + BATCH * 10])
            for name, members in self.call("getDecks", cards=batch).items():
                decks.update(dict.fromkeys(members, name))
        return decks

    def read_notes(self, note_ids: Sequence[int]) -> dict[int, HeldNote]:
        if not note_ids:
            return {}
        self.model_names = {int(mid): name for name, mid in self.call("modelNamesAndIds").items()}
        by_name = {name: mid for mid, name in self.model_names.items()}
        infos: list[dict[str, Any]] = []
        suspended: set[int] = set()
        for start in range(0, len(note_ids), BATCH):
            batch = list(note_ids[start : start + BATCH])
            infos.extend(info for info in self.call("notesInfo", notes=batch) if info)
            nids = ",".join(map(str, batch))
            suspended.update(self.call("findCards", query=f"nid:{nids} is:suspended"))
        decks = self.card_decks([cid for info in infos for cid in info["cards"]])
        notes = {}
        for info in infos:
            fields = sorted(info["fields"].items(), key=lambda item: item[1]["order"])
            notes[int(info["noteId"])] = HeldNote(
                id=int(info["noteId"]),
                model_id=by_name.get(info["modelName"], 0),
                mod=int(info.get("mod", 0)),
                fields={name: value["value"] for name, value in fields},
                tags=tuple(info["tags"]),
                cards=tuple(
                    HeldCard(int(cid), decks.get(cid, ""), cid in suspended)
                    for cid in info["cards"]
                ),
            )
        return notes

    def decks(self) -> set[str]:
        return set(self.call("deckNames"))

    def note_types(self, model_ids: Iterable[int]) -> dict[int, HeldNoteType]:
        names = {int(mid): name for name, mid in self.call("modelNamesAndIds").items()}
        wanted = [model_id for model_id in model_ids if model_id in names]
        if not wanted:
            return {}
        models = self.call("findModelsById", modelIds=wanted)
        return {
            int(model["id"]): HeldNoteType(
                model_id=int(model["id"]),
                name=str(model["name"]),
                fields=tuple(str(field["name"]) for field in model["flds"]),
                templates=tuple(
                    (str(t["name"]), str(t["qfmt"]), str(t["afmt"])) for t in model["tmpls"]
                ),
                css=str(model["css"]),
            )
            for model in models
        }

    # --- writing -----------------------------------------------------------------------------

    def backup(self) -> str:
        """The exports made to read GUIDs hold every note and its scheduling of those decks:
        kept as the backup (the newest few), importable with File › Import."""
        if not self.exports:
            return ""  # no deck held ankigen's notes: nothing of the course to lose
        self.backups.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        kept = []
        for number, export in enumerate(self.exports):
            target = self.backups / f"anki-{stamp}-{number}.apkg"
            shutil.copyfile(export, target)
            kept.append(target)
        old = sorted(self.backups.glob("anki-*.apkg"))
        for stale in old[: max(0, len(old) - KEEP_BACKUPS * len(self.exports))]:
            stale.unlink(missing_ok=True)
        return ", ".join(str(path) for path in kept)

    def model_name(self, model_id: int) -> str:
        if model_id not in self.model_names:
            self.model_names = {
                int(mid): name for name, mid in self.call("modelNamesAndIds").items()
            }
        return self.model_names[model_id]

    def update_note_type(
        self, model_id: int, templates: Sequence[tuple[str, str]], css: str
    ) -> None:
        name = self.model_name(model_id)
        (model,) = self.call("findModelsById", modelIds=[model_id])
        sides = {
            template["name"]: {"Front": front, "Back": back}
            for template, (front, back) in zip(model["tmpls"], templates, strict=False)
        }
        self.call("updateModelTemplates", model={"name": name, "templates": sides})
        self.call("updateModelStyling", model={"name": name, "css": css})

    def rename_deck(self, old: str, new: str) -> None:
        names = self.decks()
        family = sorted(
            (name for name in names if name == old or name.startswith(f"{old}::")),
            key=lambda name: name.count("::"),
        )
        for name in family:
            renamed = new + name[len(old) :]
            self.call("createDeck", deck=renamed)
            config = self.call("getDeckConfig", deck=name)
            if isinstance(config, dict) and "id" in config:
                self.call("setDeckConfigId", decks=[renamed], configId=config["id"])
            own = f'"deck:{quoted(name)}" -"deck:{quoted(name)}::*"'
            cards = self.call("findCards", query=own)
            if cards:
                self.call("changeDeck", cards=cards, deck=renamed)
        for name in reversed(family):
            if not self.call("findCards", query=f'"deck:{quoted(name)}"'):
                self.call("deleteDecks", decks=[name], cardsToo=True)

    def delete_empty_deck(self, name: str) -> bool:
        names = self.decks()
        if name not in names or any(other.startswith(f"{name}::") for other in names):
            return False
        if self.call("findCards", query=f'"deck:{quoted(name)}"'):
            return False
        self.call("deleteDecks", decks=[name], cardsToo=True)
        return True

    def missing_media(self, names: Iterable[str]) -> set[str]:
        return {name for name in names if not self.call("getMediaFilesNames", pattern=name)}

    def store_media(self, name: str, data: bytes) -> None:
        self.call("storeMediaFile", filename=name, data=base64.b64encode(data).decode("ascii"))

    def import_package(self, package: Path) -> None:
        local = self.scratch / package.name
        shutil.copyfile(package, local)
        if not self.call("importPackage", path=str(local)):
            raise TargetError("import-failed", f"{self.where} did not import {local}")

    def update_note(self, note_id: int, fields: Mapping[str, str], tags: Sequence[str]) -> None:
        self.call("updateNote", note={"id": note_id, "fields": dict(fields), "tags": list(tags)})

    def move_cards(self, card_ids: Sequence[int], deck: str) -> None:
        self.call("changeDeck", cards=list(card_ids), deck=deck)

    def suspend(self, card_ids: Sequence[int], *, suspend: bool) -> None:
        self.call("suspend" if suspend else "unsuspend", cards=list(card_ids))

    def delete_notes(self, note_ids: Sequence[int]) -> None:
        self.call("deleteNotes", notes=list(note_ids))

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def quoted(name: str) -> str:
    """A deck name inside a quoted search term: `"`, `*`, `_`, `\\` and `:` escaped."""
    out = []
    for char in name:
        if char in '\\"*_':
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def guids_in(package: Path, model_ids: set[int]) -> dict[str, int]:
    """GUID → note id of the notes of these note types in an exported package."""
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        inner = "collection.anki21" if "collection.anki21" in names else "collection.anki2"
        data = archive.read(inner)
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(data)
        rows = conn.execute("SELECT guid, id, mid FROM notes").fetchall()
    finally:
        conn.close()
    return {str(guid): int(nid) for guid, nid, mid in rows if int(mid) in model_ids}
