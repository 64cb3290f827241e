"""Pygments' HTML formatter for codehilite, one per set of options.

Creating an `HtmlFormatter` builds the style's whole style sheet (~150 µs), and codehilite creates
one for every code block. A formatter's output depends only on its options, and formatting keeps
nothing from one block to the next but a memo of each token type's `<span>`, so blocks with the
same options share one.
"""

from __future__ import annotations

from typing import Any

from pygments.formatters.html import HtmlFormatter

LIMIT = 64
"""Sets of options kept (per-block options such as `linenostart` can make many)."""
_formatters: dict[tuple[tuple[str, Any], ...], HtmlFormatter[str]] = {}


def html_formatter(**options: Any) -> HtmlFormatter[str]:
    """codehilite's `pygments_formatter`: the formatter its default, `"html"`, names, made of
    `options`. codehilite adds `lang_str` for formatters of its own kind; Pygments' takes none."""
    options.pop("lang_str", None)
    key = tuple(sorted(options.items()))
    try:
        formatter = _formatters.get(key)
    except TypeError:  # an unhashable option, such as a list of lines to highlight
        return HtmlFormatter(**options)
    if formatter is None:
        if len(_formatters) >= LIMIT:
            _formatters.clear()
        formatter = _formatters[key] = HtmlFormatter(**options)
    return formatter
