"""Card templates and the preview site in headless Chromium, as desktop Anki and AnkiDroid
show them.

Cards come from a real collection: the built package is imported with the `anki` package and each
card's question and answer HTML is taken from Anki's own renderer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FrameLocator, Locator, Page

from generator.config import BuildConfig
from generator.kinds import REGISTRY
from generator.pipeline import build
from generator.preview.site import write_preview
from tests.anki_helpers import collection, import_package
from tests.browser import Reviewer, chromium, reviewer
from tests.conftest import CONTENT, FIXTURES, ROOT, build_into

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "build" / "screenshots"
Sides = dict[str, tuple[str, str]]
MODES = [pytest.param(True, id="desktop"), pytest.param(False, id="ankidroid")]


def card_sides(content: Path, tmp: Path) -> Sides:
    """ID field (with '#n' for cloze cards) → (question HTML, answer HTML) from real Anki."""
    result = build_into(content, tmp / "out")
    assert result.output is not None, [d.format() for d in result.diagnostics.sorted()]
    sides: Sides = {}
    with collection(tmp) as col:
        import_package(col, result.output)
        sides["_media"] = (col.media.dir(), "")
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            note_id = card.note()["ID"]
            key = f"{note_id}#{card.ord + 1}" if card.note_type()["type"] == 1 else note_id
            sides[key] = (card.question(), card.answer())
    return sides


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Sides:
    return card_sides(CONTENT, tmp_path_factory.mktemp("seed-cards"))


@pytest.fixture(scope="module")
def fixture_cards(tmp_path_factory: pytest.TempPathFactory) -> Sides:
    return card_sides(FIXTURES / "course", tmp_path_factory.mktemp("fixture-cards"))


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Sides:
    return card_sides(FIXTURES / "tour", tmp_path_factory.mktemp("tour-cards"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def options(page: Page) -> list[dict[str, str]]:
    result: list[dict[str, str]] = page.eval_on_selector_all(
        ".ak-option",
        """items => items.map(item => ({
            letter: item.querySelector('.ak-letter').textContent,
            written: item.dataset.letter,
            correct: item.dataset.correct,
            text: item.querySelector('.ak-option-text').textContent,
        }))""",
    )
    return result


def shot(review: Reviewer, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    review.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("desktop", MODES)
def test_wrong_pick_shows_cross_and_the_right_answer(
    browser: Browser, seed: Sides, desktop: bool
) -> None:
    front, back = seed["pt-ft-quiz-goal-of-pretraining"]
    with reviewer(browser, desktop=desktop) as review:
        review.show(front)
        shown = options(review.page)
        wrong = next(i for i, option in enumerate(shown) if option["correct"] == "false")
        right = next(option for option in shown if option["correct"] == "true")
        review.page.locator(".ak-option").nth(wrong).click()
        assert "is-picked" in (
            review.page.locator(".ak-option").nth(wrong).get_attribute("class") or ""
        )
        review.show(back)
        feedback = review.page.locator(".ak-feedback")
        assert feedback.is_visible()
        assert "✗ Incorrect" in feedback.inner_text()
        assert f"Correct option: {right['letter']}" in feedback.inner_text()
        assert options(review.page) == shown  # same order on both sides
        picked = review.page.locator(".ak-option.is-wrong")
        assert picked.count() == 1
        assert picked.locator(".ak-option-text").inner_text() == shown[wrong]["text"]
        assert review.errors == []


@pytest.mark.parametrize("desktop", MODES)
def test_right_pick_by_keyboard_shows_tick(browser: Browser, seed: Sides, desktop: bool) -> None:
    front, back = seed["pt-ft-practice-pretraining-purpose"]
    with reviewer(browser, desktop=desktop) as review:
        review.show(front)
        shown = options(review.page)
        right = next(i for i, option in enumerate(shown) if option["correct"] == "true")
        # Arrows choose in a radio group (the first press lands on the first option); they
        # never flip the card. Digits do nothing: desktop Anki keeps 1-7 for itself.
        review.page.keyboard.press("1")
        assert review.page.locator(".ak-option.is-picked").count() == 0
        for _ in range(right + 1):
            review.page.keyboard.press("ArrowDown")
        picked = review.page.locator(".ak-option.is-picked")
        assert picked.count() == 1
        assert picked.locator(".ak-option-text").inner_text() == shown[right]["text"]
        review.show(back)
        assert review.page.locator(".ak-feedback").inner_text().startswith("✓ Correct")
        assert review.page.locator(".ak-option.is-right").count() == 1
        assert review.errors == []


def test_shuffle_is_the_same_on_every_review(browser: Browser, seed: Sides) -> None:
    front, back = seed["pt-ft-quiz-finetuning-described"]
    orders = []
    for desktop in (True, False, True):
        with reviewer(browser, desktop=desktop) as review:
            review.show(front)
            orders.append([option["text"] for option in options(review.page)])
            review.show(back)
            orders.append([option["text"] for option in options(review.page)])
    assert all(order == orders[0] for order in orders)


def test_answer_letters_follow_the_shuffle(browser: Browser, seed: Sides) -> None:
    front, back = seed["pt-ft-quiz-goal-of-pretraining"]
    with reviewer(browser, desktop=True) as review:
        review.show(front)
        review.show(back)
        right = next(option for option in options(review.page) if option["correct"] == "true")
        assert review.page.locator(".ak-answer .ak-letter").inner_text() == right["letter"]


@pytest.mark.parametrize("desktop", MODES)
def test_several_correct_answers_are_scored_honestly(
    browser: Browser, fixture_cards: Sides, desktop: bool
) -> None:
    front, back = fixture_cards["fx-primes"]
    with reviewer(browser, desktop=desktop) as review:
        review.show(front)
        check = review.page.locator(".ak-check")
        assert check.is_disabled()
        shown = options(review.page)
        right = [i for i, o in enumerate(shown) if o["correct"] == "true"]
        wrong = [i for i, o in enumerate(shown) if o["correct"] == "false"]
        review.page.locator(".ak-option").nth(right[0]).click()
        review.page.locator(".ak-option").nth(wrong[0]).click()
        assert review.page.get_attribute(".ak-options", "role") == "group"
        check.click()
        review.show(back)
        text = review.page.locator(".ak-feedback").inner_text()
        assert "Partly correct" in text
        assert "1 of 2 correct options picked, 1 wrong" in text
        review.show(front)
        for index in right:
            review.page.locator(".ak-option").nth(index).click()
        review.show(back)
        assert review.page.locator(".ak-feedback").inner_text().startswith("✓ Correct")
        assert review.errors == []


@pytest.mark.parametrize("desktop", MODES)
def test_solution_steps_reveal_one_by_one(browser: Browser, seed: Sides, desktop: bool) -> None:
    _, back = seed["pt-ft-practice-medical-chatbot"]
    with reviewer(browser, desktop=desktop) as review:
        review.show(back)
        steps = review.page.locator(".ak-solution ol > li")
        total = steps.count()
        assert total >= 3

        def visible() -> int:
            return sum(steps.nth(i).is_visible() for i in range(total))

        assert visible() == 1
        review.page.locator(".ak-next-step").click()
        assert visible() == 2
        assert review.page.locator(".ak-step-count").inner_text() == f"Step 2 of {total}"
        review.page.locator(".ak-all-steps").click()
        assert visible() == total
        assert review.page.locator(".ak-next-step").is_disabled()
        assert review.errors == []


@pytest.mark.parametrize("desktop", MODES)
def test_checklist_counts_concepts(browser: Browser, seed: Sides, desktop: bool) -> None:
    _, back = seed["pt-ft-explain-pt-ft"]
    with reviewer(browser, desktop=desktop) as review:
        review.show(back)
        boxes = review.page.locator(".ak-concept-box")
        assert boxes.count() == 4
        score = review.page.locator(".ak-score")
        assert score.inner_text() == "You got 0/4 concepts"
        boxes.nth(0).check()
        boxes.nth(2).check()
        assert score.inner_text() == "You got 2/4 concepts"
        review.page.locator(".ak-concept-label").nth(2).click()
        assert score.inner_text() == "You got 1/4 concepts"
        assert review.errors == []


@pytest.mark.parametrize("desktop", MODES)
def test_cloze_choice_fills_the_blank(browser: Browser, seed: Sides, desktop: bool) -> None:
    front, back = seed["pt-ft-kf-general-data/cloze/choice-c1"]
    with reviewer(browser, desktop=desktop) as review:
        review.show(front)
        shown = options(review.page)
        wrong = next(i for i, option in enumerate(shown) if option["correct"] == "false")
        review.page.locator(".ak-option").nth(wrong).click()
        assert review.page.locator(".ak-blank").inner_text() == shown[wrong]["text"]
        review.show(back)
        assert "✗ Incorrect" in review.page.locator(".ak-feedback").inner_text()
        assert review.page.locator(".ak-cloze-answer").inner_text() == "General data"
        assert review.page.locator(".ak-your-pick").inner_text() == shown[wrong]["text"]
        assert review.errors == []


def test_every_card_runs_without_errors_in_one_desktop_session(
    browser: Browser, seed: Sides, fixture_cards: Sides
) -> None:
    """Desktop Anki keeps one page: every side of every card, one after the other."""
    with reviewer(browser, desktop=True) as review:
        for key, (front, back) in sorted({**seed, **fixture_cards}.items()):
            if key == "_media":
                continue
            review.show(front)
            if review.page.locator(".ak-front .ak-option").count():
                review.page.keyboard.press("ArrowDown")
            review.show(back)
        assert review.errors == []
        handlers = review.page.evaluate("typeof window.ankigenKeyHandler")
        assert handlers in ("function", "object")


@pytest.mark.parametrize("key", ["pt-ft-quiz-goal-of-pretraining", "fx-primes"])
def test_back_marks_the_answer_with_javascript_off(
    browser: Browser, seed: Sides, fixture_cards: Sides, key: str
) -> None:
    _, back = {**seed, **fixture_cards}[key]
    context = browser.new_context(java_script_enabled=False, viewport={"width": 800, "height": 900})
    try:
        page = context.new_page()
        page.set_content(f'<html><body class="card">{back}</body></html>')
        correct = page.locator('.ak-option[data-correct="true"]')
        assert correct.count() >= 1
        marker = correct.first.evaluate("el => getComputedStyle(el, '::after').content")
        assert "correct" in marker
        assert page.locator(".ak-answer").is_visible()
        assert page.locator(".ak-feedback").is_hidden()
    finally:
        context.close()


@pytest.mark.parametrize("width", [360, 1000])
@pytest.mark.parametrize("night", [False, True], ids=["light", "dark"])
def test_screenshots_and_no_horizontal_scroll(
    browser: Browser, seed: Sides, width: int, night: bool
) -> None:
    theme = "dark" if night else "light"
    cards = {
        "choice": "pt-ft-practice-finetune-output",
        "reveal": "pt-ft-diagram-flow",
        "selfcheck": "pt-ft-explain-pt-ft",
        "clozechoice": "pt-ft-summary-pretraining/choice-c2",
        "cloze": "pt-ft-summary-pretraining#1",
        "truefalse": "pt-ft-conf-same-process",
    }
    with reviewer(browser, desktop=True, width=width, night=night) as review:
        for name, key in cards.items():
            front, back = seed[key]
            review.show(front)
            shot(review, f"{name}-front-{width}-{theme}")
            if review.page.locator(".ak-option").count():
                review.page.locator(".ak-option").first.click()
                shot(review, f"{name}-picked-{width}-{theme}")
            review.show(back)
            shot(review, f"{name}-back-{width}-{theme}")
            if width == 1000:
                review.page.locator(".ak").screenshot(
                    path=str(SCREENSHOTS / f"card-{name}-back-{theme}.png")
                )
            overflow = review.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{key} scrolls sideways at {width}px"
        assert review.errors == []


def preview_of(content: Path, tmp_path: Path) -> tuple[Path, int]:
    result = build(BuildConfig(content=content, out_dir=tmp_path, dry_run=True))
    assert result.course is not None
    site = write_preview(
        tmp_path / "preview", result.course.deck, result.notes, REGISTRY, content=content
    )
    return site.path, sum(len(note.cards) for note in result.notes)


def page_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


@contextmanager
def opened_preview(
    browser: Browser, tmp_path: Path, width: int, height: int
) -> Iterator[tuple[Page, Path, int, list[str]]]:
    """The sample course's preview open in a page of `width` × `height` px: the page, the
    site's file, how many cards it shows, and the errors the page reports."""
    site, total = preview_of(CONTENT, tmp_path)
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        errors = page_errors(page)
        page.goto(site.as_uri())
        yield page, site, total, errors
    finally:
        context.close()


