"""Raw HTML in lesson Markdown passes through to the card, except what runs code or loads content.

Cards stay offline and script-free: card behaviour belongs to the note types' templates, a script
in a field runs on every client with the reviewer's privileges (and again on each side, see
anki-facts.md), and anything fetched from the network fails offline and tells a server who studies
what. So these are errors:

- elements that run code, embed another page or act on the reviewer's page: `<script>`,
  `<iframe>`, `<frame>`, `<object>`, `<embed>`, `<applet>`, `<link>`, `<meta>`, `<base>`;
- event attributes (`onclick=` …), also written with an attribute list (`{: onclick=…}`);
- `javascript:` (and `vbscript:`) URLs in any attribute, and `data:` links, also in Markdown links;
- attributes that load a file: `src`, `srcset`, `poster`, `background`, `action` …, and `href` on
  the SVG elements that load one (`<image>`, `<use>`, `<feImage>`);
- style that loads a file (`url(…)`, `@import`, `image-set(…)`), in a `<style>` element or a
  `style` attribute;
- tags left open (or closed without being opened): the rest of the field is shown as written
  and the card's own layout is broken.

Python-Markdown stashes every piece of raw HTML before parsing, so most checks read the stash after
a conversion: text inside code is escaped by then and never looks like a tag. Attributes of the
tree (attribute lists, Markdown links) are checked there, and the content of `<style>` elements in
the finished HTML, since an inline `<style>`'s text is parsed as Markdown text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections import Counter
from collections.abc import Iterable
from html import unescape
from html.parser import HTMLParser

from markdown import Markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from generator.notes import ContentProblem
from generator.render.conversion import Switchboard
from generator.render.stash import CodeSpanHtml

CODE_TEXT = "(to show the HTML itself, put it in a code block)"
FORBIDDEN_TAGS = {
    "script": "cards run no scripts from fields",
    "iframe": "cards embed no other pages",
    "frame": "cards embed no other pages",
    "frameset": "cards embed no other pages",
    "object": "cards embed no other content",
    "embed": "cards embed no other content",
    "applet": "cards embed no other content",
    "link": "it loads a file from outside the package",
    "meta": "it acts on the reviewer's page (a refresh, a redirect)",
    "base": "it changes where every link and file of the card is looked for",
}
LOADING_ATTRIBUTES = frozenset(
    [
        "src",
        "srcset",
        "poster",
        "background",
        "lowsrc",
        "dynsrc",
        "data",
        "ping",
        "manifest",
        "codebase",
        "archive",
        "action",
        "formaction",
        "longdesc",
    ]
)
# SVG elements whose `href` loads a file (an `<a>`'s href is a link the learner follows).
LOADING_HREF_TAGS = frozenset(("image", "use", "feimage", "tref", "script", "cursor", "filter"))
HREFS = ("href", "xlink:href")
NAVIGATIONS = frozenset(("a", "area", "form"))
SCRIPT_SCHEMES = ("javascript:", "vbscript:")
# Characters browsers drop from a URL before reading its scheme.
URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
# CSS that fetches something; read after comments and escapes are taken out.
CSS_LOADS = re.compile(
    r"@import|(?:url|image|image-set|-webkit-image-set|cross-fade|src|expression)\s*\("
    r"|-moz-binding|behavior\s*:"
)
CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.DOTALL)
STYLE_ELEMENT = re.compile(
    r"<style\b[^>]*>(?P<css>.*?)(?:</style\s*>|$)", re.IGNORECASE | re.DOTALL
)
# Only stash entries that might hold something refused are parsed.
SUSPECT = re.compile(
    r"<\s*/?\s*[a-z]|\bon[a-z]+\s*=|script:|style\s*=|\b(?:src|href)\b", re.IGNORECASE
)
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "keygen",
        "command",
        "basefont",
        "frame",
        "isindex",
    ]
)
# Elements whose end tag HTML lets the browser infer.
OPTIONAL_END = frozenset(
    [
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "option",
        "optgroup",
        "rb",
        "rt",
        "rtc",
        "rp",
        "colgroup",
        "caption",
        "html",
        "head",
        "body",
    ]
)


def problem(message: str, code: str, *needles: str) -> ContentProblem:
    return ContentProblem(True, message, code, needles)


def tag_problem(tag: str) -> ContentProblem:
    return problem(
        f"raw HTML <{tag}> is not allowed in lesson text: {FORBIDDEN_TAGS[tag]} {CODE_TEXT}",
        "html-forbidden-tag",
        f"<{tag}",
    )


def event_problem(name: str) -> ContentProblem:
    return problem(
        f"event attribute '{name}' is not allowed in lesson text: cards run no scripts from "
        f"fields {CODE_TEXT}",
        "html-event-attribute",
        name,
    )


def script_url_problem(tag: str, name: str, value: str) -> ContentProblem:
    if value.startswith("data:"):
        what = "is a data: link: it opens a page of its own, which can run code"
    else:
        shown = value if len(value) <= 24 else value[:24] + "…"
        what = f"is a script URL ({shown}): it runs code"
    return problem(
        f"'{name}' of <{tag}> {what}, and cards run no scripts from fields {CODE_TEXT}",
        "html-script-url",
        value.split(":", 1)[0] + ":",
        name,
    )


def source_problem(tag: str, name: str, value: str) -> ContentProblem:
    if name in ("src", "srcset") or name in HREFS:
        message = (
            f"'{name}' in raw HTML <{tag}> is not packaged and may need the network: write "
            "images as ![alt](path) and sounds as ![label](clip.mp3), relative to the lesson"
        )
    else:
        message = (
            f"'{name}' in raw HTML <{tag}> makes the card fetch something from outside the "
            "package: cards work offline and send nothing; remove it"
        )
    return problem(message, "html-source-attribute", value, name)


def style_problem(where: str, found: str) -> ContentProblem:
    return problem(
        f"{where} loads a file ('{found}'): cards must work offline and load nothing from "
        f"outside the package; style with classes and the note types' CSS {CODE_TEXT}",
        "html-style-loads",
        found,
        "style",
    )


def css_loads(css: str) -> str | None:
    """The construct by which `css` would fetch something (`url(`, `@import` …), or None."""
    plain = CSS_COMMENT.sub("", css)
    plain = CSS_ESCAPE.sub(lambda m: chr(int(m[1], 16)) if m[1] else m[2], plain).lower()
    found = CSS_LOADS.search(plain)
    return found[0].replace(" ", "") if found else None


def script_url(value: str) -> str | None:
    """The value, normalised as a browser reads a URL's scheme, when it is a script URL."""
    url = URL_NOISE.sub("", value).lower()
    return url if url.startswith(SCRIPT_SCHEMES) else None


