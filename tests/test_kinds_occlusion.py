"""Image occlusion cards (`generator.kinds.occlusion`): parsing a card's image and regions, every
problem reported at its line, and the fields of the note."""

from __future__ import annotations

import pytest

from generator.diagnostics import Diagnostics
from generator.kinds import REGISTRY
from generator.kinds.lesson import ParsedLesson, parse_lesson
from generator.kinds.occlusion import OcclusionNote, Region
from generator.notes import NO_TEXT, Defaults, Lesson, Text
from generator.render import MarkdownRenderer

HEART = """\
# Anatomy

### Occlusion: Parts of the heart

![Heart](img/heart.png)

- Aorta: 42%, 8%, 14%, 10%
- Left ventricle: 55, 55, 20.5, 25
"""


def parse(text: str, level: str | None = None) -> ParsedLesson:
    lesson = Lesson(
        path="lessons/anatomy.md",
        rel="anatomy.md",
        deck="Biology",
        defaults=Defaults(tags=("bio",), level=level),
    )
    return parse_lesson(lesson, text, REGISTRY)


def problems(parsed: ParsedLesson) -> list[tuple[int, str, str, str]]:
    """(line, severity, code, message) of every problem, all reported in the lesson's file."""
    assert {d.path for d in parsed.diagnostics} <= {"lessons/anatomy.md"}
    return [(d.line, d.severity.value, d.code, d.message) for d in parsed.diagnostics]


def only_note(parsed: ParsedLesson) -> OcclusionNote:
    assert len(parsed.notes) == 1
    note = parsed.notes[0]
    assert isinstance(note, OcclusionNote)
    return note


def card(*lines: str) -> str:
    """A lesson whose card starts at line 3 with the heading and the image at line 5."""
    return "# Anatomy\n\n### Occlusion: Parts\n\n![Heart](heart.png)\n\n" + "\n".join(lines) + "\n"


def test_a_card_with_an_image_and_regions() -> None:
    parsed = parse(HEART)
    note = only_note(parsed)
    assert problems(parsed) == []
    assert note.question == Text("Parts of the heart", 3)
    assert note.image == Text("![Heart](img/heart.png)", 5)
    assert note.regions == (
        Region("Aorta", 42.0, 8.0, 14.0, 10.0, 7),
        Region("Left ventricle", 55.0, 55.0, 20.5, 25.0, 8),
    )
    assert note.mode == "hide-all"
    assert note.back_extra == NO_TEXT
    assert note.cards == (0, 1)
    assert note.card_texts == ("Aorta", "Left ventricle")


def test_the_note_s_identity_comes_from_the_heading() -> None:
    meta = only_note(parse(HEART)).meta
    assert meta.id == "anatomy#occlusion-parts-of-the-heart"
    assert meta.explicit_id is False
    assert meta.stamp == (3, "anatomy#occlusion-parts-of-the-heart")
    assert meta.line == 3
    assert meta.construct == "occlusion"
    assert meta.deck == "Biology"
    assert meta.tags == ("ankigen::occlusion", "bio")
    assert meta.badge == ""
    assert meta.context == "Anatomy"


def test_the_lesson_level_tags_the_note() -> None:
    meta = only_note(parse(HEART, level="beginner")).meta
    assert meta.tags == ("ankigen::occlusion", "bio", "level::beginner")
    assert meta.badge == "beginner"


def test_a_written_id_is_kept() -> None:
    meta = only_note(parse(HEART.replace("heart\n", "heart <!-- id: heart-io -->\n", 1))).meta
    assert (meta.id, meta.explicit_id, meta.stamp) == ("heart-io", True, None)


@pytest.mark.parametrize(
    ("written", "mode"),
    [("hide one", "hide-one"), ("Hide   ONE", "hide-one"), ("hide all", "hide-all")],
)
def test_mode(written: str, mode: str) -> None:
    parsed = parse(card("- Aorta: 1, 2, 3, 4", "", f"**Mode:** {written}"))
    assert problems(parsed) == []
    assert only_note(parsed).mode == mode


