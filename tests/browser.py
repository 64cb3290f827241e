"""Drive card HTML in headless Chromium the way Anki's reviewers show it.

Desktop Anki keeps one page for a whole review session: each side's HTML replaces the previous one
and its scripts run again. AnkiDroid loads a fresh page for every side. Both are simulated here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
]
# Anki's reviewer puts card HTML into #qa and re-creates <script> elements so that they run.
SHELL = """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body class="card {night}"><div id="qa"></div>
<script>
window.showSide = function (html) {
  var qa = document.getElementById("qa");
  qa.innerHTML = html;
  Array.prototype.forEach.call(qa.querySelectorAll("script"), function (old) {
    var fresh = document.createElement("script");
    fresh.text = old.text;
    old.parentNode.replaceChild(fresh, old);
  });
};
</script></body></html>"""


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Reviewer:
    """One simulated review: `show` a side, interact, `show` the next side."""

    page: Page
    """The page the card is shown in."""
    desktop: bool
    """One page for every side (desktop) or a fresh page per side (AnkiDroid)."""
    night: bool = False
    """Night mode classes on the body."""
    media: Path | None = None
    """A collection's media folder: the page is loaded from there so media files resolve."""
    errors: list[str] = field(default_factory=list)
    """Console errors and uncaught exceptions seen so far."""

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

        def console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                self.errors.append(f"console {message.type}: {message.text}")

        page.on("console", console)

    def load_shell(self) -> None:
        shell = SHELL.replace("{night}", "nightMode night_mode" if self.night else "")
        if self.media is None:
            self.page.set_content(shell)
        else:
            page = self.media / "_reviewer.html"
            page.write_text(shell, encoding="utf-8")
            self.page.goto(page.as_uri())

    def show(self, html: str) -> None:
        # Desktop keeps its page; AnkiDroid loads a fresh one per side (sessionStorage stays).
        if not self.desktop or not self.page.evaluate("typeof window.showSide === 'function'"):
            self.load_shell()
        self.page.evaluate(f"window.showSide({json.dumps(html)})")


@contextmanager
def reviewer(
    browser: Browser,
    *,
    desktop: bool,
    width: int = 1000,
    night: bool = False,
    media: Path | None = None,
) -> Iterator[Reviewer]:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=True
    )
    page = context.new_page()
    page.goto("about:blank")
    review = Reviewer(page, desktop, night, media=media)
    review.watch(page)
    try:
        yield review
    finally:
        context.close()
