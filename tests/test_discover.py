"""Finding the course on disk: which files are lessons, the deck each one lands in, what it
inherits, and the diagnostic for each thing on disk that is not read."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.source.discover import Course, discover, humanize, read_text

COURSE = "---\ndeck: Biology\nnamespace: bio-1\ntags: [course]\nlevel: beginner\n---\n"


def tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def found(root: Path) -> tuple[Course | None, list[str]]:
    diags = Diagnostics()
    course = discover(root, "content", diags)
    return course, [d.format() for d in diags.sorted()]


def test_lessons_decks_and_inherited_options(tmp_path: Path) -> None:
    root = tree(
        tmp_path / "c",
        {
            "_index.md": COURSE,
            "b.md": "# B\n",
            "a.md": "# A\n",
            "02-cell_biology/_index.md": "---\ntags: [cells]\nlevel: advanced\n---\n",
            "02-cell_biology/z.md": "# Z\n",
            "02-cell_biology/10 the  nucleus/x.md": "# X\n",
            "01-intro/_index.md": "---\ndeck: First Steps\n---\n",
            "01-intro/y.md": "# Y\n",
            "_drafts/draft.md": "# Draft\n",
            ".hidden/h.md": "# Hidden\n",
            "_notes.md": "not a lesson",
            "picture.png": "",
        },
    )
    course, problems = found(root)
    assert problems == []
    assert course is not None
    assert (course.deck, course.namespace, course.root) == ("Biology", "bio-1", root)
    assert [(lesson.rel, lesson.path, lesson.deck) for lesson in course.lessons] == [
        ("a.md", "content/a.md", "Biology"),
        ("b.md", "content/b.md", "Biology"),
        ("01-intro/y.md", "content/01-intro/y.md", "Biology::First Steps"),
        ("02-cell_biology/z.md", "content/02-cell_biology/z.md", "Biology::Cell biology"),
        (
            "02-cell_biology/10 the  nucleus/x.md",
            "content/02-cell_biology/10 the  nucleus/x.md",
            "Biology::Cell biology::The nucleus",
        ),
    ]
    assert course.decks == (
        "Biology",
        "Biology::Cell biology",
        "Biology::Cell biology::The nucleus",
        "Biology::First Steps",
    )
    by_rel = {lesson.rel: lesson.defaults for lesson in course.lessons}
    assert by_rel["a.md"].tags == ("course",)
    assert by_rel["a.md"].level == "beginner"
    assert by_rel["02-cell_biology/z.md"].tags == ("course", "cells")
    assert by_rel["02-cell_biology/z.md"].level == "advanced"
    assert by_rel["02-cell_biology/10 the  nucleus/x.md"].tags == ("course", "cells")
    assert by_rel["01-intro/y.md"].level == "beginner"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("01-intro", "Intro"),
        ("2_data_types", "Data types"),
        ("03. loops", "Loops"),
        ("well-known  names", "Well known names"),
        ("2024", "2024"),
        ("01-", "01-"),
        ("éclair", "Éclair"),
    ],
)
def test_folder_names_become_deck_names(name: str, shown: str) -> None:
    assert humanize(name) == shown


def test_missing_content_folder(tmp_path: Path) -> None:
    course, problems = found(tmp_path / "nope")
    assert course is None
    assert problems == ["content: error: content folder not found [content-missing]"]


def test_missing_content_folder_says_where_the_course_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run inside a course's content folder, or in one of its lessons' folders, with the default
    `content`: the message names the course's folder."""
    lessons = tmp_path / "course" / "content" / "10-basics"
    lessons.mkdir(parents=True)
    (lessons.parent / "_index.md").write_text("---\ndeck: Course\n---\n", encoding="utf-8")
    (lessons / "_index.md").write_text("---\ndeck: Basics\n---\n", encoding="utf-8")
    for folder, name in ((lessons, ".."), (lessons.parent, ".")):
        monkeypatch.chdir(folder)
        diags = Diagnostics()
        assert discover(Path("content"), "content", diags) is None
        assert [d.message for d in diags.items] == [
            f"content folder not found; '{name}' looks like one (it has _index.md): name it "
            "after the command, or run the command in the folder above it"
        ]
    monkeypatch.chdir(tmp_path)
    diags = Diagnostics()
    assert discover(Path("content"), "content", diags) is None
    assert "run ankigen in the folder that holds the course's content/" in diags.items[0].message


def test_missing_course_file(tmp_path: Path) -> None:
    course, problems = found(tree(tmp_path / "c", {"a.md": "# A\n"}))
    assert course is None
    assert problems == [
        "content/_index.md: error: missing course file: create it with front matter "
        "'deck: <course name>' and 'namespace: <a fixed unique text>' [course-file-missing]"
    ]