def test_an_unknown_mode_is_an_error_and_hides_all() -> None:
    parsed = parse(card("- Aorta: 1, 2, 3, 4", "", "**Mode:** Hide  Some"))
    assert problems(parsed) == [
        (9, "error", "occlusion-bad-mode", "mode must be 'hide all' or 'hide one', not 'hide some'")
    ]
    assert only_note(parsed).mode == "hide-all"


@pytest.mark.parametrize("label", ["Back", "Explanation"])
def test_back_extra(label: str) -> None:
    parsed = parse(card("- Aorta: 1, 2, 3, 4", "", f"**{label}:** Blood leaves here."))
    assert problems(parsed) == []
    assert only_note(parsed).back_extra == Text("Blood leaves here.", 9)


def test_a_heading_without_a_question() -> None:
    parsed = parse("### Occlusion:  \n\n![Heart](heart.png)\n\n- Aorta: 1, 2, 3, 4\n")
    assert problems(parsed) == [
        (1, "error", "occlusion-no-question", "write the question after 'Occlusion:'")
    ]
    assert only_note(parsed).question == Text("", 1)


IMAGE_PROBLEM = "an occlusion card shows exactly one image ('![alt](path)') above its regions"


def test_a_card_without_an_image() -> None:
    parsed = parse("# Anatomy\n\n### Occlusion: Parts\n\n- Aorta: 1, 2, 3, 4\n")
    assert problems(parsed) == [(3, "error", "occlusion-image", IMAGE_PROBLEM)]
    note = only_note(parsed)
    assert note.image == NO_TEXT
    assert note.regions == (Region("Aorta", 1.0, 2.0, 3.0, 4.0, 5),)


def test_a_second_image_is_reported_at_its_line() -> None:
    parsed = parse(card("![Lungs](lungs.png)", "", "- Aorta: 1, 2, 3, 4"))
    assert problems(parsed) == [(7, "error", "occlusion-image", IMAGE_PROBLEM)]
    assert only_note(parsed).image == Text("![Heart](heart.png)", 5)


def test_an_image_with_attributes_is_the_image() -> None:
    parsed = parse(
        '### Occlusion: Parts\n\n  ![Heart](heart.png){: width="240"}  \n\n- Aorta: 1, 2, 3, 4\n'
    )
    assert problems(parsed) == []
    assert only_note(parsed).image == Text('![Heart](heart.png){: width="240"}', 3)


def test_only_the_first_stray_text_is_reported() -> None:
    parsed = parse(card("Look closely.", "", "And again.", "", "- Aorta: 1, 2, 3, 4"))
    assert problems(parsed) == [
        (
            7,
            "error",
            "occlusion-stray-text",
            "text in an occlusion card other than the image and its regions: put it in '**Back:**'",
        )
    ]
    assert only_note(parsed).regions == (Region("Aorta", 1.0, 2.0, 3.0, 4.0, 11),)


def test_a_card_without_regions() -> None:
    parsed = parse(card())
    assert problems(parsed) == [
        (
            3,
            "error",
            "occlusion-no-regions",
            "an occlusion card needs a list of regions: '- Label: left%, top%, width%, height%'",
        )
    ]
    assert only_note(parsed).regions == ()


def regions(count: int) -> str:
    return card(*(f"- Part {index}: 0, 0, 1, 1" for index in range(1, count + 1)))


def test_ninety_nine_regions_are_allowed() -> None:
    parsed = parse(regions(99))
    assert problems(parsed) == []
    assert len(only_note(parsed).regions) == 99


def test_at_most_ninety_nine_regions() -> None:
    parsed = parse(regions(100))
    assert problems(parsed) == [(3, "error", "occlusion-too-many", "at most 99 regions")]
    assert len(only_note(parsed).regions) == 100


