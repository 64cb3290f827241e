"""Python-Markdown without its quadratic list operations, so that rendering a field takes time in
proportion to its length.

Python-Markdown 3 keeps the blocks of a document in a list that every block processor pops from
the front (`blocks.pop(0)`) and pushes back onto (`blocks.insert(0, …)`), and its inline tree
processor walks the tree with a list used as a queue (`stack.pop(0)`) and finds a child's position
with `list(parent).index(child)`. Each of these is linear in the size of the document, so a field of
many paragraphs rendered in quadratic time; so did a paragraph of unpaired backticks, each of
which its backtick pattern answers by scanning the rest of the paragraph. The classes here change
only those containers and lookups, and skip tests that cannot succeed on a text: the same
processors run in the same order on the same text and build the same tree.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, NamedTuple, SupportsIndex, cast

from markdown import Markdown, inlinepatterns, util
from markdown.blockparser import BlockParser
from markdown.extensions import Extension
from markdown.extensions.footnotes import FootnoteInlineProcessor
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import BACKTICK_RE, BacktickInlineProcessor
from markdown.treeprocessors import InlineProcessor

from generator.render.literal import BacktickRuns


class Blocks(deque[str]):
    """The blocks still to parse. Block processors use it as a list they pop from and push back
    onto at the front; a deque does both in constant time."""

    def pop(self, index: SupportsIndex = -1) -> str:
        return self.popleft() if int(index) == 0 else super().pop()


class LinearBlockParser(BlockParser):
    """Python-Markdown's block parser over a `Blocks` deque instead of a list."""

    def parseChunk(self, parent: etree.Element, text: str) -> None:
        self.parseBlocks(parent, cast("list[str]", Blocks(text.split("\n\n"))))


