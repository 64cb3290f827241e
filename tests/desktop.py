"""Anki desktop itself, headless: Xvfb, a fresh profile, the real reviewer, real X input.

`anki_desktop(...)` starts an X server and Anki on a base folder holding one profile whose
collection already has the packages imported; a test add-on (tests/desktop_addon) lets the test
read the page and the reviewer's state. Every key press and click is sent with xdotool, so it
goes through X, Qt's shortcut handling and the web view exactly as a learner's would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

HERE = Path(__file__).resolve().parent
PROFILE = "ankigen"
DEBIAN_TOOLS = ("Xvfb", "xdotool", "xmodmap")


class DesktopError(AssertionError):
    """Anki or the X server did not do what the test waited for."""


def missing_tools() -> list[str]:
    return [tool for tool in DEBIAN_TOOLS if shutil.which(tool) is None]


def prepare_collection(base: Path, packages: list[Path]) -> dict[str, tuple[int, int]]:
    """Import `packages` into a fresh collection for the profile; return deck name → (id, number
    of cards) of every top-level deck. Deck options: every new card today, no learning steps (a
    card rated Good is done for the day, so each card is shown once), siblings not buried and no
    audio autoplay (no player on Xvfb)."""
    folder = base / PROFILE
    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "collection.anki2"))
    try:
        for package in packages:
            request = ImportAnkiPackageRequest(
                package_path=str(package), options=ImportAnkiPackageOptions()
            )
            col.import_anki_package(request)
        config = col.decks.get_config(1)
        assert config is not None
        config["new"]["perDay"] = 9999
        config["new"]["delays"] = []
        config["rev"]["perDay"] = 9999
        # Both cards of a two-way note come the same day (Anki's default, said here).
        config["new"]["bury"] = False
        config["autoplay"] = False
        col.decks.update_config(config)
        return {
            deck.name: (deck.id, len(col.find_cards(f'"deck:{deck.name}"')))
            for deck in col.decks.all_names_and_ids()
            if "::" not in deck.name
        }
    finally:
        col.close()


def cards_in(base: Path, deck: str) -> set[tuple[str, int]]:
    """(note ID, card ordinal) of every card in `deck` and its subdecks."""
    col = Collection(str(base / PROFILE / "collection.anki2"))
    try:
        return {
            (card.note()["ID"], card.ord)
            for card in (col.get_card(cid) for cid in col.find_cards(f'"deck:{deck}"'))
        }
    finally:
        col.close()


@dataclass
class Desktop:
    """A running Anki desktop and the X display it draws on."""

    display: str
    """The X display, e.g. `:42`."""
    port: int
    """The test add-on's port."""
    env: dict[str, str]
    """Environment for xdotool."""
    sock: socket.socket | None = None
    """The add-on connection."""
    stream: Any = None
    """Its file object."""
    sent: list[str] = field(default_factory=list)
    """Every X input sent, for failure messages."""
    keyed: set[str] = field(default_factory=set)
    """Characters given a key of their own on this display's keyboard."""

    def connect(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        self.stream = self.sock.makefile("rwb")

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
        if self.sock is not None:
            self.sock.close()

    def call(self, op: str, **args: Any) -> Any:
        self.stream.write(json.dumps({"op": op, **args}).encode() + b"\n")
        self.stream.flush()
        answer = json.loads(self.stream.readline())
        if isinstance(answer, dict) and "error" in answer and len(answer) == 1:
            raise DesktopError(answer["error"])
        return answer

    def js(self, expression: str) -> Any:
        """The value of a JavaScript expression in the reviewer's page."""
        return self.call("eval", js=expression)

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = self.call("state")
        return state

    def wait(self, what: str, check: Callable[[], Any], timeout: float = 10) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise DesktopError(f"timed out waiting for {what}; input sent: {self.sent[-8:]}")
            time.sleep(0.02)

    def xdotool(self, *args: str) -> None:
        self.sent.append(" ".join(args))
        subprocess.run(["xdotool", *args], env=self.env, check=True, capture_output=True)

    def key(self, name: str) -> None:
        """Press and release one key (an X keysym name: Down, space, x, 3 …)."""
        self.xdotool("key", "--clearmodifiers", name)

    def type(self, text: str) -> None:
        """Type `text` into whatever has the keyboard focus, one real key press per character."""
        self.give_keys(text)
        self.xdotool("type", "--clearmodifiers", "--delay", "30", "--", text)

    def give_keys(self, text: str) -> None:
        """Put every character of `text` that the US keyboard lacks (°, é …) on a free key, for
        good, as a learner's own layout has it. Left to itself, xdotool maps such a character
        to a spare key only for the moment of the press and maps it back at once; Qt, reading
        the keyboard map again when told it changed, can read it after the change back and
        type nothing."""
        missing = sorted({char for char in text if ord(char) > 0x7E} - self.keyed)
        if not missing:
            return
        table = subprocess.run(
            ["xmodmap", "-pke"], env=self.env, check=True, capture_output=True, text=True
        ).stdout
        free = [int(code) for code in re.findall(r"^keycode\s+(\d+) =\s*$", table, re.M)]
        if len(free) < len(missing):
            raise DesktopError(f"no free keys for {missing}")
        changes = [
            f"keycode {code} = U{ord(char):04X}"
            for char, code in zip(missing, reversed(free), strict=False)
        ]
        self.sent.append(f"xmodmap {changes}")
        for change in changes:
            subprocess.run(["xmodmap", "-e", change], env=self.env, check=True, capture_output=True)
        self.keyed.update(missing)

    def click_at(self, x: float, y: float) -> None:
        web = self.state()["web"]
        self.xdotool(
            "mousemove", "--sync", str(round(web["x"] + x)), str(round(web["y"] + y)), "click", "1"
        )

    def click(self, selector: str, index: int = 0) -> None:
        """Scroll the element into view in the page, then click its middle with the mouse."""
        rect = self.js(
            f"""(function () {{
              var el = document.querySelectorAll({json.dumps(selector)})[{index}];
              if (!el) {{ return null; }}
              el.scrollIntoView({{block: "center", inline: "nearest"}});
              var r = el.getBoundingClientRect();
              return {{x: r.left + r.width / 2, y: r.top + r.height / 2}};
            }}())"""
        )
        if rect is None:
            raise DesktopError(f"nothing to click: {selector}[{index}]")
        self.click_at(rect["x"], rect["y"])


def free_display(screen: str = "1280x1024x24") -> tuple[subprocess.Popen[bytes], str]:
    """Start Xvfb on a display number it picks itself (-displayfd), so parallel runs never clash."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        xvfb.kill()
        raise DesktopError("Xvfb did not start")
    return xvfb, f":{number}"


@contextmanager
def anki_desktop(base: Path, *, theme: str, log: Path) -> Iterator[Desktop]:
    """Anki desktop on `base` (prepared with `prepare_collection`) in `theme` (light or dark)."""
    addons = base / "addons21" / "ankigen_test_driver"
    if not addons.exists():
        shutil.copytree(
            HERE / "desktop_addon", addons, ignore=shutil.ignore_patterns("__pycache__")
        )
    port_file = base / f"driver-port-{theme}"
    port_file.unlink(missing_ok=True)
    tmp = base / f"tmp-{theme}"
    tmp.mkdir(exist_ok=True)
    xvfb, display = free_display()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("QT_", "WAYLAND", "ANKI"))
    }
    env.update(
        DISPLAY=display,
        TMPDIR=str(tmp),
        # Anki allows one instance per user name: each run gets its own.
        LOGNAME=f"ankigen-{os.getpid()}-{theme}",
        USER=f"ankigen-{os.getpid()}-{theme}",
        QT_QPA_PLATFORM="xcb",
        QTWEBENGINE_DISABLE_SANDBOX="1",
        QTWEBENGINE_CHROMIUM_FLAGS="--disable-gpu --disable-background-networking",
        ANKI_NOHIGHDPI="1",
        QT_SCALE_FACTOR="1",
        ANKIGEN_DRIVER_PORT=str(port_file),
        PYTHONDONTWRITEBYTECODE="1",
    )
    with log.open("wb") as out:
        anki = subprocess.Popen(
            [sys.executable, str(HERE / "desktop_launch.py"), str(base), PROFILE, theme],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    desktop = None
    try:
        deadline = time.monotonic() + 90
        while not port_file.exists() or not port_file.read_text(encoding="utf-8").strip():
            if anki.poll() is not None or time.monotonic() > deadline:
                raise DesktopError(f"Anki did not start: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        desktop = Desktop(display, int(port_file.read_text(encoding="utf-8")), env)
        desktop.connect()
        yield desktop
    finally:
        if desktop is not None and desktop.stream is not None:
            with suppress(OSError, ValueError, DesktopError):
                desktop.call("quit")
            desktop.close()
        try:
            anki.wait(timeout=20)
        except subprocess.TimeoutExpired:
            anki.kill()
            anki.wait()
        xvfb.terminate()
        try:
            xvfb.wait(timeout=10)
        except subprocess.TimeoutExpired:
            xvfb.kill()
            xvfb.wait()
