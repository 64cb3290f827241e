"""Real-Anki tier for rich content: the feature tour (tests/fixtures/tour) built and imported.

The tour uses every rich construct: math in all four notations (also inside cloze deletions and
options), highlighted code with cloze-looking text, an ASCII diagram, a table, a definition list,
footnotes in two fields of one card, admonitions, harmless raw HTML, two different `figure.png`
in two folders, one SVG used by two lessons, and a sound. Checked here against Anki itself:
every file lands in the collection's media folder under its content-hashed name and is the one
its card shows; MathJax delimiters survive in the stored fields; code is highlighted; nothing
refers to the network; and a changed image reaches Anki as an update of exactly its notes.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.sound import SoundOrVideoTag

from generator.pipeline import BuildResult
from tests.anki_helpers import collection, import_package, render_errors
from tests.conftest import FIXTURES, build_into

pytestmark = pytest.mark.anki

TOUR = FIXTURES / "tour"
NAME = re.compile(r"^ankigen-[0-9a-f]{16}\.(?:png|svg|mp3)$")
REMOTE = re.compile(r"https?://", re.IGNORECASE)


def packaged(rel: str) -> str:
    data = (TOUR / rel).read_bytes()
    extension = rel.rsplit(".", 1)[1]
    return f"ankigen-{hashlib.sha256(data).hexdigest()[:16]}.{extension}"


RED = packaged("10-math-and-code/img/figure.png")
BLUE = packaged("20-structure-and-media/img/figure.png")
PIPELINE = packaged("_media/pipeline.svg")
CLIP = packaged("20-structure-and-media/audio/clip.mp3")
# Note id → the files its card must show, and nothing else.
MEDIA_BY_NOTE = {
    "tour-code-red-figure": {RED},
    "tour-media-blue-figure": {BLUE},
    "tour-code-diagram": {PIPELINE},
    "tour-media-pipeline": {PIPELINE},
    "tour-media-audio": {CLIP},
}


@dataclass
class Imported:
    """The tour built and imported into a fresh collection."""

    result: BuildResult
    col: Collection
    log: object
    folder: Path


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    folder = tmp_path_factory.mktemp("tour")
    result = build_into(TOUR, folder / "build", strict=True, now=1_700_000_000)
    assert result.output is not None, [d.format() for d in result.diagnostics.sorted()]
    (folder / "anki").mkdir()
    with collection(folder / "anki") as col:
        yield Imported(result, col, import_package(col, result.output), folder)


def note_field(col: Collection, note_id: str, field: str) -> str:
    (nid,) = col.find_notes(f'"ID:{note_id}"')
    return col.get_note(nid)[field]


def cards_of(col: Collection, note_id: str) -> list[tuple[str, str]]:
    """(question, answer) HTML of each card of a note, without the stylesheet."""
    cards = [col.get_card(cid) for cid in col.find_cards(f'"ID:{note_id}"')]
    return [(strip_style(c.question()), strip_style(c.answer())) for c in cards]


def strip_style(html: str) -> str:
    return re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)


def all_cards(col: Collection) -> list[tuple[str, str]]:
    cards = [col.get_card(cid) for cid in col.find_cards("")]
    return [(c.question(), c.answer()) for c in cards]


def test_the_tour_builds_without_a_warning(tour: Imported) -> None:
    assert tour.result.diagnostics.items == []
    assert len(tour.log.new) == len(tour.result.notes)  # type: ignore[attr-defined]


def test_every_file_is_in_the_media_folder_under_its_hashed_name(tour: Imported) -> None:
    folder = Path(tour.col.media.dir())
    stored = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert set(stored) == {RED, BLUE, PIPELINE, CLIP}
    assert all(NAME.match(name) for name in stored)
    assert stored[RED] == (TOUR / "10-math-and-code/img/figure.png").read_bytes()
    assert stored[BLUE] == (TOUR / "20-structure-and-media/img/figure.png").read_bytes()
    assert stored[PIPELINE] == (TOUR / "_media/pipeline.svg").read_bytes()
    assert stored[CLIP] == (TOUR / "20-structure-and-media/audio/clip.mp3").read_bytes()
    check = tour.col.media.check()
    assert list(check.missing) == [] and list(check.unused) == []


@pytest.mark.parametrize("note_id", sorted(MEDIA_BY_NOTE))
def test_each_card_shows_its_own_files(tour: Imported, note_id: str) -> None:
    ((question, answer),) = cards_of(tour.col, note_id)
    images = set(re.findall(r'<img [^>]*src="([^"]+)"', question + answer))
    (nid,) = tour.col.find_notes(f'"ID:{note_id}"')
    sounds = {
        tag.filename
        for card in tour.col.get_note(nid).cards()
        for tag in [*card.question_av_tags(), *card.answer_av_tags()]
        if isinstance(tag, SoundOrVideoTag)
    }
    assert images | sounds == MEDIA_BY_NOTE[note_id]


def test_two_figures_with_one_name_stay_apart(tour: Imported) -> None:
    assert RED != BLUE
    assert RED in note_field(tour.col, "tour-code-red-figure", "Answer")
    assert BLUE in note_field(tour.col, "tour-media-blue-figure", "Answer")


def test_the_sound_is_a_sound_tag_in_the_field(tour: Imported) -> None:
    assert f"[sound:{CLIP}]" in note_field(tour.col, "tour-media-audio", "Answer")


def test_math_delimiters_are_intact_in_stored_fields(tour: Imported) -> None:
    col = tour.col
    quadratic = note_field(col, "tour-math-quadratic", "Answer")
    assert "\\(a x^2 + b x + c = 0\\)" in quadratic
    assert "\\[\nx = \\frac{-b \\pm \\sqrt{b^2 - 4ac}&#125;{2a}\n\\]" in quadratic
    explanation = note_field(col, "tour-math-quadratic", "Explanation")
    assert "\\[ x_{1,2} = \\frac{-b \\pm \\sqrt{\\Delta}&#125;{2a} \\]" in explanation
    assert "\\(\\Delta = b^2 - 4ac\\)" in explanation
    assert "\\(a*b*c\\)" in explanation
    dollars = note_field(col, "tour-math-dollars", "Answer")
    assert "Prices such as $5 and $6 stay prose" in dollars
    assert "so &#36;3 is a price" in dollars
    assert "<code>$x$</code> in code" in dollars
    assert "and \\(x\\) is math" in dollars
    assert "Which value does \\(\\sum_{k=1}^{n} k\\) take?" in note_field(
        col, "tour-math-sum", "Question"
    )
    assert "\\(\\frac{n(n+1)}{2}\\)" in note_field(col, "tour-math-sum", "Options")


def test_math_inside_a_deletion_is_one_whole_deletion(tour: Imported) -> None:
    text = note_field(tour.col, "tour-math-braces", "Text")
    assert "{{c1::\\(\\frac{1}{x^{2}&#125;\\)}}, is still one" in text
    ((question, answer),) = cards_of(tour.col, "tour-math-braces")
    assert '<span class="cloze"' in question and "[...]" in question
    assert "\\frac" not in question.split('data-cloze="')[0]
    # The answer shows the whole formula inside the deletion, and the sentence goes on after it.
    revealed = re.search(r'<span class="cloze"[^>]*>(.*?)</span>, is still one', answer)
    assert revealed is not None, answer
    assert revealed[1] == "\\(\\frac{1}{x^{2}&#125;\\)"
    assert render_errors(question) == [] and render_errors(answer) == []


def test_math_options_of_a_generated_choice_card(tour: Imported) -> None:
    options = note_field(tour.col, "tour-math-area/choice-c1", "Options")
    assert sorted(re.findall(r'<span class="ak-option-text">(.*?)</span>', options)) == sorted(
        ["\\(\\pi r^2\\)", "\\(2 \\pi r\\)", "\\(\\pi d\\)", "\\(r^2\\)"]
    )


def test_code_is_highlighted_and_its_cloze_text_is_inert(tour: Imported) -> None:
    question = note_field(tour.col, "tour-code-square", "Question")
    assert '<div class="highlight"><pre>' in question
    assert '<span class="k">def</span>' in question
    assert '<span class="nf">square</span>' in question
    assert "{&#123;c1::x}&#125;" in question and "{{c1::" not in question
    assert "a == b here" in question
    ((front, back),) = cards_of(tour.col, "tour-code-square")
    assert '<span class="k">def</span>' in front
    assert render_errors(front) == [] and render_errors(back) == []


def test_the_diagram_keeps_its_shape(tour: Imported) -> None:
    diagram = note_field(tour.col, "tour-code-diagram", "Diagram")
    assert "│ Markdown │────▶│   HTML   │────▶│  .apkg   │" in diagram
    assert "<pre>" in diagram


def test_structure_survives_the_import(tour: Imported) -> None:
    col = tour.col
    table = note_field(col, "tour-structure-table", "Answer")
    assert "<table>" in table and "<td><code>.apkg</code></td>" in table
    assert "<dt>Parse</dt>" in note_field(col, "tour-structure-table", "Explanation")
    admonitions = note_field(col, "tour-structure-admonitions", "Answer")
    for kind in ("note", "tip", "warning"):
        assert f'<div class="admonition {kind}">' in admonitions
    hint = note_field(col, "tour-structure-admonitions", "Hint")
    assert "<kbd>Ctrl</kbd>+<kbd>C</kbd>" in hint and "H<sub>2</sub>O" in hint


def test_footnote_ids_are_unique_on_the_card(tour: Imported) -> None:
    ((_, answer),) = cards_of(tour.col, "tour-structure-footnotes")
    ids = re.findall(r'id="(fn[^"]+)"', answer)
    assert len(ids) == 4  # two footnotes and their two references
    assert len(set(ids)) == len(ids)
    for target in re.findall(r'href="#(fn[^"]+)"', answer):
        assert target in ids


def test_no_card_or_template_refers_to_the_network(tour: Imported) -> None:
    for question, answer in all_cards(tour.col):
        assert not REMOTE.search(question) and not REMOTE.search(answer)
        assert render_errors(strip_style(question)) == []
        assert render_errors(strip_style(answer)) == []
    for model in tour.col.models.all():
        assert not REMOTE.search(model["css"])
        for template in model["tmpls"]:
            assert not REMOTE.search(template["qfmt"]) and not REMOTE.search(template["afmt"])


def test_a_changed_image_updates_exactly_its_notes(tour: Imported, tmp_path: Path) -> None:
    # A collection of its own: the module's shared one must keep the tour as built.
    assert tour.result.output is not None
    content = tmp_path / "content"
    shutil.copytree(TOUR, content)
    build = tmp_path / "build"
    shutil.copytree(tour.folder / "build", build)
    (tmp_path / "anki").mkdir()
    with collection(tmp_path / "anki") as col:
        import_package(col, tour.result.output)
        same = build_into(content, build, strict=True, now=1_700_000_100)
        assert same.plan is not None and same.output is not None
        assert same.plan.summary()["changed"] == 0
        log = import_package(col, same.output)
        assert len(log.new) == 0 and len(log.updated) == 0  # type: ignore[attr-defined]

        figure = content / "20-structure-and-media/img/figure.png"
        figure.write_bytes((TOUR / "10-math-and-code/img/figure.png").read_bytes()[:-1] + b"\x01")
        changed = build_into(content, build, strict=True, now=1_700_000_200)
        assert changed.plan is not None and changed.output is not None
        assert [c.id for c in changed.plan.changes if c.status.value == "changed"] == [
            "tour-media-blue-figure"
        ]
        log = import_package(col, changed.output)
        (blue_nid,) = col.find_notes('"ID:tour-media-blue-figure"')
        assert [entry.id.nid for entry in log.updated] == [blue_nid]  # type: ignore[attr-defined]
        assert len(log.new) == 0  # type: ignore[attr-defined]
        new_name = f"ankigen-{hashlib.sha256(figure.read_bytes()).hexdigest()[:16]}.png"
        assert new_name in note_field(col, "tour-media-blue-figure", "Answer")
        assert (Path(col.media.dir()) / new_name).read_bytes() == figure.read_bytes()
