"""`ankigen serve` without a browser: what its server answers, what it rebuilds for."""

from __future__ import annotations

import json
import shutil
import socket
import struct
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import watchfiles

from generator.config import BuildConfig
from generator.incremental import block_id
from generator.kinds import REGISTRY
from generator.pipeline import build
from generator.preview import write_preview
from generator.serve.server import PreviewServer, start
from generator.serve.session import Session, ignored, report_build, serve, shown
from tests.conftest import FIXTURES

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2b1d5a00000000049454e44ae426082"
)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[PreviewServer, Session, str]]:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    (content / "10-basics" / "dot.png").write_bytes(PNG)
    cards = content / "10-basics" / "cards.md"
    cards.write_text(
        cards.read_text(encoding="utf-8").replace("Paris.", "Paris.\n\n![A dot](dot.png)"), "utf-8"
    )
    config = BuildConfig(content=content, out_dir=tmp_path / "out")
    session = Session(config, config.out_dir / "preview")
    status, result, _ = session.rebuild()
    assert status.ok, [d.format() for d in result.diagnostics.sorted()]
    server = start(session, "127.0.0.1", 0)
    try:
        yield server, session, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers["Content-Type"]


def test_the_page_carries_the_live_script(served: tuple[PreviewServer, Session, str]) -> None:
    _, _, url = served
    code, body, kind = get(url + "/")
    assert code == 200 and kind.startswith("text/html")
    assert b'<script src="/__ankigen__/live.js"></script></body>' in body
    assert b'window.ankigenServe = {"cards": 1}' in body
    code, script, kind = get(url + "/__ankigen__/live.js")
    assert code == 200 and b"EventSource" in script and "javascript" in kind


def test_status_and_data(served: tuple[PreviewServer, Session, str]) -> None:
    _, session, url = served
    code, body, _ = get(url + "/__ankigen__/status")
    status = json.loads(body)
    assert code == 200 and status["ok"] is True and status["version"] == 1
    assert status["message"].startswith("built in ")
    code, body, _ = get(url + "/__ankigen__/data.json")
    data = json.loads(body)
    assert code == 200
    assert {card["id"] for card in data["cards"]} >= {"fx-capital", "fx-primes"}
    assert session.data is not None and session.data.data == body


def test_a_save_sends_the_cards_it_changed(served: tuple[PreviewServer, Session, str]) -> None:
    """`delta`: the cards whose contents changed since the version before, by place; the whole
    data when anything else changed, or the page is further behind."""
    _, session, url = served
    cards = session.config.content / "10-basics" / "cards.md"
    text = cards.read_text(encoding="utf-8")
    assert get(url + "/__ankigen__/delta?from=1")[1] == b'{"to": 1, "changed": []}'
    cards.write_text(text.replace("Paris has been", "Paris is"), encoding="utf-8")
    assert session.rebuild()[0].cards == 2
    code, body, kind = get(url + "/__ankigen__/delta?from=1")
    delta = json.loads(body)
    assert code == 200 and "json" in kind and delta["to"] == 2
    whole = json.loads(get(url + "/__ankigen__/data.json")[1])["cards"]
    assert [card for _, card in delta["changed"]] == [
        card for card in whole if card["id"] == "fx-capital"
    ]
    assert all(whole[place] == card for place, card in delta["changed"])
    assert json.loads(get(url + "/__ankigen__/delta?from=0")[1]) == {"to": 2, "full": True}
    assert json.loads(get(url + "/__ankigen__/delta?from=x")[1]) == {"to": 2, "full": True}
    # A card more: every place after it moves, so the page fetches all of them.
    cards.write_text(text + "\n### Which sea? <!-- id: fx-sea -->\n\nThe North Sea.\n", "utf-8")
    assert session.rebuild()[0].cards == 3
    assert json.loads(get(url + "/__ankigen__/delta?from=2")[1]) == {"to": 3, "full": True}


def test_media_by_packaged_name_and_nothing_outside(
    served: tuple[PreviewServer, Session, str],
) -> None:
    _, session, url = served
    (name,) = session.media
    code, body, kind = get(f"{url}/{name}")
    assert code == 200 and body == PNG and kind == "image/png"
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/dot.png", "/nothing"):
        assert get(url + path)[0] == 404, path


