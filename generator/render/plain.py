"""Text that Python-Markdown would pass through all but unchanged, rendered without it.

Most fields are a sentence or a wrapped paragraph of prose, perhaps with a few code spans; a
conversion costs a tenth of a millisecond even for those, and skipping it for them more than
halves the time a build spends rendering.

A line that starts with a letter starts no block and splits none (no heading, list, quote, rule,
setext underline, table row, definition or indented code), and one that ends without a space
makes no line break: the lines stay as written inside one `<p>`, and paragraphs of them apart
by one blank line become one `<p>` each. None of the characters allowed means anything to
Python-Markdown or its extensions, nor needs escaping in HTML but `&`, allowed where it starts
no entity and escaped as the serializer escapes it. A code span allowed is one backtick on each
side, none next to another, so it pairs with the next one as Python-Markdown pairs backticks;
its code holds no backslash (no escapes), no `<`, `>` or `&` (no escaping, nothing for the raw
HTML policy to look at) and no control character (no tab to expand, no line end to normalise),
and it becomes `<code>` of the code stripped, as `BacktickInlineProcessor` makes it. Emphasis,
strong and deleted text allowed is allowed characters between one, two asterisks or two tildes
on each side, no space just inside them and no mark of the same kind just outside, which only
their own pattern matches.

Lists of such lines are the other common field (a list of points, of steps). A tight list (no
blank line) whose items all have the same marker, `-` or a number, each followed by one space,
is one block that the list processor splits into items at its markers; a line that starts with
a letter after at most three spaces is no marker, so it continues its item, spaces kept. An
item starts with a letter or `**` (so it is no nested list), and each becomes `<li>` of its
text, in `<ol start="…">` when a numbered list does not start at 1 (`sane_lists`).
"""

from __future__ import annotations

import re
from functools import cache

from generator.render.deletions import escape_braces

CHARACTER = r"(?:[^\W_]|[ '’,.;:?()/%+@“”\"‘–—…·°›-])"
CODE = r"[^`\\<>&\x00-\x1f\x7f-\x9f\u2028\u2029]"
# Each part matches in one way only, taken possessively: matching stays linear in the length.
CODE_SPAN = rf"(?<!`)`((?:(?=\s){CODE})*+(?!\s){CODE}{CODE}*+)`(?!`)"
# `**strong**`, `*emphasis*` and `~~deleted~~` (pymdownx.tilde) of plain characters.
STRONG = rf"(?<!\*)\*\*(?! ){CHARACTER}++(?<! )\*\*(?!\*)"
EMPHASIS = rf"(?<!\*)\*(?! ){CHARACTER}++(?<! )\*(?!\*)"
# pymdownx.tilde pairs `~~` by CommonMark's flanking rules, which punctuation next to them
# changes: these start after a space and end before a space, a line end or punctuation.
DELETED = rf"(?<= )~~(?! ){CHARACTER}++(?<! )~~(?=[ \n,.;:?)]|$)"
AMPERSAND = r"&(?![^\W_])"
"""An ampersand that starts no entity: escaped, as the serializer escapes it."""
TEXT = rf"(?:{CHARACTER}|{CODE_SPAN}|{STRONG}|{EMPHASIS}|{DELETED}|{AMPERSAND})*+(?<! )"
LINE = rf"[^\W\d_]{TEXT}"
PLAIN = rf"{LINE}(?:\n{LINE})*(?:\n\n{LINE}(?:\n{LINE})*)*"
ITEM = rf"(?:[^\W\d_]|{STRONG}){TEXT}(?:\n {{0,3}}{LINE})*"
BULLETS = rf"- {ITEM}(?:\n- {ITEM})*"
NUMBERS = rf"[0-9]+\. {ITEM}(?:\n[0-9]+\. {ITEM})*"
ITEM_BREAK = re.compile(r"\n(?=- |[0-9]+\. )")
SPANS = rf"{CODE_SPAN}|\*\*([^*]+)\*\*|\*([^*]+)\*|~~([^~]+)~~"
TAGS = (None, "code", "strong", "em", "del")


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    """`pattern`, compiled when first used: compiling these takes longer than importing the rest
    of the renderer, and a rebuild after an edit renders nothing in its main process (the edited
    lessons are compiled in a worker)."""
    return re.compile(pattern)


def plain_html(source: str) -> str | None:
    """The HTML Python-Markdown makes of `source` when it is plain text or a plain list (see
    above), else None."""
    first = source[:1]
    if first == "-" or "0" <= first <= "9":
        return plain_list(source)
    if not compiled(PLAIN).fullmatch(source):
        return None
    html = "</p>\n<p>".join(source.split("\n\n"))
    return f"<p>{inline_html(html)}</p>"


def plain_list(source: str) -> str | None:
    if source.startswith("-"):
        if not compiled(BULLETS).fullmatch(source):
            return None
        tag, start = "ul", ""
    else:
        if not compiled(NUMBERS).fullmatch(source):
            return None
        number = source[: source.index(".")]
        tag, start = "ol", "" if number == "1" else f' start="{number}"'
    # The marker ends at its item's first space.
    items = [item[item.index(" ") + 1 :] for item in ITEM_BREAK.split(source)]
    html = "".join(f"<li>{inline_html(item)}</li>\n" for item in items)
    return f"<{tag}{start}>\n{html}</{tag}>"


def inline_html(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")  # code spans hold none
    if "`" not in text and "*" not in text and "~" not in text:
        return text
    # Code may hold `{{`.
    return escape_braces(compiled(SPANS).sub(span, text))


def span(match: re.Match[str]) -> str:
    index = match.lastindex or 0
    text = match[index].strip() if index == 1 else match[index]
    return f"<{TAGS[index]}>{text}</{TAGS[index]}>"
