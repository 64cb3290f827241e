"""Text survives exactly on Anki's cards, whatever it holds: answers in cloze cards, and the
lesson title shown on every card.

Anki reads the first `::` inside `{{c1::…}}` as the start of the hint, so an answer such as C++'s
`std::move` used to lose everything after `std`. ankigen writes a `::` of an answer as `:&#58;`
(the same characters to the browser, no separator to Anki's cloze parser), and a key fact's term
is written as an answer whatever it holds. Checked here against the real thing: the package is
imported with the `anki` package and every card rendered by Anki's own cloze code.

A lesson title is Markdown, like the heading it usually is: `Q&amp;A` shows "Q&A" and `*why*`
is emphasis, not the characters as typed.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.anki_helpers import collection, import_package, render_errors
from tests.conftest import build_into

pytestmark = pytest.mark.anki

INDEX = "---\ndeck: Exact\nnamespace: exact-answers\ncloze_choices: false\n---\n"
LESSON = """\
---
title: "Q&amp;A: *colons* & bars"
---

# Answers with colons

Moving a value is ==`std::move`== in C++. <!-- id: code-span -->

A cast is ==std\\::static_cast== at compile time. <!-- id: escaped -->

A namespace path ==a\\::b\\::c::three parts== has a hint. <!-- id: with-hint -->

The ratio ==16\\:9\\:== ends in a colon. <!-- id: final-colon -->

A ratio written ==4:3::two numbers== keeps its single colon. <!-- id: single-colon -->

### Key facts

std::vector <!-- id: kf-vector -->
:   The growable array of the C++ standard library.

a || b <!-- id: kf-or -->
:   Logical or in C.

x == y <!-- id: kf-equals -->
:   Equality in C.
"""

# Note id → (answer as the learner reads it on the back, hint shown in the blank on the front).
EXPECTED = {
    "code-span": ("std::move", None),
    "escaped": ("std::static_cast", None),
    "with-hint": ("a::b::c", "three parts"),
    "final-colon": ("16:9:", None),
    "single-colon": ("4:3", "two numbers"),
    "kf-vector/cloze": ("std::vector", None),
    "kf-or/cloze": ("a || b", None),
    "kf-equals/cloze": ("x == y", None),
}
TAG = re.compile(r"<[^>]+>")


def text_of(markup: str) -> str:
    return html.unescape(TAG.sub("", markup))


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """Note id → (question, answer) of its one cloze card, as Anki renders them."""
    root = tmp_path_factory.mktemp("exact")
    content = root / "content"
    content.mkdir()
    (content / "_index.md").write_text(INDEX, encoding="utf-8")
    (content / "answers.md").write_text(LESSON, encoding="utf-8")
    result = build_into(content, root / "out")
    assert result.output is not None, [d.format() for d in result.diagnostics.sorted()]
    found: dict[str, tuple[str, str]] = {}
    with collection(Path(root)) as col:
        import_package(col, result.output)
        for note_id in col.find_notes(""):
            note = col.get_note(note_id)
            if note.note_type()["name"] != "ankigen Cloze":
                continue
            (card,) = note.cards()
            found[note["ID"]] = (card.question(), card.answer())
    return found


def test_the_lesson_title_is_markdown_on_the_card(cards: dict[str, tuple[str, str]]) -> None:
    for question, _ in cards.values():
        (context,) = re.findall(r'<span class="ak-context">(.*?)</span>', question, re.DOTALL)
        assert context == "Q&amp;A: <em>colons</em> &amp; bars"
        assert text_of(context) == "Q&A: colons & bars"


@pytest.mark.parametrize("note_id", sorted(EXPECTED))
def test_the_answer_reaches_the_card_whole(cards: dict[str, tuple[str, str]], note_id: str) -> None:
    answer, hint = EXPECTED[note_id]
    question, back = cards[note_id]
    assert not render_errors(question) and not render_errors(back)
    # The back shows the answer in Anki's cloze span, exactly as written.
    shown = re.search(r'<span class="cloze"[^>]*>(.*?)</span>', back, re.DOTALL)
    assert shown is not None, back
    assert text_of(shown[1]) == answer
    # The front hides it, and shows the hint only when one was written.
    blank = re.search(r'<span class="cloze"[^>]*>(.*?)</span>', question, re.DOTALL)
    assert blank is not None, question
    assert text_of(blank[1]) == f"[{hint or '...'}]"
    assert answer not in text_of(question)
