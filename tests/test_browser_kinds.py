"""The card kinds of tests/fixtures/kinds in headless Chromium, as the desktop reviewer and
AnkiDroid show them: typed answers (with the text box and the comparison the reviewer puts where
Anki leaves `[[type:…]]`), two-way cards and image occlusion, in light and night mode.

Cards come from a real collection (the package imported with the `anki` package); the typed
answer is compared by Anki itself (`col.compare_answer`, `col.extract_cloze_for_typing`), and
the reviewer's own markup for the text box and the comparison is reproduced from aqt's reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection
from playwright.sync_api import Browser

from tests.anki_helpers import collection, import_package
from tests.browser import Reviewer, chromium, reviewer
from tests.conftest import FIXTURES, ROOT, build_into

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "build" / "screenshots"
THEMES = [pytest.param(False, id="light"), pytest.param(True, id="dark")]
MODES = [pytest.param(True, id="desktop"), pytest.param(False, id="ankidroid")]
TYPE_MARKER = re.compile(r"\[\[type:(.+?)\]\]")
# What aqt's reviewer puts in place of [[type:…]] on the question side (font from the field).
TYPE_BOX = """
<center>
<input type=text id=typeans onkeypress="_typeAnsPress();"
   style="font-family: 'Arial'; font-size: 20px;">
