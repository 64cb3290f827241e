"""The form of an option (`generator.kinds.shapes`): what a wrong option must share with the answer
so that the learner cannot pick the answer by its form alone."""

from __future__ import annotations

import pytest

from generator.kinds.shapes import (
    NO_SHAPE,
    NO_SLOT,
    Shape,
    Slot,
    compatible,
    contains,
    plain,
    same_unit,
    shape_of,
    shown_in,
    slot_of,
    too_different,
    vowel_sound,
)

BLANK = '<span class="ak-blank">[…]</span>'
MARKER = '<span class="ak-blank"'


def text(words: str) -> Shape:
    return shape_of(words, words)


# --------------------------------------------------------------------------------------------
# plain
# --------------------------------------------------------------------------------------------


def test_plain_drops_tags_decodes_entities_and_folds_spaces() -> None:
    assert plain("<b>salt</b>&amp;<i>pepper</i>") == "salt & pepper"
    assert plain("  a\n\t b  ") == "a b"
    assert plain("") == ""


# --------------------------------------------------------------------------------------------
# shape_of
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "markdown", "expected"),
    [
        ("<code>git commit</code>", "`git commit`", Shape("code", "git commit", 2)),
        ("<code>HEAD</code>", "  `HEAD`  ", Shape("code", "HEAD", 1)),
        # Backticks that do not pair up are no code span: the HTML decides.
        ("`a` b`", "`a` b`", Shape("text", "`a` b`", 2, article="a")),
        ("<code>x</code>", "", Shape("code", "x", 1)),
        # The Markdown decides even when the HTML is no code element.
        ("x", "`x`", Shape("code", "x", 1)),
        ("a b", "`a` `b`", Shape("code", "a b", 2)),
        (" <code>x</code> ", "", Shape("code", "x", 1)),
        ("<code>x</code> y", "", Shape("text", "x y", 2)),
        ("x<code>y</code>", "", Shape("text", "x y", 2)),
        ("\\(x + y\\)", "\\(x + y\\)", Shape("math", "\\(x + y\\)", 2)),
        ("$x^2$", "$x^2$", Shape("math", "$x^2$", 2)),
        ("\\[a\nb\\]", "\\[a\nb\\]", Shape("math", "\\[a b\\]", 2)),
        ("$$", "$$", Shape("text", "$$", 0)),
    ],
)
def test_code_and_math_shapes(html: str, markdown: str, expected: Shape) -> None:
    assert shape_of(html, markdown) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("343 m/s", Shape("number", "343 m/s", 3, "m/s")),
        ("3,000 KM", Shape("number", "3,000 KM", 3, "km")),
        ("42", Shape("number", "42", 1, "")),
        ("~ 7 ms", Shape("number", "~ 7 ms", 2, "ms")),
        ("12%", Shape("percent", "12%", 1, "%")),
        ("12 %", Shape("percent", "12 %", 1, "%")),
        ("1969", Shape("year", "1969", 1)),
        ("2024", Shape("year", "2024", 1)),
        ("1969 AD", Shape("number", "1969 AD", 2, "ad")),
        ("2100", Shape("number", "2100", 1, "")),
    ],
)
def test_number_shapes(html: str, expected: Shape) -> None:
    assert shape_of(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("two trees", Shape("text", "two trees", 2, plural=True)),
        ("Trees", Shape("text", "Trees", 1, plural=True, capital=True)),
        ("bugs", Shape("text", "bugs", 1, plural=True)),
        ("bus", Shape("text", "bus", 1)),
        ("abs", Shape("text", "abs", 1)),
        ("yes", Shape("text", "yes", 1)),
        ("the analysis", Shape("text", "the analysis", 2, article="the")),
        ("a status", Shape("text", "a status", 2, article="a")),
        ("an index", Shape("text", "an index", 2, article="an")),
        ("a", Shape("text", "a", 1)),
        ("The Rules", Shape("text", "The Rules", 2, plural=True, article="the", capital=True)),
        (
            "Learning rules",
            Shape("text", "Learning rules", 2, plural=True, gerund=True, capital=True),
        ),
        ("learning", Shape("text", "learning", 1)),
        ("being there", Shape("text", "being there", 2, gerund=True)),
        ("sing songs", Shape("text", "sing songs", 2, plural=True)),
        ("<em>rules</em> of thumb", Shape("text", "rules of thumb", 3)),
        ("thumbs, rules", Shape("text", "thumbs, rules", 2, plural=True)),
        ("Paris", Shape("text", "Paris", 1, capital=True)),
        ("", NO_SHAPE),
        ("…", Shape("text", "…", 0)),
    ],
)
def test_text_shapes(html: str, expected: Shape) -> None:
    assert shape_of(html) == expected


def test_length_is_the_plain_text_length() -> None:
    assert shape_of("<b>four</b>").length == 4
    assert NO_SHAPE.length == 0


# --------------------------------------------------------------------------------------------
# slot_of
# --------------------------------------------------------------------------------------------


