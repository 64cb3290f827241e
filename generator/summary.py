"""What a successful build prints on stdout, as data: made from a build's result
(generator.report), or kept from the build before when nothing changed (generator.cache.memo).
The command line prints it the same way in both cases."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Summary:
    """The lines a successful build prints."""

    table: tuple[str, ...]
    """Notes per deck and note type."""
    plan: tuple[str, ...]
    """The change plan's summary line and the details that follow it."""
    output: str | None
    """The package, or None for a dry run."""
    notes: int
    """How many notes it holds."""
    size: int
    """Its size in bytes."""
    written: bool = True
    """Whether this build wrote it (or the state file); False when both were up to date."""
    replaced: str | None = None
    """An earlier package of the course, under its old name, that this build removed."""

    def lines(self) -> list[str]:
        lines = [*self.table, *self.plan]
        if self.output is None:
            lines.append("dry run: nothing written")
            return lines
        kib = f"{self.notes} notes, {self.size / 1024:.1f} KiB"
        if self.written:
            lines.append(f"wrote {self.output} ({kib})")
        else:
            lines.append(f"{self.output} is up to date ({kib}): nothing written")
        if self.replaced is not None:
            lines.append(
                f"removed {self.replaced}: the course deck was renamed, and the package with it"
            )
        return lines
