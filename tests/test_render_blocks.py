"""What Python-Markdown's block parser makes of a text, line by line (generator.render.blocks)."""

from __future__ import annotations

from xml.etree import ElementTree as etree

import markdown.util
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.render.blocks import (
    FENCE_PLACEHOLDER,
    MAY_BE_CODE,
    PARSES,
    TAG,
    Tagging,
    _scanner,
    chunk_code_lines,
    chunks,
    code_line_numbers,
    code_texts,
    comparable,
    indented_code_lines,
    inline_texts,
    inline_units,
    line_starts,
    matched_lines,
    parsed,
    parser_rows,
    runs,
)


def tag(number: int) -> str:
    return f"\ue010{number}\ue011"


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a\n\n    b\n    c\nd", [(2, 3)]),
        ("- a\n\n    b", []),
        ("- a\n\n        b", [(2, 2)]),
        # An empty list item's next line is code in it.
        ("1. a\n\n1. \n    b", [(3, 3)]),
        # Tagged, the underline is none and `c` would continue the paragraph: that tag is not
        # kept, and the others still place the code.
        ("- a\n\n    b\n    ---\n        c", [(4, 4)]),
        # Tagged, the empty item would hold its tag, and the code would be its text.
        ("- x\n    y\n    1. \n            z", [(3, 3)]),
        # A fenced block is a line of its own between blank lines: it ends the admonition.
        ("!!! note\n```\n```\n    c", [(3, 3)]),
        ("    a\n[^1]: b\n\n\n    c", [(0, 0), (4, 4)]),
        ("    a\r\n    b\r\nc", [(0, 1)]),
        ("    ", []),
        # Chunks between headings are read apart, and their code is all found.
        ("# a\n\n    x\n\n# b\n\n    y\n    z", [(2, 2), (6, 7)]),
        # An admonition's body is its text, not code.
        ("!!! note\n\n    a", []),
        ("!!! note\n\n        a", [(2, 2)]),
        # A carriage return alone splits a line for the parser: no line past the last is counted.
        ("    x\n\r    z", [(0, 0)]),
    ],
)
def test_indented_code_lines(text: str, lines: list[tuple[int, int]]) -> None:
    fences = ((9, 16),) if "```" in text else ()
    assert indented_code_lines(text, fences) == lines


@pytest.mark.parametrize(
    ("text", "chosen", "groups"),
    [
        ("- a\n  b\n- c", [0, 1, 2], [[0, 1], [2]]),
        ("a\nb\n> c\nd", [0, 1, 2, 3], [[0, 1], [2, 3]]),
        # Each term of a definition list is a text of its own.
        ("t\nu\n: d", [0, 1, 2], [[0], [1], [2]]),
        # A heading, a setext heading and a rule.
        ("# h\npara\n---\nx", [0, 1, 2, 3], [[0], [1], [2], [3]]),
        # Only the lines asked about.
        ("a\nb\nc", [1, 2], [[1, 2]]),
        # Lines around a fenced block are not one text.
        ("a\n```\nc\n```\nd", [0, 4], [[0], [4]]),
        # Chunks between headings are read apart, with or without lines asked about.
        ("# a\nb\n\n# c\n- d\n  e", [4, 5], [[4, 5]]),
        ("# a\n- b\n  c\n\n# d\n- e\n  f", [1, 2, 5, 6], [[1, 2], [5, 6]]),
    ],
)
def test_inline_units(text: str, chosen: list[int], groups: list[list[int]]) -> None:
    fences = ((2, 11),) if "```" in text else ()
    assert inline_units(text, chosen, fences) == groups


def test_parser_rows() -> None:
    text = "a\n```\nc\n```\nd\r\n" + "\ue010" + tag(1)[1:]
    rows, numbers = parser_rows(text, ((2, 11),))
    assert rows == ["a", "", FENCE_PLACEHOLDER, "", "d", "\ufffd1\ufffd"]
    assert numbers == [0, None, None, None, 4, 5]
    assert parser_rows("x\r\ny", ()) == (["x", "y"], [0, 1])
    # Fences of any length each become three rows, wherever they are.
    text = "```\n```\na\n```\nb\nc\n```\nd"
    rows, numbers = parser_rows(text, ((0, 7), (10, 22)))
    assert rows == ["", FENCE_PLACEHOLDER, "", "a", "", FENCE_PLACEHOLDER, "", "d"]
    assert numbers == [None, None, None, 2, None, None, None, 7]


def test_parsed_trees_hold_footnotes_after_the_document() -> None:
    roots = parsed(["a[^1]", "", "[^1]: b", "", "        c"])
    assert [root.tag for root in roots] == ["div", "div"]
    assert code_texts(roots) == ["c\n"]
    assert inline_texts(roots) == ["a[^1]", "b"]


