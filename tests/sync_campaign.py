"""The campaign (tests/campaign.py) lived through `ankigen sync` instead of build and import:
the same random edits of the sources, plus a learner who edits notes in Anki, and now and then
a sync with --delete or --force. After every sync, against the collection with its reviews:

- every note of the sources is in Anki exactly once among live notes (not tagged removed);
- every card Anki had keeps its scheduling (its deck may change, a removed note's cards are
  suspended, a deleted note's cards are gone) and the review log only grows;
- every card of a live note is in the note's deck (moved cards end in the new deck);
- every removed note Anki still has is suspended and tagged, unless a --delete sync deleted it;
- a learner's edit is still there unless a --force sync replaced it (such a note is otherwise
  left as it is); every other live note has the fields the build made;
- no note type is copied (`Name+`), and the note types carry the current templates;
- no deck is left empty (a deck a move or rename emptied is deleted).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from anki.collection import Collection

from generator.anki.plan import REMOVED_TAG, Status
from generator.sync.run import SyncResult
from tests.campaign import Campaign
from tests.sync_helpers import run_sync, sync_config

LEARNER_FIELDS = ("Back", "Answer", "Explanation", "BackExtra", "Extra", "Hint", "Text")
"""Fields a learner might reword (the first one a note has, and that is not empty)."""


@dataclass
class SyncCampaign(Campaign):
    """A Campaign whose steps are syncs into a collection file that is closed between them."""

    path: Path = field(default=Path())
    learner: dict[str, tuple[str, str]] = field(default_factory=dict)
    """GUID → (field, value) the learner wrote in Anki and that no --force sync replaced."""
    syncs: int = 0
    renamed: int = 0
    """Decks the syncs renamed."""
    deleted_guids: set[str] = field(default_factory=set)

    def edits(self) -> dict[str, Callable[[], str | None]]:
        table = dict(super().edits())
        # Without its state file a sync cannot tell an edit in Anki from one in the sources,
        # and keeps every difference as the learner's: that case has tests of its own.
        del table["delete state file"]
        table["learner edits in Anki"] = self.learner_edit
        table["learner edits in Anki again"] = self.learner_edit
        table["rename course deck"] = self.rename_course_deck
        table["rename a folder's deck"] = self.rename_folder_deck
        table["rename course deck and move lesson"] = self.rename_and_move
        table["sync --force"] = self.forced
        table["sync --delete"] = self.deleting
        return table

    # --- steps ------------------------------------------------------------------------------

    def step(self, what: str, *, delete: bool = False, force: bool = False) -> None:
        self.history.append(what)
        self.clock += self.rng.choice([1, 60, 86_400])
        before_cards, before_log = self.cards(), self.log()
        self.col.close()
        config = sync_config(
            self.content,
            self.out,
            now=self.clock,
            collection=self.path,
            registry=self.registry,
            delete=delete,
            force=force,
        )
        try:
            result = run_sync(config)
        finally:
            self.col = Collection(str(self.path))
        self.syncs += 1
        assert result.plan is not None
        self.renamed += len(result.plan.renames)
        self.check_sync(result, before_cards, before_log, delete=delete, force=force)
        assert not self.violations, (self.where(), self.violations)

    def review(self) -> None:
        """The learner studies new cards; suspended ones (removed notes) are not shown."""
        for card_id in self.col.find_cards("is:new -is:suspended")[:20]:
            card = self.col.get_card(card_id)
            card.start_timer()
            self.col.sched.answerCard(card, self.rng.choice([1, 2, 3, 4]))  # type: ignore[attr-defined]

    def forced(self) -> str | None:
        if not self.learner:
            return None
        self.step("sync --force", force=True)
        return None

    def deleting(self) -> str | None:
        if not self.col.find_notes(f"tag:{REMOVED_TAG}"):
            return None
        self.step("sync --delete", delete=True)
        return None

    def rename_course_deck(self) -> str | None:
        index = self.content / "_index.md"
        text = index.read_text(encoding="utf-8")
        old = re.search(r"^deck: (.+)$", text, re.M)
        assert old is not None
        new = f"Course {self.fresh()}"
        index.write_text(text.replace(old.group(0), f"deck: {new}", 1), encoding="utf-8")
        return f"{old.group(1)} → {new}"

    def rename_and_move(self) -> str | None:
        moved = self.move_lesson()
        if moved is None:
            return None
        return f"{self.rename_course_deck()}; {moved}"

    def rename_folder_deck(self) -> str | None:
        folders = sorted({lesson.parent for lesson in self.lessons()} - {self.content})
        if not folders:
            return None
        folder = self.rng.choice(folders)
        index = folder / "_index.md"
        name = f"Topic {self.fresh()}"
        if index.exists():
            text = index.read_text(encoding="utf-8")
            if re.search(r"^deck: .+$", text, re.M):
                text = re.sub(r"^deck: .+$", f"deck: {name}", text, count=1, flags=re.M)
            else:
                text = text.replace("---\n", f"---\ndeck: {name}\n", 1)
        else:
            text = f"---\ndeck: {name}\n---\n"
        index.write_text(text, encoding="utf-8")
        return f"{folder.name} → {name}"

    def learner_edit(self) -> str | None:
        nids = self.col.find_notes(f"-tag:{REMOVED_TAG}")
        if not nids:
            return None
        note = self.col.get_note(self.rng.choice(nids))
        names = set(note.keys())
        name = next((n for n in LEARNER_FIELDS if n in names and note[n]), None)
        if name is None:
            return None
        value = note[name] + f" <i>my own words {self.fresh()}</i>"
        note[name] = value
        self.col.update_note(note)
        self.learner[note.guid] = (name, value)
        return f"{note['ID']}: {name}"

    # --- invariants -------------------------------------------------------------------------

    def check_sync(
        self,
        result: SyncResult,
        before_cards: dict[int, tuple[object, ...]],
        before_log: list[tuple[object, ...]],
        *,
        delete: bool,
        force: bool,
    ) -> None:
        problems = self.violations
        build = result.build.plan
        assert build is not None
        if force:
            self.learner.clear()
        removed = {
            planned.guid
            for change, planned in zip(build.changes, build.notes, strict=True)
            if change.status is Status.REMOVED
        }
        if delete:
            self.deleted_guids |= removed
        live_guids = {
            planned.guid: (planned, change)
            for change, planned in zip(build.changes, build.notes, strict=True)
            if change.status is not Status.REMOVED
        }
        rows = self.col.db.all("select id, guid from notes")
        nid_of = {guid: nid for nid, guid in rows}
        after = self.cards()
        # Scheduling: columns but deck (moves) and queue (suspension) never change.
        kept = (0, 1, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13)
        removed_nids = {nid_of[g] for g in removed if g in nid_of}
        for card_id, row in before_cards.items():
            now = after.get(card_id)
            if now is None:
                if row[1] not in removed_nids and not delete:
                    problems.append(f"card {card_id} disappeared")
                continue
            if [row[i] for i in kept] != [now[i] for i in kept]:
                problems.append(f"card {card_id} lost scheduling: {row} → {now}")
        if self.log()[: len(before_log)] != before_log:
            problems.append("the review log lost or changed rows")
        names = [model["name"] for model in self.col.models.all()]
        if any(name.endswith("+") for name in names):
            problems.append(f"note type copies: {names}")
        # Live notes: once each, in their deck, with the build's fields or the learner's.
        live: dict[str, list[int]] = {}
        for nid in self.col.find_notes(f"-tag:{REMOVED_TAG}"):
            live.setdefault(self.col.get_note(nid)["ID"].casefold(), []).append(nid)
        built = {note.meta.id.casefold(): note for note in result.build.notes}
        if set(live) != set(built):
            problems.append(
                f"live notes in Anki {sorted(set(live) - set(built))} not in the sources, "
                f"{sorted(set(built) - set(live))} missing"
            )
        decks = {d.id: d.name for d in self.col.decks.all_names_and_ids()}
        for guid, (planned, change) in live_guids.items():
            nid = nid_of.get(guid)
            if nid is None:
                problems.append(f"note '{change.id}' is not in Anki")
                continue
            note = self.col.get_note(nid)
            for card in note.cards():
                if decks[card.did] != planned.deck:
                    problems.append(
                        f"card of '{change.id}' in '{decks[card.did]}', not '{planned.deck}'"
                    )
                if card.queue == -1:
                    problems.append(f"card of live note '{change.id}' is suspended")
            names_ = list(note.keys())
            assert planned.fields is not None
            made = dict(zip(names_, planned.fields, strict=True))
            mine = self.learner.get(guid)
            if mine is not None:
                # A note edited in Anki is left as it is (a conflict) until a --force sync.
                if note[mine[0]] != mine[1]:
                    problems.append(f"note '{change.id}' lost the learner's edit of {mine[0]}")
                continue
            for name, value in made.items():
                if name != "Source" and note[name] != value:
                    problems.append(f"note '{change.id}' field {name} is not the build's")
        for key, nids in live.items():
            if len(nids) > 1:
                problems.append(f"note '{key}' is in Anki {len(nids)} times")
        # Removed notes: suspended and tagged, or deleted.
        for guid in removed:
            nid = nid_of.get(guid)
            if nid is None:
                continue
            if delete:
                problems.append(f"removed note {guid} was not deleted")
                continue
            note = self.col.get_note(nid)
            if REMOVED_TAG not in note.tags:
                problems.append(f"removed note '{note['ID']}' is not tagged")
            if any(card.queue != -1 for card in note.cards()):
                problems.append(f"removed note '{note['ID']}' has unsuspended cards")
        # Learner edits of notes that were removed since are gone from the record.
        for guid in list(self.learner):
            if guid not in live_guids:
                del self.learner[guid]
        # Decks ankigen emptied by moves and renames are gone.
        used = {deck for (deck,) in self.col.db.all("select distinct did from cards")}
        for deck in self.col.decks.all_names_and_ids():
            children = self.col.decks.children(deck.id)  # type: ignore[arg-type]
            if deck.name != "Default" and deck.id not in used and not children:
                problems.append(f"deck '{deck.name}' was left empty")
        css = {model["id"]: model["css"] for model in self.col.models.all()}
        for key in {planned.note_type for planned, _ in live_guids.values()}:
            note_type = self.registry.note_types[key]
            if css.get(note_type.model_id) != self.registry.templates.card(note_type).css:
                problems.append(f"note type '{note_type.name}' lacks the current CSS")


def new_sync_campaign(root: Path, seed: int) -> SyncCampaign:
    path = root / "anki" / "collection.anki2"
    path.parent.mkdir(parents=True, exist_ok=True)
    col = Collection(str(path))
    return SyncCampaign(root, col, random.Random(seed), path=path)
