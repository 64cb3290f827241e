"""Front matter: what each key accepts, and the exact diagnostic (line, column, code, message)
an author gets for each mistake. Data-driven: one row per case."""

from __future__ import annotations

import pytest
import yaml

from generator.diagnostics import Diagnostics
from generator.notes import Defaults
from generator.source.frontmatter import COURSE_KEYS, LESSON_KEYS, FrontMatter, read, yaml_error

PATH = "topic/lesson.md"


def front(yaml: str, *, allowed: tuple[str, ...] = LESSON_KEYS) -> tuple[FrontMatter, list[str]]:
    diags = Diagnostics()
    matter = read(f"---\n{yaml}\n---\nbody line\n", path=PATH, allowed=allowed, diags=diags)
    return matter, [d.format() for d in diags.items]


ACCEPTED = [
    ("title: Cells", {"title": "Cells"}),
    ("title: '  Cells  '", {"title": "Cells"}),
    ("title: '2024-01-01'", {"title": "2024-01-01"}),
    ("level: Beginner", {"level": "beginner"}),
    ("level: ' ADVANCED '", {"level": "advanced"}),
    ("difficulty: Hard", {"difficulty": "hard"}),
    ("tags: alpha beta", {"tags": ("alpha", "beta")}),
    ("tags: [alpha, 'beta::gamma']", {"tags": ("alpha", "beta::gamma")}),
    ("tags: []", {"tags": ()}),
    ("key_facts: [cloze, reveal, cloze]", {"key_facts": ("cloze", "reveal")}),
    ("key_facts: [reversed, choice]", {"key_facts": ("reversed", "choice")}),
    ("key_facts: []", {"key_facts": ()}),
    ("lint_ignore: [lint-long-answer, lint-x2]", {"lint_ignore": ("lint-long-answer", "lint-x2")}),
    ("choice_options: 2", {"choice_options": 2}),
    ("choice_options: 8", {"choice_options": 8}),
    ("cloze_choices: false", {"cloze_choices": False}),
    ("shuffle: no", {"shuffle": False}),
    ("reversed: true", {"reversed": True}),
    ("type_in_clozes: yes", {"type_in_clozes": True}),
    ("lint_build: false", {"lint_build": False}),
    ("flip_on_pick: false", {"flip_on_pick": False}),
    ("title: A\nlevel: intermediate", {"title": "A", "level": "intermediate"}),
]


@pytest.mark.parametrize(("yaml", "values"), ACCEPTED)
def test_accepted_values(yaml: str, values: dict[str, object]) -> None:
    matter, problems = front(yaml)
    assert problems == []
    assert dict(matter.values) == values


def test_deck_and_namespace_are_course_keys() -> None:
    matter, problems = front("deck: Biology::Cells\nnamespace: bio", allowed=COURSE_KEYS)
    assert problems == []
    assert dict(matter.values) == {"deck": "Biology::Cells", "namespace": "bio"}


