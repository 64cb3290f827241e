"""The evidence behind docs/image-occlusion.md: why ankigen's occlusion cards are its own note type
rather than Anki's built-in Image Occlusion (Anki 23.10 and later).

Anki's own note type is made here with Anki's own code (the `anki` package adds the stock type and
a note the way the desktop editor does), its card rendered by Anki's renderer and then shown in
Chromium without the reviewer's script, as a client without image-occlusion support shows it.
ankigen's card is shown the same way for comparison.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.anki_helpers import collection, import_package
from tests.browser import chromium, reviewer
from tests.conftest import FIXTURES, build_into

pytestmark = [pytest.mark.anki, pytest.mark.browser]


def png(path: Path) -> None:
    raw = b"".join(b"\x00" + b"\xc8\x3c\x46" * 100 for _ in range(80))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 100, 80, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def builtin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """Question and answer of card 1 of a built-in Image Occlusion note, and the media folder."""
    folder = tmp_path_factory.mktemp("builtin-io")
    image = folder / "heart.png"
    png(image)
    with collection(folder) as col:
        col.add_image_occlusion_notetype()
        model = col.models.by_name("Image Occlusion")
        assert model is not None
        col.add_image_occlusion_note(
            notetype_id=model["id"],
            image_path=str(image),
            occlusions=(
                "{{c1::image-occlusion:rect:left=.40:top=.05:width=.20:height=.15:oi=1}}"
                "{{c2::image-occlusion:rect:left=.55:top=.55:width=.30:height=.30:oi=1}}"
            ),
            header="Name the parts of the heart",
            back_extra="",
            tags=[],
        )
        (nid,) = col.find_notes("")
        card = col.get_card(col.card_ids_of_note(nid)[0])
        yield card.question(), card.answer(), Path(col.media.dir())


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_the_builtin_card_is_drawn_by_the_reviewer_s_script(
    builtin: tuple[str, str, Path],
) -> None:
    question, _, _ = builtin
    # The masks are data attributes in a hidden element; a script of the reviewer draws them.
    assert "anki.imageOcclusion.setup()" in question
    assert re.search(
        r'<div style="display: none">\s*<div class="cloze"[^>]*data-shape="rect"', question
    )
    assert "<canvas" in question


def test_the_builtin_regions_have_no_names(builtin: tuple[str, str, Path]) -> None:
    """Anki's occlusions are shapes, not named regions: the back can only uncover the image."""
    question, answer, _ = builtin
    shapes = re.findall(r'<div class="cloze(?:-inactive)?"([^>]*)>', question)
    assert len(shapes) == 2
    assert all("data-left" in attrs and "label" not in attrs for attrs in shapes)
    # The answer side only offers to toggle the masks.
    assert "Toggle Masks" in answer and "anki.imageOcclusion.setup()" in answer


def test_without_the_reviewer_s_script_the_builtin_card_gives_the_answer_away(
    browser: Browser, builtin: tuple[str, str, Path]
) -> None:
    question, _, media = builtin
    with reviewer(browser, desktop=False, media=media) as review:
        review.show(question)
        review.page.wait_for_load_state("load")
        # Nothing covers the image: the canvas is empty and the error text is all there is.
        assert "Error loading image occlusion" in review.page.locator("#err").inner_text()
        image = review.page.locator("#image-occlusion-container img")
        assert image.is_visible()
        covered = review.page.evaluate(
            "() => { const c = document.getElementById('image-occlusion-canvas');"
            " return c.width * c.height > 0 && c.getContext('2d')"
            ".getImageData(0, 0, c.width, c.height).data.some(v => v !== 0); }"
        )
        assert covered is False


def test_ankigen_s_card_covers_the_region_without_any_script(
    browser: Browser, tmp_path: Path
) -> None:
    result = build_into(FIXTURES / "kinds", tmp_path / "build", now=1_700_000_000)
    assert result.output is not None
    (tmp_path / "anki").mkdir()
    with collection(tmp_path / "anki") as col:
        import_package(col, result.output)
        (nid,) = col.find_notes('"ID:heart-parts"')
        question = col.get_card(col.card_ids_of_note(nid)[0]).question()
        media = Path(col.media.dir())
        context = browser.new_context(java_script_enabled=False)
        try:
            page = context.new_page()
            (media / "_nojs.html").write_text(
                f'<html><body class="card">{question}</body></html>', encoding="utf-8"
            )
            page.goto((media / "_nojs.html").as_uri())
            asked = page.locator(".ak-io-region .cloze")
            assert asked.evaluate("el => getComputedStyle(el).backgroundColor") != (
                "rgba(0, 0, 0, 0)"
            )
            assert "Aorta" not in page.locator(".ak").inner_text()
        finally:
            context.close()
