"""The card kinds of tests/fixtures/kinds in Anki desktop: typed answers, typed clozes, two-way
cards and image occlusion, reviewed with real X input inside the desktop tier's sessions.

- Typed answers: the learner's text is typed into Anki's own box with xdotool, wrong or right
  (turning with the card's place, so every card meets both across the configurations); Enter
  shows Anki's comparison, whose typeGood/typeBad/typeMissed spans must say exactly what was
  typed and expected, in the theme's colours and type.
- Two-way cards: the front never gives the answer away, the back shows it in view after the
  flip; across a session the reverse card asks with the forward card's answer and answers
  with its question.
- Image occlusion: every box sits where the lesson put it (percent of the image, read from the
  lesson itself), and the colours the reviewer really drew (sampled from the view) show the
  asked region, and only it, marked on the front, the others covered (hide all) or clear (hide
  one); the back uncovers the asked region and names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.conftest import FIXTURES
from tests.desktop import DesktopError

if TYPE_CHECKING:
    from tests.test_desktop import Session

KINDS = FIXTURES / "kinds"
# What Anki compares each typed card with, as the lessons of tests/fixtures/kinds write it.
TYPED = {
    ("de-vogel", 0): "der Vogel",
    ("git-commit-typed", 0): "git commit",
    ("typed-paris", 0): "Paris",
    ("typed-water", 0): "100 °C",
    ("typed-water", 1): "0 °C",
}
# Root classes of the kinds this module reviews.
CLASSES = frozenset({"ak-typein", "ak-twoway", "ak-occlusion"})
# How far a drawn colour may be from the theme's (per channel, 0-255): software rendering.
TOLERANCE = 10


@dataclass(frozen=True)
class Region:
    label: str
    box: tuple[float, float, float, float]
    """Left, top, width, height in percent of the image."""


@dataclass(frozen=True)
class Occlusion:
    regions: tuple[Region, ...]
    mode: str
    """hide-all or hide-one."""


def occlusions(lesson: Path) -> dict[str, Occlusion]:
    """Each occlusion note of a lesson, read from its Markdown as an author wrote it."""
    notes: dict[str, Occlusion] = {}
    current: str | None = None
    regions: list[Region] = []
    mode = "hide-all"

    def close() -> None:
        if current is not None:
            notes[current] = Occlusion(tuple(regions), mode)

    for line in lesson.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### Occlusion:.*<!-- id: (\S+) -->", line)
        region = re.match(r"- (.+?): ([\d.]+)%?, ([\d.]+)%?, ([\d.]+)%?, ([\d.]+)%?\s*$", line)
        if heading:
            close()
            current, regions, mode = heading[1], [], "hide-all"
        elif region and current is not None:
            left, top, width, height = (float(region[i]) for i in range(2, 6))
            regions.append(Region(region[1], (left, top, width, height)))
        elif line.strip().lower() == "**mode:** hide one":
            mode = "hide-one"
    close()
    return notes


OCCLUSIONS = occlusions(KINDS / "20-anatomy" / "heart.md")


def mistyped(answer: str) -> str:
    """A wrong answer that makes Anki mark all three: a wrong letter, a missing one at the end,
    and right ones around them."""
    wrong = "q" if answer[1] == "x" else "x"
    return answer[0] + wrong + answer[2:-1]


def rgb(colour: str) -> tuple[int, int, int]:
    """`rgb(…)`/`rgba(…)` from getComputedStyle or `#rrggbb` from Qt, as three channels."""
    if colour.startswith("#"):
        return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))
    parts = re.findall(r"[\d.]+", colour)
    return (round(float(parts[0])), round(float(parts[1])), round(float(parts[2])))


def near(drawn: str, expected: str) -> bool:
    return all(abs(a - b) <= TOLERANCE for a, b in zip(rgb(drawn), rgb(expected), strict=True))


# The theme's colour for a variable, resolved the way the card resolves it.
THEME_COLOUR = """(function (name) {
  var probe = document.createElement("span");
  probe.style.color = "var(" + name + ")";
  document.querySelector("#qa .ak").appendChild(probe);
  var colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
})"""

COMPARISON = """(function () {
  var code = document.querySelector("#qa .ak-typein-compare code#typeans");
  if (!code) { return null; }
  var lines = [[]];
  Array.prototype.forEach.call(code.childNodes, function (node) {
    if (node.id === "typearrow") { lines.push([]); return; }
    if (node.nodeType !== 1 || node.tagName === "BR") { return; }
    var style = getComputedStyle(node);
    lines[lines.length - 1].push({
      kind: node.className, text: node.textContent, colour: style.color,
      background: style.backgroundColor
    });
  });
  var style = getComputedStyle(code);
  var theme = getComputedStyle(document.querySelector("#qa .ak"));
  return {
    lines: lines, font: style.fontFamily, size: style.fontSize, themeSize: theme.fontSize,
    background: style.backgroundColor
  };
}())"""

STAGE = """(function () {
  var stage = document.querySelector("#qa .ak-io-stage");
  var image = stage && stage.querySelector("img");
  if (!image || !image.complete || !image.naturalWidth) { return null; }
  var frame = image.getBoundingClientRect();
  function box(rect) {
    return {
      percent: [(rect.left - frame.left) / frame.width * 100,
                (rect.top - frame.top) / frame.height * 100,
                rect.width / frame.width * 100, rect.height / frame.height * 100],
      left: rect.left, top: rect.top, width: rect.width, height: rect.height
    };
  }
  return {
    mode: stage.getAttribute("data-mode"),
    image: box(frame),
    inView: frame.top >= 0 && frame.bottom <= window.innerHeight,
    regions: Array.prototype.map.call(stage.querySelectorAll(".ak-io-region"), function (region) {
      var asked = region.querySelector(".cloze");
      return {
        box: box(region.getBoundingClientRect()),
        asked: Boolean(asked),
        cover: asked ? box(asked.getBoundingClientRect()) : null,
        text: region.innerText
      };
    })
  };
}())"""


class KindsReview:
    """The new kinds' part of a desktop session."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.turns: dict[str, int] = {}
        self.two_way: dict[str, dict[int, tuple[str, str]]] = {}
        """Note ID → ordinal → (what the front asked, what the back answered)."""

    def turn(self, kind: str) -> int:
        """The how-many-th card of this kind, shifted per configuration."""
        self.turns[kind] = self.turns.get(kind, 0) + 1
        return self.turns[kind] + self.s.offset

    def colour(self, name: str) -> str:
        value: str = self.s.page(f"{THEME_COLOUR}({name!r})")
        return value

    # -- typed answers -------------------------------------------------------------------

    def focused(self) -> bool:
        return bool(self.s.page("(document.activeElement || {}).id === 'typeans'"))

    def typein(self, card: str, key: tuple[str, int], *, cloze: bool) -> None:
        s, d = self.s, self.s.d
        expected = TYPED[key]
        # Anki puts the keyboard in its box as the card is shown.
        d.wait("the type-in box to have the focus", self.focused)
        if cloze:
            assert s.text("#qa .ak-cloze-text .cloze") == "[...]", f"{card}: the blank"
        else:
            assert expected not in s.text("#qa .ak-question"), f"{card}: the front tells"
        if s.page("Boolean(document.querySelector('#qa .ak-hint'))"):
            # A learner may open the hint first, then click back into the box.
            d.click("#qa .ak-hint summary")
            d.wait("the hint", lambda: s.page("document.querySelector('#qa .ak-hint').open"))
            d.click("#qa input#typeans")
            d.wait("the type-in box to have the focus again", self.focused)
            s.tally.did("hint by click, then typing")
        prefix = "cloze " if cloze else ""
        wrong = self.turn(f"{prefix}typed") % 2 == 1
        typed = mistyped(expected) if wrong else expected
        d.type(typed)
        held: list[str] = []

        def arrived() -> bool:
            held[:] = [s.page("document.getElementById('typeans').value")]
            return held[0] == typed

        try:
            d.wait(f"{typed!r} in the box", arrived)
        except DesktopError as error:
            raise DesktopError(f"{error}; the box holds {held[0]!r}") from error
        # Letters that are Anki shortcuts (e, r, o, i, m …) went into the box, not to Anki.
        assert d.state()["side"] == "question", f"{card}: typing acted on the reviewer"
        s.check_side(card, "typed")
        s.seen()
        d.key("Return")
        s.after_flip(card, None, None)
        assert s.page("window.ankigenInView('#qa .ak-typein-compare')") is True, (
            f"{card}: the comparison is not in the viewport after flipping"
        )
        compared = s.page(COMPARISON)
        assert compared is not None, f"{card}: no comparison on the back"
        lines = compared["lines"]
        kinds = {span["kind"] for line in lines for span in line}
        if wrong:
            assert len(lines) == 2, f"{card}: {lines}"
            shown = "".join(span["text"] for span in lines[0] if span["kind"] != "typeMissed")
            assert shown == typed, f"{card}: Anki compared {shown!r}, typed {typed!r}"
            assert "".join(span["text"] for span in lines[1]) == expected
            assert {"typeGood", "typeBad", "typeMissed"} <= kinds, f"{card}: {lines}"
        else:
            assert len(lines) == 1, f"{card}: a right answer compared as wrong: {lines}"
            assert kinds == {"typeGood"}
            assert "".join(span["text"] for span in lines[0]) == expected
        # Anki's colours and type give way to the theme's.
        colours = {
            "typeGood": self.colour("--ak-correct"),
            "typeBad": self.colour("--ak-wrong"),
            "typeMissed": self.colour("--ak-fg"),
        }
        for span in (span for line in lines for span in line):
            assert span["colour"] == colours[span["kind"]], f"{card}: {span}"
        assert compared["background"] == self.colour("--ak-code-bg"), f"{card}: {compared}"
        assert compared["size"] == compared["themeSize"], f"{card}: comparison in {compared}"
        if cloze:
            assert s.text("#qa .ak-cloze-text .cloze") == expected, f"{card}: the back's cloze"
        s.tally.did(f"{prefix}typed {'wrong' if wrong else 'right'}")

    # -- two-way cards -------------------------------------------------------------------

    def two_way_card(self, card: str, note: str, ordinal: int, *, reverse: bool) -> None:
        s = self.s
        if reverse:
            assert s.text("#qa .ak-direction").strip(), f"{card}: the reverse card asks nothing"
            asked = s.text("#qa .ak-reverse-prompt").strip()
        else:
            asked = s.text("#qa .ak-question").strip()
        front = s.text("#qa .ak")
        s.review_reveal(card)
        assert s.page("window.ankigenInView('#qa .ak-answer')") is True, (
            f"{card}: the answer is not in the viewport after flipping"
        )
        answer = s.text("#qa .ak-answer").strip()
        assert answer, f"{card}: no answer on the back"
        assert answer not in front, f"{card}: the front gives the answer away"
        prompt = ".ak-reverse-prompt" if reverse else ".ak-question"
        assert s.text(f"#qa {prompt}").strip() == asked, f"{card}: the back lost the question"
        self.two_way.setdefault(note, {})[ordinal] = (asked, answer)
        s.tally.did("two-way reverse" if reverse else "two-way forward")

    def check_two_way(self) -> int:
        """Both cards of a note ask each other's answer; returns the number of such notes."""
        pairs = 0
        for note, cards in self.two_way.items():
            if len(cards) == 2:
                (question, answer), (prompt, back) = cards[0], cards[1]
                assert (prompt, back) == (answer, question), f"{note}: {cards}"
                pairs += 1
        return pairs

    # -- image occlusion -----------------------------------------------------------------

    def stage(self, card: str) -> dict[str, Any]:
        found: dict[str, Any] = self.s.d.wait(f"{card}: the image", lambda: self.s.page(STAGE))
        return found

    def drawn(self, points: list[tuple[float, float]]) -> list[str]:
        self.s.painted()
        colours: list[str] = self.s.d.call("pixels", points=points)
        return colours

    def occlusion(self, card: str, note: str, ordinal: int) -> None:
        s = self.s
        spec = OCCLUSIONS[note]
        mask, active = self.colour("--ak-io-mask"), self.colour("--ak-io-active")
        stage = self.stage(card)
        assert stage["mode"] == spec.mode, stage
        assert stage["inView"], f"{card}: the image is not in view on the front"
        regions = stage["regions"]
        assert [r["asked"] for r in regions] == [i == ordinal for i in range(len(spec.regions))]
        for region, written in zip(regions, spec.regions, strict=True):
            self.placed(card, region["box"], written, stage["image"])
        asked, label = regions[ordinal], spec.regions[ordinal].label
        # The mark covers its box exactly.
        assert asked["cover"] is not None
        self.placed(card, asked["cover"], spec.regions[ordinal], stage["image"])
        assert label not in s.text("#qa .ak"), f"{card}: the front names the asked region"
        inside = [inside_points(r["box"]) for r in regions]
        outside = outside_points(asked["box"], stage["image"], [r["box"] for r in regions])
        colours = self.drawn([p for pair in inside for p in pair] + outside)
        for index in range(len(regions)):
            for drawn in colours[2 * index : 2 * index + 2]:
                if index == ordinal:
                    assert near(drawn, active), f"{card} front: asked box drawn {drawn}"
                elif spec.mode == "hide-all":
                    assert near(drawn, mask), f"{card} front: region {index + 1} drawn {drawn}"
                else:
                    assert not near(drawn, mask) and not near(drawn, active), (
                        f"{card} front (hide one): region {index + 1} covered ({drawn})"
                    )
        for drawn in colours[2 * len(regions) :]:
            assert not near(drawn, mask) and not near(drawn, active), (
                f"{card} front: the cover spills out of its box ({drawn})"
            )
        s.flip_with_space()
        s.after_flip(card, None, None)
        assert s.page("window.ankigenInView('#qa .ak-io-answer')") is True, (
            f"{card}: the answer is not in the viewport after flipping"
        )
        assert s.text("#qa .ak-io-answer").strip() == label
        stage = self.stage(card)
        regions = stage["regions"]
        named = s.page(
            """(function () {
                 var label = document.querySelector("#qa .ak-io-region .ak-io-label");
                 if (!label) { return null; }
                 var r = label.getBoundingClientRect();
                 var box = label.parentNode.getBoundingClientRect();
                 return {text: label.textContent, region: label.parentNode.dataset.region,
                         below: r.top >= box.bottom - 1, visible: r.height > 0 &&
                         r.top >= 0 && r.bottom <= window.innerHeight};
               }())"""
        )
        assert named == {
            "text": label,
            "region": str(ordinal + 1),
            "below": True,
            "visible": True,
        }, f"{card}: {named}"
        colours = self.drawn([p for r in regions for p in inside_points(r["box"])])
        for index in range(len(regions)):
            for drawn in colours[2 * index : 2 * index + 2]:
                covered = near(drawn, mask) or near(drawn, active)
                if index == ordinal or spec.mode == "hide-one":
                    assert not covered, f"{card} back: region {index + 1} still covered"
                else:
                    assert near(drawn, mask), f"{card} back: region {index + 1} drawn {drawn}"
        s.tally.did(f"occlusion {spec.mode.replace('-', ' ')}")

    @staticmethod
    def placed(card: str, box: dict[str, Any], region: Region, image: dict[str, Any]) -> None:
        """Within a pixel and a half of where the lesson put it, at the size drawn."""
        sizes = (image["width"], image["height"]) * 2
        for got, want, size in zip(box["percent"], region.box, sizes, strict=True):
            assert abs(got - want) <= 150 / size, (
                f"{card}: {region.label} drawn at {box['percent']}, written {region.box}"
            )