class LinearInlineProcessor(InlineProcessor):
    """Python-Markdown's inline tree processor in linear time.

    - `run` uses a deque as its queue of elements and takes each child's position from the
      iteration rather than searching for it. The elements it inserts are not added to the
      map of parents: the stock processor adds them, but reads the map only before inserting
      any, to find the ancestors of the tree.
    - The stock processor applies a pattern one match at a time, rebuilding the whole text with
      a placeholder for each match and searching again after it: time in the length of the
      paragraph times its matches. Patterns whose matching cannot depend on the text before the
      point where the search resumes (no look-behind at their start; `handleMatch` reads only
      forward) are applied here in one pass, the text rebuilt once. Which text a rebuilt string
      and the original differ in is only what lies before that point, so they match the same.
      The others (links, emphasis, code spans) keep the stock step.
    - Text between placeholders is gathered and joined once rather than appended piece by
      piece.
    - A pattern is not tried on a text that lacks every string its regular expression must
      match (`TRIGGERS`): most texts hold none of a link's `[`, an entity's `&` or a tag's `<`,
      and trying each of the patterns on each piece of text cost more than matching.
    """

    BATCHED = (
        inlinepatterns.EscapeInlineProcessor,
        inlinepatterns.HtmlInlineProcessor,
        inlinepatterns.SubstituteTagInlineProcessor,
        inlinepatterns.AutolinkInlineProcessor,
        inlinepatterns.AutomailInlineProcessor,
        inlinepatterns.ImageInlineProcessor,
        inlinepatterns.ImageReferenceInlineProcessor,
        inlinepatterns.ShortImageReferenceInlineProcessor,
        FootnoteInlineProcessor,
    )
    """Pattern classes applied in one pass (their regular expressions start without
    look-behind, and their `handleMatch` reads the text only from the match on)."""

    TRIGGERS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        inlinepatterns.BACKTICK_RE: ("`",),
        inlinepatterns.ESCAPE_RE: ("\\",),
        inlinepatterns.LINK_RE: ("[",),
        inlinepatterns.IMAGE_LINK_RE: ("![",),
        inlinepatterns.AUTOLINK_RE: ("<",),
        inlinepatterns.AUTOMAIL_RE: ("<",),
        inlinepatterns.LINE_BREAK_RE: ("  \n",),
        inlinepatterns.HTML_RE: ("<",),
        inlinepatterns.ENTITY_RE: ("&",),
        r"\[\^([^\]]*)\]": ("[^",),  # footnote references
        r"\*|_": ("*", "_"),  # emphasis
        r"\~": ("~",),  # pymdownx.tilde
    }
    """By the source of a pattern's regular expression: strings one of which is in every text
    it finds a match in. A pattern may also name its own (`triggers`); one without any is
    always tried."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self.steps: list[Step] = []
        """The registered patterns in order, as of the current run."""
        # The steps are the base class's own, private to it (name-mangled).
        self.apply_pattern: Callable[..., tuple[str, bool, int]] = self._private("applyPattern")
        self.process_element_text: Callable[..., None] = self._private("processElementText")
        self.find_placeholder: Callable[[str, int], tuple[str | None, int]] = self._private(
            "findPlaceholder"
        )
        self.stash_node: Callable[[etree.Element | str, str], str] = self._private("stashNode")
        self.build_ancestors: Callable[[etree.Element | None, list[str]], None] = self._private(
            "build_ancestors"
        )
        self.batched: set[str] = set()
        """Names of the registered patterns applied in one pass."""

    def _private(self, name: str) -> Any:
        return getattr(self, f"_InlineProcessor__{name}")

    def batchable(self, pattern: inlinepatterns.InlineProcessor) -> bool:
        # Subclasses may read the text differently: only these exact classes, and extensions
        # that say so.
        return type(pattern) in self.BATCHED or getattr(pattern, "batchable", False) is True

    def triggers(self, pattern: inlinepatterns.InlineProcessor) -> tuple[str, ...]:
        """Strings one of which every match of `pattern` holds; empty when not known."""
        own = getattr(pattern, "triggers", None)
        if isinstance(own, tuple):
            return own
        return self.TRIGGERS.get(getattr(pattern, "pattern", None) or "", ())

    def prepare(self) -> None:
        """`steps` for the patterns registered now. A pattern whose expression was replaced
        (emphasis recompiles its own when a delimiter is added) gets its triggers anew."""
        # The stubs type the registry with the tree processor's class of the same name.
        patterns = cast("list[inlinepatterns.InlineProcessor]", list(self.inlinePatterns))
        if len(patterns) == len(self.steps) and all(
            step.pattern is pattern and step.regex is pattern.compiled_re
            for step, pattern in zip(self.steps, patterns, strict=True)
        ):
            return
        self.steps = [
            Step(pattern, pattern.compiled_re, self.batchable(pattern), self.triggers(pattern))
            for pattern in patterns
        ]

    def handle_inline(self, data: str, pattern_index: int = 0) -> str:
        """`InlineProcessor.__handleInline`: every pattern from `pattern_index` on, in order."""
        if isinstance(data, util.AtomicString):
            return data
        steps = self.steps
        for index in range(pattern_index, len(steps)):
            pattern, _, batched, triggers = steps[index]
            if triggers:
                for trigger in triggers:
                    if trigger in data:
                        break
                else:
                    continue
            if batched:
                data = self.apply_all(pattern, data, index)
                continue
            start = 0
            while True:
                data, matched, start = self.apply_pattern(pattern, data, index, start)
                if not matched:
                    break
        return data

    def apply_all(self, pattern: inlinepatterns.InlineProcessor, data: str, index: int) -> str:
        """Every match of `pattern` in `data` replaced by its placeholder, as repeated calls of
        `InlineProcessor.__applyPattern` would, in one pass."""
        for exclude in pattern.ANCESTOR_EXCLUDES:
            if exclude.lower() in self.ancestors:
                return data
        processor = pattern
        regex = processor.getCompiledRegExp()
        pieces: list[str] = []
        last = position = 0
        while True:
            node: etree.Element | str | None = None
            start = end = None
            for match in regex.finditer(data, position):
                node, start, end = processor.handleMatch(match, data)
                if start is not None and end is not None:
                    break
            if start is None or end is None:
                break
            position = end
            if node is None:
                continue
            if not isinstance(node, str) and not isinstance(node.text, util.AtomicString):
                for child in [node, *node]:
                    if child.text:
                        self.ancestors.append(child.tag.lower())
                        child.text = self.handle_inline(child.text, index + 1)
                        self.ancestors.pop()
                    if child.tail:
                        child.tail = self.handle_inline(child.tail, index)
            pieces.extend([data[last:start], self.stash_node(node, pattern.type())])
            last = end
        if not pieces:
            return data
        pieces.append(data[last:])
        return "".join(pieces)

    def process_placeholders(
        self, data: str | None, parent: etree.Element, *, in_tail: bool = False
    ) -> list[tuple[etree.Element, list[str]]]:
        """`InlineProcessor.__processPlaceholders` (`in_tail` for its `isText=False`: the text
        before the first element goes to the tail of `parent`), text between placeholders
        gathered in a list and joined once per element."""
        result: list[tuple[etree.Element, list[str]]] = []
        pending = Pending(parent, tail=in_tail)
        prefix = util.INLINE_PLACEHOLDER_PREFIX
        start = 0
        while data:
            index = data.find(prefix, start)
            if index == -1:
                text = data[start:]
                if isinstance(data, util.AtomicString):
                    text = util.AtomicString(text)
                pending.add(text)
                break
            found, after = self.find_placeholder(data, index)
            if found not in self.stashed_nodes:
                end = index + len(prefix)
                pending.add(data[start:end])
                start = end
                continue
            node = self.stashed_nodes[found]
            if index > 0:
                pending.add(data[start:index])
            start = after
            if isinstance(node, str):
                pending.add(node)
                continue
            for child in [node, *node]:
                if child.tail and child.tail.strip():
                    self.process_element_text(node, child, False)
                if child.text and child.text.strip():
                    self.process_element_text(child, child)
            pending.flush()
            result.append((node, self.ancestors[:]))
            pending = Pending(node, tail=True)
        pending.flush()
        return result

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        self.prepare()
        self.stashed_nodes = {}
        tree_parents = [] if ancestors is None else ancestors[:]
        self.parent_map = {c: p for p in tree.iter() for c in p}
        stack: deque[tuple[etree.Element, list[str]]] = deque([(tree, tree_parents)])
        self.build_ancestors(tree, tree_parents)

        while stack:
            current, parents = stack.popleft()
            self.ancestors = parents
            if current is not tree:
                self.ancestors.append(current.tag.lower())
            insert_queue: list[tuple[etree.Element, list[tuple[etree.Element, Any]]]] = []
            # Children are only ever inserted right after the one being visited, so the
            # iteration count is the child's position.
            for position, child in enumerate(current):
                if child.text and not isinstance(child.text, util.AtomicString):
                    self.ancestors.append(child.tag.lower())
                    text = child.text
                    child.text = None
                    found = self.process_placeholders(self.handle_inline(text), child)
                    stack.extend(found)
                    insert_queue.append((child, found))
                    self.ancestors.pop()
                if child.tail:
                    tail = self.handle_inline(child.tail)
                    child.tail = None
                    # The text up to the first element found in the tail is the tail again.
                    tail_result = self.process_placeholders(tail, child, in_tail=True)
                    tail_result.reverse()
                    for new_child in tail_result:
                        current.insert(position + 1, new_child[0])
                if len(child):
                    stack.append((child, self.ancestors[:]))
            for element, found in insert_queue:
                for index, item in enumerate(found):
                    element.insert(index, item[0])
        return tree


class Step(NamedTuple):
    """A registered inline pattern and how `LinearInlineProcessor` applies it."""

    pattern: inlinepatterns.InlineProcessor
    regex: re.Pattern[str]
    """The pattern's compiled expression when the triggers were looked up."""
    batched: bool
    """Applied in one pass (`LinearInlineProcessor.apply_all`)."""
    triggers: tuple[str, ...]
    """Strings one of which every match holds (none: not known, always tried)."""


