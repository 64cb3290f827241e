from __future__ import annotations

import errno
from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.notes import Text
from generator.render import MarkdownRenderer, media
from generator.render.media import MediaResolver, needles_of, packaged_name

PNG = b"png bytes"
MP3 = b"mp3 bytes"
PNG_NAME = packaged_name(PNG, "png")
MP3_NAME = packaged_name(MP3, "mp3")
EMPTY = (
    "image or sound with an empty path: write the file's path between the parentheses, "
    "relative to the lesson"
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    (root / "a" / "img").mkdir(parents=True)
    (root / "a" / "img" / "f.png").write_bytes(PNG)
    (root / "a" / "c.mp3").write_bytes(MP3)
    (root / "a" / "my pic.png").write_bytes(PNG)
    (root / "a" / "notes.txt").write_text("x", encoding="utf-8")
    (root / "a" / "dir.png").mkdir()
    return root


Found = list[tuple[int, int, str, str, str]]


def render(content: Path, text: str) -> tuple[str, Found, tuple[tuple[str, str], ...]]:
    md = MarkdownRenderer()
    diags = Diagnostics()
    with md.lesson("a/l.md", MediaResolver(content, "a/l.md"), diags, text.split("\n")):
        html = md.block(Text(text, 1))
        used = md.take_media()
    found = [(d.line, d.column, d.severity.value, d.code, d.message) for d in diags.items]
    return html, found, used


@pytest.mark.parametrize(
    ("text", "column", "code", "message"),
    [
        ("![x](<>)", 7, "media-empty-path", EMPTY),
        ("![x]()", 6, "media-empty-path", EMPTY),
        ("see ![x]( )", 10, "media-empty-path", EMPTY),
        (
            "![x](https://e.com/a.png)",
            6,
            "media-remote",
            "remote file 'https://e.com/a.png': cards must work offline on every Anki client; "
            "download it into the content folder and reference it by a relative path",
        ),
        (
            "![x](//e.com/a.png)",
            6,
            "media-remote",
            "remote file '//e.com/a.png': cards must work offline on every Anki client; "
            "download it into the content folder and reference it by a relative path",
        ),
        (
            "![x](mailto:a@b)",
            6,
            "media-not-a-path",
            "'mailto:a@b' is not a file path: images and sounds must be files in the content "
            "folder, referenced relative to the lesson",
        ),
        (
            "![x](c:/a.png)",
            6,
            "media-not-a-path",
            "'c:/a.png' is not a file path: images and sounds must be files in the content "
            "folder, referenced relative to the lesson",
        ),
        (
            "![x](/abs.png)",
            6,
            "media-absolute",
            "absolute path '/abs.png': write the path relative to the lesson file, inside the "
            "content folder",
        ),
        (
            "![x](../../out.png)",
            6,
            "media-outside",
            "'../../out.png' points outside the content folder; move the file inside it",
        ),
        (
            "![x](../..)",
            6,
            "media-outside",
            "'../..' points outside the content folder; move the file inside it",
        ),
        (
            "![x](notes.txt)",
            6,
            "media-type",
            "'notes.txt' is not a supported image or sound (images: png, jpg, jpeg, gif, svg, "
            "webp; sounds: mp3, ogg, m4a)",
        ),
        (
            "text ![x](missing.png)",
            11,
            "media-missing",
            "file not found: 'missing.png' (looked for 'a/missing.png' in the content folder)",
        ),
        (
            "![x](../out.png)",
            6,
            "media-missing",
            "file not found: '../out.png' (looked for 'out.png' in the content folder)",
        ),
        (
            "![x](dir.png)",
            6,
            "media-missing",
            "file not found: 'dir.png' (looked for 'a/dir.png' in the content folder)",
        ),
        (
            "![x](<gone.png>)",
            7,
            "media-missing",
            "file not found: 'gone.png' (looked for 'a/gone.png' in the content folder)",
        ),
    ],
)
def test_unusable_references_are_errors_at_their_column(
    content: Path, text: str, column: int, code: str, message: str
) -> None:
    _, found, used = render(content, text)
    assert found == [(1, column, "error", code, message)]
    assert used == ()


def test_a_reference_written_twice_on_a_line_is_found_after_its_parenthesis(
    content: Path,
) -> None:
    _, found, _ = render(content, "see missing.png: ![x](missing.png)")
    assert [(line, column) for line, column, *_ in found] == [(1, 23)]


def test_a_problem_is_reported_at_the_line_of_its_reference(content: Path) -> None:
    _, found, _ = render(content, "text\n\nmore ![y](nope.png)")
    assert [(line, column, code) for line, column, _, code, _ in found] == [
        (3, 11, "media-missing")
    ]


def test_a_file_that_cannot_be_read_is_an_error(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    _, found, used = render(content, "![x](img/f.png)")
    assert found == [
        (1, 6, "error", "unreadable", "cannot read 'img/f.png': Permission denied"),
    ]
    assert used == ()


def test_a_large_file_is_packaged_with_a_warning(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media, "MAX_BYTES", 4)
    html, found, used = render(content, "![x](img/f.png)")
    assert html == f'<p><img alt="x" src="{PNG_NAME}"></p>'
    assert found == [
        (
            1,
            6,
            "warning",
            "media-large",
            "'img/f.png' is 0.0 MiB, over the 0.0 MiB limit for one file: every Anki client "
            "downloads it on sync; make it smaller",
        )
    ]
    assert used == ((PNG_NAME, "a/img/f.png"),)


@pytest.mark.parametrize(
    ("text", "html", "source"),
    [
        ("![x](img/f.png)", f'<p><img alt="x" src="{PNG_NAME}"></p>', "a/img/f.png"),
        ("![x](img/f.png?raw=true)", f'<p><img alt="x" src="{PNG_NAME}"></p>', "a/img/f.png"),
        ("![x](img/f.png#frag)", f'<p><img alt="x" src="{PNG_NAME}"></p>', "a/img/f.png"),
        ("![x](img/../img/f.png)", f'<p><img alt="x" src="{PNG_NAME}"></p>', "a/img/f.png"),
        ("![x](../a/img/f.png)", f'<p><img alt="x" src="{PNG_NAME}"></p>', "a/img/f.png"),
        ("![x](my%20pic.png)", f'<p><img alt="x" src="{PNG_NAME}"></p>', "a/my pic.png"),
        ("![x](<my pic.png>)", f'<p><img alt="x" src="{PNG_NAME}"></p>', "a/my pic.png"),
        ("![s](c.mp3)", f"<p>[sound:{MP3_NAME}]</p>", "a/c.mp3"),
        ("x ![s](c.mp3) y", f"<p>x [sound:{MP3_NAME}] y</p>", "a/c.mp3"),
        ("*a* ![s](c.mp3) tail", f"<p><em>a</em> [sound:{MP3_NAME}] tail</p>", "a/c.mp3"),
        ("*a*![s](c.mp3)", f"<p><em>a</em>[sound:{MP3_NAME}]</p>", "a/c.mp3"),
        (
            "![x](img/f.png) ![s](c.mp3)",
            f'<p><img alt="x" src="{PNG_NAME}"> [sound:{MP3_NAME}]</p>',
            "a/c.mp3",
        ),
    ],
)
def test_resolved_references_are_packaged(content: Path, text: str, html: str, source: str) -> None:
    out, found, used = render(content, text)
    assert (out, found) == (html, [])
    assert source in [file for _, file in used]


def test_without_a_resolver_sounds_become_sound_tags_and_images_stay() -> None:
    md = MarkdownRenderer()
    assert md.block("*a* ![i](p.png) ![s](b.mp3)") == (
        '<p><em>a</em> <img alt="i" src="p.png"> [sound:b.mp3]</p>'
    )
    assert md.block("![t](C.OGG) *a*") == "<p>[sound:C.OGG] <em>a</em></p>"


def test_the_resolver_remembers_what_each_reference_resolved_to(content: Path) -> None:
    resolver = MediaResolver(content, "a/l.md")
    first = resolver.resolve("img/f.png")
    missing = resolver.resolve("nope.png")
    assert resolver.resolved() == {"img/f.png": first, "nope.png": missing}
    assert first.file is not None
    assert (first.file.name, first.file.source, first.file.audio) == (
        PNG_NAME,
        "a/img/f.png",
        False,
    )
    sound = resolver.resolve("c.mp3").file
    assert sound is not None and sound.audio


@pytest.mark.parametrize(
    ("ref", "needles"),
    [
        ("", ("]()", "](<>)", "]( ", "![")),
        ("  ", ("]()", "](<>)", "]( ", "![")),
        ("a.png", ("](a.png", "](<a.png", "a.png")),
    ],
)
def test_needles_of(ref: str, needles: tuple[str, ...]) -> None:
    assert needles_of(ref) == needles


def test_unreferenced_lists_unused_media_files_only(content: Path) -> None:
    (content / "top.gif").write_bytes(PNG)
    (content / "a" / "broken.png").symlink_to(content / "nowhere.png")
    (content / "_drafts").mkdir()
    (content / "_drafts" / "d.png").write_bytes(PNG)
    (content / "a" / ".hidden.png").write_bytes(PNG)
    assert media.unreferenced(content, ["a/c.mp3"]) == [
        "a/img/f.png",
        "a/my pic.png",
        "top.gif",
    ]
    assert media.unreferenced(content, ["top.gif", "a/img/f.png", "a/my pic.png", "a/c.mp3"]) == []


def test_every_sound_and_image_of_one_paragraph_is_resolved(content: Path) -> None:
    (content / "a" / "d.ogg").write_bytes(b"OggS" + bytes(40))
    html, found, used = render(content, "![s](c.mp3) ![t](d.ogg) ![i](img/f.png)")
    assert found == []
    assert html.count("[sound:") == 2
    assert html.startswith("<p>[sound:") and "] [sound:" in html
    assert html.count("<img") == 1
    assert sorted(source for _, source in used) == ["a/c.mp3", "a/d.ogg", "a/img/f.png"]