E = f"{PATH}:"
EVERY_KEY = (*COURSE_KEYS, "title")
REJECTED = [
    # Wrong types, each with what YAML read and the quoting that fixes it.
    (
        "title: no",
        f"{E}2:8: error: 'title' must be text, but YAML reads `no` as a boolean (false): "
        'quote it (title: "no") [frontmatter-yaml-type]',
    ),
    (
        "title: Yes",
        f"{E}2:8: error: 'title' must be text, but YAML reads `Yes` as a boolean (true): "
        'quote it (title: "Yes") [frontmatter-yaml-type]',
    ),
    (
        "title: 12",
        f"{E}2:8: error: 'title' must be text, but YAML reads `12` as a number: "
        'quote it (title: "12") [frontmatter-yaml-type]',
    ),
    (
        "title: 1.50",
        f"{E}2:8: error: 'title' must be text, but YAML reads `1.50` as a number (1.5): "
        'quote it (title: "1.50") [frontmatter-yaml-type]',
    ),
    (
        "title: 2024-03-01",
        f"{E}2:8: error: 'title' must be text, but YAML reads `2024-03-01` as a date: "
        'quote it (title: "2024-03-01") [frontmatter-yaml-type]',
    ),
    (
        "title: 2024-03-01 10:00:00",
        f"{E}2:8: error: 'title' must be text, but YAML reads `2024-03-01 10:00:00` as a date "
        'and time: quote it (title: "2024-03-01 10:00:00") [frontmatter-yaml-type]',
    ),
    (
        "title: null",
        f"{E}2:8: error: 'title' must be text, but YAML reads `null` as nothing (null): "
        'quote it (title: "null") [frontmatter-yaml-type]',
    ),
    ("title:", f"{E}2:7: error: 'title' must be a non-empty text [frontmatter-bad-value]"),
    ("title: '  '", f"{E}2:8: error: 'title' must be a non-empty text [frontmatter-bad-value]"),
    ("title: [a]", f"{E}2:8: error: 'title' must be a non-empty text [frontmatter-bad-value]"),
    (
        "title: 2024-13-45",
        f"{E}2:8: error: YAML reads `2024-13-45` as a date, and it is no valid date: "
        'quote it ("2024-13-45") if it is text [frontmatter-yaml-type]',
    ),
    (
        "title: {when: 2024-13-45}",
        f"{E}2:15: error: YAML reads `2024-13-45` as a date, and it is no valid date: "
        'quote it ("2024-13-45") if it is text [frontmatter-yaml-type]',
    ),
    (
        "tags: [a, 2024-13-45]",
        f"{E}2:11: error: YAML reads `2024-13-45` as a date, and it is no valid date: "
        'quote it ("2024-13-45") if it is text [frontmatter-yaml-type]',
    ),
    # Options with a fixed set of values.
    (
        "level: expert",
        f"{E}2:8: error: level must be one of beginner, intermediate, advanced, not 'expert' "
        "[frontmatter-bad-value]",
    ),
    (
        "difficulty: Trivial",
        f"{E}2:13: error: difficulty must be one of easy, medium, hard, not 'trivial' "
        "[frontmatter-bad-value]",
    ),
    (
        "choice_options: 1",
        f"{E}2:17: error: 'choice_options' must be a whole number from 2 to 8 "
        "[frontmatter-bad-value]",
    ),
    (
        "choice_options: 9",
        f"{E}2:17: error: 'choice_options' must be a whole number from 2 to 8 "
        "[frontmatter-bad-value]",
    ),
    (
        "choice_options: true",
        f"{E}2:17: error: 'choice_options' must be a whole number from 2 to 8 "
        "[frontmatter-bad-value]",
    ),
    (
        "choice_options: 3.0",
        f"{E}2:17: error: 'choice_options' must be a whole number from 2 to 8 "
        "[frontmatter-bad-value]",
    ),
    (
        "shuffle: 'false'",
        f"{E}2:10: error: 'shuffle' must be true or false (write it without quotes) "
        "[frontmatter-bad-value]",
    ),
    ("reversed: 1", f"{E}2:11: error: 'reversed' must be true or false [frontmatter-bad-value]"),
    (
        "key_facts: [reveal, typo]",
        f"{E}2:12: error: 'key_facts' must be a list of reveal, reversed, cloze, choice "
        "(e.g. [reveal, cloze]) [frontmatter-bad-value]",
    ),
    (
        "key_facts: reveal",
        f"{E}2:12: error: 'key_facts' must be a list of reveal, reversed, cloze, choice "
        "(e.g. [reveal, cloze]) [frontmatter-bad-value]",
    ),
    (
        "lint_ignore: [Long_Answer]",
        f"{E}2:14: error: 'lint_ignore' must be a list of lint rule codes "
        "(e.g. [lint-long-answer]) [frontmatter-bad-value]",
    ),
    (
        "lint_ignore: [3]",
        f"{E}2:14: error: 'lint_ignore' must be a list of lint rule codes "
        "(e.g. [lint-long-answer]) [frontmatter-bad-value]",
    ),
    (
        "lint_ignore: lint-long-answer",
        f"{E}2:14: error: 'lint_ignore' must be a list of lint rule codes "
        "(e.g. [lint-long-answer]) [frontmatter-bad-value]",
    ),
    # Tags: one text or a list, each a word; `::` parts must not be empty.
    (
        "tags: 5",
        f"{E}2:7: error: 'tags' must be a list of tags or one space-separated text "
        "[frontmatter-bad-value]",
    ),
    (
        "tags:\n  - ok\n  - yes",
        f"{E}4:5: error: a tag must be text, but YAML reads `yes` as a boolean (true): "
        'quote it ("yes") [frontmatter-yaml-type]',
    ),
    (
        "tags: [ok, 'two words']",
        f"{E}2:12: error: invalid tag 'two words': tags are words without spaces [tag-invalid]",
    ),
    (
        "tags: [ok, '']",
        f"{E}2:12: error: invalid tag '': tags are words without spaces [tag-invalid]",
    ),
    (
        "tags: [[a]]",
        f"{E}2:8: error: invalid tag ['a']: tags are words without spaces [tag-invalid]",
    ),
    ("tags: 'a::'", f"{E}2:7: error: invalid tag 'a::' [tag-invalid]"),
    ("tags: '::a'", f"{E}2:7: error: invalid tag '::a' [tag-invalid]"),
    ("tags: 'say\"hi'", f"{E}2:7: error: invalid tag 'say\"hi' [tag-invalid]"),
    ("deck: 'A::'", f"{E}2:7: error: deck name 'A::' has an empty part [frontmatter-bad-value]"),
    ("deck: ' ::B'", f"{E}2:7: error: deck name '::B' has an empty part [frontmatter-bad-value]"),
    (
        "deck: 'A:: ::B'",
        f"{E}2:7: error: deck name 'A:: ::B' has an empty part [frontmatter-bad-value]",
    ),
    # Keys.
    (
        "titel: Cells",
        f"{E}2:1: error: unknown front-matter key 'titel' (allowed here: {', '.join(EVERY_KEY)})"
        "; did you mean 'title'? [frontmatter-unknown-key]",
    ),
    (
        "colour: red",
        f"{E}2:1: error: unknown front-matter key 'colour' (allowed here: {', '.join(EVERY_KEY)})"
        " [frontmatter-unknown-key]",
    ),
    (
        "title: A\nlevel: beginner\ntitle: B",
        f"{E}4:1: error: front-matter key 'title' is written twice (first at line 2); "
        "remove one of them [frontmatter-duplicate-key]",
    ),
    # The front matter as a whole.
    (
        "- a\n- b",
        f"{E}2: error: front matter must be a mapping of 'key: value' lines "
        "[frontmatter-not-mapping]",
    ),
    (
        "title: [a",
        f"{E}2:10: error: front matter: expected ',' or ']', but got '<stream end>' "
        "[frontmatter-yaml]",
    ),
    (
        "title: a\n\x07",
        f"{E}3:1: error: front matter: character U+0007 is not allowed in YAML; remove it "
        "[frontmatter-yaml]",
    ),
    (
        "title: ok\nlevel: ab\x07c",
        f"{E}3:10: error: front matter: character U+0007 is not allowed in YAML; remove it "
        "[frontmatter-yaml]",
    ),
]