def inside_points(box: dict[str, Any]) -> list[tuple[float, float]]:
    """Two points well inside a box, clear of its border and of the "?" in its middle."""
    return [
        (box["left"] + box["width"] * 0.2, box["top"] + box["height"] * 0.2),
        (box["left"] + box["width"] * 0.8, box["top"] + box["height"] * 0.8),
    ]


def outside_points(
    box: dict[str, Any], image: dict[str, Any], boxes: list[dict[str, Any]]
) -> list[tuple[float, float]]:
    """Points just outside each edge of a box that are on the image and in no other box."""
    gap = 4
    middle_x, middle_y = box["left"] + box["width"] / 2, box["top"] + box["height"] / 2
    candidates = [
        (box["left"] - gap, middle_y),
        (box["left"] + box["width"] + gap, middle_y),
        (middle_x, box["top"] - gap),
        (middle_x, box["top"] + box["height"] + gap),
    ]

    def within(point: tuple[float, float], rect: dict[str, Any], margin: float) -> bool:
        x, y = point
        return (
            rect["left"] - margin <= x <= rect["left"] + rect["width"] + margin
            and rect["top"] - margin <= y <= rect["top"] + rect["height"] + margin
        )

    return [
        point
        for point in candidates
        if within(point, image, -2) and not any(within(point, other, 2) for other in boxes)
    ]
