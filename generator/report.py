"""What a build tells the user: notes per deck and note type, the change plan, the same as JSON.
Pure text; the CLI prints it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.anki.plan import REMOVED_TAG, Plan, Status
from generator.diagnostics import Diagnostics
from generator.kinds import Registry
from generator.summary import Summary

if TYPE_CHECKING:
    from generator.pipeline import BuildResult


def deck_table(result: BuildResult, registry: Registry) -> list[str]:
    # A column per note type the course uses, in registry order.
    used = {key for counter in result.counts().values() for key in counter}
    keys = [key for key in registry.note_types if key in used]
    headers = [registry.note_type(key).label for key in keys]
    table = result.counts()
    width = max([len(deck) for deck in table] + [len("total")])
    lines = [f"{'deck':<{width}}  " + "  ".join(headers) + "  total"]
    totals = dict.fromkeys(keys, 0)
    for deck, counter in table.items():
        cells = []
        for key, header in zip(keys, headers, strict=True):
            totals[key] += counter[key]
            cells.append(f"{counter[key]:>{len(header)}}")
        lines.append(f"{deck:<{width}}  " + "  ".join(cells) + f"  {sum(counter.values()):>5}")
    cells = [f"{totals[k]:>{len(h)}}" for k, h in zip(keys, headers, strict=True)]
    lines.append(f"{'total':<{width}}  " + "  ".join(cells) + f"  {sum(totals.values()):>5}")
    return lines


def plan_summary(plan: Plan) -> str:
    counts = plan.summary()
    return (
        f"changes: {counts['new']} new, {counts['changed']} changed, "
        f"{counts['unchanged']} unchanged, {counts['removed']} removed, "
        f"{counts['moved']} moved to another deck"
    )


def plan_details(plan: Plan, *, verbose: bool) -> list[str]:
    lines = []
    if plan.basis == "package":
        lines.append(
            "no state file: notes were compared with the last package (what Anki was given)"
        )
    elif plan.basis == "nothing":
        lines.append(
            "first build here (no state file, no earlier package): notes Anki already has are "
            "updated, not added again"
        )
    if verbose:
        for change in plan.changes:
            if change.status is Status.UNCHANGED and not change.moved:
                continue
            where = f"{change.path}:{change.line}" if change.path else f"(was in {change.deck})"
            moved = f" (moved from {change.old_deck})" if change.moved else ""
            kind = f" ({' → '.join(change.kind_change)})" if change.kind_change else ""
            lines.append(f"  {change.status.value:<9} {where}  {change.id}{moved}{kind}")
    lines.extend(removal_advice(plan))
    return lines


def removal_advice(plan: Plan) -> list[str]:
    """What to do about removed notes, one line for those the package tags and one for those it
    cannot (their last fields are unknown), so that no line claims what the other denies."""
    # Kept lessons' notes are all unchanged: only notes planned one by one can be removed.
    removed = [c for c in plan.planned_changes() if c.status is Status.REMOVED and not c.settled]
    tagged = [c for c in removed if c.packaged]
    untagged = [c for c in removed if not c.packaged]
    lines = []
    if tagged:
        lines.append(
            f"{len(tagged)} removed note(s) go into this package once more, tagged {REMOVED_TAG}: "
            f'after importing, search "tag:{REMOVED_TAG}" in the Browser, check them and delete '
            "them, then build with --forget-removed; or run `ankigen sync`, which suspends them "
            "(or deletes them with --delete)"
        )
    if untagged:
        ids = " OR ".join(f'"ID:{change.id}"' for change in untagged[:10])
        more = f" and {len(untagged) - 10} more" if len(untagged) > 10 else ""
        lines.append(
            f"{len(untagged)} removed note(s) are not in this package (their last fields are "
            f"unknown, so they cannot be tagged): find them in Anki with {ids}{more}, delete "
            "them, then build with --forget-removed; or run `ankigen sync`"
        )
    return lines


def summary(result: BuildResult, registry: Registry, *, verbose: bool = False) -> Summary:
    """What a successful build prints on stdout."""
    plan = result.plan
    lines = [plan_summary(plan), *plan_details(plan, verbose=verbose)] if plan else []
    output = result.output
    return Summary(
        table=tuple(deck_table(result, registry)),
        plan=tuple(lines),
        output=str(output) if output is not None else None,
        notes=result.note_count,
        size=result.kept_written.size if result.kept_written is not None else 0,
        written=result.written,
        replaced=str(result.replaced) if result.replaced is not None else None,
    )


def failure(result: BuildResult, *, strict: bool) -> str:
    """The one line that ends a failed build; its counts add up to the lines printed above."""
    errors, warnings = len(result.diagnostics.errors), len(result.diagnostics.warnings)
    if strict and not errors:
        return f"build failed: {warnings} warning(s) with --strict"
    also = f" and {warnings} warning(s)" if warnings else ""
    return f"build failed: {errors} error(s){also}, nothing written"


def as_json(result: BuildResult) -> dict[str, Any]:
    plan = result.plan
    return {
        "ok": result.ok,
        "output": str(result.output) if result.output else None,
        "written": result.written,
        "decks": {deck: dict(counter) for deck, counter in result.counts().items()},
        "changes": plan.summary() if plan else None,
        "compared_with": plan.basis if plan else None,
        "notes": [
            {
                "status": change.status.value,
                "id": change.id,
                "path": change.path or None,
                "line": change.line or None,
                "deck": change.deck,
                "old_deck": change.old_deck,
                "lost_cards": [ordinal + 1 for ordinal in change.lost_cards],
            }
            for change in (plan.changes if plan else [])
        ],
        "diagnostics": diagnostics_json(result.diagnostics),
    }


def diagnostics_json(diagnostics: Diagnostics) -> list[dict[str, object]]:
    return [d.as_dict() for d in diagnostics.sorted()]


def lint_summary(result: BuildResult) -> str:
    """The line that ends `ankigen lint`."""
    errors = len(result.diagnostics.errors)
    files = len({finding.path for finding in result.findings})
    if errors:
        return f"lint: {errors} error(s) in the course; fix them first"
    if not result.findings:
        notes = len(result.notes)
        return f"lint: no findings in {notes} notes"
    return f"lint: {len(result.findings)} finding(s) in {files} file(s)"


def lint_json(result: BuildResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "findings": [
            {"code": f.code, "path": f.path, "line": f.line, "message": f.message}
            for f in result.findings
        ],
        "diagnostics": [
            {
                "path": d.path,
                "line": d.line,
                "severity": d.severity.value,
                "code": d.code,
                "message": d.message,
            }
            for d in result.diagnostics.sorted()
        ],
    }
