"""What ankigen's Markdown extensions know about the text being converted.

Python-Markdown's extensions are configured once; a field's mode (cloze syntax, one blank, …) and
which optional passes the field can need are decided per text. The renderer decides them in one
place (`Conversion.of`) and publishes them on a `Switchboard` that every extension reads, only for
the duration of one conversion (`MarkdownRenderer` sets and clears it in a `finally`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from generator.notes import ClozeMode


@dataclass(frozen=True, slots=True)
class Conversion:
    """Settings of one conversion."""

    mode: ClozeMode = "mark"
    """How `==…==` deletions are written (see `generator.notes.ClozeMode`)."""
    target: int = 0
    """The deletion group shown as a blank or an answer in the `blank` and `reveal` modes."""
    footnote_prefix: str = ""
    """Prefix of footnote ids, unique per field (the fields of a card share one page)."""
    admonitions: bool = False
    """The text has a `!!!` line: look for admonitions."""
    media: bool = False
    """The text may reference images or sounds."""
    raw_html: bool = False
    """The text may hold raw HTML to check."""
    attributes: bool = False
    """The text may hold attribute lists (`{: …}`) to check."""
    links: bool = False
    """The text may hold Markdown links (whose URL is checked)."""

    @classmethod
    def of(cls, markdown: str, mode: ClozeMode, target: int) -> Conversion:
        """Only what the text can need is switched on: most fields have no footnote, image, raw
        HTML or attribute list, and skip those passes. The footnote prefix comes from the text,
        not a counter, so a rebuild gives the same HTML whatever the rendering order."""
        prefix = ""
        if "[^" in markdown:
            digest = hashlib.sha256(f"{mode}\x1f{target}\x1f{markdown}".encode()).hexdigest()
            prefix = f"{digest[:8]}-"
        return cls(
            mode=mode,
            target=target,
            footnote_prefix=prefix,
            admonitions="!!!" in markdown,
            media="![" in markdown,
            raw_html="<" in markdown,
            attributes="{" in markdown,
            links="](" in markdown or "]:" in markdown,
        )


IDLE = Conversion()


class Switchboard:
    """The conversion in progress; `IDLE` between conversions."""

    __slots__ = ("current",)

    def __init__(self) -> None:
        self.current = IDLE
