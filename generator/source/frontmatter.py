"""YAML front matter: split it off, parse it with line numbers, check every key and value."""

from __future__ import annotations

import datetime
import difflib
import re
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from generator.diagnostics import Diagnostics
from generator.notes import DIFFICULTIES, LEVELS, Defaults
from generator.source.outline import source_lines

DELIMITER = "---"
OPTION_KEYS = (
    "tags",
    "level",
    "difficulty",
    "key_facts",
    "cloze_choices",
    "choice_options",
    "shuffle",
    "reversed",
    "type_in_clozes",
    "lint_ignore",
    "lint_build",
    "flip_on_pick",
)
LESSON_KEYS = ("title", *OPTION_KEYS)
FOLDER_KEYS = ("deck", *OPTION_KEYS)
COURSE_KEYS = ("deck", "namespace", *OPTION_KEYS)
KEY_FACT_NOTES = ("reveal", "reversed", "cloze", "choice")
LINT_CODE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Checked front-matter values of one file and where its body starts."""

    values: Mapping[str, object] = field(default_factory=dict)
    """Key → value, only keys that passed their checks."""
    body: tuple[str, ...] = ()
    """Lines after the front matter."""
    body_start: int = 1
    """Line number of the first body line."""
    lines: Mapping[str, int] = field(default_factory=dict)
    """Key → line number, for reporting problems with a value."""
    columns: Mapping[str, int] = field(default_factory=dict)
    """Key → column of the key."""

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def column(self, key: str) -> int:
        return self.columns.get(key, 0)

    def text(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    def tags(self) -> tuple[str, ...]:
        value = self.values.get("tags", ())
        return tuple(value) if isinstance(value, (tuple, list)) else ()

    def apply(self, parent: Defaults) -> Defaults:
        """Inherit: tags add up, every other option replaces the parent's."""
        facts = self.values.get("key_facts")
        choices = self.values.get("cloze_choices")
        count = self.values.get("choice_options")
        shuffle = self.values.get("shuffle")
        flags = {key: self.values.get(key) for key in ("reversed", "type_in_clozes", "lint_build")}
        written = self.values.get("lint_ignore", ())
        ignore = (
            tuple(code for code in written if isinstance(code, str))
            if isinstance(written, tuple)
            else ()
        )
        flip = self.values.get("flip_on_pick")
        return Defaults(
            tags=tuple(dict.fromkeys([*parent.tags, *self.tags()])),
            level=self.text("level") or parent.level,
            difficulty=self.text("difficulty") or parent.difficulty,
            key_facts=facts if isinstance(facts, tuple) else parent.key_facts,
            cloze_choices=choices if isinstance(choices, bool) else parent.cloze_choices,
            choice_options=count if isinstance(count, int) else parent.choice_options,
            shuffle=shuffle if isinstance(shuffle, bool) else parent.shuffle,
            reversed=flag(flags["reversed"], parent.reversed),
            type_in_clozes=flag(flags["type_in_clozes"], parent.type_in_clozes),
            lint_ignore=tuple(dict.fromkeys([*parent.lint_ignore, *ignore])),
            lint_build=flag(flags["lint_build"], parent.lint_build),
            flip_on_pick=flag(flip, parent.flip_on_pick),
        )


def flag(value: object, inherited: bool) -> bool:
    return value if isinstance(value, bool) else inherited


@dataclass(frozen=True, slots=True)
class Place:
    """Where a key or value is written: 1-based line and column in the file."""

    line: int
    """Line."""
    column: int
    """Column."""


@dataclass(frozen=True, slots=True)
class Written:
    """A value as YAML read it, and as the author wrote it."""

    value: object
    """What YAML made of it."""
    raw: str | None
    """The text of a scalar as written (without quotes); None for lists and mappings."""
    quoted: bool
    """Written in quotes (so YAML kept it as text)."""
    place: Place
    """Where it starts."""
    items: tuple[Written, ...] = ()
    """For a list: its items, as written."""


def place_of(node: yaml.Node) -> Place:
    # Line 1 of the YAML is line 2 of the file (after the opening `---`).
    return Place(node.start_mark.line + 2, node.start_mark.column + 1)


def read(text: str, *, path: str, allowed: tuple[str, ...], diags: Diagnostics) -> FrontMatter:
    lines = source_lines(text)
    if not lines or lines[0].rstrip() != DELIMITER:
        return FrontMatter(body=tuple(lines))
    end = next(
        (i for i in range(1, len(lines)) if lines[i].rstrip() in (DELIMITER, "...")),
        None,
    )
    if end is None:
        diags.error(
            path,
            1,
            "front matter is not closed: add a '---' line after it",
            code="frontmatter-unclosed",
        )
        return FrontMatter(body=())
    body, body_start = tuple(lines[end + 1 :]), end + 2
    source = "\n".join(lines[1:end])
    try:
        loader = yaml.SafeLoader(source)
    except yaml.reader.ReaderError as exc:  # a character YAML does not accept at all
        before = source[: exc.position].split("\n")
        diags.error(
            path,
            len(before) + 1,
            f"front matter: character U+{exc.character:04X} is not allowed in YAML; remove it",
            code="frontmatter-yaml",
            column=len(before[-1]) + 1,
        )
        return FrontMatter(body=body, body_start=body_start)
    try:
        return read_mapping(loader, path, allowed, diags, body=body, body_start=body_start)
    finally:
        loader.dispose()