def test_two_regions_with_one_name_are_an_error() -> None:
    parsed = parse(
        card(
            "- Aorta: 1, 2, 3, 4",
            "- Vein: 10, 2, 3, 4",
            "- AORTA: 20, 2, 3, 4",
            "- The  vein: 30, 2, 3, 4",
            "- the vein: 40, 2, 3, 4",
            "- aorta: 50, 2, 3, 4",
        )
    )
    duplicate = "could not tell them apart"
    assert problems(parsed) == [
        (
            9,
            "error",
            "occlusion-duplicate-label",
            f"two regions named 'AORTA' (first at line 7): the card {duplicate}",
        ),
        (
            11,
            "error",
            "occlusion-duplicate-label",
            f"two regions named 'the vein' (first at line 10): the card {duplicate}",
        ),
        (
            12,
            "error",
            "occlusion-duplicate-label",
            f"two regions named 'aorta' (first at line 7): the card {duplicate}",
        ),
    ]
    assert [region.label for region in only_note(parsed).regions] == [
        "Aorta",
        "Vein",
        "AORTA",
        "The  vein",
        "the vein",
        "aorta",
    ]


# --------------------------------------------------------------------------------------------
# One region
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "region"),
    [
        ("Aorta: 42%, 8%, 14%, 10%", Region("Aorta", 42.0, 8.0, 14.0, 10.0, 7)),
        ("Aorta:42,8,14,10", Region("Aorta", 42.0, 8.0, 14.0, 10.0, 7)),
        ("Aorta :  0 % , 0 % , 100 % , 100 %", Region("Aorta", 0.0, 0.0, 100.0, 100.0, 7)),
        (
            "*Left* ventricle: 12.5, 0.25, 87.5, 99.75",
            Region("*Left* ventricle", 12.5, 0.25, 87.5, 99.75, 7),
        ),
        ("Time: 10:30: 1, 2, 3, 4", Region("Time: 10:30", 1.0, 2.0, 3.0, 4.0, 7)),
        ("A: 0, 0, 0.5, 0.5", Region("A", 0.0, 0.0, 0.5, 0.5, 7)),
    ],
)
def test_a_region(written: str, region: Region) -> None:
    parsed = parse(card(f"- {written}"))
    assert problems(parsed) == []
    assert only_note(parsed).regions == (region,)


BAD_REGION = (
    "a region is 'Label: left%, top%, width%, height%' (percent of the image's width and "
    "height, from its top-left corner)"
)


@pytest.mark.parametrize(
    "written",
    [
        "Aorta",
        "Aorta: 1, 2, 3",
        "Aorta: 1, 2, 3, 4, 5",
        "Aorta 1, 2, 3, 4",
        ": 1, 2, 3, 4",
        "Aorta: a, 2, 3, 4",
        "Aorta: 1.5.2, 2, 3, 4",
        "Aorta: 1, 2, 3, 4 px",
    ],
)
def test_a_region_that_is_not_label_and_four_numbers(written: str) -> None:
    parsed = parse(card("- Vein: 1, 2, 3, 4", f"- {written}"))
    assert problems(parsed) == [(8, "error", "occlusion-bad-region", BAD_REGION)]
    assert only_note(parsed).regions == (Region("Vein", 1.0, 2.0, 3.0, 4.0, 7),)


@pytest.mark.parametrize("label", ["A {{b", "A }} b", "std::vector", "{{b}}"])
def test_a_label_cannot_hold_cloze_syntax(label: str) -> None:
    parsed = parse(card(f"- {label}: 1, 2, 3, 4", "- Vein: 5, 6, 7, 8"))
    assert problems(parsed) == [
        (7, "error", "occlusion-bad-label", "a region's label cannot hold '{{', '}}' or '::'")
    ]
    assert only_note(parsed).regions == (Region("Vein", 5.0, 6.0, 7.0, 8.0, 8),)


@pytest.mark.parametrize(
    "numbers",
    [
        "0, 0, 0, 10",
        "0, 0, 10, 0",
        "-1, 0, 10, 10",
        "0, -1, 10, 10",
        "0, 0, -5, 10",
        "91, 0, 10, 10",
        "0, 91, 10, 10",
        "50.5, 0, 49.6, 10",
        "0, 0, 100.01, 10",
    ],
)
def test_a_region_outside_the_image(numbers: str) -> None:
    parsed = parse(card(f"- Aorta: {numbers}"))
    assert problems(parsed) == [
        (
            7,
            "error",
            "occlusion-region-outside",
            "region 'Aorta' is not inside the image: left and top from 0, width and height "
            "above 0, left + width and top + height at most 100 (percent)",
        )
    ]
    assert only_note(parsed).regions == ()


