"""A test add-on for Anki desktop: a small JSON-lines server on 127.0.0.1 that lets the test
process look into the reviewer (evaluate JavaScript, read the reviewer's state, take screenshots,
sample the colours drawn, resize the window) and records every message the card's page writes to
its console.

It never presses keys or clicks: the test sends real X input with xdotool. Copied into
`<base>/addons21/` by tests/desktop.py; the port goes to the file named by ANKIGEN_DRIVER_PORT.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aqt import gui_hooks, mw
from aqt.qt import QPoint, QTimer, QWebEnginePage
from aqt.webview import AnkiWebPage

Reply = Callable[[Any], None]

console: list[dict[str, Any]] = []
events: list[str] = []
_original_console = AnkiWebPage.javaScriptConsoleMessage


def _record_console(
    page: AnkiWebPage,
    level: QWebEnginePage.JavaScriptConsoleMessageLevel,
    message: str | None,
    line: int,
    source: str | None,
) -> None:
    reviewer = mw is not None and mw.reviewer.web is not None and mw.reviewer.web.page() is page
    levels = QWebEnginePage.JavaScriptConsoleMessageLevel
    name = {
        levels.InfoMessageLevel: "info",
        levels.WarningMessageLevel: "warning",
        levels.ErrorMessageLevel: "error",
    }.get(level, "other")
    console.append({"level": name, "message": message or "", "line": line, "reviewer": reviewer})
    _original_console(page, level, message, line, source)


AnkiWebPage.javaScriptConsoleMessage = _record_console  # type: ignore[method-assign]


def _shown(kind: str) -> Callable[..., None]:
    def hook(*_args: Any) -> None:
        events.append(kind)

    return hook


gui_hooks.reviewer_did_show_question.append(_shown("question"))
gui_hooks.reviewer_did_show_answer.append(_shown("answer"))

# When the main web view last started or finished loading a page.
_last_load = [0.0]


def _loaded(*_args: Any) -> None:
    _last_load[0] = time.monotonic()


def _settled() -> bool:
    """The deck browser or overview is on screen, its page loaded, its handshake with Python
    (Anki's `domDone`) done, nothing queued and no load for a moment."""
    assert mw is not None
    web = mw.web
    page = web.page()
    return (
        mw.state in ("overview", "deckBrowser")
        and page is not None
        and not page.isLoading()
        and time.monotonic() - _last_load[0] >= 0.3
        and web._domDone
        and not web._pendingActions
    )


STALLED = 5.0
"""Seconds a drawn page may go on loading with no load event before it is drawn again."""
_redraws = [0]


def _stalled() -> bool:
    """The deck browser or overview drawn (its handshake done, nothing queued) while its page
    still says it is loading, with no load event for `STALLED` seconds: a load that never ends,
    seen in about one run of the desktop tier in three, which no wait outlasts."""
    assert mw is not None
    page = mw.web.page()
    return (
        mw.state in ("overview", "deckBrowser")
        and page is not None
        and page.isLoading()
        and time.monotonic() - _last_load[0] >= STALLED
        and mw.web._domDone
        and not mw.web._pendingActions
    )


def _settling() -> dict[str, Any]:
    """What `_settled` looks at, for a test that waited in vain to say why."""
    assert mw is not None
    page = mw.web.page()
    return {
        "state": mw.state,
        "loading": page.isLoading() if page is not None else None,
        "since_load": round(time.monotonic() - _last_load[0], 2),
        "dom_done": mw.web._domDone,
        "pending": [name for name, _ in mw.web._pendingActions],
        "redraws": _redraws[0],
    }


def _review(deck: int, reply: Reply) -> None:
    """Open the reviewer on `deck` once the page before it has settled; reply whether it did.

    Entering the reviewer while the deck browser or overview is still loading races inside
    Anki: the old page's late `domDone` lets the reviewer's first calls run before reviewer.js
    exists (ReferenceError `_showQuestion`), and the first card is never drawn. A learner never
    clicks that fast; the test waits as a learner would."""
    assert mw is not None
    if not _settled():
        if _stalled():
            # As a learner would click the deck again: the page is drawn anew, and settles.
            _redraws[0] += 1
            _last_load[0] = time.monotonic()  # one redraw at a time
            print(f"ankigen desktop add-on: the {mw.state} page stalled; drawn again", flush=True)
            (mw.overview if mw.state == "overview" else mw.deckBrowser).refresh()
        reply(False)
        return

    def go(ready: Any) -> None:
        assert mw is not None
        # Checked again in the same turn of the event loop as the move: nothing can start
        # loading in between.
        if not ready or not _settled():
            reply(False)
            return
        mw.col.decks.select(deck)
        mw.moveToState("review")
        reply(True)

    mw.web.evalWithCallback("document.readyState === 'complete' && typeof pycmd === 'function'", go)


def _state() -> dict[str, Any]:
    assert mw is not None
    reviewer = mw.reviewer
    card = reviewer.card if mw.state == "review" else None
    web = reviewer.web
    origin = web.mapToGlobal(QPoint(0, 0)) if web is not None else QPoint(0, 0)
    return {
        "state": mw.state,
        "side": reviewer.state if card is not None else None,
        "card": card.id if card is not None else None,
        "ord": card.ord if card is not None else None,
        "note_type": card.note_type()["name"] if card is not None else None,
        "id": card.note()["ID"] if card is not None and "ID" in card.note() else None,
        "events": list(events),
        "web": {
            "x": origin.x(),
            "y": origin.y(),
            "width": web.width() if web is not None else 0,
            "height": web.height() if web is not None else 0,
        },
        "window": {"id": int(mw.winId()), "width": mw.width(), "height": mw.height()},
    }


def _handle(request: dict[str, Any], reply: Reply) -> None:
    assert mw is not None
    op = request["op"]
    if op == "state":
        reply(_state())
    elif op == "eval":
        mw.reviewer.web.evalWithCallback(request["js"], reply)
    elif op == "console":
        taken = list(console)
        console.clear()
        reply(taken)
    elif op == "resize":
        mw.showNormal()
        mw.resize(request["width"], request["height"])
        mw.move(0, 0)
        reply(_state())
    elif op == "focus":
        mw.raise_()
        mw.activateWindow()
        mw.reviewer.web.setFocus()
        reply(True)
    elif op == "review":
        _review(request["deck"], reply)
    elif op == "settling":
        reply(_settling())
    elif op == "grab":
        path = Path(request["path"])
        path.parent.mkdir(parents=True, exist_ok=True)
        # The view shows the last frame the page delivered: give the compositor a moment.
        QTimer.singleShot(
            int(request.get("delay", 60)),
            lambda: reply(mw is not None and mw.reviewer.web.grab().save(str(path))),
        )
    elif op == "pixels":
        # The colours the view really drew at page points (CSS px from the viewport's corner),
        # after the same pause as a screenshot.
        def sample() -> None:
            assert mw is not None
            web = mw.reviewer.web
            image = web.grab().toImage()
            scale = web.zoomFactor() * image.devicePixelRatio()
            reply(
                [
                    image.pixelColor(round(x * scale), round(y * scale)).name()
                    for x, y in request["points"]
                ]
            )

        QTimer.singleShot(int(request.get("delay", 60)), sample)
    elif op == "quit":
        reply(True)
        mw.unloadProfileAndExit()
    else:
        reply({"error": f"unknown op {op}"})


def _serve(server: socket.socket) -> None:
    while True:
        connection, _ = server.accept()
        threading.Thread(target=_session, args=(connection,), daemon=True).start()


def _session(connection: socket.socket) -> None:
    with connection, connection.makefile("rwb") as stream:
        for line in stream:
            request = json.loads(line)
            done = threading.Event()
            result: dict[str, Any] = {}

            def reply(
                value: Any, result: dict[str, Any] = result, done: threading.Event = done
            ) -> None:
                result["value"] = value
                done.set()

            def run(request: dict[str, Any] = request, reply: Reply = reply) -> None:
                try:
                    _handle(request, reply)
                except Exception:
                    reply({"error": traceback.format_exc()})

            assert mw is not None
            mw.taskman.run_on_main(run)
            if not done.wait(float(request.get("timeout", 30))):
                result["value"] = {"error": f"timed out: {request['op']}"}
            stream.write(json.dumps(result.get("value")).encode() + b"\n")
            stream.flush()


def _start() -> None:
    assert mw is not None
    mw.web.loadStarted.connect(_loaded)
    mw.web.loadFinished.connect(_loaded)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    threading.Thread(target=_serve, args=(server,), daemon=True).start()
    port_file = Path(os.environ["ANKIGEN_DRIVER_PORT"])
    port_file.write_text(str(server.getsockname()[1]), encoding="utf-8")


gui_hooks.main_window_did_init.append(_start)
