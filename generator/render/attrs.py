"""Attribute lists (`{: width="240"}` after an image, `{.note}` after a paragraph): the
`attr_list` extension, except that braces with stashed content outside quotes are text.

When `attr_list` runs, math, raw HTML and entities are placeholders between STX and ETX, which
the serializer puts back. Inside a quoted value (`title="A &amp; B"`) one is put back where it
was. Anywhere else it would become an attribute's name: stock `attr_list` reads
`` `code`{$x$} `` as an attribute list, the code gets an attribute named after the placeholder
and the math is gone from the card. Such braces are left as they are, and what is in them is
rendered.
"""

from __future__ import annotations

import re

from markdown import Markdown
from markdown.extensions.attr_list import AttrListExtension, AttrListTreeprocessor
from markdown.util import ETX, STX

QUOTED = r""""[^"\n]*"|'[^'\n]*'"""
"""A quoted value: stashed content in it is put back in place."""
PLAIN = rf"""[^}}\n{STX}{ETX}"']"""
"""Any other character of an attribute list: not stashed content."""
BASE = rf"\{{:?[ ]*((?:{QUOTED}|(?! ){PLAIN})(?:{QUOTED}|{PLAIN})*)\}}"
"""`AttrListTreeprocessor.BASE_RE`, with no stashed content outside quotes."""


class StashSafeAttrLists(AttrListTreeprocessor):
    # The stubs call these final; `run` reads them through `self`, so these are the ones used.
    BASE_RE = BASE  # type: ignore[misc]
    HEADER_RE = re.compile(rf"[ ]+{BASE}[ ]*$")  # type: ignore[misc]
    BLOCK_RE = re.compile(rf"\n[ ]*{BASE}[ ]*$")  # type: ignore[misc]
    INLINE_RE = re.compile(rf"^{BASE}")  # type: ignore[misc]


class AttrLists(AttrListExtension):
    """`attr_list`, under its own name and priority, with `StashSafeAttrLists`."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(StashSafeAttrLists(md), "attr_list", 8)
        md.registerExtension(self)
