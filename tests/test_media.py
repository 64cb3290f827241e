"""Images and sounds: resolution relative to the lesson, content-hashed flat names, errors and
warnings, and what goes into the package (see generator/media.py and docs/format.md).

Anki's rules that shape this (anki-facts.md, "Media"): a name is one path component, two files of
the same name collide, `_`-prefixed names are never overwritten, and a file is imported only when
a field references it. What Anki does with the package is in test_anki_tour.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from generator.anki.plan import Status
from generator.config import BuildConfig
from generator.notes import Text
from generator.pipeline import BuildResult, build
from generator.render import media
from generator.render.media import MediaResolver, packaged_name, unreferenced
from generator.render.renderer import MarkdownRenderer
from tests.conftest import FIXTURES
from tests.render_helpers import render_in_lesson

TOUR = FIXTURES / "tour"
PNG = (TOUR / "10-math-and-code" / "img" / "figure.png").read_bytes()
OTHER_PNG = (TOUR / "20-structure-and-media" / "img" / "figure.png").read_bytes()
MP3 = (TOUR / "20-structure-and-media" / "audio" / "clip.mp3").read_bytes()
NAME = re.compile(r"^ankigen-[0-9a-f]{16}\.(?:png|jpe?g|gif|svg|webp|mp3|ogg|m4a)$")
COURSE = "---\ndeck: Media\nnamespace: media-test\n---\n"


def expected_name(data: bytes, extension: str) -> str:
    return f"ankigen-{hashlib.sha256(data).hexdigest()[:16]}.{extension}"


def write(root: Path, rel: str, data: bytes | str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write(root, "_index.md", COURSE)
    write(root, "a/img/figure.png", PNG)
    write(root, "b/img/figure.png", OTHER_PNG)
    write(root, "b/clip.mp3", MP3)
    return root


def build_content(root: Path, out: Path, **options: object) -> BuildResult:
    config = BuildConfig(content=root, out_dir=out, jobs=1, lock=out / "lock", **options)  # type: ignore[arg-type]
    return build(config)


def messages(result: BuildResult) -> list[str]:
    return [d.format() for d in result.diagnostics.sorted()]


# --------------------------------------------------------------------------------------------
# Resolving one reference
# --------------------------------------------------------------------------------------------


def test_name_is_flat_and_hashes_the_bytes(content: Path) -> None:
    resolved = MediaResolver(content, "a/lesson.md").resolve("img/figure.png")
    assert resolved.problems == ()
    assert resolved.file is not None
    assert resolved.file.name == expected_name(PNG, "png") == packaged_name(PNG, "png")
    assert NAME.match(resolved.file.name)
    assert "/" not in resolved.file.name and not resolved.file.name.startswith("_")
    assert resolved.file.source == "a/img/figure.png"
    assert not resolved.file.audio


def test_same_file_name_in_two_folders_gets_two_names(content: Path) -> None:
    red = MediaResolver(content, "a/x.md").resolve("img/figure.png").file
    blue = MediaResolver(content, "b/x.md").resolve("img/figure.png").file
    assert red is not None and blue is not None
    assert red.name != blue.name


def test_the_same_file_by_two_paths_is_one_name(content: Path) -> None:
    first = MediaResolver(content, "a/x.md").resolve("img/figure.png").file
    second = MediaResolver(content, "b/deeper/y.md").resolve("../../a/img/./figure.png").file
    assert first is not None and second is not None
    assert (first.name, first.source) == (second.name, second.source)


@pytest.mark.parametrize(
    ("ref", "source"),
    [
        ("img/figure.png?raw=true", "a/img/figure.png"),
        ("img/figure.png#frag", "a/img/figure.png"),
        ("img/figure%2Epng", "a/img/figure.png"),
        ("./img/../img/figure.png", "a/img/figure.png"),
    ],
)
def test_url_syntax_around_a_path(content: Path, ref: str, source: str) -> None:
    resolved = MediaResolver(content, "a/x.md").resolve(ref)
    assert resolved.file is not None and resolved.file.source == source


def test_sounds_are_audio(content: Path) -> None:
    resolved = MediaResolver(content, "b/x.md").resolve("clip.mp3")
    assert resolved.file is not None and resolved.file.audio
    assert resolved.file.name.endswith(".mp3")


def test_extension_is_lowercased(content: Path) -> None:
    write(content, "a/PHOTO.JPG", PNG)
    resolved = MediaResolver(content, "a/x.md").resolve("PHOTO.JPG")
    assert resolved.file is not None and resolved.file.name == expected_name(PNG, "jpg")


@pytest.mark.parametrize(
    ("ref", "message", "code"),
    [
        (
            "missing.png",
            "file not found: 'missing.png' (looked for 'a/missing.png'",
            "media-missing",
        ),
        ("../../outside.png", "points outside the content folder", "media-outside"),
        ("../..", "points outside the content folder", "media-outside"),
        ("/etc/passwd.png", "absolute path '/etc/passwd.png'", "media-absolute"),
        ("https://example.com/a.png", "remote file 'https://example.com/a.png'", "media-remote"),
        ("http://example.com/a.png", "cards must work offline", "media-remote"),
        ("//cdn.example.com/a.png", "remote file", "media-remote"),
        ("data:image/png;base64,AAAA", "is not a file path", "media-not-a-path"),
        ("file:///etc/a.png", "is not a file path", "media-not-a-path"),
        ("notes.md", "is not a supported image or sound", "media-type"),
        ("picture.bmp", "is not a supported image or sound", "media-type"),
        ("", "empty path", "media-empty-path"),
    ],
)
def test_unusable_references_are_errors(content: Path, ref: str, message: str, code: str) -> None:
    resolved = MediaResolver(content, "a/x.md").resolve(ref)
    assert resolved.file is None
    (problem,) = resolved.problems
    assert problem.error
    assert message in problem.message
    assert problem.code == code
    # Looked for as written after `](` first: the same text may be prose earlier on the line.
    assert problem.needles[0] == (f"]({ref}" if ref else "]()")


def test_a_symlink_out_of_the_content_folder_is_never_read(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = write(tmp_path / "outside", "secret.png", PNG)
    (content / "a" / "link").symlink_to(secret.parent, target_is_directory=True)
    (content / "a" / "alias.png").symlink_to(secret)
    read: list[Path] = []
    original = Path.read_bytes

    def spy(self: Path) -> bytes:
        read.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    resolver = MediaResolver(content, "a/x.md")
    for ref in ("link/secret.png", "alias.png"):
        resolved = resolver.resolve(ref)
        assert resolved.file is None
        assert "outside the content folder through a symbolic link" in resolved.problems[0].message
    assert read == []


def test_a_symlink_loop_is_an_error(content: Path) -> None:
    (content / "a" / "loop.png").symlink_to(content / "a" / "loop.png")
    resolved = MediaResolver(content, "a/x.md").resolve("loop.png")
    assert resolved.file is None and resolved.problems[0].error


def test_a_symlink_inside_the_content_folder_is_fine(content: Path) -> None:
    (content / "a" / "alias.png").symlink_to(content / "b" / "img" / "figure.png")
    resolved = MediaResolver(content, "a/x.md").resolve("alias.png")
    assert resolved.file is not None and resolved.file.name == expected_name(OTHER_PNG, "png")


def test_a_large_file_is_a_warning(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(media, "MAX_BYTES", 10)
    resolved = MediaResolver(content, "a/x.md").resolve("img/figure.png")
    assert resolved.file is not None
    (problem,) = resolved.problems
    assert not problem.error
    assert "over the 0.0 MiB limit" in problem.message


def test_the_documented_size_limit() -> None:
    assert media.MAX_BYTES == 5 * 1024 * 1024


def test_each_reference_is_read_once(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resolver = MediaResolver(content, "a/x.md")
    first = resolver.resolve("img/figure.png")
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read twice"))
    assert resolver.resolve("img/figure.png") is first


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def test_rendered_image_and_sound(content: Path) -> None:
    md = MarkdownRenderer()
    out, problems, files = render_in_lesson(
        md,
        "![a *blue* square](img/figure.png 'Blue') then ![hear it](clip.mp3) done\n\n"
        "![ref][blue]\n\n[blue]: img/figure.png",
        content=content,
        lesson="b/x.md",
    )
    blue, clip = expected_name(OTHER_PNG, "png"), expected_name(MP3, "mp3")
    assert f'<img alt="a *blue* square" src="{blue}" title="Blue">' in out
    assert f"then [sound:{clip}] done" in out
    assert f'<img alt="ref" src="{blue}">' in out
    assert problems == []
    assert list(files) == sorted([(blue, "b/img/figure.png"), (clip, "b/clip.mp3")])
    assert md.take_media() == ()


def test_sound_first_in_a_paragraph_and_inside_emphasis(content: Path) -> None:
    md = MarkdownRenderer()
    clip = expected_name(MP3, "mp3")
    first, _, _ = render_in_lesson(md, "![x](clip.mp3)", content=content, lesson="b/x.md")
    assert first == f"<p>[sound:{clip}]</p>"
    inner, _, _ = render_in_lesson(md, "*![x](clip.mp3) tail*", content=content, lesson="b/x.md")
    assert inner == f"<p><em>[sound:{clip}] tail</em></p>"


def test_image_in_code_is_code(content: Path) -> None:
    md = MarkdownRenderer()
    out, problems, files = render_in_lesson(
        md, "`![x](missing.png)`\n\n```\n![y](missing.png)\n```", content=content, lesson="a/x.md"
    )
    assert "missing.png" in out
    assert (problems, files) == ([], ())


def test_problems_are_reported_at_their_line_not_raised(content: Path) -> None:
    md = MarkdownRenderer()
    text = Text("First line.\n\n![x](missing.png) and ![y](https://example.com/y.png)", 7)
    out, problems, files = render_in_lesson(md, text, content=content, lesson="a/x.md")
    assert 'src="missing.png"' in out  # left as written; the build fails anyway
    assert files == ()
    assert [(p.path, p.line, p.severity.value) for p in problems] == [
        ("a/x.md", 9, "error"),
        ("a/x.md", 9, "error"),
    ]
    assert "file not found: 'missing.png'" in problems[0].message
    assert "remote file 'https://example.com/y.png'" in problems[1].message


def test_without_a_resolver_references_stay_as_written() -> None:
    md = MarkdownRenderer()
    assert md.block("![x](a.png) ![y](b.ogg)") == '<p><img alt="x" src="a.png"> [sound:b.ogg]</p>'


def test_a_media_field_is_not_served_from_the_cache(content: Path) -> None:
    """The same text resolves differently per lesson folder and per file content."""
    md = MarkdownRenderer()
    red, _, _ = render_in_lesson(md, "![f](img/figure.png)", content=content, lesson="a/x.md")
    blue, _, media = render_in_lesson(md, "![f](img/figure.png)", content=content, lesson="b/x.md")
    assert red != blue
    assert media[0][1] == "b/img/figure.png"


# --------------------------------------------------------------------------------------------
# Unused files
# --------------------------------------------------------------------------------------------


def test_unreferenced_files(content: Path) -> None:
    write(content, "a/lesson.md", "text")
    write(content, "a/notes.txt", "text")
    write(content, "_media/draft.png", PNG)
    write(content, "a/_private.png", PNG)
    write(content, ".git/x.png", PNG)
    write(content, "c/sub/photo.webp", PNG)
    used = {"a/img/figure.png"}
    assert unreferenced(content, used) == ["b/clip.mp3", "b/img/figure.png", "c/sub/photo.webp"]


# --------------------------------------------------------------------------------------------
# Whole builds
# --------------------------------------------------------------------------------------------

LESSON_A = """# A

