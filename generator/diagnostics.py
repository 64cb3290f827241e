"""Problems found while building, collected from every stage and reported once by the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem, tied to a place in the sources."""

    path: str
    """Path of the file, relative to the working directory when reported."""
    line: int
    """1-based line number; 0 when the problem concerns the file as a whole."""
    severity: Severity = field(compare=False)
    """Whether the problem stops the build."""
    message: str
    """What is wrong and, where it helps, how to fix it."""
    code: str = field(default="", compare=False)
    """Stable name of the kind of problem (`no-correct-option`), listed in docs/format.md; empty
    for problems not yet given one."""
    column: int = field(default=0, compare=False)
    """1-based column where the problem starts; 0 when not known."""

    def format(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        tail = f" [{self.code}]" if self.code else ""
        return f"{where}: {self.severity.value}: {self.message}{tail}"

    def as_dict(self) -> dict[str, object]:
        """The fields a JSON report gives (`build --json`, `check --format json`, `serve`)."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
        }


@dataclass(slots=True)
class Diagnostics:
    """An append-only collector; stages never print or exit. The same problem reported twice
    (one text rendered for several cards) is kept once."""

    items: list[Diagnostic] = field(default_factory=list)
    seen: set[Diagnostic] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        given, self.items = self.items, []
        self.extend(given)

    def add(self, diagnostic: Diagnostic) -> None:
        if diagnostic not in self.seen:
            self.seen.add(diagnostic)
            self.items.append(diagnostic)

    def error(self, path: str, line: int, message: str, *, code: str = "", column: int = 0) -> None:
        self.add(Diagnostic(path, line, Severity.ERROR, message, code, column))

    def warning(
        self, path: str, line: int, message: str, *, code: str = "", column: int = 0
    ) -> None:
        self.add(Diagnostic(path, line, Severity.WARNING, message, code, column))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        for diagnostic in other:
            self.add(diagnostic)

    def extend_at(self, index: int, other: Iterable[Diagnostic]) -> int:
        """Add `other` before the item at `index`, as if it had come then; how many were new."""
        new = [diagnostic for diagnostic in dict.fromkeys(other) if diagnostic not in self.seen]
        self.seen.update(new)
        self.items[index:index] = new
        return len(new)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def failed(self, *, strict: bool = False) -> bool:
        """An error, or under --strict a warning: the build must not write anything."""
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.path, d.line, d.column, d.message))
