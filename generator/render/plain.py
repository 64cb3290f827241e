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


def plain_html(source: str) -> str | None:
    """The HTML Python-Markdown makes of `source` when it is plain text (see above), else
    None."""
    if not PLAIN.fullmatch(source):
        return None
    if "`" not in source:
        return f"<p>{source}</p>"
    html = SPAN.sub(lambda match: f"<code>{match[1].strip()}</code>", source)
    # What the cloze extension does last to every text: code may hold `{{`.
    html = html.replace("{{", "{&#123;").replace("}}", "}&#125;")
    return f"<p>{html}</p>"
