"""YAML front matter: split it off, parse it with line numbers, check every key and value."""

from __future__ import annotations

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

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

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


def read(text: str, *, path: str, allowed: tuple[str, ...], diags: Diagnostics) -> FrontMatter:
    lines = source_lines(text)
    if not lines or lines[0].rstrip() != DELIMITER:
        return FrontMatter(body=tuple(lines))
    end = next(
        (i for i in range(1, len(lines)) if lines[i].rstrip() in (DELIMITER, "...")),
        None,
    )
    if end is None:
        diags.error(path, 1, "front matter is not closed: add a '---' line after it")
        return FrontMatter(body=())
    body, body_start = tuple(lines[end + 1 :]), end + 2
    source = "\n".join(lines[1:end])
    try:
        node, data = compose_and_construct(source)
    except RecursionError:
        diags.error(path, 2, "front matter is nested too deeply")
        return FrontMatter(body=body, body_start=body_start)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        diags.error(path, line, f"front matter: {problem}")
        return FrontMatter(body=body, body_start=body_start)
    if data is None:
        return FrontMatter(body=body, body_start=body_start)
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        diags.error(path, 2, "front matter must be a mapping of 'key: value' lines")
        return FrontMatter(body=body, body_start=body_start)

    key_lines = {str(key_node.value): key_node.start_mark.line + 2 for key_node, _ in node.value}
    values: dict[str, object] = {}
    for key, value in data.items():
        line = key_lines.get(str(key), 2)
        name = str(key)
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            diags.error(
                path,
                line,
                f"unknown front-matter key '{name}' (allowed here: {', '.join(allowed)}){hint}",
            )
            continue
        checked = check_value(name, value, path=path, line=line, diags=diags)
        if checked is not None:
            values[name] = checked
    return FrontMatter(values=values, body=body, body_start=body_start, lines=key_lines)


def compose_and_construct(source: str) -> tuple[yaml.Node | None, object]:
    """Parse the YAML once: the node tree (for the line of each key) and its values."""
    loader = yaml.SafeLoader(source)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def check_value(
    key: str, value: object, *, path: str, line: int, diags: Diagnostics
) -> object | None:
    if key == "tags":
        return check_tags(value, path=path, line=line, diags=diags)
    if key == "key_facts":
        items = value if isinstance(value, list) else None
        if items is None or not all(item in KEY_FACT_NOTES for item in items):
            diags.error(
                path,
                line,
                f"'key_facts' must be a list of {', '.join(KEY_FACT_NOTES)} (e.g. [reveal, cloze])",
            )
            return None
        return tuple(dict.fromkeys(items))
    if key == "lint_ignore":
        codes = value if isinstance(value, list) else None
        if codes is None or not all(isinstance(c, str) and LINT_CODE.match(c) for c in codes):
            diags.error(
                path,
                line,
                "'lint_ignore' must be a list of lint rule codes (e.g. [lint-long-answer])",
                code="frontmatter-bad-value",
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
            diags.error(path, line, f"'{key}' must be true or false")
            return None
        return value
    if key == "choice_options":
        if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 8:
            diags.error(path, line, "'choice_options' must be a whole number from 2 to 8")
            return None
        return value
    if not isinstance(value, str) or not value.strip():
        diags.error(path, line, f"'{key}' must be a non-empty text")
        return None
    value = value.strip()
    if key in ("level", "difficulty"):
        value = value.lower()
    if key == "level" and value not in LEVELS:
        diags.error(path, line, f"level must be one of {', '.join(LEVELS)}, not '{value}'")
        return None
    if key == "difficulty" and value not in DIFFICULTIES:
        diags.error(
            path, line, f"difficulty must be one of {', '.join(DIFFICULTIES)}, not '{value}'"
        )
        return None
    if key == "deck" and any(not part.strip() for part in value.split("::")):
        diags.error(path, line, f"deck name '{value}' has an empty part")
        return None
    return value


def check_tags(
    value: object, *, path: str, line: int, diags: Diagnostics
) -> tuple[str, ...] | None:
    if isinstance(value, str):
        items: list[object] = list(value.split())
    elif isinstance(value, list):
        items = value
    else:
        diags.error(path, line, "'tags' must be a list of tags or one space-separated text")
        return None
    tags = []
    for item in items:
        if not isinstance(item, str) or not item or any(ch.isspace() for ch in item):
            shown = reprlib.repr(item)
            diags.error(path, line, f"invalid tag {shown}: tags are words without spaces")
            continue
        if '"' in item or any(not part for part in item.split("::")):
            diags.error(path, line, f"invalid tag '{item}'")
            continue
        tags.append(item)
    return tuple(tags)