def test_slot_after_a_word_knows_that_word() -> None:
    assert slot_of(f"An {BLANK} is red.", MARKER) == Slot("An … is red.", "an", False)


def test_slot_at_the_start_of_the_text_starts_a_sentence() -> None:
    assert slot_of(f"{BLANK} is red.", MARKER) == Slot(" … is red.", "", True)


@pytest.mark.parametrize("stop", [".", ":", "!", "?", "—", "–", "•"])
def test_slot_after_a_stop_starts_a_sentence(stop: str) -> None:
    assert slot_of(f"It is red{stop} {BLANK} too.", MARKER) == Slot(
        f"It is red{stop} … too.", "red", True
    )


def test_slot_after_a_comma_does_not_start_a_sentence() -> None:
    assert slot_of(f"Red, {BLANK} and blue", MARKER) == Slot("Red, … and blue", "red", False)


def test_slot_at_the_first_of_two_blanks() -> None:
    assert slot_of(f"A {BLANK} and an {BLANK}.", MARKER) == Slot("A … and an […] .", "a", False)


def test_slot_after_a_capital_letter_does_not_start_a_sentence() -> None:
    assert slot_of(f"Press X {BLANK} now.", MARKER) == Slot("Press X … now.", "x", False)


def test_slot_keeps_tags_out_of_the_shown_text() -> None:
    html = f"<p>The <b>cell</b> {BLANK} <i>divides</i>.</p>"
    assert slot_of(html, MARKER) == Slot("The cell … divides .", "cell", False)


def test_slot_reads_the_last_word_of_a_long_text() -> None:
    head = "A sentence that runs on for quite a while before it reaches the"
    assert slot_of(f"{head} {BLANK}.", MARKER) == Slot(f"{head} … .", "the", False)


def test_slot_without_a_blank_is_the_whole_text() -> None:
    assert slot_of("<p>What is <b>red</b>?</p>") == Slot("What is red ?")
    assert slot_of("What is red?", MARKER) == Slot("What is red?", "", True)
    assert slot_of("Call XXXX now.") == Slot("Call XXXX now.")
    assert slot_of(f"What is {BLANK}?", "") == Slot("What is […] ?")
    assert Slot("") == NO_SLOT


def test_slot_with_a_blank_marker_and_no_closing_span() -> None:
    assert slot_of("The <mark>x</mark> end", "<mark") == Slot("The … x end", "the", False)
    assert slot_of("The <mark", "<mark") == Slot("The … ", "the", False)


# --------------------------------------------------------------------------------------------
# too_different
# --------------------------------------------------------------------------------------------


def sized(length: int, words: int = 1) -> Shape:
    return Shape("text", "x" * length, words)


@pytest.mark.parametrize(
    ("answer", "option", "different"),
    [
        (sized(10), sized(25), False),  # exactly 2.5 times as long
        (sized(10), sized(26), True),
        (sized(25), sized(10), False),
        (sized(26), sized(10), True),
        (sized(4), sized(10), False),
        (sized(4), sized(11), True),
        (sized(2), sized(8), False),  # 4 times as long but only 6 characters more
        (sized(2), sized(9), True),
        (sized(8), sized(1), True),
        (sized(7), sized(1), False),
        (sized(0, 0), sized(7), False),
        (sized(0, 0), sized(8), True),
        (sized(5, 1), sized(5, 2), False),
        (sized(5, 1), sized(5, 3), True),
        (sized(5, 3), sized(5, 1), True),
        (sized(5, 4), sized(5, 6), False),
        (sized(5, 4), sized(5, 7), True),
        (sized(5, 5), sized(5, 7), False),
        (sized(5, 5), sized(5, 8), True),
    ],
)
def test_too_different(answer: Shape, option: Shape, different: bool) -> None:
    assert too_different(answer, option) is different


def test_only_text_can_be_too_different() -> None:
    assert too_different(Shape("code", "x", 1), Shape("code", "x" * 50, 9)) is False
    assert too_different(Shape("number", "1", 1), Shape("text", "x" * 50, 9)) is False


# --------------------------------------------------------------------------------------------
# same_unit
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("", "", True),
        ("km", "km", True),
        ("", "km", False),
        ("km", "", False),
        ("km", "m", False),
        ("km/s", "m/s", True),
        ("km/h", "m/s", False),
        ("kg/m/s", "m/s", True),
        ("m/s", "kg/m/s", True),
        ("m/s/s", "km/h/s", True),
        ("m/s/h", "m/s/s", False),
        ("m/s", "s", False),
        ("s", "m/s", False),
        ("m/", "k/", True),
    ],
)
def test_same_unit(one: str, other: str, same: bool) -> None:
    assert same_unit(one, other) is same


# --------------------------------------------------------------------------------------------
# compatible
# --------------------------------------------------------------------------------------------


