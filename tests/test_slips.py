"""Markdown that looks like lesson syntax but is not read so: which headings read like a card
that vanished into lesson text, and which do not. One row per layout."""

from __future__ import annotations

import pytest

from generator.diagnostics import Diagnostics
from generator.source.outline import Line
from generator.source.slips import check, hidden_deletions

LABELS = {"answer": "answer", "hint": "hint"}
TAIL = "and makes no card: a card starts at '###' [heading-not-card]"


def slips(text: str) -> list[str]:
    diags = Diagnostics()
    lines = [Line(n, t) for n, t in enumerate(text.split("\n"), start=1)]
    check("l.md", lines, diags, labels=LABELS)
    return [d.format() for d in diags.items]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        pytest.param(
            "# Title\n## What is a cell?\nThe unit of life.",
            [
                "l.md:2:1: warning: '## What is a cell?' asks a question and has its answer "
                f"below, but under a '##' heading it is lesson text {TAIL}"
            ],
            id="a question with its answer below",
        ),
        pytest.param(
            "# Title\n## What is a cell?\n#### Detail\nThe unit of life.",
            [
                "l.md:2:1: warning: '## What is a cell?' asks a question and has its answer "
                f"below, but under a '##' heading it is lesson text {TAIL}"
            ],
            id="a question, a minor heading, then its answer",
        ),
        pytest.param(
            "# Title\n# Why cells?\nBecause.",
            [
                "l.md:2:1: warning: '# Why cells?' asks a question and has its answer "
                f"below, but under a '#' heading it is lesson text {TAIL}"
            ],
            id="a second # heading is not the title",
        ),
        pytest.param(
            "# Title\n## Cells\n\n**Hint:** small",
            [
                "l.md:2:1: warning: '## Cells' has a '**Hint:**' field, but under a '##' "
                f"heading it is lesson text {TAIL}"
            ],
            id="a field label under a section",
        ),
        pytest.param(
            "# Title\n## Summary: cells\n- one",
            [
                "l.md:2:1: warning: '## Summary: cells' names a kind of card, but under a '##' "
                f"heading it is lesson text {TAIL}"
            ],
            id="a kind of card named",
        ),
        pytest.param("# Is this the title?\nYes.", [], id="the title may ask"),
        pytest.param(
            "# Title\n## What is a cell?\n### A cell\nThe unit of life.",
            [],
            id="a question over cards is a section",
        ),
        pytest.param(
            "# Title\n## What is a cell?\n\n## Next", [], id="a question with nothing below"
        ),
        pytest.param(
            "# Title\n## What is a cell?\n#### Only a heading\n\n## Next",
            [],
            id="a question with only a heading below",
        ),
        pytest.param("# Title\n## Cells\nText.", [], id="a section with text"),
        pytest.param(
            "# Title\n### Card?\nAnswer\n#### Deeper?\nText",
            [],
            id="deeper headings inside a card belong to it",
        ),
    ],
)
def test_headings_that_read_like_cards(text: str, problems: list[str]) -> None:
    assert slips(text) == problems


SWALLOWS = "is its closing fence missing before that line? (everything up to the next closing "
SWALLOWS += "fence is code, cards included) [fence-swallows]"


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("```markdown\n### an example card\n```", []),
        ("~~~~\n~~~\ninner\n~~~\n~~~~", []),
        ("````\n```python\ninner\n```\n````", []),
        (
            "```python\n### a heading\n```",
            [
                "l.md:1:1: warning: the code block opened here holds line 2, which is a "
                f"heading: {SWALLOWS}"
            ],
        ),
        (
            "```\n```python\ncode\n```",
            [
                "l.md:1:1: warning: the code block opened here holds line 2, which opens a "
                f"code block: {SWALLOWS}"
            ],
        ),
        (
            "text\n```python\ncode",
            [
                "l.md:2:1: error: code fence is never closed (a closing fence is the same "
                "backticks or tildes on a line of their own): it is shown as text, and on "
                "GitHub the rest of the file as code [fence-unclosed]"
            ],
        ),
    ],
)
def test_code_fences(text: str, problems: list[str]) -> None:
    assert slips(text) == problems


STRAY = (
    "'==' opens or closes no cloze deletion (a deletion is '==answer==' on one line); it is "
    "shown as written — put a comparison such as 'a == b' in code [cloze-mark-stray]"
)


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("a == b\n===", [f"l.md:1:3: warning: {STRAY}"]),
        ("Title\n===\ntext ==x==", []),
        ("x ==> y, a <== b, ===", []),
        ("`a == b` and ==fine==", []),
        (
            "one == two == three",
            [
                "l.md:1:5: warning: '== two ==' is no cloze deletion: the marks must touch "
                "the answer ('==answer=='); it is shown as written [cloze-mark-stray]"
            ],
        ),
        (
            "one == two\nthree == four",
            [f"l.md:1:5: warning: {STRAY}", f"l.md:2:7: warning: {STRAY}"],
        ),
        (
            "text\n== spaced ==",
            [
                "l.md:2:1: warning: '== spaced ==' is no cloze deletion: the marks must touch "
                "the answer ('==answer=='); it is shown as written [cloze-mark-stray]"
            ],
        ),
        (
            "## A ==deletion== here",
            [
                "l.md:1:6: warning: a deletion in a heading makes no cloze note (headings are "
                "titles and questions): put the sentence in a paragraph under it "
                "[cloze-in-heading]"
            ],
        ),
        (
            "text\nAnki {{c1::syntax}}",
            [
                "l.md:2:6: warning: Anki's own cloze syntax '{{c1::…}}' is shown as written, "
                "never made a deletion: write '==answer==' (or '==c1::answer==' to number it) "
                "[anki-cloze-syntax]"
            ],
        ),
    ],
)
def test_cloze_marks_that_make_no_deletion(text: str, problems: list[str]) -> None:
    assert slips(text) == problems


def hidden(text: str) -> list[str]:
    diags = Diagnostics()
    hidden_deletions("l.md", [Line(n, t) for n, t in enumerate(text.split("\n"), start=1)], diags)
    return [d.code for d in diags.items]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ('<div class="box">\nThe ==answer== is inside the box.\n</div>', ["cloze-in-html"]),
        # Commented out on purpose: the learner is not meant to see it.
        ("<!-- ==Loire== -->", []),
        ("<div>\n<!-- ==x== -->\n</div>", []),
        ("<div>\n<!-- ==x== -->\n==y==\n</div>", ["cloze-in-html"]),
        # A block after a comment block on its line is one (the comment is not written over).
        ("<!-- x --><div>==y==</div>", ["cloze-in-html"]),
        # A tag in code opens no block.
        ("```\n<div>\n```\n\nThe ==x== here.", []),
        # A comment opened in code is none.
        ("<div>\n`<!--` ==x== -->\n</div>", ["cloze-in-html"]),
        ("==a== text\n\n<div>\n==x==\n</div>", ["cloze-in-html"]),
        ("p\n\n<div>\n==x==", ["html-unclosed"]),
        ("<div>\n==x==\n</div>  ", ["cloze-in-html"]),
        # A block that opens with no tag (a processing instruction) is never unclosed.
        ("<?x ==y== ?>", ["cloze-in-html"]),
    ],
)
def test_deletions_in_raw_html(text: str, codes: list[str]) -> None:
    assert hidden(text) == codes