def test_course_without_deck_and_namespace_reports_both_and_still_looks_at_lessons(
    tmp_path: Path,
) -> None:
    root = tree(tmp_path / "c", {"_index.md": "---\ntags: [x]\n---\n", "a.MD": "# A\n"})
    course, problems = found(root)
    assert course is None
    assert problems == [
        "content/_index.md:1: error: the course needs 'deck: <course name>' in its front "
        "matter [course-deck-missing]",
        "content/_index.md:1: error: the course needs 'namespace: <a fixed unique text>' in "
        "its front matter; note GUIDs derive from it, so choose it once (e.g. the course name "
        "and a random suffix) [course-namespace-missing]",
        "content/a.MD: error: not read as a lesson: lessons are files ending in '.md' (lower "
        "case); rename it to 'a.md', or start its name with '_' to keep it out of the course "
        "[lesson-extension]",
    ]


def test_a_deck_written_wrong_is_reported_once(tmp_path: Path) -> None:
    root = tree(tmp_path / "c", {"_index.md": "---\ndeck: 5\nnamespace: n\n---\n"})
    course, problems = found(root)
    assert course is None
    assert problems == [
        "content/_index.md:2:7: error: 'deck' must be text, but YAML reads `5` as a number: "
        'quote it (deck: "5") [frontmatter-yaml-type]'
    ]


@pytest.mark.parametrize("name", ["notes.markdown", "notes.mdown", "notes.mkd", "notes.mkdn"])
def test_other_markdown_extensions_are_reported(tmp_path: Path, name: str) -> None:
    root = tree(tmp_path / "c", {"_index.md": COURSE, name: "# N\n"})
    course, problems = found(root)
    assert course is not None
    assert course.lessons == ()
    assert problems == [
        f"content/{name}: error: not read as a lesson: lessons are files ending in '.md' (lower "
        "case); rename it to 'notes.md', or start its name with '_' to keep it out of the "
        "course [lesson-extension]"
    ]


def test_folder_problems(tmp_path: Path) -> None:
    root = tree(
        tmp_path / "c",
        {
            "_index.md": COURSE,
            "x.md/inner.md": "# I\n",
            "deep/_index.md": "---\ndeck: A::B\n---\n",
            "deep/d.md": "# D\n",
        },
    )
    course, problems = found(root)
    assert course is not None
    assert problems == [
        "content/deep/_index.md:2:1: error: a folder's deck name cannot contain '::' (use a "
        "subfolder) [deck-name-colons]",
        "content/x.md: warning: a folder named like a lesson is read as a folder (the subdeck "
        "'X.md'): rename it, or move its lessons up and delete it [folder-named-like-lesson]",
    ]
    assert [(lesson.rel, lesson.deck) for lesson in course.lessons] == [
        ("deep/d.md", "Biology::Deep"),
        ("x.md/inner.md", "Biology::X.md"),
    ]


def test_symbolic_link_loops(tmp_path: Path) -> None:
    root = tree(tmp_path / "c", {"_index.md": COURSE, "topic/t.md": "# T\n"})
    (root / "topic" / "back").symlink_to(root)
    (root / "self.md").symlink_to("self.md")
    (root / "other").symlink_to("other")
    (root / "dangling.md").symlink_to("missing-target")
    course, problems = found(root)
    assert course is not None
    assert [lesson.rel for lesson in course.lessons] == ["topic/t.md"]
    assert problems == [
        "content/other: warning: symbolic link loops (it leads back to itself): remove it or "
        "point it at a file; it is not read [symlink-loop]",
        "content/self.md: error: symbolic link loops (it leads back to itself): remove it or "
        "point it at a file; it is not read [symlink-loop]",
        "content/topic/back: warning: symbolic link loops (it leads to a folder that contains "
        "it): its lessons are read once, from their own folder; remove the link [symlink-loop]",
    ]


def test_a_linked_folder_is_read_like_a_folder(tmp_path: Path) -> None:
    root = tree(tmp_path / "c", {"_index.md": COURSE})
    tree(tmp_path / "shared", {"s.md": "# S\n"})
    (root / "shared").symlink_to(tmp_path / "shared")
    course, problems = found(root)
    assert problems == []
    assert course is not None
    assert [(lesson.rel, lesson.deck) for lesson in course.lessons] == [
        ("shared/s.md", "Biology::Shared")
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"abc\xff", "f.md:1:4: error: not UTF-8 text (invalid start byte at byte 3): "),
        (
            b"one\ntwo\r\nthr\xe9e",
            "f.md:3:4: error: not UTF-8 text (invalid continuation byte at byte 12): ",
        ),
    ],
)
def test_text_that_is_not_utf8(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "f.md"
    path.write_bytes(data)
    diags = Diagnostics()
    assert read_text(path, "f.md", diags) == ""
    assert [d.format() for d in diags.items] == [problem + "save the file as UTF-8 [not-utf8]"]


def test_line_ends_are_read_as_newlines_unless_kept(tmp_path: Path) -> None:
    path = tmp_path / "f.md"
    path.write_bytes(b"a\r\nb\rc\n")
    diags = Diagnostics()
    assert read_text(path, "f.md", diags) == "a\nb\nc\n"
    assert read_text(path, "f.md", diags, newline="") == "a\r\nb\rc\n"
    assert diags.items == []


def test_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    diags = Diagnostics()
    assert read_text(tmp_path / "gone.md", "gone.md", diags) == ""
    assert [d.format() for d in diags.items] == [
        "gone.md: error: cannot read: No such file or directory [unreadable]"
    ]