@pytest.mark.parametrize(("yaml", "problem"), REJECTED)
def test_rejected_values(yaml: str, problem: str) -> None:
    matter, problems = front(yaml, allowed=EVERY_KEY)
    assert problems == [problem]
    # A rejected value is left out; the lesson still has its body.
    assert matter.body == ("body line",)


def test_every_bad_tag_is_reported_and_the_good_ones_kept() -> None:
    matter, problems = front("tags: ['two words', yes, 'a::', ok, 12]")
    assert [p.split(" error: ")[1].split(":")[0] for p in problems] == [
        "invalid tag 'two words'",
        "a tag must be text, but YAML reads `yes` as a boolean (true)",
        "invalid tag 'a",
        "a tag must be text, but YAML reads `12` as a number",
    ]
    assert matter.values["tags"] == ("ok",)


def test_a_key_written_twice_keeps_neither_value() -> None:
    matter, _ = front("level: beginner\ntitle: A\nlevel: advanced")
    assert dict(matter.values) == {"title": "A"}


def test_a_key_not_allowed_here_is_named_with_the_allowed_ones() -> None:
    _, problems = front("deck: Other")
    assert problems == [
        f"{E}2:1: error: unknown front-matter key 'deck' (allowed here: {', '.join(LESSON_KEYS)})"
        " [frontmatter-unknown-key]"
    ]


def test_front_matter_nested_too_deeply_is_an_error() -> None:
    _, problems = front("title: " + "[" * 2000 + "]" * 2000)
    assert problems == [f"{E}2: error: front matter is nested too deeply [frontmatter-too-deep]"]