</center>
"""
# The reviewer's page script: Enter in the box shows the answer; pycmd is recorded here.
REVIEWER_SCRIPT = """<script>
window.__commands = window.__commands || [];
window.pycmd = function (command) { window.__commands.push(command); };
window._typeAnsPress = function () {
  if (window.event && window.event.code === "Enter") { window.pycmd("ans"); }
};
</script>"""


@dataclass
class Card:
    note_id: str
    ordinal: int
    question: str
    answer: str
    expected: str
    """What Anki compares a typed answer with ('' for cards without one)."""


@dataclass
class Deck:
    col: Collection
    media: Path
    cards: dict[str, Card]


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deck]:
    folder = tmp_path_factory.mktemp("kinds-browser")
    result = build_into(FIXTURES / "kinds", folder / "build", now=1_700_000_000)
    assert result.output is not None
    (folder / "anki").mkdir()
    with collection(folder / "anki") as col:
        import_package(col, result.output)
        cards: dict[str, Card] = {}
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            note = card.note()
            question = card.question()
            expected = ""
            found = TYPE_MARKER.search(question)
            if found:
                field = found[1]
                if field.startswith("cloze:"):
                    expected = col.extract_cloze_for_typing(note[field[6:]], card.ord + 1)
                else:
                    expected = note[field]
            key = f"{note['ID']}#{card.ord + 1}"
            cards[key] = Card(note["ID"], card.ord, question, card.answer(), expected)
        yield Deck(col, Path(col.media.dir()), cards)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def front_html(card: Card) -> str:
    return REVIEWER_SCRIPT + TYPE_MARKER.sub(TYPE_BOX, card.question)


def back_html(deck: Deck, card: Card, typed: str) -> str:
    compared = deck.col.compare_answer(card.expected, typed)
    shown = f"""<div style="font-family: 'Arial'; font-size: 20px">{compared}</div>"""
    return REVIEWER_SCRIPT + TYPE_MARKER.sub(lambda _: shown, card.answer)


def shot(review: Reviewer, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    review.page.locator(".ak").screenshot(path=str(SCREENSHOTS / f"card-{name}.png"))


def style(review: Reviewer, selector: str, prop: str, pseudo: str = "") -> str:
    value: str = review.page.locator(selector).first.evaluate(
        f"(el, p) => getComputedStyle(el{', ' + repr(pseudo) if pseudo else ''})"
        ".getPropertyValue(p)",
        prop,
    )
    return value


def no_sideways_scroll(review: Reviewer) -> bool:
    overflow: int = review.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow <= 0


# --------------------------------------------------------------------------------------------
# Typed answers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("desktop", MODES)
@pytest.mark.parametrize("night", THEMES)
def test_typing_an_answer_and_seeing_the_comparison(
    browser: Browser, deck: Deck, desktop: bool, night: bool
) -> None:
    card = deck.cards["de-vogel#1"]
    theme = "dark" if night else "light"
    with reviewer(browser, desktop=desktop, night=night, width=400) as review:
        review.show(front_html(card))
        box = review.page.locator("input#typeans")
        assert box.is_visible()
        # The theme wins over the reviewer's inline font and the browser's input look.
        assert style(review, "input#typeans", "font-size") == style(review, ".ak", "font-size")
        assert style(review, "input#typeans", "background-color") == style(
            review, ".ak-option, .ak-typein-box input", "background-color"
        )
        width = box.evaluate("el => el.getBoundingClientRect().width")
        room = review.page.locator(".ak-typein-box").evaluate(
            "el => el.getBoundingClientRect().width"
        )
        assert width == pytest.approx(room, abs=1)
        box.click()
        review.page.keyboard.type("der Fogel")
        # Keys that are card shortcuts elsewhere must type into the box, not act on the card.
        review.page.keyboard.type("n")
        review.page.keyboard.press("Backspace")
        review.page.keyboard.press("Enter")
        assert review.page.evaluate("window.__commands") == ["ans"]
        typed = box.input_value()
        assert typed == "der Fogel"
        if desktop:
            shot(review, f"typein-front-{theme}")
        review.show(back_html(deck, card, typed))
        assert review.page.locator("code#typeans .typeGood").count() >= 1
        bad = review.page.locator("code#typeans .typeBad")
        assert bad.count() == 1
        # The theme's "wrong" colour, light or night, not the reviewer's own.
        wrong = review.page.evaluate(
            """() => { const probe = document.createElement("span");
                probe.style.color = "var(--ak-wrong)";
                document.querySelector(".ak").appendChild(probe);
                const colour = getComputedStyle(probe).color; probe.remove(); return colour; }"""
        )
        assert wrong not in ("", "rgb(0, 0, 0)")
        assert style(review, "code#typeans .typeBad", "color") == wrong
        assert "Vogel" in review.page.locator(".ak-explanation").inner_text()
        assert no_sideways_scroll(review)
        if desktop:
            shot(review, f"typein-back-{theme}")
        assert review.errors == []


@pytest.mark.parametrize("night", THEMES)
def test_typing_a_cloze(browser: Browser, deck: Deck, night: bool) -> None:
    card = deck.cards["typed-water#1"]
    assert card.expected == "100 °C"
    theme = "dark" if night else "light"
    with reviewer(browser, desktop=True, night=night) as review:
        review.show(front_html(card))
        assert "[...]" in review.page.locator(".ak-cloze-text").inner_text()
        review.page.locator("input#typeans").fill("100 °C")
        shot(review, f"clozetypein-front-{theme}")
        review.show(back_html(deck, card, "100 °C"))
        compared = review.page.locator("code#typeans")
        assert compared.locator(".typeGood").count() == 1
        assert compared.locator(".typeBad, .typeMissed").count() == 0
        shot(review, f"clozetypein-back-{theme}")
        assert review.errors == []


# --------------------------------------------------------------------------------------------
# Two-way cards
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("desktop", MODES)
@pytest.mark.parametrize("night", THEMES)
def test_the_reverse_card_asks_for_the_question(
    browser: Browser, deck: Deck, desktop: bool, night: bool
) -> None:
    forward, reverse = deck.cards["de-katze#1"], deck.cards["de-katze#2"]
    theme = "dark" if night else "light"
    with reviewer(browser, desktop=desktop, night=night) as review:
        review.show(forward.question)
        assert "die Katze" in review.page.locator(".ak-question").inner_text()
        review.show(forward.answer)
        assert "the cat" in review.page.locator(".ak-answer").inner_text()
        review.show(reverse.question)
        prompt = review.page.locator(".ak-direction").inner_text()
        assert "Which German word" in prompt
        assert review.page.locator(".ak-reverse-prompt").inner_text().strip() == "the cat"
        assert "die Katze" not in review.page.locator(".ak").inner_text()
        hint = review.page.locator(".ak-hint")
        hint.locator("summary").click()
        assert "Feminine." in hint.inner_text()
        if desktop:
            shot(review, f"twoway-reverse-front-{theme}")
        review.show(reverse.answer)
        assert review.page.locator(".ak-answer").inner_text().strip() == "die Katze"
        if desktop:
            shot(review, f"twoway-reverse-back-{theme}")
        assert review.errors == []


# --------------------------------------------------------------------------------------------
# Image occlusion
# --------------------------------------------------------------------------------------------

GEOMETRY = """
el => {
  const frame = el.closest('.ak-io-frame').querySelector('img').getBoundingClientRect();
  const box = el.getBoundingClientRect();
  return [(box.left - frame.left) / frame.width * 100, (box.top - frame.top) / frame.height * 100,
          box.width / frame.width * 100, box.height / frame.height * 100];
}
"""


@pytest.mark.parametrize("desktop", MODES)
@pytest.mark.parametrize("night", THEMES)
def test_occlusion_covers_the_regions_and_names_the_asked_one(
    browser: Browser, deck: Deck, desktop: bool, night: bool
) -> None:
    card = deck.cards["heart-parts#2"]
    theme = "dark" if night else "light"
    with reviewer(browser, desktop=desktop, night=night, media=deck.media) as review:
        review.show(card.question)
        review.page.wait_for_load_state("load")
        regions = review.page.locator(".ak-io-region")
        assert regions.count() == 3
        # Each box sits where the lesson put it, in percent of the image.
        placed = regions.nth(1).evaluate(GEOMETRY)
        assert placed == pytest.approx([55, 55, 30, 30], abs=1)
        mask = style(review, ".ak", "--ak-io-mask").strip()
        asked = review.page.locator(".ak-io-region .cloze")
        assert asked.count() == 1
        assert asked.evaluate("el => el.parentNode.dataset.region") == "2"
        # The asked box shows "?", never its name; the other boxes are covered, names hidden.
        assert style(review, ".ak-io-region .cloze", "content", "::after") == '"?"'
        assert asked.evaluate("el => getComputedStyle(el).fontSize") == "0px"
        for index in (0, 2):
            region = regions.nth(index)
            assert region.evaluate("el => getComputedStyle(el).color") == "rgba(0, 0, 0, 0)"
            background = region.evaluate("el => getComputedStyle(el).backgroundColor")
            assert background not in ("rgba(0, 0, 0, 0)", "transparent")
        assert mask in ("#f2c14e", "#8c6d1f")
        assert (mask == "#8c6d1f") is night
        if desktop:
            shot(review, f"occlusion-front-{theme}")
        review.show(card.answer)
        review.page.wait_for_load_state("load")
        label = review.page.locator(".ak-io-label")
        assert label.inner_text() == "Left ventricle"
        assert label.is_visible()
        assert review.page.locator(".ak-io-answer").inner_text() == "Left ventricle"
        assert no_sideways_scroll(review)
        if desktop:
            shot(review, f"occlusion-back-{theme}")
        assert review.errors == []


def test_hide_one_leaves_the_other_regions_visible(browser: Browser, deck: Deck) -> None:
    card = deck.cards["heart-chambers#1"]
    with reviewer(browser, desktop=True, media=deck.media) as review:
        review.show(card.question)
        other = review.page.locator('.ak-io-region[data-region="2"]')
        assert other.evaluate("el => getComputedStyle(el).backgroundColor") == "rgba(0, 0, 0, 0)"
        asked = review.page.locator('.ak-io-region[data-region="1"] .cloze')
        assert asked.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
        shot(review, "occlusion-hide-one-front-light")
        assert review.errors == []


def test_occlusion_answer_without_javascript_still_names_the_region(
    browser: Browser, deck: Deck
) -> None:
    card = deck.cards["heart-parts#1"]
    context = browser.new_context(java_script_enabled=False, viewport={"width": 800, "height": 900})
    try:
        page = context.new_page()
        page.set_content(f'<html><body class="card">{card.answer}</body></html>')
        asked = page.locator(".ak-io-region .cloze")
        assert asked.inner_text() == "Aorta"
        assert asked.evaluate("el => getComputedStyle(el).fontSize") != "0px"
    finally:
        context.close()


def test_every_kind_in_one_desktop_session(browser: Browser, deck: Deck) -> None:
    """Desktop Anki keeps one page: every side of every card, one after the other."""
    with reviewer(browser, desktop=True, media=deck.media) as review:
        for key, card in sorted(deck.cards.items()):
            review.show(front_html(card))
            if card.expected:
                review.page.locator("input#typeans").fill(card.expected)
            review.show(back_html(deck, card, card.expected) if card.expected else card.answer)
            assert key and review.page.locator(".ak").count() == 1
        assert review.errors == []
