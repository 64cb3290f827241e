"""Every card of the seed course, the feature tour and the card kinds course
(tests/fixtures/kinds), reviewed in Anki desktop itself.

Anki desktop (aqt) runs on Xvfb with a fresh profile whose collection has the three packages
imported. Every key press and click is real X input sent with xdotool, so it passes through Qt's
shortcuts exactly as a learner's would (Anki takes 1–7, Space and Enter before the page). Each
card is reviewed light and night, at 400 and 1000 px: picks wrong, right and partial, by mouse
and by keyboard; flips; steps; the checklist; cloze-choice blanks. After every action the DOM
state is asserted; on every side: no script error, every visible text at least 4.5:1 against
what is drawn behind it, no sideways scrolling; after flipping, the verdict in the viewport.
Typed answers, two-way cards and image occlusion are reviewed by tests/desktop_kinds.py within
the same sessions. Screenshots of both sides go to build/screenshots/desktop/.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CONTENT, FIXTURES, ROOT, build_into
from tests.desktop import (
    Desktop,
    DesktopError,
    anki_desktop,
    cards_in,
    missing_tools,
    prepare_collection,
)
from tests.desktop_kinds import CLASSES, KINDS, KindsReview

pytestmark = pytest.mark.desktop

SHOTS = ROOT / "build" / "screenshots" / "desktop"
REPORT = ROOT / "build" / "desktop-report.json"
AUDIT = (Path(__file__).resolve().parent / "audit.js").read_text(encoding="utf-8")
COURSES = {
    "Prompt Engineering and GenAI": CONTENT,
    "Feature Tour": FIXTURES / "tour",
    "Card kinds": KINDS,
}
HEIGHT = 720
CONFIGS = [("light", 400), ("light", 1000), ("dark", 400), ("dark", 1000)]
AA = 4.5


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    if missing_tools():
        pytest.fail(f"missing {', '.join(missing_tools())}: run `make test` (it installs them)")
    out = []
    for name, content in COURSES.items():
        result = build_into(content, tmp_path_factory.mktemp(re.sub(r"\W+", "-", name)))
        assert result.output is not None
        out.append(result.output)
    return out


@dataclass
class Tally:
    """What one configuration saw."""

    cards: list[str] = field(default_factory=list)
    """ID (with #n for cloze cards) of every card reviewed, in order."""
    lowest: dict[str, Any] | None = None
    """The lowest contrast ratio measured and where."""
    actions: dict[str, int] = field(default_factory=dict)
    """How many times each kind of interaction was done."""
    reviewed: set[tuple[str, int]] = field(default_factory=set)
    """(note ID, ordinal) of every card reviewed."""
    kinds: list[str] = field(default_factory=list)
    """The cards of the kinds of tests/desktop_kinds.py (typed, two-way, occlusion)."""
    kinds_lowest: dict[str, Any] | None = None
    """The lowest contrast ratio measured on those cards."""

    def did(self, action: str) -> None:
        self.actions[action] = self.actions.get(action, 0) + 1


class Session:
    """One Anki window, one theme, one width; reviews whatever card the scheduler shows."""

    def __init__(self, desktop: Desktop, theme: str, width: int, offset: int = 0) -> None:
        self.d = desktop
        # Which interaction a card gets turns with the card's place; the offset turns it per
        # configuration, so that every card meets every kind of pick across the four.
        self.offset = offset
        self.theme = theme
        self.width = width
        self.tally = Tally()
        self.shots = SHOTS / f"{theme}-{width}"
        self.kinds = KindsReview(self)
        self.new_kind = False

    # -- looking -------------------------------------------------------------------------

    def page(self, expression: str) -> Any:
        return self.d.js(expression)

    def root(self, side: str) -> dict[str, Any] | None:
        """The card's root once Anki has rendered it (MathJax done: #qa is opaque again)."""
        found: dict[str, Any] | None = self.page(
            f"""(function () {{
              var qa = document.getElementById("qa");
              var root = qa && qa.querySelector(".ak");
              if (!root || root.hasAttribute("data-test-seen") || qa.style.opacity === "0") {{
                return null;
              }}
              if (!root.classList.contains("ak-{side}")) {{ return null; }}
              if (root.hasAttribute("data-ak") && !root.hasAttribute("data-ak-ready")) {{
                return null;
              }}
              return {{classes: root.className, note: root.getAttribute("data-note") || ""}};
            }}())"""
        )
        return found

    def wait_side(self, side: str) -> dict[str, Any]:
        found: dict[str, Any] = self.d.wait(f"the {side} side", lambda: self.root(side))
        return found

    def seen(self) -> None:
        """Mark the card on screen, so that waiting for the next side never finds it."""
        self.page('document.querySelector("#qa .ak").setAttribute("data-test-seen", "1"); 1')

    def options(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.page(
            """Array.prototype.map.call(document.querySelectorAll("#qa .ak-option"), function (o) {
                 return {
                   correct: o.getAttribute("data-correct") === "true",
                   picked: o.classList.contains("is-picked"),
                   cursor: o.classList.contains("is-cursor"),
                   letter: o.querySelector(".ak-letter").textContent.replace(/[^A-Z]/g, ""),
                   text: o.querySelector(".ak-option-text").textContent,
                   math: Boolean(o.querySelector(".ak-option-text mjx-container")),
                   classes: o.className
                 };
               })"""
        )
        return found

    def text(self, selector: str) -> str:
        value = self.page(
            f"(function () {{ var e = document.querySelector({json.dumps(selector)});"
            " return e ? e.innerText : null; }())"
        )
        assert value is not None, f"{selector} is missing"
        return str(value)

    def check_side(self, card: str, side: str) -> None:
        """No script error, AA contrast everywhere, no sideways scrolling; a screenshot."""
        messages = self.d.call("console")
        # Only the card's page counts (Anki's toolbar pages have races of their own at start).
        errors = [m for m in messages if m["level"] == "error" and m["reviewer"]]
        assert errors == [], f"{card} {side}: script errors {errors}"
        audit = self.page(f"{AUDIT}; window.ankigenAudit('#qa')")
        assert audit["texts"] > 0, f"{card} {side}: no text measured"
        assert audit["failures"] == [], (
            f"{card} {side} ({self.theme}): below {AA}:1: {audit['failures']}"
        )
        lowest = {**audit["lowest"], "card": card, "side": side}
        if self.tally.lowest is None or lowest["ratio"] < self.tally.lowest["ratio"]:
            self.tally.lowest = lowest
        if self.new_kind and (
            self.tally.kinds_lowest is None or lowest["ratio"] < self.tally.kinds_lowest["ratio"]
        ):
            self.tally.kinds_lowest = lowest
        assert audit["overflow"] <= 0, f"{card} {side} scrolls sideways at {self.width}px"
        name = re.sub(r"[^A-Za-z0-9-]+", "-", card)
        self.painted()
        self.d.call("grab", path=str(self.shots / f"{name}-{side}.png"))

    def painted(self) -> None:
        """Two animation frames: the page has painted what the DOM now holds."""
        self.page(
            "window.ankigenPainted = false; requestAnimationFrame(function () {"
            " requestAnimationFrame(function () { window.ankigenPainted = true; }); }); 1"
        )
        self.d.wait("a paint", lambda: self.page("window.ankigenPainted"))

    # -- acting --------------------------------------------------------------------------

    def flip_with_space(self) -> None:
        self.seen()
        self.d.key("space")

    def after_flip(self, card: str, verdict: str | None, rating: str | None) -> None:
        self.wait_side("back")
        state = self.d.state()
        assert state["side"] == "answer"
        if verdict is not None:
            assert self.page("window.ankigenInView('#qa .ak-feedback')") is True, (
                f"{card}: the verdict is not in the viewport after flipping"
            )
            feedback = self.text("#qa .ak-feedback")
            assert feedback.startswith(verdict), f"{card}: {feedback!r}, expected {verdict!r}"
            if rating is not None:
                assert f"Suggested: {rating}" in " ".join(feedback.split()), feedback
                keys = {"Again": "1", "Hard": "2", "Good": "3"}
                assert self.text("#qa .ak-rating-key") == keys[rating]

    def pick_by_click(self, index: int) -> None:
        self.seen()
        self.d.click("#qa .ak-option", index)

    def arrow_to(self, index: int, *, multiple: bool) -> None:
        """Down from nothing selected: the first press lands on the first option."""
        current = next((i for i, o in enumerate(self.options()) if o["cursor"]), -1)
        while current != index:
            self.d.key("Down")
            current = (
                self.d.wait(
                    "the cursor to move",
                    lambda before=current: next(
                        (
                            i + 1
                            for i, o in enumerate(self.options())
                            if o["cursor"] and i != before
                        ),
                        None,
                    ),
                )
                - 1
            )
            if not multiple:
                shown = self.options()
                assert [o["picked"] for o in shown] == [i == current for i in range(len(shown))]

    def review(self, number: int) -> None:
        state = self.d.state()
        front = self.wait_side("front")
        classes = front["classes"].split()
        note_id = state["id"] or front["note"]
        ordinal = state["ord"]
        # Notes with several cards (clozes, two-way, occlusion) name the card by its number.
        several = {"ak-cloze", "ak-twoway", "ak-occlusion"} & set(classes)
        card = f"{note_id}#{ordinal + 1}" if several else note_id
        self.new_kind = bool(CLASSES & set(classes))
        self.check_side(card, "front")
        if "ak-typein" in classes:
            self.kinds.typein(card, (note_id, ordinal), cloze="ak-cloze" in classes)
        elif "ak-occlusion" in classes:
            self.kinds.occlusion(card, note_id, ordinal)
        elif "ak-twoway" in classes:
            self.kinds.two_way_card(card, note_id, ordinal, reverse="ak-reverse" in classes)
        elif "ak-choice" in classes or "ak-clozechoice" in classes:
            self.review_options(card, number, cloze="ak-clozechoice" in classes)
        elif "ak-reveal" in classes:
            self.review_reveal(card)
        elif "ak-selfcheck" in classes:
            self.review_selfcheck(card)
        else:
            self.flip_with_space()
            self.after_flip(card, None, None)
            assert self.page("document.querySelectorAll('#qa .cloze').length") >= 1
            self.tally.did("cloze")
        self.check_side(card, "back")
        if self.steps():
            self.check_side(card, "steps")
        self.tally.cards.append(card)
        self.tally.reviewed.add((note_id, ordinal))
        if self.new_kind:
            self.tally.kinds.append(card)
        self.seen()
        self.d.key("3")  # Good: with no learning steps the card is done for today

    def review_options(self, card: str, number: int, *, cloze: bool) -> None:
        shown = self.options()
        right = [i for i, o in enumerate(shown) if o["correct"]]
        wrong = [i for i, o in enumerate(shown) if not o["correct"]]
        multiple = len(right) > 1
        assert self.page("Boolean(document.querySelector('#qa .ak-keys'))"), "no key legend"
        legend = self.text("#qa .ak-keys")
        assert not re.search(r"\b[1-7]\b", legend), f"the legend offers a key Anki takes: {legend}"
        if multiple:
            if number % 2 == 0:
                self.d.click("#qa .ak-option", right[0])
                self.d.click("#qa .ak-option", wrong[0])
                assert [o["picked"] for o in self.options()].count(True) == 2
                self.seen()
                self.d.click("#qa .ak-check")
                self.after_flip(card, "◐ Partly correct", "Hard")
                self.tally.did("partial pick by click")
            else:
                for index in right:
                    self.arrow_to(index, multiple=True)
                    self.d.key("x")
                    self.d.wait("the tick", lambda index=index: self.options()[index]["picked"])
                self.flip_with_space()
                self.after_flip(card, "✓ Correct", "Good")
                self.tally.did("right picks by keyboard")
            return
        strategy = number % 4
        flips = self.page("document.querySelector('#qa .ak-options').dataset.flip !== 'false'")
        if strategy in (0, 2):
            index = wrong[0] if strategy == 0 else right[0]
            self.pick_by_click(index)
            if flips:
                self.tally.did("flip on pick")
            else:
                # flip_on_pick: false: the pick stays on the front until the learner flips.
                time.sleep(0.3)
                assert self.d.state()["side"] == "question"
                assert self.options()[index]["picked"]
                self.flip_with_space()
                self.tally.did("pick then flip")
            if strategy == 0:
                self.after_flip(card, "✗ Incorrect", "Again")
                picked = self.options()[index]
                assert "is-wrong" in picked["classes"], picked
                self.explained()
                self.tally.did("wrong pick by click")
            else:
                self.after_flip(card, "✓ Correct", "Good")
                self.tally.did("right pick by click")
        else:
            index = right[0] if strategy == 1 else wrong[-1]
            self.arrow_to(index, multiple=False)
            assert self.d.state()["side"] == "question", "arrows must not flip the card"
            self.check_side(card, "picked")
            if cloze:
                blank = self.page(
                    """(function () { var b = document.querySelector("#qa .ak-blank");
                       return {text: b.textContent,
                               math: Boolean(b.querySelector("mjx-container"))};
                     }())"""
                )
                option = self.options()[index]
                assert blank["text"] == option["text"], (blank, option)
                assert blank["math"] == option["math"], "the blank must hold the rendered option"
                self.tally.did("cloze blank filled")
            self.flip_with_space()
            if strategy == 1:
                self.after_flip(card, "✓ Correct", "Good")
                self.tally.did("right pick by keyboard")
            else:
                self.after_flip(card, "✗ Incorrect", "Again")
                self.explained()
                self.tally.did("wrong pick by keyboard")
        if cloze and strategy in (0, 3):
            struck = self.page(
                "(function () { var p = document.querySelector('#qa .ak-your-pick');"
                " return p ? p.textContent : null; }())"
            )
            assert struck == shown[index]["text"], (struck, shown[index])
        # The answer section never repeats the option already marked correct.
        repeat = self.page(
            "(function () { var a = document.querySelector('#qa .ak-answer');"
            " return a ? getComputedStyle(a).display : 'none'; }())"
        )
        if repeat != "none":
            answer = self.text("#qa .ak-answer")
            correct_text = " ".join(shown[i]["text"] for i in right)
            assert " ".join(answer.split()[1:]) != correct_text, f"{card}: answer repeats ✓"

    def explained(self) -> None:
        """Under a wrong pick: the author's note on it, else the card's common mistakes."""
        why = self.page(
            """(function () {
                 var note = document.querySelector("#qa .ak-option.is-wrong .ak-option-note");
                 return note && getComputedStyle(note).display !== "none" ? note.innerText : "";
               }())"""
        )
        has_note = self.page(
            "Boolean(document.querySelector('#qa .ak-option.is-wrong .ak-option-note'))"
        )
        if has_note or self.page("Boolean(document.querySelector('#qa .ak-mistakes'))"):
            assert why.strip(), "a wrong pick is not explained"
            self.tally.did("wrong pick explained")

    def review_reveal(self, card: str) -> None:
        if self.page("Boolean(document.querySelector('#qa .ak-hint'))"):
            self.d.key("h")
            self.d.wait(
                "the hint to open", lambda: self.page("document.querySelector('#qa .ak-hint').open")
            )
            self.tally.did("hint by key")
        self.flip_with_space()
        self.after_flip(card, None, None)

    def steps(self) -> bool:
        """A worked solution unfolds one step per `n`; `Show all` shows the rest."""
        if not self.page("document.querySelectorAll('#qa .ak-steps.ak-stepping').length"):
            return False
        count = self.text("#qa .ak-step-count")
        total = int(count.rsplit(" ", 1)[1])
        assert count == f"Step 1 of {total}"
        self.d.key("n")
        self.d.wait("step 2", lambda: self.text("#qa .ak-step-count") == f"Step 2 of {total}")
        self.d.click("#qa .ak-all-steps")
        self.d.wait(
            "all steps", lambda: self.text("#qa .ak-step-count") == f"Step {total} of {total}"
        )
        assert self.page("document.querySelectorAll('#qa .ak-steps ol > li[hidden]').length") == 0
        self.tally.did("steps")
        return True

    def review_selfcheck(self, card: str) -> None:
        self.flip_with_space()
        self.after_flip(card, None, None)
        total = self.page("document.querySelectorAll('#qa .ak-concept-box').length")
        assert self.text("#qa .ak-score") == f"You got 0/{total} concepts"
        self.d.click("#qa .ak-concept-label", 0)
        self.d.click("#qa .ak-concept-label", total - 1)
        self.d.wait(
            "the count", lambda: self.text("#qa .ak-score") == f"You got 2/{total} concepts"
        )
        assert "Suggested: Hard" in " ".join(self.text("#qa .ak-suggest").split())
        self.tally.did("checklist")

    def review_deck(self, deck: int) -> int:
        # As a learner would: once the deck browser or overview has finished loading (the
        # add-on says why).
        try:
            self.d.wait(
                "the reviewer to open", lambda: self.d.call("review", deck=deck), timeout=30
            )
        except DesktopError as error:
            raise DesktopError(f"{error}; the main view: {self.d.call('settling')}") from error
        self.d.wait("the reviewer", lambda: self.d.state()["side"] == "question")
        web = self.d.state()["web"]
        self.d.call("focus")
        self.d.xdotool("mousemove", str(web["x"] + 5), str(web["y"] + web["height"] - 5))
        number = 0
        while True:
            self.review(number + self.offset)
            number += 1
            done = self.d.wait(
                "the next card",
                lambda: "done" if self.d.state()["state"] != "review" else self.root("front"),
            )
            if done == "done":
                return number


@pytest.mark.parametrize("width", [400, 1000])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_card_in_the_real_reviewer(
    packages: list[Path], tmp_path: Path, theme: str, width: int
) -> None:
    base = tmp_path / "anki"
    decks = prepare_collection(base, packages)
    expected = {name: decks[name][1] for name in COURSES}
    kind_cards = cards_in(base, "Card kinds")
    with anki_desktop(base, theme=theme, log=tmp_path / "anki.log") as desktop:
        state = desktop.call("resize", width=width, height=HEIGHT)
        assert state["window"]["width"] == width
        session = Session(desktop, theme, width, offset=CONFIGS.index((theme, width)))
        for name in COURSES:
            reviewed = session.review_deck(decks[name][0])
            assert reviewed == expected[name], f"{name}: reviewed {reviewed} of {expected[name]}"
    tally = session.tally
    assert len(set(tally.cards)) == len(tally.cards) == sum(expected.values())
    for action in ("wrong pick by click", "right pick by keyboard", "cloze blank filled", "steps"):
        assert tally.actions.get(action, 0) > 0, f"never done: {action}"
    # Every card of the new kinds' course, both directions of two-way notes among them; typed
    # answers wrong and right, plain and cloze; occlusion in both modes.
    assert kind_cards <= tally.reviewed
    assert session.kinds.check_two_way() > 0
    for action in (
        "typed wrong",
        "typed right",
        "cloze typed wrong",
        "cloze typed right",
        "two-way forward",
        "two-way reverse",
        "occlusion hide all",
        "occlusion hide one",
    ):
        assert tally.actions.get(action, 0) > 0, f"never done: {action}"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(REPORT.read_text(encoding="utf-8")) if REPORT.exists() else {}
    report[f"{theme}-{width}"] = {
        "cards": len(tally.cards),
        "lowest_contrast": tally.lowest,
        "new_kind_cards": len(tally.kinds),
        "new_kinds_lowest_contrast": tally.kinds_lowest,
        "actions": tally.actions,
    }
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