def test_a_failed_build_keeps_the_last_cards(served: tuple[PreviewServer, Session, str]) -> None:
    _, session, url = served
    page = session.page
    cards = session.config.content / "10-basics" / "cards.md"
    cards.write_text(cards.read_text(encoding="utf-8").replace("- [x] 2", "- [ ] 2", 1), "utf-8")
    cards.write_text(cards.read_text(encoding="utf-8").replace("- [x] 5", "- [ ] 5", 1), "utf-8")
    status, _, _ = session.rebuild()
    assert not status.ok and status.version == 2 and status.cards == 1
    assert any(d.severity.value == "error" for d in status.diagnostics)
    assert session.page == page
    body = json.loads(get(url + "/__ankigen__/status")[1])
    assert body["ok"] is False
    assert body["diagnostics"][0]["text"].startswith(str(cards))


def test_what_a_change_rebuilds_for(tmp_path: Path) -> None:
    content = tmp_path / "content"
    config = BuildConfig(content=content, out_dir=content / "build")
    wanted = ignored(config)
    modified = watchfiles.Change.modified
    assert wanted(modified, str(content / "10-basics" / "cards.md"))
    assert wanted(modified, str(content / "10-basics" / "img" / "dot.png"))
    assert not wanted(modified, str(content / "ankigen.lock"))
    assert not wanted(modified, str(content / ".ankigen.lock.x1.ankigen-tmp"))
    assert not wanted(modified, str(content / "build" / "course.apkg"))
    assert not wanted(modified, str(content / ".git" / "index"))
    assert not wanted(modified, str(content / "10-basics" / ".cards.md.swp"))


def test_what_a_change_shows(tmp_path: Path) -> None:
    """An editor's temporary file, written and renamed over the lesson, is not news; a file
    that is gone for good is."""
    content = tmp_path / "content"
    (content / "10-basics").mkdir(parents=True)
    lesson = content / "10-basics" / "cards.md"
    lesson.write_text("# Cards\n", encoding="utf-8")
    config = BuildConfig(content=content, out_dir=tmp_path / "out")
    change = watchfiles.Change
    temporary = str(content / "10-basics" / "sedOUjyPK")
    gone = str(content / "10-basics" / "old.md")
    changes = {
        (change.added, temporary),
        (change.modified, temporary),
        (change.deleted, temporary),
        (change.modified, str(lesson)),
        (change.deleted, gone),
    }
    assert shown(config, changes) == {"10-basics/cards.md", "10-basics/old.md"}
    assert shown(config, {(change.added, temporary), (change.deleted, temporary)}) == set()
    # Made and removed, then made again: it is there, so it is shown.
    kept = content / "10-basics" / "new.md"
    kept.write_text("# New\n", encoding="utf-8")
    assert shown(config, {(change.added, str(kept)), (change.deleted, str(kept))}) == {
        "10-basics/new.md"
    }


def test_a_page_closed_mid_request_prints_no_traceback(
    served: tuple[PreviewServer, Session, str], capfd: pytest.CaptureFixture[str]
) -> None:
    server, _, url = served
    address = server.server_address
    for _ in range(3):
        client = socket.create_connection((str(address[0]), int(address[1])), timeout=10)
        client.sendall(b"GET / HTTP/1.1\r\nHost: x")  # and no end of the request
        # Closed with a reset (linger 0), as a browser drops a connection it gave up on.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
    time.sleep(0.3)
    assert get(url + "/__ankigen__/status")[0] == 200  # still serving
    _, err = capfd.readouterr()
    assert "Traceback" not in err and "ConnectionResetError" not in err, err


def test_a_request_that_fails_is_said_in_one_line(
    served: tuple[PreviewServer, Session, str], capfd: pytest.CaptureFixture[str]
) -> None:
    server, _, _ = served
    try:
        raise ValueError("no such thing")
    except ValueError:
        server.handle_error(None, ("127.0.0.1", 1))
    _, err = capfd.readouterr()
    assert err == "ankigen serve: a request failed: ValueError('no such thing')\n"


def test_no_content_folder_is_not_served(tmp_path: Path) -> None:
    config = BuildConfig(content=tmp_path / "missing", out_dir=tmp_path / "out")
    said: list[str] = []
    told: list[str] = []
    with pytest.raises(SystemExit) as stopped:
        serve(
            config,
            host="127.0.0.1",
            port=0,
            open_browser=False,
            say=said.append,
            tell=lambda diagnostics: told.extend(d.format() for d in diagnostics),
        )
    assert stopped.value.code == 1
    assert told == [f"{tmp_path / 'missing'}: error: content folder not found [content-missing]"]
    assert not any("serving" in line for line in said), said