@pytest.mark.parametrize(
    ("text", "body", "body_start"),
    [
        ("---\ntitle: A\n---\nfirst\nsecond\n", ("first", "second"), 4),
        ("---\ntitle: A\n...\nfirst\n", ("first",), 4),
        ("---  \ntitle: A\n---\t\nfirst\n", ("first",), 4),
        ("---\n\ntitle: A\n\n---\n\nfirst\n", ("", "first"), 6),
        ("---\n---\nfirst\n", ("first",), 3),
    ],
)
def test_where_the_body_starts(text: str, body: tuple[str, ...], body_start: int) -> None:
    diags = Diagnostics()
    matter = read(text, path=PATH, allowed=LESSON_KEYS, diags=diags)
    assert diags.items == []
    assert matter.body == body
    assert matter.body_start == body_start


@pytest.mark.parametrize(
    "text", ["# Lesson\n---\ntitle: A\n---\n", "\n---\ntitle: A\n---\n", "----\ntitle: A\n"]
)
def test_without_front_matter_every_line_is_body(text: str) -> None:
    diags = Diagnostics()
    matter = read(text, path=PATH, allowed=LESSON_KEYS, diags=diags)
    assert diags.items == []
    assert matter.values == {}
    assert matter.body == tuple(text.splitlines())
    assert matter.body_start == 1


def test_unclosed_front_matter_is_an_error_at_line_one() -> None:
    diags = Diagnostics()
    matter = read("---\ntitle: A\n# Heading\n", path=PATH, allowed=LESSON_KEYS, diags=diags)
    assert [d.format() for d in diags.items] == [
        f"{E}1: error: front matter is not closed: add a '---' line after it [frontmatter-unclosed]"
    ]
    assert matter.body == ()


def test_lines_and_columns_of_keys() -> None:
    matter, _ = front("title: A\n  # comment\nlevel:   beginner")
    assert (matter.line("title"), matter.column("title")) == (2, 1)
    assert (matter.line("level"), matter.column("level")) == (4, 1)
    # A key not written is reported at the top of the file.
    assert (matter.line("tags"), matter.column("tags")) == (1, 0)


PARENT = Defaults(
    tags=("course", "shared"),
    level="beginner",
    difficulty="easy",
    key_facts=("reveal",),
    cloze_choices=False,
    choice_options=3,
    shuffle=False,
    reversed=True,
    type_in_clozes=True,
    lint_ignore=("lint-a",),
    lint_build=False,
    flip_on_pick=False,
)


def test_nothing_written_inherits_everything() -> None:
    matter, _ = front("title: A")
    assert matter.apply(PARENT) == PARENT


def test_written_options_replace_the_parent_and_tags_add_up() -> None:
    matter, problems = front(
        "tags: [shared, own]\nlevel: advanced\ndifficulty: hard\nkey_facts: [cloze]\n"
        "cloze_choices: true\nchoice_options: 5\nshuffle: true\nreversed: false\n"
        "type_in_clozes: false\nlint_ignore: [lint-b, lint-a]\nlint_build: true\n"
        "flip_on_pick: true"
    )
    assert problems == []
    assert matter.apply(PARENT) == Defaults(
        tags=("course", "shared", "own"),
        level="advanced",
        difficulty="hard",
        key_facts=("cloze",),
        cloze_choices=True,
        choice_options=5,
        shuffle=True,
        reversed=False,
        type_in_clozes=False,
        lint_ignore=("lint-a", "lint-b"),
        lint_build=True,
        flip_on_pick=True,
    )


def test_no_key_facts_at_all_is_kept_not_inherited() -> None:
    matter, _ = front("key_facts: []")
    assert matter.apply(PARENT).key_facts == ()


def test_text_and_tags_of_front_matter() -> None:
    matter, _ = front("title: A\ntags: x y")
    assert matter.text("title") == "A"
    assert matter.text("tags") is None
    assert matter.text("level") is None
    assert matter.tags() == ("x", "y")
    assert FrontMatter().tags() == ()


def test_a_yaml_error_without_a_place_is_reported_at_the_top() -> None:
    diags = Diagnostics()
    yaml_error(yaml.YAMLError("no mark"), PATH, diags)
    assert [d.format() for d in diags.items] == [
        f"{E}1: error: front matter: invalid YAML [frontmatter-yaml]"
    ]
