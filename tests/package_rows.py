"""Unpack an .apkg into plain rows, for golden fixtures and byte-level checks."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any


def read_rows(package: Path) -> dict[str, Any]:
    """Notes (with field names), note types and decks, in a stable order."""
    with zipfile.ZipFile(package) as archive, tempfile.TemporaryDirectory() as tmp:
        names = archive.namelist()
        db_path = Path(tmp) / "collection.anki2"
        db_path.write_bytes(archive.read("collection.anki2"))
        media = json.loads(archive.read("media"))
        conn = sqlite3.connect(db_path)
        try:
            models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
            models = json.loads(models_json)
            decks = json.loads(decks_json)
            deck_names = {int(k): v["name"] for k, v in decks.items()}
            notes = []
            query = (
                "SELECT n.guid, n.mid, n.tags, n.flds, c.did, c.ord, n.mod"
                " FROM notes n JOIN cards c ON c.nid = n.id ORDER BY c.due, c.ord"
            )
            for guid, mid, tags, flds, did, ord_, _mod in conn.execute(query):
                model = models[str(mid)]
                field_names = [f["name"] for f in model["flds"]]
                notes.append(
                    {
                        "guid": guid,
                        "note_type": model["name"],
                        "deck": deck_names[did],
                        "card_ord": ord_,
                        "tags": tags.split(),
                        "fields": dict(zip(field_names, flds.split("\x1f"), strict=True)),
                    }
                )
        finally:
            conn.close()
    return {
        "entries": names,
        "media": media,
        "decks": sorted(v["name"] for v in decks.values()),
        "note_types": sorted(
            (
                {
                    "id": int(m["id"]),
                    "name": m["name"],
                    "fields": [[f["name"], f.get("id")] for f in m["flds"]],
                    "templates": [[t["name"], t.get("id")] for t in m["tmpls"]],
                }
                for m in models.values()
            ),
            key=lambda m: m["id"],
        ),
        "notes": notes,
    }