def test_code_texts_are_unescaped_and_inline_texts_leave_code_out() -> None:
    roots = parsed(["    a <b> & c", "", "# h", "", "- i", "- j"])
    assert code_texts(roots) == ["a <b> & c\n"]
    assert inline_texts(roots) == ["h", "i", "j"]


def test_comparable() -> None:
    assert comparable("a  \nb\n\n") == ("a", "b")
    assert comparable("") == ("",)


def test_tagging_keeps_only_the_tags_that_change_nothing() -> None:
    rows = ["- a", "", "    b", "    ---", "        c"]
    tagging = Tagging(rows, list(range(len(rows))), code_texts)
    assert tagging.untagged == [("c",)]
    assert tagging.found([2, 3, 4]) is None
    kept = tagging.harmless([], [2, 3, 4])
    assert kept == [2, 4]
    assert tagging.found(kept) == ["c" + tag(4) + "\n"]
    # What was asked once is not parsed again.
    assert set(tagging.parsed) >= {(2, 3, 4), (2, 4)}
    assert tagging.harmless([], []) == []


def test_code_line_numbers() -> None:
    texts = [f"x{tag(4)}\ny\n\nz{tag(8)}\n", "q\n", "\n", f"p\nr{tag(3)}\n"]
    assert code_line_numbers(texts) == ([4, 5, 8, 2, 3], [("q",)])


@pytest.mark.parametrize(
    ("rows", "codes", "found"),
    [
        # After indentation and quote markers, with four spaces among them.
        (["    x", "  x", ">     y", "> x"], [("x",), ("y",)], [(0, 0), (2, 2)]),
        (["  x", "x    ", "\tx"], [("x",)], [(2, 2)]),
        # A block's blank lines are blank (or quote markers only) in the text.
        (["    a", "> >", "    b"], [("a", "", "b")], [(0, 2)]),
        (["    a", "  c", "    b"], [("a", "", "b")], []),
        # In order, from where the last block ended; then from the start (footnotes come last).
        (["    x", "    y", "    x"], [("y",), ("x",)], [(1, 1), (2, 2)]),
        (["    x", "    y"], [("y",), ("x",)], [(1, 1), (0, 0)]),
        (["    x"], [("x", "y")], []),
        # Stash placeholders' markers are not in the parser's text.
        (["    \x02a\x03"], [("a",)], [(0, 0)]),
        # Only spaces and quote markers may come before the code.
        (["X    x"], [("x",)], []),
        (["    a", "X", "    b"], [("a", "", "b")], []),
        # Two equal blocks are found in order.
        (["    x", "    x"], [("x",), ("x",)], [(0, 0), (1, 1)]),
        # Looked for from the start again, a block never runs past the last row.
        (["    a", "    b", "    c"], [("c",), ("b", "c", "d")], [(2, 2)]),
    ],
)
def test_matched_lines(
    rows: list[str], codes: list[tuple[str, ...]], found: list[tuple[int, int]]
) -> None:
    assert matched_lines(rows, codes) == found


@pytest.mark.parametrize(
    ("numbers", "found"),
    [([], []), ([3], [(3, 3)]), ([1, 2, 3, 5, 7, 8], [(1, 3), (5, 5), (7, 8)])],
)
def test_runs(numbers: list[int], found: list[tuple[int, int]]) -> None:
    assert runs(numbers) == found


def test_line_starts() -> None:
    assert line_starts(["ab", "", "c"]) == [0, 3, 4, 6]


PIECES = st.sampled_from(
    ["    ", "\t", "> ", "- ", "1. ", ": ", "[^1]: ", "!!! note", "---", "a", "`", "\n", "\n\n"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, max_size=24).map("".join))
def test_every_code_line_found_holds_its_tag_in_the_code(text: str) -> None:
    """Whatever the text, the lines said to be code are code: tagged alone, each one's tag is in
    a code block, and the code is the same as untagged."""
    rows, numbers = parser_rows(text, ())
    tagging = Tagging(rows, numbers, code_texts)
    for first, last in indented_code_lines(text):
        for number in range(first, last + 1):
            if not rows[number].strip():
                continue
            found = tagging.found([number])
            if found is not None:
                assert any(int(each) == number for code in found for each in TAG.findall(code))


