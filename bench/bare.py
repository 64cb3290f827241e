"""The baseline `make bench` compares a cold build with: the bare loop any tool of this kind
starts from. Every `###` card of every lesson becomes one genanki note whose front is the heading
and whose back is the card's Markdown, both through Python-Markdown (with Pygments highlighting
code, tables, definition lists and attribute lists), then one package is written. One process,
no parsing beyond the headings, no checks, no state.

    python bench/bare.py CONTENT OUT.apkg
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import genanki
import markdown

CARD = re.compile(r"^### ", re.MULTILINE)


def main(argv: list[str]) -> int:
    content, out = Path(argv[0]), Path(argv[1])
    md = markdown.Markdown(
        extensions=["fenced_code", "codehilite", "tables", "def_list", "attr_list"]
    )
    model = genanki.Model(
        1607392319,
        "Bare",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[
            {"name": "Card", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}
        ],
    )
    deck = genanki.Deck(2059400110, "Bare")
    count = 0
    for path in sorted(content.rglob("*.md")):
        if path.name.startswith("_"):
            continue
        text = path.read_text(encoding="utf-8")
        for chunk in CARD.split(text)[1:]:
            heading, _, body = chunk.partition("\n")
            front = md.reset().convert(heading)
            back = md.reset().convert(body)
            guid = genanki.guid_for(str(path), heading)
            deck.add_note(genanki.Note(model=model, fields=[front, back], guid=guid))
            count += 1
    # genanki writes the collection it zips with tempfile.mkstemp and never removes it: 10 MB
    # left in the system's temporary folder per run, unless the folder is the run's own.
    with tempfile.TemporaryDirectory(prefix="bare-") as folder:
        tempfile.tempdir = folder
        genanki.Package(deck).write_to_file(out)
    print(f"wrote {out} ({count} notes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
