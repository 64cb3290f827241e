"""Raw HTML in lesson Markdown passes through to the card, except what runs code or loads content.

`<script>`, `<iframe>`, `<object>` and `<embed>`, and `on…=` event attributes, are errors: lesson
text is content, card behaviour belongs to the note type's templates, and a script in a field runs
on every client with the reviewer's privileges (and is re-run on each side, see anki-facts.md).
A `src` in raw HTML is an error too: the file would not be packaged (a relative path) or would
need the network (a URL); `![alt](path)` is the way to show an image.

Python-Markdown stashes every piece of raw HTML before parsing, so the check reads the stash after
a conversion: text inside code is escaped by then and never looks like a tag. Attributes written
with attr_list (`{: onclick=…}`) end up on elements of the tree and are checked there.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Iterable
from html.parser import HTMLParser

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from generator.notes import ContentProblem
from generator.render.conversion import Switchboard
from generator.render.stash import CodeSpanHtml

FORBIDDEN_TAGS = ("script", "iframe", "object", "embed")
SOURCE_ATTRIBUTES = ("src", "srcset")
# Cheap filter: only stash entries that might hold a forbidden tag or attribute are parsed.
SUSPECT = re.compile(
    r"<\s*(?:script|iframe|object|embed)\b|\bon[a-z]+\s*=|\bsrc(?:set)?\s*=", re.IGNORECASE
)


def tag_problem(tag: str) -> ContentProblem:
    return ContentProblem(
        True,
        f"raw HTML <{tag}> is not allowed in lesson text: cards run no scripts or embedded "
        "content from fields (to show the HTML itself, put it in a code block)",
        f"<{tag}",
    )


def event_problem(name: str) -> ContentProblem:
    return ContentProblem(
        True,
        f"event attribute '{name}' is not allowed in lesson text: cards run no scripts from "
        "fields (to show the HTML itself, put it in a code block)",
        name,
    )


def source_problem(tag: str, name: str, value: str) -> ContentProblem:
    return ContentProblem(
        True,
        f"'{name}' in raw HTML <{tag}> is not packaged and may need the network: write "
        "images as ![alt](path) and sounds as ![label](clip.mp3), relative to the lesson",
        value or name,
    )


def attribute_problems(tag: str, attrs: Iterable[tuple[str, str | None]]) -> list[ContentProblem]:
    problems = []
    for name, value in attrs:
        lowered = name.lower()
        if lowered.startswith("on"):
            problems.append(event_problem(lowered))
        elif lowered in SOURCE_ATTRIBUTES:
            problems.append(source_problem(tag, lowered, value or ""))
    return problems


class RawHtmlChecker(HTMLParser):
    """Collects the problems of one piece of raw HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[ContentProblem] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(tag_problem(tag))  # the tag is the problem, not its attributes
            return
        self.problems.extend(attribute_problems(tag, attrs))


def check_raw_html(fragment: str) -> list[ContentProblem]:
    if not SUSPECT.search(fragment):
        return []
    checker = RawHtmlChecker()
    checker.feed(fragment)
    checker.close()
    return checker.problems


class CheckHtml(Treeprocessor):
    """Checks raw HTML (in the stash) and attr_list attributes (on the tree) of a field."""

    def __init__(self, md: Markdown, extension: RawHtmlPolicy) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        problems = self.extension.problems
        current = self.extension.board.current
        if current.raw_html:
            for block in self.md.htmlStash.rawHtmlBlocks:
                if isinstance(block, str) and not isinstance(block, CodeSpanHtml):
                    problems.extend(check_raw_html(block))
        if current.attributes:
            for element in root.iter():
                if any(name.lower().startswith("on") for name in element.attrib):
                    problems.extend(
                        event_problem(name.lower())
                        for name in element.attrib
                        if name.lower().startswith("on")
                    )


class RawHtmlPolicy(Extension):
    """Reports forbidden raw HTML and event attributes into `problems`."""

    def __init__(self, problems: list[ContentProblem], board: Switchboard) -> None:
        super().__init__()
        self.problems = problems
        self.board = board

    def extendMarkdown(self, md: Markdown) -> None:
        # After attr_list (8) has set the attributes it reads.
        md.treeprocessors.register(CheckHtml(md, self), "ankigen-raw-html", -2)