@pytest.mark.parametrize("numbers", ["90, 0, 10, 10", "0, 90, 10, 10", "50.5, 49.5, 49.5, 50.5"])
def test_a_region_may_touch_the_image_s_edge(numbers: str) -> None:
    parsed = parse(card(f"- Aorta: {numbers}"))
    assert problems(parsed) == []
    assert len(only_note(parsed).regions) == 1


# --------------------------------------------------------------------------------------------
# Fields
# --------------------------------------------------------------------------------------------


def test_region_style() -> None:
    assert Region("A", 12.5, 0.0, 50.0, 100.0, 1).style() == (
        "left:12.5%;top:0%;width:50%;height:100%"
    )
    assert Region("A", 1.25, 33.0, 0.5, 7.0, 1).style() == (
        "left:1.25%;top:33%;width:0.5%;height:7%"
    )


def test_render() -> None:
    text = (
        "# Anatomy\n\n### Occlusion: Parts & *more* <!-- id: parts -->\n\n![Heart](heart.png)\n\n"
        "- Aorta: 42, 8, 14, 10\n- *Left* ventricle: 55, 55, 20.5, 25\n\n**Mode:** hide one\n\n"
        "**Back:** Blood *leaves* here.\n"
    )
    parsed = parse(text, level="advanced")
    assert problems(parsed) == []
    fields = only_note(parsed).render(MarkdownRenderer())
    assert fields == (
        "Parts &amp; <em>more</em>",
        '<div class="ak-io-stage" data-mode="hide-one"><div class="ak-io-frame">'
        '<img alt="Heart" src="heart.png">'
        '<div class="ak-io-region" data-region="1" style="left:42%;top:8%;width:14%;height:10%">'
        "{{c1::Aorta}}</div>"
        '<div class="ak-io-region" data-region="2" '
        'style="left:55%;top:55%;width:20.5%;height:25%">'
        "{{c2::<em>Left</em> ventricle}}</div></div></div>",
        "<p>Blood <em>leaves</em> here.</p>",
        "advanced",
        "Anatomy",
        "anatomy.md",
        "parts",
        "",
        "",
    )


def test_a_question_that_looks_like_a_list_stays_text() -> None:
    for number in ("3", "12"):
        parsed = parse(
            f"# Anatomy\n\n### Occlusion: {number}. Parts\n\n![H](h.png)\n\n- A: 1, 2, 3, 4\n"
        )
        assert only_note(parsed).render(MarkdownRenderer())[0] == f"{number}. Parts"


def test_the_question_is_everything_after_the_first_colon() -> None:
    parsed = parse("### Occlusion: Clock: hands at 10:30\n\n![C](c.png)\n\n- Hour: 1, 2, 3, 4\n")
    assert problems(parsed) == []
    assert only_note(parsed).question == Text("Clock: hands at 10:30", 1)


def test_problems_in_rendered_labels_are_reported_at_their_lines() -> None:
    parsed = parse(
        "# Anatomy\n\n### Occlusion: Parts <b onclick='x'>here</b>\n\n![H](h.png)\n\n"
        "- Aorta: 1, 2, 3, 4\n- <i onclick='y'>Vein</i>: 5, 6, 7, 8\n"
    )
    md = MarkdownRenderer()
    diags = Diagnostics()
    with md.lesson("lessons/anatomy.md", None, diags):
        only_note(parsed).render(md)
    assert sorted((d.line, d.code) for d in diags.items) == [
        (3, "html-event-attribute"),
        (8, "html-event-attribute"),
    ]


def test_a_level_field_overrides_the_lesson_level() -> None:
    meta = only_note(parse(HEART + "\n**Level:** advanced\n", level="beginner")).meta
    assert meta.tags == ("ankigen::occlusion", "bio", "level::advanced")


def test_a_bad_level_is_reported_at_its_field() -> None:
    parsed = parse(card("- A: 1, 2, 3, 4", "", "**Level:** bogus"))
    assert [(line, code) for line, _, code, _ in problems(parsed)] == [(9, "bad-level")]
