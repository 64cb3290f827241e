"""Problems found while building, collected from every stage and reported once by the CLI."""

from __future__ import annotations

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

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity.value}: {self.message}"


@dataclass(slots=True)
class Diagnostics:
    """An append-only collector; stages never print or exit."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int, message: str) -> None:
        self.items.append(Diagnostic(path, line, Severity.ERROR, message))

    def warning(self, path: str, line: int, message: str) -> None:
        self.items.append(Diagnostic(path, line, Severity.WARNING, message))

    def extend(self, other: list[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def has_errors(self, *, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=lambda d: (d.path, d.line, d.message))