class Pending:
    """Text waiting to be added to an element's text or tail, joined once when flushed."""

    __slots__ = ("element", "pieces", "tail")

    def __init__(self, element: etree.Element, *, tail: bool) -> None:
        self.element = element
        self.tail = tail
        """Whether the text goes to the element's tail rather than its text."""
        self.pieces: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self.pieces.append(text)

    def flush(self) -> None:
        if not self.pieces:
            return
        existing = self.element.tail if self.tail else self.element.text
        # One piece into an empty slot keeps its type (an AtomicString stays atomic).
        if existing:
            value = existing + "".join(self.pieces)
        elif len(self.pieces) == 1:
            value = self.pieces[0]
        else:
            value = "".join(self.pieces)
        if self.tail:
            self.element.tail = value
        else:
            self.element.text = value
        self.pieces = []


class LinearBacktickProcessor(BacktickInlineProcessor):
    """Python-Markdown's code spans, the closing run looked up in `BacktickRuns` of the text
    being processed (rebuilt only when the text changes, that is after a span is found)."""

    def __init__(self, pattern: str) -> None:
        super().__init__(pattern)
        self.runs: BacktickRuns | None = None

    # The published stubs say `tuple[int, int] | None`; the code returns (start, end | None).
    def find_code_spans(self, start: int, text: str) -> tuple[int, int | None]:  # type: ignore[override]
        if self.runs is None or self.runs.text is not text:
            self.runs = BacktickRuns(text)
        return self.runs.find(start)


class QuickTableProcessor(TableProcessor):
    """The `tables` extension's processor, its test skipped for a block without `|`: a table's
    header row always has one, and the stock test splits the first rows of every block of
    every field into cells before it can tell."""

    def test(self, parent: etree.Element, block: str) -> bool:
        return "|" in block and super().test(parent, block)


class LinearMarkdown(Markdown):
    """A `Markdown` whose block parser and inline tree processor are the linear ones above, and
    whose table processor is `QuickTableProcessor`."""

    def build_parser(self) -> LinearMarkdown:
        super().build_parser()
        # The block processors keep a reference to the parser they were registered with (for
        # its state), so the parser object stays the same and only its class changes.
        self.parser.__class__ = LinearBlockParser
        self.treeprocessors.register(LinearInlineProcessor(self), "inline", 20)
        self.inlinePatterns.register(LinearBacktickProcessor(BACKTICK_RE), "backtick", 190)
        return self

    def registerExtensions(
        self, extensions: Sequence[Extension | str], configs: Mapping[str, dict[str, Any]]
    ) -> LinearMarkdown:
        super().registerExtensions(extensions, configs)
        processors = self.parser.blockprocessors
        if "table" in processors and type(processors["table"]) is TableProcessor:
            processors["table"].__class__ = QuickTableProcessor
        return self
