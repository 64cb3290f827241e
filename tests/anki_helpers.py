"""Import packages into a real Anki collection with the official `anki` package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

# Text Anki itself puts on a card it cannot render properly.
ANKI_ERROR_MARKERS = (
    "{{",
    "}}",
    "missing field",
    "field not found",
    "the front of this card is blank",
    "the front of this card is empty",
    "no cloze",
    "please edit this note",
    "invalid template",
    "template error",
)


@contextmanager
def collection(folder: Path) -> Iterator[Collection]:
    col = Collection(str(folder / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


def import_package(col: Collection, package: Path) -> object:
    """Import with Anki's default options; returns the import log."""
    request = ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions()
    )
    log = col.import_anki_package(request).log
    col.models._clear_cache()
    return log


def render_errors(html: str) -> list[str]:
    lowered = html.lower()
    return [marker for marker in ANKI_ERROR_MARKERS if marker in lowered]