def attribute_problems(tag: str, attrs: Iterable[tuple[str, str | None]]) -> list[ContentProblem]:
    problems = []
    for name, value in attrs:
        lowered, text = name.lower(), value or ""
        if lowered.startswith("on"):
            problems.append(event_problem(lowered))
            continue
        url = script_url(text) or script_url_in_list(lowered, text)
        if url is not None:
            problems.append(script_url_problem(tag, lowered, url))
        elif lowered in LOADING_ATTRIBUTES:
            problems.append(source_problem(tag, lowered, text))
        elif (
            lowered in HREFS
            and tag in NAVIGATIONS
            and URL_NOISE.sub("", text).lower().startswith("data:")
        ):
            problems.append(script_url_problem(tag, lowered, "data:"))
        elif lowered in HREFS and tag in LOADING_HREF_TAGS and not text.startswith("#"):
            problems.append(source_problem(tag, lowered, text))
        elif lowered == "style" and (found := css_loads(text)) is not None:
            problems.append(style_problem(f"the style of <{tag}>", found))
    return problems


def tree_attribute_problems(
    tag: str, attrs: Iterable[tuple[str, str | None]]
) -> list[ContentProblem]:
    """Attributes of elements Markdown made: its own (an image's `src`, a table's alignment)
    are fine; an attribute list or a link can still add an event, a script URL or style."""
    problems = []
    for name, value in attrs:
        # Markdown keeps character references in a link as written; the browser decodes them.
        lowered, text = name.lower(), unescape(value or "")
        if lowered.startswith("on"):
            problems.append(event_problem(lowered))
        elif (url := script_url(text)) is not None:
            problems.append(script_url_problem(tag, lowered, url))
        elif (
            lowered == "href" and tag == "a" and URL_NOISE.sub("", text).lower().startswith("data:")
        ):
            problems.append(script_url_problem(tag, lowered, "data:"))
        elif lowered == "style" and (found := css_loads(text)) is not None:
            problems.append(style_problem(f"the style of <{tag}>", found))
    return problems


