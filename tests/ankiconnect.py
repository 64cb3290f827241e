"""Real Anki desktop on Xvfb with the real AnkiConnect add-on, for the AnkiConnect sync tests.

The add-on is test data under ../shared/ankiconnect/ (GPL-3.0): it is read from there when a
test starts, into the temporary Anki folder of that test run, never kept in the project. Each run
gets its own Xvfb display, its own port and API key (written into the add-on's configuration in
that temporary folder), and its own TMPDIR and LOGNAME (Anki allows one instance per user).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.desktop import free_display

HERE = Path(__file__).resolve().parent


def find_addon() -> Path:
    """The add-on folder: `ANKIGEN_ANKICONNECT` when set, else `shared/ankiconnect/` beside the
    project's folder or beside one of its parents (a clone made somewhere below the workspace)."""
    given = os.environ.get("ANKIGEN_ANKICONNECT")
    if given:
        return Path(given)
    for folder in HERE.parent.parents:
        candidate = folder / "shared" / "ankiconnect" / "2055492159"
        if candidate.is_dir():
            return candidate
    return HERE.parent.parent / "shared" / "ankiconnect" / "2055492159"


ADDON = find_addon()
"""../shared/ankiconnect/ beside the project's folder (or a parent's)."""
ADDON_ID = "2055492159"
PROFILE = "ankigen"
API_KEY = "ankigen-test-key"


def missing() -> str | None:
    """Why the AnkiConnect tier cannot run here, or None."""
    if not (ADDON / "__init__.py").is_file():
        return f"the AnkiConnect add-on is not at {ADDON} (test data from ../shared/ankiconnect/)"
    if shutil.which("Xvfb") is None:
        return "Xvfb is not installed (make test installs it with apt)"
    try:
        import aqt  # noqa: F401, PLC0415
    except ImportError:
        return "Anki desktop (aqt) is not installed (pip install 'aqt[qt6]', in the test extras)"
    return None


@dataclass(frozen=True)
class RunningAnki:
    """Anki desktop with AnkiConnect, answering at `url`."""

    url: str
    api_key: str
    base: Path
    collection: Path

    def call(self, action: str, **params: object) -> Any:
        body = {"action": action, "version": 6, "params": params, "key": self.api_key}
        request = urllib.request.Request(self.url, data=json.dumps(body).encode())
        with urllib.request.urlopen(request, timeout=60) as response:
            reply = json.loads(response.read())
        assert reply["error"] is None, (action, reply["error"])
        return reply["result"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def install_addon(base: Path, port: int) -> None:
    target = base / "addons21" / ADDON_ID
    shutil.copytree(ADDON, target, ignore=shutil.ignore_patterns("__pycache__"))
    target.chmod(0o755)
    for path in target.iterdir():
        path.chmod(0o644)
    meta = json.loads((target / "meta.json").read_text(encoding="utf-8"))
    meta["config"].update(webBindAddress="127.0.0.1", webBindPort=port, apiKey=API_KEY)
    (target / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_anki(base: Path, log: Path) -> Iterator[RunningAnki]:
    """Start Anki desktop on a new base folder; quit it when the block ends."""
    port = free_port()
    install_addon(base, port)
    tmp = base / "tmp"
    tmp.mkdir()
    xvfb, display = free_display("1024x768x24")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "WAYLAND", "ANKI"))}
    user = f"ankigen-sync-{os.getpid()}"
    env.update(
        DISPLAY=display,
        TMPDIR=str(tmp),
        LOGNAME=user,
        USER=user,
        QT_QPA_PLATFORM="xcb",
        QTWEBENGINE_DISABLE_SANDBOX="1",
        QTWEBENGINE_CHROMIUM_FLAGS="--disable-gpu --disable-background-networking",
        PYTHONDONTWRITEBYTECODE="1",
    )
    anki = None
    try:
        with log.open("wb") as out:
            anki = subprocess.Popen(
                [sys.executable, str(HERE / "ankiconnect_launch.py"), str(base), PROFILE],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        running = RunningAnki(
            f"http://127.0.0.1:{port}", API_KEY, base, base / PROFILE / "collection.anki2"
        )
        deadline = time.monotonic() + 120
        while True:
            if anki.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"Anki with AnkiConnect did not start: {tail}")
            with suppress(OSError, ValueError):
                if running.call("version") >= 6:
                    break
            time.sleep(0.3)
        yield running
    finally:
        if anki is not None:
            # Anki closes its profile and collection cleanly on SIGTERM.
            anki.terminate()
            stop(anki, 30)
        xvfb.terminate()
        stop(xvfb, 10)
