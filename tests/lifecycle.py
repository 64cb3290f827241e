"""The loop users live: build, import, review, edit, rebuild, re-import — against real Anki."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection

from generator.kinds import REGISTRY, Registry
from generator.pipeline import BuildResult
from tests.anki_helpers import import_package
from tests.conftest import build_into

CARD_COLUMNS = "id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses, left, odue, odid"


@dataclass(frozen=True)
class Imported:
    """What one import did, keyed by ankigen note id (the ID field)."""

    new: set[str]
    updated: set[str]
    duplicate: set[str]
    conflicting: int


def note_ids_by_nid(col: Collection) -> dict[int, str]:
    return {nid: col.get_note(nid)["ID"] for nid in col.find_notes("")}


def build_and_import(
    col: Collection, content: Path, out: Path, *, now: int, registry: Registry = REGISTRY
) -> tuple[BuildResult, Imported]:
    result = build_into(content, out, now=now, registry=registry)
    assert result.output is not None, [d.format() for d in result.diagnostics.sorted()]
    log = import_package(col, result.output)
    ids = note_ids_by_nid(col)
    imported = Imported(
        new={ids[entry.id.nid] for entry in log.new},  # type: ignore[attr-defined]
        updated={ids[entry.id.nid] for entry in log.updated},  # type: ignore[attr-defined]
        duplicate={ids[entry.id.nid] for entry in log.duplicate},  # type: ignore[attr-defined]
        conflicting=len(log.conflicting),  # type: ignore[attr-defined]
    )
    return result, imported


def review_all(col: Collection, ease: int = 3) -> None:
    """Answer every card that has not been reviewed yet, as a learner would."""
    for card_id in col.find_cards("is:new"):
        card = col.get_card(card_id)
        card.start_timer()
        col.sched.answerCard(card, ease)  # type: ignore[attr-defined]


def scheduling(col: Collection) -> dict[int, tuple[object, ...]]:
    return {row[0]: tuple(row) for row in col.db.all(f"SELECT {CARD_COLUMNS} FROM cards")}


def review_log(col: Collection) -> list[tuple[object, ...]]:
    return [tuple(row) for row in col.db.all("SELECT * FROM revlog ORDER BY id")]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