def script_url_in_list(name: str, value: str) -> str | None:
    """SVG animation sets an attribute to each of `values` (`a;b`) in turn."""
    if name != "values":
        return None
    return next((url for part in value.split(";") if (url := script_url(part))), None)


class RawHtmlChecker(HTMLParser):
    """Collects the problems of raw HTML, fed piece by piece in document order, and counts the
    tags it opens and closes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[ContentProblem] = []
        self.balance: Counter[str] = Counter()
        self.stray: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.check(tag, attrs)
        if tag not in VOID and tag not in OPTIONAL_END:
            self.balance[tag] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or tag in OPTIONAL_END:
            return
        if self.balance[tag] > 0:
            self.balance[tag] -= 1
        elif tag not in self.stray:
            self.stray.append(tag)

    def check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(tag_problem(tag))  # the tag is the problem, not its attributes
            return
        self.problems.extend(attribute_problems(tag, attrs))

    def finish(self) -> list[ContentProblem]:
        self.close()
        found = list(self.problems)
        for tag, count in self.balance.items():
            if count > 0:
                found.append(
                    problem(
                        f"raw HTML <{tag}> is never closed: close it with </{tag}> (Markdown "
                        "after it is shown as written, and the card's own layout breaks)",
                        "html-unclosed",
                        f"<{tag}",
                    )
                )
        found.extend(
            problem(
                f"raw HTML </{tag}> closes a <{tag}> this text did not open: remove it (it "
                "would close part of the card's own layout)",
                "html-stray-close",
                f"</{tag}",
            )
            for tag in self.stray
        )
        return found


def check_raw_html(fragments: Iterable[str]) -> list[ContentProblem]:
    """Problems of the raw HTML of one text, its pieces in document order."""
    pieces = [piece for piece in fragments if SUSPECT.search(piece)]
    if not pieces:
        return []
    checker = RawHtmlChecker()
    for piece in pieces:
        checker.feed(piece)
    return checker.finish()


class CheckHtml(Treeprocessor):
    """Checks raw HTML (in the stash) and the attributes of the tree (attribute lists, links)."""

    def __init__(self, md: Markdown, extension: RawHtmlPolicy) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        problems = self.extension.problems
        current = self.extension.board.current
        if current.raw_html:
            problems.extend(
                check_raw_html(
                    block
                    for block in self.md.htmlStash.rawHtmlBlocks
                    if isinstance(block, str) and not isinstance(block, CodeSpanHtml)
                )
            )
        if current.attributes or current.links:
            for element in root.iter():
                if element.attrib:
                    problems.extend(tree_attribute_problems(str(element.tag), element.items()))


class CheckStyleElements(Postprocessor):
    """The CSS of `<style>` elements, read in the finished HTML: an inline `<style>`'s text is
    paragraph text to Markdown, so it is in neither the stash nor an attribute."""

    def __init__(self, md: Markdown, extension: RawHtmlPolicy) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, text: str) -> str:
        if self.extension.board.current.raw_html and "<style" in text.lower():
            for element in STYLE_ELEMENT.finditer(text):
                found = css_loads(unescape(element["css"]))
                if found is not None:
                    self.extension.problems.append(style_problem("a <style> element", found))
        return text


class RawHtmlPolicy(Extension):
    """Reports refused raw HTML and attributes into `problems`."""

    def __init__(self, problems: list[ContentProblem], board: Switchboard) -> None:
        super().__init__()
        self.problems = problems
        self.board = board

    def extendMarkdown(self, md: Markdown) -> None:
        # After attr_list (8) has set the attributes it reads.
        md.treeprocessors.register(CheckHtml(md, self), "ankigen-raw-html", -2)
        # After raw HTML is put back (30).
        md.postprocessors.register(CheckStyleElements(md, self), "ankigen-style", 25)
