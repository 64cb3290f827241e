"""`ankigen sync` into real Anki desktop (aqt on Xvfb) through the real AnkiConnect add-on,
loaded from ../shared/ankiconnect/ at test time. One Anki for the module: the story a learner
lives with Anki open, then what goes wrong (the collection file while Anki has it, a wrong API
key). Skipped, with the reason, where the add-on, Xvfb or aqt is missing."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.anki.plan import REMOVED_TAG
from generator.cli import main
from generator.sync.plan import Action
from generator.sync.run import SyncConfig, SyncResult, session
from tests.ankiconnect import RunningAnki, missing, running_anki
from tests.conftest import FIXTURES
from tests.lifecycle import edit
from tests.sync_helpers import run_sync, sync_config
from tests.test_regeneration import changed_templates

REASON = missing()
pytestmark = [
    pytest.mark.ankiconnect,
    pytest.mark.skipif(REASON is not None, reason=REASON or ""),
]

T1, T2, T3, T4 = (1_800_000_000 + day * 86_400 for day in range(4))
CARDS = Path("10-basics") / "cards.md"
SCHEDULING = ("interval", "due", "reps", "lapses", "type", "factor", "left")


@pytest.fixture(scope="module")
def anki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAnki]:
    folder = tmp_path_factory.mktemp("ankiconnect")
    with running_anki(folder / "base", folder / "anki.log") as running:
        yield running


def config(anki: RunningAnki, course: Path, out: Path, now: int, **options: Any) -> SyncConfig:
    made = sync_config(course, out, now=now, url=anki.url, **options)
    return dataclasses.replace(made, api_key=anki.api_key, backups=out / "backups")


def note_of(anki: RunningAnki, note_id: str, deck: str) -> dict[str, Any]:
    (nid,) = anki.call("findNotes", query=f'"ID:{note_id}" "deck:{deck}*"')
    (info,) = anki.call("notesInfo", notes=[nid])
    return dict(info)


def scheduling(anki: RunningAnki, cards: list[int]) -> dict[int, tuple[object, ...]]:
    return {
        info["cardId"]: tuple(info[key] for key in SCHEDULING)
        for info in anki.call("cardsInfo", cards=cards)
    }


def test_the_learners_story_with_anki_open(anki: RunningAnki, tmp_path: Path) -> None:
    course, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(FIXTURES / "course", course)
    first = run_sync(config(anki, course, out, T1))
    assert first.plan is not None and first.plan.count(Action.ADD) == 30
    assert first.where.startswith("Anki at http://127.0.0.1:")
    cards = anki.call("findCards", query='"deck:Fixture Course"')
    assert len(cards) == 30  # one card per note in this course
    # The learner studies every card, and rewords one answer in Anki.
    anki.call("answerCards", answers=[{"cardId": card, "ease": 3} for card in cards])
    before = scheduling(anki, cards)
    capital = note_of(anki, "fx-capital", "Fixture Course")
    anki.call("updateNoteFields", note={"id": capital["noteId"], "fields": {"Answer": "Paris!!"}})
    # The author renames the course, moves a lesson, removes a card, edits another, restyles.
    edit(course / "_index.md", "deck: Fixture Course", "deck: Physics and More")
    edit(course / CARDS, "4 = 2 × 2 and 9 = 3 × 3.", "4 = 2 × 2, and 9 = 3 × 3.")
    edit(course / CARDS, "Paris has been the capital", "Paris is the capital")
    (course / "20-more-topics" / "cards.md").write_bytes((course / CARDS).read_bytes())
    (course / CARDS).unlink()
    review = course / "20-more-topics" / "review.md"
    text = review.read_text(encoding="utf-8")
    start = text.index("### Analogy:")
    end = text.index("### ", start + 4)
    review.write_text(text[:start] + text[end:], encoding="utf-8")
    registry = changed_templates(tmp_path / "templates")

    second = run_sync(config(anki, course, out, T2, registry=registry))

    plan = second.plan
    assert plan is not None
    assert plan.renames == [("Fixture Course", "Physics and More")]
    assert [s.id for s in plan.steps if s.action is Action.CONFLICT] == ["fx-capital"]
    assert [s.id for s in plan.steps if s.action is Action.UPDATE] == ["fx-primes"]
    suspended = [s.id for s in plan.steps if s.action is Action.SUSPEND]
    assert len(suspended) == 5 and all(i.startswith("fx-circuit") for i in suspended)
    assert plan.moves and plan.note_types
    assert Path(second.applied.backup.split(", ")[0]).is_file()  # type: ignore[union-attr]
    decks = anki.call("deckNames")
    assert not [d for d in decks if d.startswith("Fixture Course")]
    moved = anki.call("findCards", query='"ID:fx-primes" -"deck:CLI Course*"')
    assert set(anki.call("getDecks", cards=moved)) == {"Physics and More::More topics"}
    assert note_of(anki, "fx-capital", "Physics and More")["fields"]["Answer"]["value"] == "Paris!!"
    primes = note_of(anki, "fx-primes", "Physics and More")
    assert "4 = 2 × 2, and" in primes["fields"]["Explanation"]["value"]
    gone = anki.call("findNotes", query=f"tag:{REMOVED_TAG}")
    assert len(gone) == 5
    gone_cards = [card for info in anki.call("notesInfo", notes=gone) for card in info["cards"]]
    assert all(anki.call("areSuspended", cards=gone_cards))
    # Reviews are untouched by all of it.
    after = scheduling(anki, [card for card in cards if card in set(before)])
    assert after == {card: before[card] for card in after}
    styling = anki.call("modelStyling", modelName="ankigen Reveal")
    assert ".ak-lifecycle-marker" in styling["css"]
    assert not [name for name in anki.call("modelNames") if name.endswith("+")]

    # Nothing left to do, then the learner asks for the removed note to go.
    third = run_sync(config(anki, course, out, T3, registry=registry))
    assert third.plan is not None and not third.plan.writes
    fourth = run_sync(config(anki, course, out, T4, registry=registry, delete=True))
    assert fourth.plan is not None and fourth.plan.count(Action.DELETE) == 5
    assert not anki.call("findNotes", query=f"tag:{REMOVED_TAG}")


def test_the_collection_file_of_a_running_anki_is_refused(
    anki: RunningAnki, tmp_path: Path
) -> None:
    course = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", course)
    made = sync_config(course, tmp_path / "out", now=T1, collection=anki.collection)
    with session(made) as result:
        pass
    (error,) = result.diagnostics.errors
    assert error.code == "collection-in-use"
    assert "AnkiConnect" in error.message


def test_a_wrong_api_key_is_named(anki: RunningAnki, tmp_path: Path) -> None:
    course = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", course)
    made = dataclasses.replace(
        sync_config(course, tmp_path / "out", now=T1, url=anki.url), api_key="wrong"
    )
    result: SyncResult
    with session(made) as result:
        pass
    (error,) = result.diagnostics.errors
    assert error.code == "ankiconnect-api-key" and "--api-key" in error.message


def test_cli_over_ankiconnect(anki: RunningAnki, tmp_path: Path) -> None:
    course, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(FIXTURES / "course", course)
    edit(course / "_index.md", "namespace: fixture-course-1", "namespace: cli-course")
    edit(course / "_index.md", "deck: Fixture Course", "deck: CLI Course")
    args = ["sync", str(course), "--url", anki.url, "--api-key", anki.api_key]
    args += ["--out", str(out), "--lock", str(out / "ankigen.lock")]
    dry = CliRunner().invoke(main, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "sync: 30 new" in dry.output and "dry run: nothing changed" in dry.output
    assert "CLI Course" not in anki.call("deckNames")
    done = CliRunner().invoke(main, [*args, "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["ok"] and report["changes"]["add"] == 30
    assert report["collection"].startswith("Anki at ")
    assert "CLI Course::Basics" in anki.call("deckNames")