### Which figure is red? <!-- id: red -->

![red](img/figure.png)

### And again? <!-- id: red-again -->

![red again](img/figure.png) and the blue one ![blue](../b/img/figure.png)
"""

LESSON_B = """# B

### Which figure is blue? <!-- id: blue -->

![blue](img/figure.png)

### What do you hear? <!-- id: sound -->

![clip](clip.mp3)
"""


def media_of(package: Path) -> tuple[list[str], dict[str, str], dict[str, bytes]]:
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        mapping = json.loads(archive.read("media"))
        files = {mapping[key]: archive.read(key) for key in mapping}
    return names, mapping, files


def test_package_holds_each_file_once_under_its_hash(content: Path, tmp_path: Path) -> None:
    write(content, "a/a.md", LESSON_A)
    write(content, "b/b.md", LESSON_B)
    result = build_content(content, tmp_path / "out", strict=True)
    assert result.output is not None, messages(result)
    names, mapping, files = media_of(result.output)
    red, blue, clip = (
        expected_name(PNG, "png"),
        expected_name(OTHER_PNG, "png"),
        expected_name(MP3, "mp3"),
    )
    assert names == ["collection.anki2", "media", "0", "1", "2"]
    assert mapping == dict(zip(["0", "1", "2"], sorted([red, blue, clip]), strict=True))
    assert files == {red: PNG, blue: OTHER_PNG, clip: MP3}
    by_id = {note.meta.id: note for note in result.notes}
    assert by_id["red"].media == ((red, "a/img/figure.png"),)
    assert by_id["red-again"].media == tuple(
        sorted([(red, "a/img/figure.png"), (blue, "b/img/figure.png")])
    )
    assert by_id["sound"].media == ((clip, "b/clip.mp3"),)
    assert f"[sound:{clip}]" in by_id["sound"].fields[1]


def test_rebuild_is_byte_identical_and_a_changed_file_changes_its_notes(
    content: Path, tmp_path: Path
) -> None:
    write(content, "a/a.md", LESSON_A)
    write(content, "b/b.md", LESSON_B)
    out = tmp_path / "out"
    first = build_content(content, out, now=1_700_000_000)
    assert first.output is not None, messages(first)
    package = first.output.read_bytes()
    again = build_content(content, out, now=1_700_000_100)
    assert again.output is not None and again.output.read_bytes() == package

    write(content, "b/img/figure.png", PNG[:-12] + OTHER_PNG[-12:] + b"\0")
    changed = build_content(content, out, now=1_700_000_200)
    assert changed.plan is not None and changed.output is not None, messages(changed)
    statuses = {change.id: change.status for change in changed.plan.changes}
    assert statuses == {
        "red": Status.UNCHANGED,
        "red-again": Status.CHANGED,
        "blue": Status.CHANGED,
        "sound": Status.UNCHANGED,
    }
    _, mapping, _ = media_of(changed.output)
    assert expected_name(OTHER_PNG, "png") not in mapping.values()


def test_missing_and_outside_files_are_errors_with_lines(content: Path, tmp_path: Path) -> None:
    write(
        content,
        "a/bad.md",
        "# Bad\n\n### One <!-- id: one -->\n\nFine ![ok](img/figure.png).\n\n"
        "Then ![gone](gone.png).\n\n### Two <!-- id: two -->\n\n"
        "Answer.\n\n**Hint:** ![up](../../up.png) ![web](https://example.com/x.png)\n",
    )
    result = build_content(content, tmp_path / "out")
    assert result.output is None
    shown = str(content / "a" / "bad.md")
    assert messages(result) == [
        f"{shown}:7:14: error: file not found: 'gone.png' (looked for 'a/gone.png' in the "
        "content folder) [media-missing]",
        f"{shown}:13:17: error: '../../up.png' points outside the content folder; move the file "
        "inside it [media-outside]",
        f"{shown}:13:38: error: remote file 'https://example.com/x.png': cards must work offline "
        "on every Anki client; download it into the content folder and reference it by a "
        "relative path [media-remote]",
    ]


def test_unused_files_are_warnings_but_not_under_underscore_folders(
    content: Path, tmp_path: Path
) -> None:
    write(content, "a/a.md", LESSON_A)
    write(content, "_media/spare.svg", "<svg/>")
    write(content, "b/notes.md", "# Notes\n\n### Q <!-- id: q -->\n\nA.\n")
    result = build_content(content, tmp_path / "out")
    assert result.output is not None
    assert messages(result) == [
        f"{content / 'b' / 'clip.mp3'}: warning: media file not used by any card: delete it, or "
        "keep it in a folder whose name starts with '_' (those are not checked) [media-unused]",
    ]
    strict = build_content(content, tmp_path / "strict", strict=True)
    assert strict.output is None


def test_shared_folder_is_packaged_when_used(content: Path, tmp_path: Path) -> None:
    shutil.copyfile(TOUR / "_media" / "pipeline.svg", content / "pipeline.svg")
    write(content, "_media/pipeline.svg", (TOUR / "_media" / "pipeline.svg").read_bytes())
    write(content, "a/a.md", "# A\n\n### Q <!-- id: q -->\n\n![p](../_media/pipeline.svg)\n")
    write(content, "b/b.md", "# B\n\n### R <!-- id: r -->\n\n![p](../pipeline.svg)\n")
    content.joinpath("a/img/figure.png").unlink()
    content.joinpath("b/img/figure.png").unlink()
    content.joinpath("b/clip.mp3").unlink()
    result = build_content(content, tmp_path / "out", strict=True)
    assert result.output is not None, messages(result)
    _, mapping, _ = media_of(result.output)
    assert len(mapping) == 1  # the same bytes under two paths: one file


def test_an_image_in_a_generated_choice_card_is_packaged(content: Path, tmp_path: Path) -> None:
    write(
        content,
        "a/cloze.md",
        "# Cloze\n\nThe red figure is ==![red](img/figure.png) || blue | green | white==. "
        "<!-- id: cz -->\n",
    )
    for folder in ("b",):
        shutil.rmtree(content / folder)
    result = build_content(content, tmp_path / "out", strict=True)
    assert result.output is not None, messages(result)
    red = expected_name(PNG, "png")
    choice = next(note for note in result.notes if note.meta.id == "cz/choice-c1")
    assert choice.media == ((red, "a/img/figure.png"),)
    sentence, options, answer = choice.fields[:3]
    assert red not in sentence  # the answer is blanked
    assert f'src="{red}"' in options and f'src="{red}"' in answer
