"""Text that Python-Markdown would pass through all but unchanged, rendered without it.

Most fields are a sentence or a wrapped paragraph of prose, perhaps with a few code spans; a
conversion costs a tenth of a millisecond even for those, and skipping it for them more than
halves the time a build spends rendering.

A line that starts with a letter starts no block and splits none (no heading, list, quote, rule,
setext underline, table row, definition or indented code), and one that ends without a space
makes no line break: the lines stay as written inside one `<p>`. None of the characters allowed
means anything to Python-Markdown or its extensions, nor needs escaping in HTML. A code span
allowed is one backtick on each side, none next to another, so it pairs with the next one as
Python-Markdown pairs backticks; its code holds no backslash (no escapes), no `<`, `>` or `&`
(no escaping, nothing for the raw HTML policy to look at) and no control character (no tab to
expand, no line end to normalise), and it becomes `<code>` of the code stripped, as
`BacktickInlineProcessor` makes it.

Lists of such lines are the other common field (a list of points, of steps). A tight list (no
blank line) whose items all have the same marker, `-` or a number, each followed by one space,
is one block that the list processor splits into items at its markers; a line that starts with
a letter after at most three spaces is no marker, so it continues its item, spaces kept. An
item may also hold `**strong**` text: two asterisks on each side of allowed characters, no space
just inside them and no asterisk just outside, which only the strong pattern matches. An item
starts with a letter or `**` (so it is no nested list), and each becomes `<li>` of its text, in
`<ol start="…">` when a numbered list does not start at 1 (`sane_lists`).
"""

from __future__ import annotations

import re

CHARACTER = r"(?:[^\W_]|[ '’,.;:?()/%+@“”\"‘–—…·°›-])"
CODE = r"[^`\\<>&\x00-\x1f\x7f-\x9f\u2028\u2029]"
# Each part matches in one way only, taken possessively: matching stays linear in the length.
CODE_SPAN = rf"(?<!`)`((?:(?=\s){CODE})*+(?!\s){CODE}{CODE}*+)`(?!`)"
LINE = rf"[^\W\d_](?:{CHARACTER}|{CODE_SPAN})*+(?<! )"
PLAIN = re.compile(rf"{LINE}(?:\n{LINE})*")
SPAN = re.compile(CODE_SPAN)

STRONG = rf"(?<!\*)\*\*(?! ){CHARACTER}++(?<! )\*\*(?!\*)"
TEXT = rf"(?:{CHARACTER}|{CODE_SPAN}|{STRONG})*+(?<! )"
ITEM = rf"(?:[^\W\d_]|{STRONG}){TEXT}(?:\n {{0,3}}[^\W\d_]{TEXT})*"
BULLETS = re.compile(rf"- {ITEM}(?:\n- {ITEM})*")
NUMBERS = re.compile(rf"[0-9]+\. {ITEM}(?:\n[0-9]+\. {ITEM})*")
ITEM_BREAK = re.compile(r"\n(?=- |[0-9]+\. )")
SPANS = re.compile(rf"{CODE_SPAN}|\*\*([^*]+)\*\*")


def plain_html(source: str) -> str | None:
    """The HTML Python-Markdown makes of `source` when it is plain text or a plain list (see
    above), else None."""
    first = source[:1]
    if first == "-" or "0" <= first <= "9":
        return plain_list(source)
    if not PLAIN.fullmatch(source):
        return None
    if "`" not in source:
        return f"<p>{source}</p>"
    return f"<p>{cloze_escaped(SPAN.sub(code, source))}</p>"


def plain_list(source: str) -> str | None:
    if source.startswith("-"):
        if not BULLETS.fullmatch(source):
            return None
        tag, start = "ul", ""
    else:
        if not NUMBERS.fullmatch(source):
            return None
        number = source[: source.index(".")]
        tag, start = "ol", "" if number == "1" else f' start="{number}"'
    # The marker ends at its item's first space.
    items = [item[item.index(" ") + 1 :] for item in ITEM_BREAK.split(source)]
    if "`" in source or "*" in source:
        items = [SPANS.sub(span, item) for item in items]
    html = "".join(f"<li>{item}</li>\n" for item in items)
    return cloze_escaped(f"<{tag}{start}>\n{html}</{tag}>")


def code(match: re.Match[str]) -> str:
    return f"<code>{match[1].strip()}</code>"


def span(match: re.Match[str]) -> str:
    return code(match) if match[1] is not None else f"<strong>{match[2]}</strong>"


def cloze_escaped(html: str) -> str:
    # What the cloze extension does last to every text: code may hold `{{`.
    return html.replace("{{", "{&#123;").replace("}}", "}&#125;")