def test_preview_site(browser: Browser, tmp_path: Path) -> None:
    with opened_preview(browser, tmp_path, 1000, 900) as (page, site, total, errors):
        cards = page.locator(".pv-card")
        assert cards.count() == total
        summary = page.locator("#pv-summary").inner_text()
        assert summary == f"{total} of {total} cards · 1 deck"

        page.select_option("#pv-kind", "selfcheck")
        assert page.locator(".pv-card:visible").count() == 2
        page.select_option("#pv-kind", "")
        page.fill("#pv-text", "medical chatbot")
        visible = page.locator(".pv-card:visible")
        assert visible.count() == 1
        page.fill("#pv-text", "")
        page.select_option("#pv-tag", "difficulty::hard")
        assert page.locator(".pv-card:visible").count() == 1
        page.select_option("#pv-tag", "")

        first = page.locator(".pv-card", has=page.locator(".pv-kind", has_text="multiple choice"))
        article = first.first
        article.scroll_into_view_if_needed()
        # The lesson and line are shown to the author here, never on the card.
        assert re.search(r"\.md:\d+$", article.locator(".pv-source").inner_text())
        frame = article.frame_locator("iframe")
        assert frame.locator(".ak-source").count() == 0
        # One gesture: the pick shows the answer, as in Anki.
        frame.locator(".ak-option").first.click()
        expect_text(article.locator(".pv-flip"), "Show question")
        assert frame.locator(".ak-feedback").inner_text() != ""
        page.locator("#pv-theme").click()
        assert "pv-dark" in (page.locator("html").get_attribute("class") or "")
        assert "nightMode" in (frame.locator("body").get_attribute("class") or "")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "preview-dark.png"))
        assert errors == []
        assert not re.search(r"https?://", site.read_text(encoding="utf-8"))