def test_a_kind_is_only_compatible_with_itself() -> None:
    assert compatible(Shape("code", "x", 1), Shape("code", "y z", 2), NO_SLOT)
    assert compatible(Shape("math", "x", 1), Shape("math", "long formula here", 3), NO_SLOT)
    assert not compatible(Shape("code", "x", 1), Shape("text", "x", 1), NO_SLOT)
    assert compatible(Shape("year", "1969", 1), Shape("year", "2001", 1), NO_SLOT)


def test_numbers_must_share_their_unit() -> None:
    assert compatible(text("343 m/s"), text("299,792 km/s"), NO_SLOT)
    assert not compatible(text("343 m/s"), text("343 ms"), NO_SLOT)
    assert compatible(text("12%"), text("40%"), NO_SLOT)
    assert compatible(text("42"), text("7"), NO_SLOT)
    assert not compatible(text("42"), text("7 kg"), NO_SLOT)


def test_text_of_a_very_different_length_is_not_compatible() -> None:
    assert not compatible(text("cell"), text("mitochondrial membrane"), NO_SLOT)


def test_plural_must_match_plural_for_short_answers() -> None:
    assert compatible(text("trees"), text("rocks"), NO_SLOT)
    assert not compatible(text("trees"), text("rock"), NO_SLOT)
    assert not compatible(text("tree"), text("rocks"), NO_SLOT)
    assert not compatible(text("four tall green trees"), text("four tall green tree"), NO_SLOT)
    # Past four words, or for a gerund phrase, the head word is no giveaway.
    assert compatible(text("one two three four trees"), text("one two three four tree"), NO_SLOT)
    assert compatible(text("growing trees"), text("growing grass"), NO_SLOT)


def test_articles_gerunds_and_capitals_must_match() -> None:
    assert compatible(text("the index"), text("a branch"), NO_SLOT)
    assert not compatible(text("the index"), text("branch"), NO_SLOT)
    assert not compatible(text("index"), text("the branch"), NO_SLOT)
    assert not compatible(text("growing grass"), text("green grass"), NO_SLOT)
    assert not compatible(text("green grass"), text("growing grass"), NO_SLOT)
    assert not compatible(text("Paris"), text("london"), NO_SLOT)
    assert not compatible(text("paris"), text("London"), NO_SLOT)
    assert compatible(text("Paris"), text("London"), NO_SLOT)


@pytest.mark.parametrize(
    ("before", "option", "fits"),
    [
        ("a", "horse", True),
        ("a", "owl", False),
        ("an", "owl", True),
        ("an", "horse", False),
        ("the", "owl", True),
        ("the", "horse", True),
        ("", "owl", True),
    ],
)
def test_the_article_before_the_blank_must_fit_the_option(
    before: str, option: str, fits: bool
) -> None:
    slot = Slot("It is … here.", before, False)
    assert compatible(text("eagle"), text(option), slot) is fits


# --------------------------------------------------------------------------------------------
# vowel_sound
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "vowel"),
    [
        ("", False),
        ("…", False),
        ("apple", True),
        ("Apple pie", True),
        ("tree", False),
        ("hour", True),
        ("honest man", True),
        ("heir", True),
        ("8-bit value", True),
        ("11 people", True),
        ("university", False),
        ("useful tool", False),
        ("euro", False),
        ("one", False),
        ("Umbrella", True),
        ("SQL query", True),
        ("HTML page", True),
        ("GPU", False),
        ("ML model", True),
        ("PC", False),
        ("CPU cores", False),
        ("HOUR", True),
        ("A", True),
        ("U", True),
        ("X", False),
        ("X-ray", False),
        ("(apple)", True),
    ],
)
def test_vowel_sound(words: str, vowel: bool) -> None:
    assert vowel_sound(words) is vowel


# --------------------------------------------------------------------------------------------
# shown_in and contains
# --------------------------------------------------------------------------------------------


def test_an_option_without_words_counts_as_shown() -> None:
    assert shown_in(text("…"), Slot("anything"), text("answer"))


def test_an_option_the_card_shows_is_shown() -> None:
    slot = Slot("Light travels faster than sound in air")
    assert shown_in(text("sound"), slot, text("light"))
    assert shown_in(text("Sound in air"), slot, text("light"))
    assert not shown_in(text("sound waves"), slot, text("light"))
    assert not shown_in(text("air sound"), slot, text("light"))


def test_an_option_overlapping_the_answer_is_shown() -> None:
    assert shown_in(text("data"), NO_SLOT, text("large data"))
    assert shown_in(text("large data set"), NO_SLOT, text("large data"))
    assert not shown_in(text("small set"), NO_SLOT, text("large data"))
    assert not shown_in(text("data large"), NO_SLOT, text("large data"))


def test_contains_looks_for_a_run_of_whole_words() -> None:
    assert contains(("a", "b", "c"), ("b", "c"))
    assert contains(("a", "b", "c"), ("a",))
    assert contains(("a", "b", "c"), ("c",))
    assert contains(("a", "b", "c"), ("a", "b", "c"))
    assert not contains(("a", "b", "c"), ("a", "c"))
    assert not contains(("a", "b"), ("a", "b", "c"))
    assert not contains(("a", "b"), ())
    assert not contains((), ())