def read_mapping(
    loader: yaml.SafeLoader,
    path: str,
    allowed: tuple[str, ...],
    diags: Diagnostics,
    *,
    body: tuple[str, ...],
    body_start: int,
) -> FrontMatter:
    empty = FrontMatter(body=body, body_start=body_start)
    try:
        node = loader.get_single_node()
    except RecursionError:
        diags.error(path, 2, "front matter is nested too deeply", code="frontmatter-too-deep")
        return empty
    except yaml.YAMLError as exc:
        yaml_error(exc, path, diags)
        return empty
    if node is None:
        return empty
    if not isinstance(node, yaml.MappingNode):
        diags.error(
            path,
            2,
            "front matter must be a mapping of 'key: value' lines",
            code="frontmatter-not-mapping",
        )
        return empty
    values: dict[str, object] = {}
    key_lines: dict[str, int] = {}
    key_columns: dict[str, int] = {}
    for key_node, value_node in node.value:
        key_place = place_of(key_node)
        name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
        if name in key_lines:
            diags.error(
                path,
                key_place.line,
                f"front-matter key '{name}' is written twice (first at line {key_lines[name]}); "
                "remove one of them",
                code="frontmatter-duplicate-key",
                column=key_place.column,
            )
            values.pop(name, None)
            continue
        key_lines[name], key_columns[name] = key_place.line, key_place.column
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            diags.error(
                path,
                key_place.line,
                f"unknown front-matter key '{name}' (allowed here: {', '.join(allowed)}){hint}",
                code="frontmatter-unknown-key",
                column=key_place.column,
            )
            continue
        written = construct(loader, value_node, name, path, diags)
        if written is None:
            continue
        checked = check_value(name, written, path=path, diags=diags)
        if checked is not None:
            values[name] = checked
    return FrontMatter(
        values=values, body=body, body_start=body_start, lines=key_lines, columns=key_columns
    )


def yaml_error(exc: yaml.YAMLError, path: str, diags: Diagnostics) -> None:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 2 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 0
    problem = getattr(exc, "problem", None) or "invalid YAML"
    diags.error(path, line, f"front matter: {problem}", code="frontmatter-yaml", column=column)


def construct(
    loader: yaml.SafeLoader, node: yaml.Node, key: str, path: str, diags: Diagnostics
) -> Written | None:
    """The value of one key, or None (reported) when YAML cannot make one of it."""
    where = place_of(node)
    try:
        value = loader.construct_object(node, deep=True)
    except RecursionError:
        diags.error(
            path,
            where.line,
            "front matter is nested too deeply",
            code="frontmatter-too-deep",
            column=where.column,
        )
        return None
    except yaml.YAMLError as exc:
        yaml_error(exc, path, diags)
        return None
    except (ValueError, TypeError, OverflowError):
        # YAML's own reading of dates: `2024-13-45` looks like a date but is none.
        bad = next((n for n in scalars(node) if n.tag.endswith(":timestamp")), node)
        raw = bad.value if isinstance(bad, yaml.ScalarNode) else key
        at = place_of(bad)
        diags.error(
            path,
            at.line,
            f'YAML reads `{raw}` as a date, and it is no valid date: quote it ("{raw}") '
            "if it is text",
            code="frontmatter-yaml-type",
            column=at.column,
        )
        return None
    return written_of(node, value)


def scalars(node: yaml.Node) -> list[yaml.ScalarNode]:
    if isinstance(node, yaml.ScalarNode):
        return [node]
    if isinstance(node, yaml.SequenceNode):
        return [found for item in node.value for found in scalars(item)]
    if isinstance(node, yaml.MappingNode):
        return [found for pair in node.value for item in pair for found in scalars(item)]
    return []


def written_of(node: yaml.Node, value: object) -> Written:
    if isinstance(node, yaml.SequenceNode) and isinstance(value, list):
        items = tuple(written_of(n, v) for n, v in zip(node.value, value, strict=False))
        return Written(value, None, False, place_of(node), items)
    raw = node.value if isinstance(node, yaml.ScalarNode) else None
    quoted = isinstance(node, yaml.ScalarNode) and node.style in ("'", '"')
    return Written(value, raw, quoted, place_of(node))


