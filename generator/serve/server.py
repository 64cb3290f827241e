"""The HTTP side of `ankigen serve`, on the standard library's threading server.

- `/` — the preview page, with the live script added (before the course first builds, a page
  that shows its problems and then the cards, once it builds);
- `/__ankigen__/live.js` — that script;
- `/__ankigen__/data.json` — the cards the page shows (what the script reloads);
- `/__ankigen__/delta?from=N` — what changed since the cards of version N: the cards whose
  contents changed, when nothing else did (a save of a large course sends a few cards, not
  all of them), else `full`;
- `/__ankigen__/status` — the latest build: version, verdict, problems;
- `/__ankigen__/events` — server-sent events, one per build;
- anything else — the preview site's files (written as `ankigen preview` writes them), then the
  cards' images and sounds by their packaged names.

Only files of the site and of the cards are served: no path leads outside them.
"""

from __future__ import annotations

import json
import mimetypes
import posixpath
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from urllib.parse import parse_qs, unquote, urlsplit

from generator.serve.session import Session, asset

PREFIX = "/__ankigen__/"
KEEPALIVE = 15.0
"""Seconds between comments on an idle event stream (proxies close silent connections)."""


class Handler(BaseHTTPRequestHandler):
    """One request; the session is the server's."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not news: the terminal shows builds."""

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        session = self.server.session
        if path in ("/", "/index.html"):
            page, ready = session.live_page()
            status = HTTPStatus.OK if ready else HTTPStatus.SERVICE_UNAVAILABLE
            self.send(status, page, "text/html; charset=utf-8")
        elif path == PREFIX + "live.js":
            self.send(HTTPStatus.OK, asset("live.js"), "text/javascript; charset=utf-8")
        elif path == PREFIX + "data.json":
            data = session.data
            if data is None:
                self.send(HTTPStatus.SERVICE_UNAVAILABLE, b"{}", "application/json")
            else:
                self.send(HTTPStatus.OK, data.data, "application/json; charset=utf-8")
        elif path == PREFIX + "delta":
            shown = parse_qs(urlsplit(self.path).query).get("from", [""])[0]
            body = session.delta(int(shown) if shown.isdigit() else -1)
            self.send(HTTPStatus.OK, body, "application/json; charset=utf-8")
        elif path == PREFIX + "status":
            body = json.dumps(session.status.as_json()).encode()
            self.send(HTTPStatus.OK, body, "application/json; charset=utf-8")
        elif path == PREFIX + "events":
            self.events()
        else:
            self.file(path)

    def send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def file(self, path: str) -> None:
        """A file of the preview site, or an image or sound of a card."""
        session = self.server.session
        name = posixpath.normpath(path).lstrip("/")
        found: Path | None = None
        if name and not name.startswith("..") and name != ".":
            candidate = (session.site / name).resolve()
            if candidate.is_relative_to(session.site.resolve()) and candidate.is_file():
                found = candidate
            elif "/" not in name and name in session.media:
                found = session.media[name]
        if found is None:
            self.send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
            return
        try:
            body = found.read_bytes()
        except OSError:
            self.send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
            return
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        self.send(HTTPStatus.OK, body, kind)

    def events(self) -> None:
        """One event now (the latest build), then one per build, until the page goes away."""
        session = self.server.session
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = -1
        try:
            while not self.server.stopping:
                status = session.wait(seen, KEEPALIVE)
                if status.version > seen:
                    seen = status.version
                    payload = json.dumps(status.as_json())
                    self.wfile.write(f"data: {payload}\n\n".encode())
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except OSError:
            return  # the page was closed or reloaded


class PreviewServer(ThreadingHTTPServer):
    """The threading server, holding the session its handlers read."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], session: Session) -> None:
        self.session = session
        self.stopping = False
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A page closed or reloaded mid-answer is routine; anything else is said in one line
        (the standard library would print a traceback)."""
        problem = sys.exc_info()[1]
        if isinstance(problem, ConnectionError | TimeoutError):
            return
        print(f"ankigen serve: a request failed: {problem!r}", file=sys.stderr)

    def shutdown(self) -> None:
        self.stopping = True
        with self.session.changed:
            self.session.changed.notify_all()
        super().shutdown()


def start(session: Session, host: str, port: int) -> PreviewServer:
    """Listen on host:port (port 0: any free one) and serve in a thread."""
    server = PreviewServer((host, port), session)
    Thread(target=server.serve_forever, name="ankigen-serve", daemon=True).start()
    return server