def test_preview_a_card_turned_over_before_its_frame_loaded_shows_its_back(
    browser: Browser, tmp_path: Path
) -> None:
    """The button of a card far down the page makes its frame and turns it over at once, before
    the frame has loaded: the back shows once it has (a message to a loading frame is lost)."""
    with opened_preview(browser, tmp_path, 1000, 600) as (page, _, _, errors):
        article = page.locator(".pv-card", has=page.locator(".pv-kind", has_text="reveal")).last
        assert article.locator("iframe").count() == 0
        article.locator(".pv-flip").evaluate("button => button.click()")
        expect_text(article.locator(".pv-flip"), "Show question")
        article.frame_locator("iframe").locator(".ak-back").wait_for(timeout=10_000)
        assert errors == []


def expect_text(locator: Locator, text: str, *, part: bool = False) -> None:
    """Wait up to 2 s for `locator`'s text to be `text` (with `part`, to contain it): what a
    message between frames changes is changed after the action that sent it returns."""

    def shown() -> bool:
        found = locator.inner_text()
        return text in found if part else found == text

    for _ in range(100):
        if shown():
            return
        time.sleep(0.02)
    assert shown(), locator.inner_text()


def test_preview_tour_math_media_sound_and_check(browser: Browser, tmp_path: Path) -> None:
    site, _ = preview_of(FIXTURES / "tour", tmp_path)
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    requests: list[str] = []
    try:
        page = context.new_page()
        errors = page_errors(page)
        page.on("request", lambda request: requests.append(request.url))
        page.goto(site.as_uri())

        def card(card_id: str) -> Locator:
            article = page.locator(f".pv-card:has(.pv-id:text-is('{card_id}'))")
            article.scroll_into_view_if_needed()
            return article

        quadratic = card("tour-math-quadratic")
        quadratic.locator(".pv-flip").click()
        frame = quadratic.frame_locator("iframe")
        frame.locator(".katex").first.wait_for()
        assert "\\frac" not in frame.locator(".ak-question").inner_text()
        figure = card("tour-media-blue-figure")
        figure.locator(".pv-flip").click()
        figure.frame_locator("iframe").locator("img").wait_for()
        loaded = (
            figure.frame_locator("iframe")
            .locator("img")
            .evaluate("img => img.complete && img.naturalWidth > 0")
        )
        assert loaded
        audio = card("tour-media-audio")
        audio.locator(".pv-flip").click()
        sound = audio.frame_locator("iframe").locator("audio.ak-sound")
        assert sound.count() == 1
        assert "[sound:" not in audio.frame_locator("iframe").locator("body").inner_text()
        # The multi-answer Check button shows the answer, as in Anki.
        primes = card("tour-study-primes")
        frame = primes.frame_locator("iframe")
        for index, option in enumerate(options_in(frame)):
            if option == "correct":
                frame.locator(".ak-option").nth(index).click()
        frame.locator(".ak-check").click()
        expect_text(primes.locator(".pv-flip"), "Show question")
        assert frame.locator(".ak-feedback").inner_text().startswith("✓ Correct")
        assert errors == []
        assert [url for url in requests if url.startswith(("http:", "https:"))] == []
    finally:
        context.close()


