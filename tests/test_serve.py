"""`ankigen serve` in the real browser: a save shows in the open page without reloading it.

The server runs as the command a user types, on a free port; Chromium opens the preview. The
test turns a card over, scrolls, leaves a mark on the window, then edits the lesson: the card is
redrawn with the new text on the side it showed, the scroll position and the mark stay (so the
page was not reloaded), and the package on disk follows. Then a card is added (the page is
rebuilt in place, the view kept), a mistake is made (the problems show in the page, the cards
stay) and fixed (they go).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser import chromium
from tests.conftest import FIXTURES, ROOT

pytestmark = pytest.mark.browser

SERVING = re.compile(r"serving the preview on (http://\S+)")
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


class Server:
    """`ankigen serve` in a subprocess, and what it printed."""

    def __init__(self, content: Path, out: Path) -> None:
        command = [
            sys.executable,
            "-m",
            "generator",
            "serve",
            str(content),
            "--out",
            str(out),
            "--port",
            "0",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        self.lines: list[str] = []
        self.url = ""
        deadline = time.monotonic() + 60
        assert self.process.stdout is not None
        while not self.url and time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            found = SERVING.search(line)
            if found:
                self.url = found.group(1)
        assert self.url, "".join(self.lines)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGINT)
        output, _ = self.process.communicate(timeout=30)
        self.lines.append(output)
        return self.output

    @property
    def output(self) -> str:
        """What it printed."""
        return "".join(self.lines)


def card(page: Page, card_id: str, script: str) -> object:
    """Run `script` (a function of the article element) on the card with id `card_id`."""
    return page.evaluate(
        f"""() => {{
            const article = Array.from(document.querySelectorAll('article.pv-card'))
                .find(item => item.card && item.card.id === {card_id!r});
            return ({script})(article);
        }}"""
    )


def frame_text(page: Page, card_id: str) -> str:
    text = card(
        page,
        card_id,
        "a => { const f = a.querySelector('iframe'); "
        "return f && f.contentDocument && f.contentDocument.body ? "
        "f.contentDocument.body.innerText : ''; }",
    )
    return str(text)


def wait_frame(page: Page, card_id: str, text: str) -> None:
    """Until the frame of card `card_id` shows `text`."""
    page.wait_for_function(
        f"""() => {{
            const a = Array.from(document.querySelectorAll('article.pv-card'))
                .find(item => item.card && item.card.id === {card_id!r});
            const f = a && a.querySelector('iframe');
            const body = f && f.contentDocument && f.contentDocument.body;
            return Boolean(body) && body.innerText.includes({text!r});
        }}""",
        timeout=WAIT_MS,
    )


def wait_cards(page: Page, version: int) -> None:
    page.wait_for_function(
        f"document.documentElement.getAttribute('data-ankigen-cards') === '{version}'",
        timeout=WAIT_MS,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def fixture_course(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of the fixture course: its content folder, an output folder, its cards lesson."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "course", content)
    return content, tmp_path / "out", content / "10-basics" / "cards.md"


@contextmanager
def serving(browser: Browser, content: Path, out: Path) -> Iterator[tuple[Server, Page, list[str]]]:
    """`ankigen serve` on `content`, a page to open it in, and the page's script errors; the
    server is stopped after (its output in `Server.output`)."""
    server = Server(content, out)
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield server, page, errors
    finally:
        context.close()
        server.stop()


def test_a_save_updates_the_open_page_in_place(browser: Browser, tmp_path: Path) -> None:
    content, out, cards_md = fixture_course(tmp_path)
    with serving(browser, content, out) as (server, page, errors):
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url.split("/__ankigen__/")[-1]))
        page.goto(server.url)
        wait_cards(page, 1)
        package = next(out.glob("*.apkg"))
        before = digest(package)

        # Turn the capital card over, put it mid-screen, and mark the window.
        card(page, "fx-capital", "a => a.scrollIntoView({block: 'center'})")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('article.pv-card'))"
            ".some(a => a.card.id === 'fx-capital' && a.querySelector('iframe'))",
            timeout=WAIT_MS,
        )
        card(page, "fx-capital", "a => a.querySelector('.pv-flip').click()")
        wait_frame(page, "fx-capital", "Paris")
        page.evaluate("window.scrollBy(0, 37); window.ankigenMark = 'still here'")
        scroll = page.evaluate("window.scrollY")
        top = card(page, "fx-capital", "a => a.getBoundingClientRect().top")

        # A save: the card is redrawn in place, on its back, with the new answer; only the
        # cards that changed are fetched.
        asked.clear()
        edit(cards_md, "Paris.", "Paris, on the Seine.")
        wait_cards(page, 2)
        assert "delta?from=1" in asked and "data.json" not in asked, asked
        wait_frame(page, "fx-capital", "Paris, on the Seine")
        assert page.evaluate("window.ankigenMark") == "still here"
        assert page.evaluate("window.scrollY") == scroll
        assert card(page, "fx-capital", "a => a.querySelector('.pv-flip').dataset.side") == "back"
        assert card(page, "fx-capital", "a => a.getAttribute('data-ankigen-redrawn')") == "2"
        assert card(page, "fx-primes", "a => a.getAttribute('data-ankigen-redrawn')") is None
        deadline = time.monotonic() + 10
        while digest(package) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert digest(package) != before, "the package follows the sources"

        # A new card: the page is rebuilt in place; the view is kept.
        with cards_md.open("a", encoding="utf-8") as handle:
            handle.write("\n### What is the capital of Italy? <!-- id: fx-rome -->\n\nRome.\n")
        wait_cards(page, 3)
        assert "data.json" in asked
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('article.pv-card'))"
            ".some(a => a.card.id === 'fx-rome')",
            timeout=WAIT_MS,
        )
        page.wait_for_timeout(300)
        assert page.evaluate("window.ankigenMark") == "still here"
        assert card(page, "fx-capital", "a => a.querySelector('.pv-flip').dataset.side") == "back"
        moved = card(page, "fx-capital", "a => a.getBoundingClientRect().top")
        assert isinstance(moved, (int, float)) and isinstance(top, (int, float))
        assert abs(moved - top) < 40, (moved, top)
        wait_frame(page, "fx-capital", "Paris, on the Seine")

        # A mistake: its problem shows in the page and in the terminal; the cards stay.
        edit(cards_md, "- [x] 5\n", "- [ ] 5\n")
        edit(cards_md, "- [x] 2\n", "- [ ] 2\n")
        page.wait_for_selector("#ankigen-problems[data-ok='false']", timeout=WAIT_MS)
        problems = page.inner_text("#ankigen-problems")
        assert "cards.md:" in problems and "error" in problems
        assert page.evaluate("window.ankigenMark") == "still here"
        assert card(page, "fx-rome", "a => a.card.id") == "fx-rome"

        # Fixed: the problems go.
        edit(cards_md, "- [ ] 2\n", "- [x] 2\n")
        page.wait_for_selector(
            "#ankigen-problems[data-ok='true']", state="attached", timeout=WAIT_MS
        )
        assert not page.is_visible("#ankigen-problems")
        assert errors == []
    output = server.output
    assert server.process.returncode == 0, output
    assert "error" in output and "cards.md" in output
    assert "stopped" in output
    assert "Traceback" not in output


def test_a_course_that_does_not_build_yet_shows_when_it_does(
    browser: Browser, tmp_path: Path
) -> None:
    """Started on a course with a mistake, the page lists the problem, then shows the cards
    once the mistake is fixed, without being reloaded."""
    content, out, cards_md = fixture_course(tmp_path)
    edit(cards_md, "- [x] 5\n", "- [ ] 5\n")
    edit(cards_md, "- [x] 2\n", "- [ ] 2\n")
    with serving(browser, content, out) as (server, page, errors):
        response = page.goto(server.url)
        assert response is not None and response.status == 503
        assert "No preview yet" in page.inner_text("#ankigen-waiting")
        page.wait_for_selector("#ankigen-problems[data-ok='false']", timeout=WAIT_MS)
        assert "cards.md:" in page.inner_text("#ankigen-problems")
        page.evaluate("window.ankigenMark = 'same page'")

        edit(cards_md, "- [ ] 2\n", "- [x] 2\n")
        wait_cards(page, 1)
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('article.pv-card'))"
            ".some(a => a.card && a.card.id === 'fx-capital')",
            timeout=WAIT_MS,
        )
        assert page.evaluate("window.ankigenMark") == "same page"
        assert page.query_selector("#ankigen-waiting") is None
        page.wait_for_selector(
            "#ankigen-problems[data-ok='true']", state="attached", timeout=WAIT_MS
        )
        assert errors == []
    assert server.process.returncode == 0, server.output
    assert "Traceback" not in server.output
