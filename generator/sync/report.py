"""What `ankigen sync` tells the user: the plan in text, the result as JSON. Pure text; the CLI
prints it. Apart from generator.report so that a build never imports the sync plan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.anki.plan import REMOVED_TAG
from generator.report import diagnostics_json
from generator.sync.plan import Action, NoteStep, SyncPlan, excerpts

if TYPE_CHECKING:
    from generator.sync.run import SyncResult


def sync_summary(plan: SyncPlan) -> str:
    """`sync: 2 new, 1 updated, 45 unchanged`, then whatever else happens."""
    counts = plan.summary()
    removed = "deleted" if plan.delete else f"suspended and tagged {REMOVED_TAG}"
    parts = [f"{counts['add']} new", f"{counts['update']} updated"]
    parts.append(f"{counts['unchanged']} unchanged")
    optional = [
        (counts["conflict"], f"{counts['conflict']} edited in Anki (kept)"),
        (counts["moved"], f"{counts['cards_moved']} card(s) of {counts['moved']} note(s) moved"),
        (counts["decks_renamed"], f"{counts['decks_renamed']} deck(s) renamed"),
        (
            counts["suspend"] + counts["delete"],
            f"{counts['suspend'] + counts['delete']} removed ({removed})",
        ),
        (counts["note_types_updated"], f"{counts['note_types_updated']} note type(s) updated"),
    ]
    parts.extend(text for count, text in optional if count)
    return "sync: " + ", ".join(parts)


def sync_details(plan: SyncPlan, *, verbose: bool) -> list[str]:
    lines = [f"  rename    deck '{old}' → '{new}'" for old, new in plan.renames]
    lines += [
        f"  update    note type '{have.name}' (templates and CSS)" for _, have in plan.note_types
    ]
    for step in plan.steps:
        where = f"{step.change.path}:{step.change.line}" if step.change.path else "(removed)"
        if step.action in (Action.ADD, Action.UPDATE) and verbose:
            lines.append(f"  {step.action.value:<9} {where}  {step.id}")
        elif step.action in (Action.SUSPEND, Action.DELETE):
            lines.append(f"  {step.action.value:<9} {step.id}  (in {step.change.deck})")
        elif step.action is Action.CONFLICT:
            lines.append(f"  kept      {where}  {step.id}: edited in Anki, not overwritten")
            for diff in step.diff:
                anki, source = excerpts(diff.anki, diff.source)
                lines.append(f"      {diff.name}:  - Anki:    {anki}")
                lines.append(f"      {' ' * len(diff.name)}   + sources: {source}")
    moves: dict[tuple[str, str], list[NoteStep]] = {}
    for step in plan.moves:
        moves.setdefault((step.moved_from, step.planned.deck), []).append(step)
    for (old, new), steps in moves.items():
        cards = sum(len(step.move) for step in steps)
        ids = ", ".join(step.id for step in steps[:3]) + (", …" if len(steps) > 3 else "")
        lines.append(
            f"  move      {cards} card(s) of {len(steps)} note(s) '{old}' → '{new}': {ids}"
        )
    if plan.count(Action.CONFLICT):
        lines.append(
            "notes edited in Anki are kept as they are: copy the edit into the sources, or run "
            "`ankigen sync --force` to replace it with the sources"
        )
    return lines


def sync_json(result: SyncResult, *, dry_run: bool) -> dict[str, Any]:
    plan = result.plan
    applied = result.applied
    return {
        "ok": result.ok,
        "collection": result.where or None,
        "dry_run": dry_run,
        "backup": applied.backup if applied and applied.backup else None,
        "changes": plan.summary() if plan else None,
        "renamed_decks": [list(pair) for pair in plan.renames] if plan else [],
        "note_types_updated": [have.name for _, have in plan.note_types] if plan else [],
        "decks_deleted": applied.decks_deleted if applied else [],
        "notes": [
            {
                "action": step.action.value,
                "id": step.id,
                "path": step.change.path or None,
                "line": step.change.line or None,
                "deck": step.planned.deck,
                "moved_from": step.moved_from or None,
                "cards_moved": len(step.move),
                "edited_in_anki": [
                    {"field": diff.name, "anki": diff.anki, "sources": diff.source}
                    for diff in step.diff
                ],
            }
            for step in (plan.steps if plan else [])
            if step.action is not Action.UNCHANGED or step.move
        ],
        "diagnostics": diagnostics_json(result.diagnostics),
    }
