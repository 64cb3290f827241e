"""After an edit, a build looks up in the state only what the lessons it built ask for: the
options the cards it draws options for showed, and the state file's bytes once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.anki.state import NoteState, State
from generator.kinds.distractors import Shown
from tests.conftest import ROOT
from tests.test_cache import DAY, T0, run

OPTIONS = ("a", "b", "c")
LESSONS = "01-pretraining-and-fine-tuning"


def sample(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("ankigen.lock"))
    return content


def test_an_edit_build_reads_the_state_file_once_and_only_its_own_cards_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = sample(tmp_path)
    out = tmp_path / "out"
    assert run(content, out, T0).code == 0
    lock = out / "ankigen.lock"
    notes = json.loads(lock.read_text(encoding="utf-8"))["notes"].values()
    showed = {
        (tuple(note["options"]), note.get("answer_at", -1)) for note in notes if "options" in note
    }
    assert {note["source"] for note in notes if "options" in note} == {f"{LESSONS}/01-concepts.md"}
    reads: list[Path] = []
    read_bytes, read_text = Path.read_bytes, Path.read_text

    def counted_bytes(path: Path) -> bytes:
        reads.append(path)
        return read_bytes(path)

    def counted_text(path: Path, *args: object, **kwargs: object) -> str:
        reads.append(path)
        return read_text(path, *args, **kwargs)  # type: ignore[arg-type]

    made: list[tuple[object, ...]] = []

    def shown(*args: object) -> Shown:
        made.append(args)
        return Shown(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_bytes", counted_bytes)
    monkeypatch.setattr(Path, "read_text", counted_text)
    monkeypatch.setattr(pipeline, "Shown", shown)
    recall = content / LESSONS / "02-recall.md"
    text = recall.read_text(encoding="utf-8")
    recall.write_text(text.replace("general patterns", "broad patterns", 1), encoding="utf-8")
    edited = run(content, out, T0 + DAY)
    assert edited.code == 0, edited.stderr
    # Once by the build (which then writes it), once by `run`, to show it.
    assert reads.count(lock) == 2
    # 02-recall.md was built again (for this build, and planned for the next); none of its
    # cards showed options, and those that did were kept.
    assert made == []
    recall.write_text(recall.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    concepts = content / LESSONS / "01-concepts.md"
    concepts.write_text(concepts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run(content, out, T0 + 2 * DAY).code == 0
    # Built again: its cards' options are looked up (for this build and the next).
    assert set(made) == showed


def test_the_history_holds_what_each_card_showed_found_without_case() -> None:
    def note(options: tuple[str, ...] = (), *, removed: bool = False) -> NoteState:
        return NoteState(
            guid="g",
            nid=1,
            hash="h",
            mod=1,
            deck="D",
            construct="choice",
            note_type="choice",
            options=options,
            answer_at=1 if options else -1,
            removed=removed,
        )

    notes = {"Topic/Shown": note(OPTIONS), "plain": note(), "gone": note(OPTIONS, removed=True)}
    history = pipeline.history_of(State(notes=notes).by_key())
    assert dict(history.shown) == {"topic/shown": Shown(OPTIONS, 1)}
    assert len(history.shown) == 1
    assert history.shown.get("topic/shown") == Shown(OPTIONS, 1)
    assert history.shown.get("plain") is None and history.shown.get("gone") is None
    assert history.shown.get("Topic/Shown") is None  # asked by the folded id
    assert set(history.notes) == {"topic/shown", "plain", "gone"}
    assert pipeline.history_of(None).shown == {}