def options_in(frame: FrameLocator) -> list[str]:
    values: list[str] = frame.locator(".ak-option").evaluate_all(
        "items => items.map(i => i.dataset.correct === 'true' ? 'correct' : 'wrong')"
    )
    return values


def test_preview_study_mode(browser: Browser, tmp_path: Path) -> None:
    with opened_preview(browser, tmp_path, 360, 740) as (page, _, _, errors):
        # A phone: the header is short and scrolls away with the page.
        header = page.locator(".pv-header").bounding_box()
        assert header is not None and header["height"] <= 0.22 * 740, header
        assert page.locator(".pv-header").evaluate("h => getComputedStyle(h).position") == "static"
        page.select_option("#pv-kind", "choice")
        chosen = page.locator(".pv-card:visible").count()
        page.locator("#pv-study-start").click()
        assert page.locator("#pv-decks").is_hidden()
        frame = page.frame_locator("#pv-study-card iframe")
        shown = options_in(frame)
        wrong = shown.index("wrong")
        frame.locator(".ak-option").nth(wrong).click()
        frame.locator(".ak-feedback:not([hidden])").wait_for()
        assert frame.locator(".ak-feedback").inner_text().startswith("✗ Incorrect")
        assert page.locator("#pv-study-grades").is_visible()
        assert page.locator("#pv-study-grades .is-suggested").inner_text().startswith("Again")
        page.locator("#pv-study-grades [data-grade='1']").click()
        assert "✗ 1" in page.locator("#pv-study-score").inner_text()
        # The card graded Again comes back at the end; the next one is answered by keys.
        frame = page.frame_locator("#pv-study-card iframe")
        frame.locator(".ak-option").first.wait_for()
        right = options_in(frame).index("correct")
        frame.locator(".ak-meta").click()
        for _ in range(right + 1):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
        frame.locator(".ak-feedback:not([hidden])").wait_for()
        assert frame.locator(".ak-feedback").inner_text().startswith("✓ Correct")
        # Pressed in the card's frame: the grade reaches the page as a message.
        page.keyboard.press("3")
        expect_text(page.locator("#pv-study-score"), "✓ 1", part=True)
        assert "✗ 1" in page.locator("#pv-study-score").inner_text()
        expect_text(page.locator("#pv-study-progress"), f"{chosen - 1} cards left", part=True)
        page.locator("#pv-study-stop").click()
        assert page.locator("#pv-decks").is_visible()
        assert errors == []


