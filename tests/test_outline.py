"""The line-level outline of a lesson: list items with their continuation lines, as Markdown
reads them. One row per layout."""

from __future__ import annotations

import pytest

from generator.source.outline import Line, list_items, mark_fences, source_lines

Item = tuple[int, str, list[tuple[int, str]]]


def items_of(text: str) -> tuple[list[Item], list[tuple[int, str]]]:
    lines = mark_fences([Line(n, t) for n, t in enumerate(text.split("\n"), start=1)])
    items, other = list_items(lines)
    return (
        [
            (item.line, item.text, [(line.number, line.text) for line in item.rest])
            for item in items
        ],
        [(line.number, line.text) for line in other],
    )


LISTS = [
    pytest.param(
        "- a\n  more\nlazy\n\n  after blank\n\nnot in item",
        [(1, "a", [(2, "more"), (3, "lazy"), (4, ""), (5, "after blank")])],
        [(7, "not in item")],
        id="indented, lazy and after-blank continuations",
    ),
    pytest.param(
        "1. one\n2) two\n   cont\n10. ten\n\n\n",
        [(1, "one", []), (2, "two", [(3, "cont")]), (4, "ten", [])],
        [],
        id="numbered items; trailing blank lines belong to none",
    ),
    pytest.param(
        "- a\n\nlazy after blank",
        [(1, "a", [])],
        [(3, "lazy after blank")],
        id="after a blank line only an indented line continues",
    ),
    pytest.param(
        "-  wide\n    four\n  two",
        [(1, "wide", [(2, " four"), (3, "two")])],
        [],
        id="continuation dedented by the item's own width",
    ),
    pytest.param(
        "100. hundred\n\n    four",
        [(1, "hundred", [(2, ""), (3, "four")])],
        [],
        id="four spaces continue an item whose text starts further in",
    ),
    pytest.param(
        "- a\n\n```\n- not an item\n```\n- b",
        [(1, "a", []), (6, "b", [])],
        [(3, "```"), (4, "- not an item"), (5, "```")],
        id="a list marker in code is code",
    ),
    pytest.param(
        "- a\n\n  ```\n  - code\n  ```",
        [(1, "a", [(2, ""), (3, "```"), (4, "- code"), (5, "```")])],
        [],
        id="an indented fence inside an item",
    ),
    pytest.param(
        "  - indented\n- top",
        [(2, "top", [])],
        [(1, "  - indented")],
        id="only top-level items",
    ),
    pytest.param(
        "1234567890. too long\n- x\n\t- tabbed",
        [(2, "x", [(3, "- tabbed")])],
        [(1, "1234567890. too long")],
        id="at most nine digits; a tab indents",
    ),
]


@pytest.mark.parametrize(("text", "items", "other"), LISTS)
def test_list_items(text: str, items: list[Item], other: list[tuple[int, str]]) -> None:
    assert items_of(text) == (items, other)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a\nb\n", ["a", "b"]),
        ("a\r\nb\rc", ["a", "b", "c"]),
        ("\ufeffa\n\n", ["a", ""]),
        ("a\u2028b\x0cc", ["a\u2028b\x0cc"]),
        ("", []),
    ],
)
def test_source_lines_end_where_markdown_ends_them(text: str, lines: list[str]) -> None:
    assert source_lines(text) == lines


def test_marked_lines_are_marked_once_and_a_slice_anew() -> None:
    lines = [Line(n, t) for n, t in enumerate(["a", "```", "# x", "```", "b"], start=1)]
    marked = mark_fences(lines)
    assert [line.in_fence for line in marked] == [False, True, True, True, False]
    assert mark_fences(marked) is marked
    part = marked[1:3]  # an opening fence whose closing one is cut off: marked anew
    assert mark_fences(part) is not part
    assert mark_fences(part) == tuple(part)