def read_as(written: Written) -> str | None:
    """What YAML made of an unquoted scalar that is not text ('a boolean (false)'), or None."""
    value = written.value
    if written.raw is None or isinstance(value, str):
        return None
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        shown = str(value)
        return "a number" if shown == written.raw else f"a number ({shown})"
    if isinstance(value, datetime.datetime):
        return "a date and time"
    if isinstance(value, datetime.date):
        return "a date"
    if value is None and written.raw:
        return "nothing (null)"
    return None


def not_text(key: str, written: Written, *, path: str, diags: Diagnostics) -> None:
    """A value that should be text: say what YAML read instead."""
    what = read_as(written)
    at = written.place
    if what is not None:
        diags.error(
            path,
            at.line,
            f"'{key}' must be text, but YAML reads `{written.raw}` as {what}: quote it "
            f'({key}: "{written.raw}")',
            code="frontmatter-yaml-type",
            column=at.column,
        )
    else:
        diags.error(
            path,
            at.line,
            f"'{key}' must be a non-empty text",
            code="frontmatter-bad-value",
            column=at.column,
        )


def bad_value(message: str, written: Written, *, path: str, diags: Diagnostics) -> None:
    at = written.place
    diags.error(path, at.line, message, code="frontmatter-bad-value", column=at.column)


def check_value(key: str, written: Written, *, path: str, diags: Diagnostics) -> object | None:
    value = written.value
    if key == "tags":
        return check_tags(written, path=path, diags=diags)
    if key == "key_facts":
        items = value if isinstance(value, list) else None
        if items is None or not all(item in KEY_FACT_NOTES for item in items):
            bad_value(
                f"'key_facts' must be a list of {', '.join(KEY_FACT_NOTES)} (e.g. [reveal, cloze])",
                written,
                path=path,
                diags=diags,
            )
            return None
        return tuple(dict.fromkeys(items))
    if key == "lint_ignore":
        codes = value if isinstance(value, list) else None
        if codes is None or not all(isinstance(c, str) and LINT_CODE.match(c) for c in codes):
            bad_value(
                "'lint_ignore' must be a list of lint rule codes (e.g. [lint-long-answer])",
                written,
                path=path,
                diags=diags,
            )
            return None
        return tuple(codes)
    if key in (
        "cloze_choices",
        "shuffle",
        "reversed",
        "type_in_clozes",
        "lint_build",
        "flip_on_pick",
    ):
        if not isinstance(value, bool):
            quoted = " (write it without quotes)" if written.quoted else ""
            bad_value(f"'{key}' must be true or false{quoted}", written, path=path, diags=diags)
            return None
        return value
    if key == "choice_options":
        if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 8:
            bad_value(
                "'choice_options' must be a whole number from 2 to 8",
                written,
                path=path,
                diags=diags,
            )
            return None
        return value
    if not isinstance(value, str) or not value.strip():
        not_text(key, written, path=path, diags=diags)
        return None
    value = value.strip()
    if key in ("level", "difficulty"):
        value = value.lower()
    if key == "level" and value not in LEVELS:
        bad_value(
            f"level must be one of {', '.join(LEVELS)}, not '{value}'",
            written,
            path=path,
            diags=diags,
        )
        return None
    if key == "difficulty" and value not in DIFFICULTIES:
        bad_value(
            f"difficulty must be one of {', '.join(DIFFICULTIES)}, not '{value}'",
            written,
            path=path,
            diags=diags,
        )
        return None
    if key == "deck" and any(not part.strip() for part in value.split("::")):
        bad_value(f"deck name '{value}' has an empty part", written, path=path, diags=diags)
        return None
    return value


def check_tags(written: Written, *, path: str, diags: Diagnostics) -> tuple[str, ...] | None:
    value = written.value
    if isinstance(value, str):
        items = [Written(item, item, True, written.place) for item in value.split()]
    elif isinstance(value, list):
        items = list(written.items)
    else:
        bad_value(
            "'tags' must be a list of tags or one space-separated text",
            written,
            path=path,
            diags=diags,
        )
        return None
    tags = []
    for item in items:
        tag, at = item.value, item.place
        what = read_as(item)
        if what is not None:
            diags.error(
                path,
                at.line,
                f"a tag must be text, but YAML reads `{item.raw}` as {what}: quote it "
                f'("{item.raw}")',
                code="frontmatter-yaml-type",
                column=at.column,
            )
            continue
        if not isinstance(tag, str) or not tag or any(ch.isspace() for ch in tag):
            shown = reprlib.repr(tag)
            diags.error(
                path,
                at.line,
                f"invalid tag {shown}: tags are words without spaces",
                code="tag-invalid",
                column=at.column,
            )
            continue
        if '"' in tag or any(not part for part in tag.split("::")):
            diags.error(path, at.line, f"invalid tag '{tag}'", code="tag-invalid", column=at.column)
            continue
        tags.append(tag)
    return tuple(tags)