@pytest.mark.parametrize("night", [False, True], ids=["light", "dark"])
def test_feature_tour_renders_offline(browser: Browser, tour: Sides, night: bool) -> None:
    """Every tour card, media resolved from the collection: no errors, no remote request, no
    sideways scroll at 360 px; screenshots for the format guide."""
    theme = "dark" if night else "light"
    media = Path(tour["_media"][0])
    requests: list[str] = []
    for width in (360, 1000):
        with reviewer(browser, desktop=True, width=width, night=night, media=media) as review:
            review.page.on("request", lambda request: requests.append(request.url))
            for key, (front, back) in sorted(tour.items()):
                if key == "_media":
                    continue
                review.show(front)
                review.show(back)
                review.page.wait_for_load_state("load")
                name = re.sub(r"[^a-z0-9-]", "-", key.lower())
                shot(review, f"tour-{name}-{width}-{theme}")
                if width == 1000:
                    review.page.locator(".ak").screenshot(
                        path=str(SCREENSHOTS / f"card-{name}-{theme}.png")
                    )
                overflow = review.page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{key} scrolls sideways at {width}px"
                broken = review.page.evaluate(
                    "Array.from(document.images).filter(i => !i.complete || !i.naturalWidth)"
                    ".map(i => i.getAttribute('src'))"
                )
                assert broken == [], f"{key}: images not loaded {broken}"
            assert review.errors == []
    remote = [url for url in requests if url.startswith(("http:", "https:"))]
    assert remote == []


