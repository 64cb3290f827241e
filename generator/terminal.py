"""What the command line shows on a terminal and nowhere else: diagnostics in colour, and a
progress bar for builds that take more than a second. Both stay off when the stream is not a
terminal (a pipe, a file, CI logs), and colour stays off when NO_COLOR is set
(https://no-color.org) or TERM is 'dumb'."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from typing import TextIO

import click

from generator.diagnostics import Diagnostic, Severity

DELAY = 1.0
"""Seconds a build runs before its progress bar appears: quick builds print no bar at all."""
REDRAW = 0.1
"""Seconds between two drawings of the bar."""


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def wants_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR", "") != "" or os.environ.get("TERM") == "dumb":
        return False
    return is_terminal(stream)


def styled(diagnostic: Diagnostic, *, color: bool) -> str:
    """`diagnostic.format()`, with the place in bold, the severity in red or yellow and the code
    dimmed when `color`."""
    text = diagnostic.format()
    if not color:
        return text
    where, _, rest = text.partition(f": {diagnostic.severity.value}: ")
    tail = f" [{diagnostic.code}]" if diagnostic.code else ""
    message = rest.removesuffix(tail) if tail else rest
    error = diagnostic.severity is Severity.ERROR
    severity = click.style(
        diagnostic.severity.value + ":", fg="red" if error else "yellow", bold=True
    )
    code = click.style(tail, dim=True) if tail else ""
    return f"{click.style(where + ':', bold=True)} {severity} {message}{code}"


Clock = Callable[[], float]


class Progress:
    """A one-line bar on a terminal: stage, bar, done/total. Drawn only after DELAY seconds,
    at most every REDRAW seconds, and erased when the build ends."""

    def __init__(self, stream: TextIO, *, enabled: bool, clock: Clock = time.monotonic) -> None:
        self.stream = stream
        self.enabled = enabled
        self.clock = clock
        self.started = clock()
        self.drawn_at = 0.0
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < DELAY or (now - self.drawn_at < REDRAW and done < total):
            return
        self.drawn_at = now
        self.shown = True
        self.stream.write("\r" + self.line(stage, done, total))
        self.stream.flush()

    def line(self, stage: str, done: int, total: int) -> str:
        """The bar; a stage without a count (`total` 0) shows its name alone."""
        width = max(40, min(shutil.get_terminal_size((80, 24)).columns, 120) - 1)
        if not total:
            return f"{stage} …"[:width].ljust(width)
        count = f" {done}/{total}"
        room = max(10, width - len(stage) - len(count) - 4)
        filled = room * min(done, total) // total
        bar = "#" * filled + "-" * (room - filled)
        return f"{stage} [{bar}]{count}"[:width].ljust(width)

    def close(self) -> None:
        """Erase the bar, so that what follows starts on a clean line."""
        if self.shown:
            width = max(40, min(shutil.get_terminal_size((80, 24)).columns, 120) - 1)
            self.stream.write("\r" + " " * width + "\r")
            self.stream.flush()
            self.shown = False