def test_a_text_many_tags_change_costs_a_bounded_number_of_parses() -> None:
    # Every underline in a list item is none once tagged: halving would parse about twice per
    # underline. Past the budget, the code is found by its lines.
    item = "- a\n\n    b\n    ---\n        c{}\n\n"
    text = "".join(item.format(number) for number in range(40))
    rows, numbers = parser_rows(text, ())
    tagging = Tagging(rows, numbers, code_texts)
    candidates = [row for row, line in enumerate(rows) if line.startswith("    ")]
    tagging.harmless([], candidates)
    assert tagging.budget == 0
    assert len(tagging.parsed) == PARSES + 1
    assert indented_code_lines(text) == [(6 * number + 4, 6 * number + 4) for number in range(40)]


@pytest.mark.parametrize(
    ("rows", "found"),
    [
        (["# a", "", "    x", "", "# b", "- c"], [(0, 4), (4, 6)]),
        # A heading right under a line may be part of what that line starts (a quote's lazy line).
        (["> q", "# h", "", "#x"], [(0, 3), (3, 4)]),
        ([" # a", "", "  #b"], [(0, 3)]),
        # Raw HTML is taken out of the whole text before the blocks are read.
        (["<div>", "", "# h", "</div>"], [(0, 4)]),
        ([], [(0, 0)]),
        # A heading at the first row starts no second chunk, whatever the last row is.
        (["# a", "x", ""], [(0, 3)]),
        (["", "# a"], [(0, 1), (1, 2)]),
        (["# a", "", "<div>", "", "# h", "</div>"], [(0, 6)]),
    ],
)
def test_chunks(rows: list[str], found: list[tuple[int, int]]) -> None:
    assert chunks(rows) == found


CHUNKED_PIECES = st.sampled_from(
    ["# h", "    ", "> ", "- ", "1. ", ": ", "[^1]: ", "!!! note", "---", "a", "\n", "\n\n"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(CHUNKED_PIECES, max_size=30).map("".join))
def test_reading_a_text_by_chunks_finds_what_reading_it_whole_does(text: str) -> None:
    rows, numbers = parser_rows(text, ())
    candidates = [row for row, line in enumerate(rows) if MAY_BE_CODE.match(line)]
    whole = chunk_code_lines(rows, numbers, candidates) if candidates else []
    assert indented_code_lines(text) == runs(sorted(set(whole)))
    chosen = [row for row, line in enumerate(rows) if line.strip()]
    tagging = Tagging(rows, numbers, inline_texts)
    found = tagging.found(tagging.harmless([], chosen)) or []
    groups = [sorted({int(n) for n in TAG.findall(each)}) for each in found]
    placed = {n for group in groups for n in group}
    groups += [[n] for n in chosen if n not in placed]
    assert inline_units(text, chosen) == sorted(group for group in groups if group)


@pytest.mark.parametrize(
    ("rows", "tree"),
    [
        # A lesson's line of spaces is blank to the parser, as Python-Markdown makes it.
        (["a", " ", "    x"], "<div><p>a</p><pre><code>x\n\n\n</code></pre></div>"),
        # In a text the renderer's preprocessors made (raw HTML stashed), it is a line the HTML
        # extractor left, which the renderer's parser reads as text.
        (["\x02wzxhzdk:0\x03", "", " ", "    x"], "<div><p>wzxhzdk:0</p><p>x</p></div>"),
    ],
)
def test_a_line_of_spaces_is_read_as_the_renderer_reads_it(rows: list[str], tree: str) -> None:
    assert [etree.tostring(root, encoding="unicode") for root in parsed(rows)] == [tree]


def test_the_scanner_is_made_without_scanning_the_installed_packages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A worker makes it for its first lesson. Extensions named rather than made send Markdown
    # to the installed packages' entry points: importing importlib.metadata and the scan cost
    # that lesson 17-20 ms.
    def scanned() -> None:
        raise AssertionError("the installed packages were scanned")

    monkeypatch.setattr(markdown.util, "get_installed_extensions", scanned)
    for admonitions in (False, True):
        md, _ = _scanner.__wrapped__(admonitions)
        assert ("admonition" in md.parser.blockprocessors) is admonitions


@pytest.mark.parametrize(
    ("rows", "texts"),
    [
        # A table's cells are texts of their own: a span does not pair across them.
        (["| a | b |", "|---|---|", "| c | d |"], ["a", "b", "c", "d"]),
        # An abbreviation's definition is no text at all.
        (["*[HTML]: Hyper Text", "", "text"], ["text"]),
        # Sane lists: a list of the other kind does not start inside one.
        (["1. a", "* b"], ["a\n* b"]),
        (["* a", "1. b"], ["a\n1. b"]),
    ],
)
def test_the_scanner_reads_the_renderer_s_block_extensions(
    rows: list[str], texts: list[str]
) -> None:
    assert inline_texts(parsed(rows)) == texts