def test_the_content_folder_itself_is_shown_by_its_name(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    config = BuildConfig(content=content, out_dir=tmp_path / "out")
    assert shown(config, {(watchfiles.Change.deleted, str(content))}) == {config.content_display}


def test_a_save_tells_the_new_problems_and_counts_the_others(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    cards = content / "10-basics" / "cards.md"
    text = cards.read_text(encoding="utf-8")
    no_answer = text.replace("- [x] 5\n", "- [ ] 5\n").replace("- [x] 2\n", "- [ ] 2\n")
    cards.write_text(no_answer, encoding="utf-8")
    session = Session(BuildConfig(content=content, out_dir=tmp_path / "out"), tmp_path / "site")
    said: list[str] = []
    told: list[list[str]] = []
    seen: set[str] = set()

    def build() -> None:
        report_build(
            session, said.append, lambda found: told.append([d.format() for d in found]), seen
        )

    build()
    assert len(told[-1]) == 1 and "cards.md" in told[-1][0], told[-1]
    first = told[-1][0]
    build()  # nothing changed: nothing told again, the problem counted
    assert told[-1] == []
    assert "1 problem(s) as before, not repeated here (the page lists them all)" in said
    cards.write_text(no_answer + "\n```\nnever closed\n", encoding="utf-8")
    build()
    assert len(told[-1]) == 1 and "fence-unclosed" in told[-1][0], told[-1]
    assert first not in told[-1]
    cards.write_text(text, encoding="utf-8")
    said.clear()
    build()
    assert told[-1] == [] and not any("as before" in line for line in said), said


def test_a_delta_is_only_from_the_version_just_before(
    served: tuple[PreviewServer, Session, str],
) -> None:
    """Two saves in quick succession: a page still on the first version, asking while the
    second build's preview is out but its status not yet told, gets all of its data, not the
    second save's cards alone (it would miss the first save's)."""
    _, session, _ = served
    cards = session.config.content / "10-basics" / "cards.md"
    text = cards.read_text(encoding="utf-8")
    cards.write_text(text.replace("Paris has been", "Paris is"), encoding="utf-8")
    assert session.rebuild()[0].cards == 2
    cards.write_text(text.replace("Paris has been", "Paris was"), encoding="utf-8")
    assert session.publish(build(session.config)) == 3  # published; the pages not yet told
    assert json.loads(session.delta(1)) == {"to": 3, "full": True}
    delta = json.loads(session.delta(2))
    assert delta["to"] == 3 and [card["id"] for _, card in delta["changed"]] == ["fx-capital"]
    assert "Paris was" in delta["changed"][0][1]["back"]


def test_a_save_reuses_the_notes_of_kept_lessons_and_writes_no_page_file(
    served: tuple[PreviewServer, Session, str], tmp_path: Path
) -> None:
    """The page is served from memory, and is the one `ankigen preview` writes of the build's
    notes; a lesson kept by two saves in a row shows the very notes it showed (not decoded
    again)."""
    _, session, _ = served
    assert not (session.site / "index.html").exists()
    cards = session.config.content / "10-basics" / "cards.md"
    text = cards.read_text(encoding="utf-8")
    cards.write_text(text.replace("Paris has been", "Paris is"), encoding="utf-8")
    assert session.rebuild()[0].ok
    first = dict(session.kept)
    assert first  # the other lessons were kept
    cards.write_text(text.replace("Paris has been", "Paris was"), encoding="utf-8")
    assert session.rebuild()[0].ok
    assert session.kept.keys() == first.keys()
    for name, notes in first.items():
        assert all(a is b for a, b in zip(notes, session.kept[name], strict=True))
    assert not (session.site / "index.html").exists()
    # Another lesson edited: only the lessons this save kept are held.
    lessons = sorted(session.config.content.rglob("*.md"))
    other = next(path for path in lessons if path != cards and not path.name.startswith("_"))
    other.write_text(other.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    status, saved, _ = session.rebuild()
    assert status.ok
    held = {block_id(part.block) for part in saved.parts if part.block is not None}
    assert session.kept.keys() == held != first.keys()
    result = build(session.config)
    assert result.course is not None and session.data is not None
    fresh = write_preview(tmp_path / "fresh", result.course.deck, result.notes, REGISTRY)
    assert session.data.data == fresh.data.data
