"""Property tests: no lesson text and no content folder makes the parser or the build raise.

Problems in sources are diagnostics, never exceptions; and every diagnostic points at a line that
exists in its file (line 0 meaning the whole file). Lines are what an editor shows: only `\\n`,
`\\r\\n` and `\\r` end a line.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.config import BuildConfig
from generator.diagnostics import Severity
from generator.kinds import REGISTRY
from generator.kinds.lesson import parse_lesson
from generator.notes import Defaults, Lesson
from generator.pipeline import build

LESSON = Lesson(
    path="lessons/random.md",
    rel="topic/random.md",
    deck="Course::Topic",
    defaults=Defaults(tags=("course",)),
)
# Lesson text with `==…==` makes cloze notes of its own, outside every `###` card.
CONSTRUCT_NAMES = {construct.name for construct in REGISTRY.constructs} | {"cloze"}
LINE_END = re.compile(r"\r\n|\r|\n")

# Characters Python's str.splitlines() treats as line breaks though editors and Markdown do not.
ODD_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

word = st.text(alphabet=st.sampled_from("abcXYZ 019-_:.#*`~[]()!|>→é<\t" + ODD_BREAKS), max_size=16)
any_text = st.text(st.characters(codec="utf-8"), max_size=24)
phrase = st.one_of(word, any_text)
LABELS = [
    "Answer",
    "Hint",
    "Explanation",
    "Analogy",
    "Diagram",
    "Level",
    "Difficulty",
    "Solution",
    "Final answer",
    "Quick check",
    "Common mistakes",
    "Mistakes",
    "Key concepts",
    "Model answer",
    "Hnit",
    "Explanaton",
    "",
]
HEADING_WORDS = [
    "Key facts",
    "Common confusions",
    "Summary",
    "Analogy:",
    "key facts: x",
    "",
    "東京とは",
    "Что такое GPT?",
    "What is ==x==?",
    "std::move",
]
# Lines a careful author gets almost right: labels not in bold, marks not closed, Anki's own
# syntax, raw HTML that loads or runs something, escapes of cloze syntax.
SLIPS = [
    "Hint: think",
    "*Hint:* think",
    "__Hint:__ think",
    "**Hint** think",
    "**Key concept:** x",
    "**Solution:** x",
    "The ==answer is open",
    "== spaced ==",
    "{{c1::anki}}",
    "==std\\::move== and ==a\\|| b== and ==x \\=\\= y==",
    "==`std::move`::hint==",
    "==a:::b== ==c:==",
    "<div>",
    "</div>",
    "<div>==hidden==",
    "<style>@import url(x.css)</style>",
    '<span style="background: u\\72l(x)">s</span>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:x">x</a>',
    "[x](javascript:alert(1))",
    '<svg><image href="x.png"/><use xlink:href="#a"/></svg>',
    '<meta http-equiv="refresh" content="0">',
    "<link rel=stylesheet href=x.css>",
    '{: style="background:url(x)" onclick=x }',
    "```python extra",
    "````",
    "Setext\n==",
    "\n".join(f"- [x] option {n}" for n in range(30)),
]
YAML_KEYS = ["title", "tags", "level", "difficulty", "deck", "namespace", "levle", "1", "? [a]"]
YAML_VALUES = [
    "no",
    "yes",
    "2024-13-45",
    "2024-02-30 10:00:00",
    "1:30",
    "6.0",
    ".inf",
    "~",
    "a\x1eb",
    "\t- tab",
    "[yes, 2024, ok]",
    '"quoted"',
    "beginner",
    "hard",
    "[a, b]",
    "[a b, c]",
    "a b::c",
    "[a, b",
    "{x: 1}",
    "- x",
    "&a [1]",
    "*a",
    "|",
    "'",
    "2024-01-01",
    "null",
    "!!python/object:os.system x",
    "",
]

ids = st.one_of(st.sampled_from(["x", "same", "Same", "a/b.c", "", "bad id", "a#b"]), word)
heading = st.builds(
    lambda hashes, text, closing, note_id: (
        "#" * hashes + " " + text + closing + (f" <!-- id: {note_id} -->" if note_id else "")
    ),
    st.integers(1, 7),
    st.one_of(st.sampled_from(HEADING_WORDS), phrase),
    st.sampled_from(["", " ###", " #", "#"]),
    st.one_of(st.none(), ids),
)
task = st.builds(lambda mark, text: f"- [{mark}] {text}", st.sampled_from(" xX"), phrase)
label = st.builds(
    lambda name, colon, text: f"**{name}{colon} {text}",
    st.sampled_from(LABELS),
    st.sampled_from([":**", "**:", "**"]),
    phrase,
)
yaml_line = st.builds(
    lambda key, value: f"{key}: {value}", st.sampled_from(YAML_KEYS), st.sampled_from(YAML_VALUES)
)
block = st.one_of(
    heading,
    task,
    label,
    st.builds(lambda text: f":   {text}", phrase),
    st.builds(lambda a, b: f"- ~~{a}~~ {b}", phrase, phrase),
    st.builds(lambda a, b: f"- {a} → {b}", phrase, phrase),
    st.builds(lambda a, b: f"* {a} -> {b}", phrase, phrase),
    st.builds(lambda text: f"  {text}", phrase),
    st.builds(lambda text: f"    {text}", phrase),
    st.builds(lambda text: f"1. {text}", phrase),
    st.sampled_from(["```", "~~~", "````", "```python", "~~~ text", "```a`b", "   ```"]),
    st.sampled_from(["", "", " ", "---", "...", "<!-- id: x -->", "- ", "-", ":", "~~"]),
    yaml_line,
    st.sampled_from(SLIPS),
    phrase,
)
front_matter = st.one_of(
    st.just(""),
    st.builds(
        lambda lines: "---\n" + "\n".join(lines) + "\n---\n", st.lists(yaml_line, max_size=4)
    ),
    st.builds(lambda lines: "---\n" + "\n".join(lines) + "\n", st.lists(yaml_line, max_size=3)),
)
lesson_text = st.builds(
    lambda bom, fm, lines, newline, final: (
        bom + (fm + newline.join(lines) + final).replace("\n", newline)
    ),
    st.sampled_from(["", "\ufeff"]),
    front_matter,
    st.lists(block, max_size=30),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["", "\n"]),
)


def file_lines(text: str) -> int:
    return len(LINE_END.split(text))


@settings(max_examples=400, deadline=None)
@given(lesson_text)
@example("### One\n\nText\x0cmore\n\n###\n")
@example("---\ntitle: " + "[" * 3000 + "\n---\n### Q\n\nA.\n")
def test_parse_lesson_never_raises(text: str) -> None:
    parsed = parse_lesson(LESSON, text, REGISTRY)
    lines = file_lines(text)
    for diagnostic in parsed.diagnostics:
        assert diagnostic.path == LESSON.path
        # Every problem of a lesson is at a line of it, and has a code (docs/format.md).
        assert 1 <= diagnostic.line <= lines, diagnostic.format()
        assert diagnostic.message.strip()
        assert diagnostic.code, diagnostic.format()
    for note in parsed.notes:
        assert 1 <= note.meta.line <= lines, note.meta
        assert note.meta.construct in CONSTRUCT_NAMES
        assert note.note_type in REGISTRY.note_types
        assert note.meta.id
        assert note.meta.deck == LESSON.deck


def test_deeply_nested_front_matter_is_an_error_not_a_crash() -> None:
    parsed = parse_lesson(LESSON, "---\ntitle: " + "[" * 3000 + "\n---\n### Q\n\nA.\n", REGISTRY)
    errors = [d for d in parsed.diagnostics if d.severity is Severity.ERROR]
    assert errors
    assert all(1 <= d.line <= 3 for d in errors), [d.format() for d in errors]
    assert len(parsed.notes) == 1


INDEX_TEXT = st.one_of(
    st.just("---\ndeck: Course\nnamespace: ns\n---\n"),
    st.builds(lambda fm: fm + "Course text.\n", front_matter),
)
FOLDERS = [
    "",
    "01-topic/",
    "01-topic/02-sub/",
    "topic_two/",
    "_media/",
    ".hidden/",
    "02-/",
    "x.md/",
    "東京/",
]
NAMES = [
    "a.md",
    "b.md",
    "01-intro.md",
    "_index.md",
    "_draft.md",
    ".x.md",
    "notes.txt",
    "B.MD",
    "c.markdown",
    "文法.md",
    "f.png",
]
# Symbolic links a content tree may hold: to itself, to a folder above, to nothing, outside.
LINKS = [
    ("loop.md", "loop.md"),
    ("01-topic/up", ".."),
    ("x.png", "x.png"),
    ("gone.md", "missing.md"),
    ("outside.md", "/etc/hostname"),
    ("01-topic/02-sub/back", "../.."),
]
file_content = st.one_of(
    lesson_text.map(lambda text: text.encode()),
    st.binary(max_size=16),
    st.just(b"### Q <!-- id: same -->\n\nA.\n"),
)
content_tree = st.dictionaries(
    st.builds(lambda folder, name: folder + name, st.sampled_from(FOLDERS), st.sampled_from(NAMES)),
    file_content,
    max_size=5,
)


@settings(max_examples=40, deadline=None)
@given(
    index=st.one_of(st.none(), INDEX_TEXT),
    tree=content_tree,
    links=st.lists(st.sampled_from(LINKS), max_size=3, unique=True),
    strict=st.booleans(),
)
def test_build_never_raises(
    index: str | None, tree: dict[str, bytes], links: list[tuple[str, str]], strict: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        content = root / "content"
        content.mkdir()
        if index is not None:
            (content / "_index.md").write_text(index, encoding="utf-8")
        for rel, data in tree.items():
            path = content / rel
            if path.parent.is_symlink() or path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for rel, target in links:
            link = content / rel
            if not link.exists() and not link.is_symlink():
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(target)
        out = root / "out"

        result = build(BuildConfig(content=content, out_dir=out, strict=strict, jobs=1))

        diagnostics = result.diagnostics
        packages = sorted(out.glob("*.apkg")) if out.exists() else []
        assert result.ok == (result.output is not None)
        assert result.ok == (not diagnostics.failed(strict=strict))
        assert packages == ([result.output] if result.ok else [])
        for diagnostic in diagnostics.items:
            assert diagnostic.path.startswith(str(content)), diagnostic.format()
            assert diagnostic.line >= 0
            assert diagnostic.code, diagnostic.format()
            source = Path(diagnostic.path)
            if diagnostic.line and source.is_file():
                text = source.read_bytes().decode("utf-8", errors="replace")
                assert diagnostic.line <= file_lines(text), diagnostic.format()