# Where the pick must come from when layers above it are blocked (they throw) or emptied on each
# flip: AnkiDroid's newer study screen clears sessionStorage, some webviews block storage.
STORAGE_CASES = [
    pytest.param(False, (), (), id="ankidroid-all-layers"),
    pytest.param(False, (), ("sessionStorage",), id="ankidroid-session-cleared"),
    pytest.param(False, ("sessionStorage",), (), id="ankidroid-session-blocked"),
    pytest.param(False, ("sessionStorage", "localStorage"), (), id="ankidroid-only-window-name"),
    pytest.param(True, ("sessionStorage", "localStorage"), ("name",), id="desktop-only-memory"),
]


@pytest.mark.parametrize(("desktop", "block", "clear"), STORAGE_CASES)
def test_the_pick_survives_blocked_and_cleared_layers(
    browser: Browser,
    seed: Sides,
    desktop: bool,
    block: tuple[str, ...],
    clear: tuple[str, ...],
) -> None:
    front, back = seed["pt-ft-quiz-goal-of-pretraining"]
    with reviewer(browser, desktop=desktop, block=block, clear=clear) as review:
        review.show(front)
        shown = options(review.page)
        wrong = next(i for i, option in enumerate(shown) if option["correct"] == "false")
        review.page.locator(".ak-option").nth(wrong).click()
        review.show(back)
        assert review.page.locator(".ak-feedback").inner_text().startswith("✗ Incorrect")
        assert (
            review.page.locator(".ak-option.is-wrong .ak-option-text").inner_text()
            == (shown[wrong]["text"])
        )
        assert options(review.page) == shown
        # The next review starts clean: the front forgets the last pick in every layer.
        review.show(front)
        review.show(back)
        assert review.page.locator(".ak-feedback").inner_text() == "No option picked"
        assert review.errors == []


def test_every_layer_lost_shows_no_pick_without_errors(browser: Browser, seed: Sides) -> None:
    front, back = seed["pt-ft-quiz-goal-of-pretraining"]
    with reviewer(
        browser, desktop=False, block=("sessionStorage", "localStorage", "name")
    ) as review:
        review.show(front)
        review.page.locator(".ak-option").first.click()
        review.show(back)
        assert review.page.locator(".ak-feedback").inner_text() == "No option picked"
        assert review.page.locator('.ak-option[data-correct="true"]').count() == 1
        assert review.errors == []


def test_a_stale_local_pick_is_not_shown(browser: Browser, seed: Sides) -> None:
    """localStorage outlives the review: a pick older than its expiry is ignored."""
    front, back = seed["pt-ft-quiz-goal-of-pretraining"]
    with reviewer(browser, desktop=False, block=("sessionStorage",), clear=("name",)) as review:
        review.show(front)
        review.page.locator(".ak-option").first.click()
        review.page.evaluate(
            """(function () {
                 var root = document.querySelector(".ak");
                 var key = "ankigen:" + root.dataset.note + ":" + root.dataset.card;
                 var record = JSON.parse(localStorage.getItem(key));
                 record.t -= 7 * 60 * 60 * 1000;
                 localStorage.setItem(key, JSON.stringify(record));
               }())"""
        )
        review.show(back)
        assert review.page.locator(".ak-feedback").inner_text() == "No option picked"
        assert review.errors == []


def test_shuffle_is_seeded_by_the_card_id_with_a_fallback(browser: Browser, seed: Sides) -> None:
    front, back = seed["pt-ft-quiz-finetuning-described"]
    card = re.search(r'data-card="(\d+)"', front)
    assert card is not None, "{{CardID}} is rendered by Anki"
    orders = {}
    for name, value in {"real": card[1], "other": "1", "old client": "{{CardID}}"}.items():
        with reviewer(browser, desktop=False) as review:
            review.show(front.replace(card[0], f'data-card="{value}"'))
            orders[name] = [option["text"] for option in options(review.page)]
            review.show(back.replace(card[0], f'data-card="{value}"'))
            assert [option["text"] for option in options(review.page)] == orders[name]
            assert review.errors == []
    assert len({tuple(order) for order in orders.values()}) > 1
