"""Drive card HTML in headless Chromium the way Anki's reviewers show it.

Desktop Anki keeps one page for a whole review session: each side's HTML replaces the previous one
and its scripts run again. AnkiDroid loads a fresh page for every side (a real navigation: the
window's globals are gone, storage of the origin stays). Both are simulated here, and so are
webviews where a storage layer is blocked (it throws) or cleared on each flip.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ORIGIN = "http://reviewer.test/"
LAYERS = ("sessionStorage", "localStorage", "name")
BLOCK = """(function (names) {
  names.forEach(function (name) {
    Object.defineProperty(window, name, {
      configurable: true,
      get: function () { throw new DOMException("blocked by the test", "SecurityError"); },
      set: function () { throw new DOMException("blocked by the test", "SecurityError"); }
    });
  });
}(%s));"""
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
    clear: tuple[str, ...] = ()
    """Storage layers emptied before each side is shown (see LAYERS)."""

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

        def console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                self.errors.append(f"console {message.type}: {message.text}")

        page.on("console", console)

    def shell(self) -> str:
        return SHELL.replace("{night}", "nightMode night_mode" if self.night else "")

    def load_shell(self) -> None:
        if self.media is None:
            self.page.goto(ORIGIN)
        else:
            page = self.media / "_reviewer.html"
            page.write_text(self.shell(), encoding="utf-8")
            self.page.goto(page.as_uri())

    def clear_layers(self) -> None:
        for name in self.clear:
            target = "window.name = ''" if name == "name" else f"window.{name}.clear()"
            self.page.evaluate(f"(function () {{ try {{ {target}; }} catch (e) {{}} }}())")

    def show(self, html: str) -> None:
        # Desktop keeps its page; AnkiDroid loads a fresh one per side.
        fresh = not self.desktop or not self.page.evaluate("typeof window.showSide === 'function'")
        self.clear_layers()
        if fresh:
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
    block: tuple[str, ...] = (),
    clear: tuple[str, ...] = (),
) -> Iterator[Reviewer]:
    """A reviewer page; `block` makes storage layers throw, `clear` empties them on each flip."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=True
    )
    if block:
        context.add_init_script(BLOCK % json.dumps(list(block)))
    page = context.new_page()
    review = Reviewer(page, desktop, night, media=media, clear=clear)
    page.route(
        f"{ORIGIN}**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=review.shell()),
    )
    review.load_shell()
    review.watch(page)
    try:
        yield review
    finally:
        context.close()
