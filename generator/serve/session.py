"""The builds of one `ankigen serve`, and what the open pages are told about them."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import watchfiles

from generator import report
from generator.config import BuildConfig
from generator.diagnostics import Diagnostic
from generator.incremental import Memory
from generator.notes import RenderedNote
from generator.pipeline import BuildResult, build
from generator.preview import PreviewCache, write_preview
from generator.preview.site import PageData, Written

LIVE_SCRIPT = "/__ankigen__/live.js"
TEMPORARY = ".ankigen-tmp"

Say = Callable[[str], None]
Tell = Callable[[list[Diagnostic]], None]


@dataclass(frozen=True, slots=True)
class Status:
    """What the pages are told after a build."""

    version: int
    """Counts the builds; a page applies each version once."""
    ok: bool
    """The build succeeded; the preview shows its cards."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Its problems (after a failed build the preview keeps the last good cards)."""
    message: str = ""
    """One line on what happened."""
    cards: int = 0
    """Version of the cards: changes only when the cards do."""

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "ok": self.ok,
            "cards": self.cards,
            "message": self.message,
            "diagnostics": [
                d.as_dict() | {"text": d.format()}
                for d in sorted(self.diagnostics, key=lambda d: (d.path, d.line, d.message))
            ],
        }


@dataclass(slots=True)
class Session:
    """The latest build and the preview made from it, shared with the server's threads."""

    config: BuildConfig
    """What to build."""
    site: Path
    """The preview site's folder, as `ankigen preview` writes it but for its page, which is
    served from memory: KaTeX, served from here."""
    status: Status = field(default_factory=lambda: Status(0, False, message="building"))
    """What the pages were last told."""
    page: Written | None = None
    """The last good preview (its page is joined when a page asks for it, with the live script
    added: `live_page`)."""
    data: PageData | None = None
    """Its cards (the page's data)."""
    version: int = 0
    """The version of those cards (what `Status.cards` tells the pages once the build is done)."""
    before: tuple[int, bytes, tuple[tuple[bytes, bytes], ...]] | None = None
    """The version, `head` and `cards` of the cards before (see `delta`)."""
    media: dict[str, Path] = field(default_factory=dict)
    """Images and sounds of the cards: packaged name → file."""
    changed: threading.Condition = field(default_factory=threading.Condition)
    """Notified after each build."""
    rendered: PreviewCache = field(default_factory=PreviewCache)
    """The cards of the last preview, reused for the notes a save left as they were."""
    kept: dict[str, tuple[RenderedNote, ...]] = field(default_factory=dict)
    """The notes of each lesson the last good build kept, by its block's id: a save that keeps
    the lesson again takes them from here rather than decoding them again (at 10,000 notes that
    was 90 ms of a publish's 220), and `rendered` finds the very same objects at once."""
    memory: Memory = field(default_factory=Memory)
    """What one build keeps of the cache for the next, decoded (the state and the blocks)."""

    def rebuild(self) -> tuple[Status, BuildResult, float]:
        started = time.perf_counter()
        result = build(self.config, memory=self.memory)
        cards = self.status.cards
        if result.ok and result.course is not None:
            cards = self.publish(result) or cards
        # Until the pages can be told: the preview is part of the wait.
        elapsed = time.perf_counter() - started
        message = outcome(result, self.config, elapsed)
        with self.changed:
            self.status = Status(
                self.status.version + 1, result.ok, tuple(result.diagnostics.items), message, cards
            )
            self.changed.notify_all()
        return self.status, result, elapsed

    def publish(self, result: BuildResult) -> int:
        """Make the preview of a good build (the page is served from memory, KaTeX from the site
        folder); the new cards' version (0: the same cards)."""
        assert result.course is not None
        notes = self.notes_of(result)
        written = write_preview(
            self.site,
            result.course.deck,
            notes,
            self.config.registry,
            cache=self.rendered,
            page_file=False,
        )
        page, data = written, written.data
        media = {
            name: self.config.content / source for note in notes for name, source in note.media
        }
        with self.changed:
            if self.data is not None and data == self.data and media == self.media:
                self.page = page
                return 0
            if self.data is not None:
                self.before = (self.version, self.data.head, self.data.cards)
            self.page, self.data, self.media = page, data, media
            self.version += 1
            return self.version

    def notes_of(self, result: BuildResult) -> list[RenderedNote]:
        """`result.notes`, those of a lesson kept as the last build kept it from `kept`, which
        is left holding this build's."""
        found: dict[str, tuple[RenderedNote, ...]] = {}
        notes: list[RenderedNote] = []
        # A kept lesson's block is the one the snapshot names: its id is not made again.
        ids = result.snapshot.blocks if result.snapshot is not None else {}
        for part, source in zip(result.parts, result.sources, strict=True):
            if part.block is None:
                notes.extend(part.final_notes())
                continue
            name = ids[source.lesson.rel]
            kept = self.kept.get(name)
            if kept is None:
                kept = tuple(part.final_notes())
            found[name] = kept
            notes.extend(kept)
        self.kept = found
        return notes

    def delta(self, shown: int) -> bytes:
        """What a page showing the cards of version `shown` needs to show the latest, as JSON:
        the cards that changed, by place, when only cards' contents did since the version
        before; else `full` (the page fetches all of its data again)."""
        with self.changed:
            latest, data, before = self.version, self.data, self.before
        if data is not None and shown == latest:
            return b'{"to": %d, "changed": []}' % latest
        if data is None or before is None:
            return b'{"to": %d, "full": true}' % latest
        version, head, cards = before
        if shown != version or head != data.head or len(cards) != len(data.cards):
            return b'{"to": %d, "full": true}' % latest
        changed = [
            b"[%d, %s%s]" % (index, *now)
            for index, (now, then) in enumerate(zip(data.cards, cards, strict=True))
            if now[1] is not then[1] and now != then
        ]
        return b'{"to": %d, "changed": [%s]}' % (latest, b", ".join(changed))

    def wait(self, seen: int, timeout: float) -> Status:
        """The status once its version is past `seen`, or after `timeout` seconds."""
        with self.changed:
            self.changed.wait_for(lambda: self.status.version > seen, timeout=timeout)
            return self.status

    def live_page(self) -> tuple[bytes, bool]:
        """The preview page with the live script, told which version it shows; and whether it
        is the preview (before a first good build, a page that waits for one: the script shows
        the problems meanwhile, and the cards once the course builds)."""
        with self.changed:
            page, status = self.page, self.status
        ready = page is not None
        # The page's last piece holds its end.
        *body, last = page.pieces if page is not None else [asset("waiting.html")]
        head, tail, rest = last.rpartition(b"</body>")
        if not tail:
            head, rest = last, b""
        script = (
            f"<script>window.ankigenServe = {json.dumps({'cards': status.cards})};</script>"
            f'<script src="{LIVE_SCRIPT}"></script>'
        ).encode()
        return b"".join((*body, head, script, tail, rest)), ready


def asset(name: str) -> bytes:
    """A file of `assets/` (the page's live script, the page that waits for a first build)."""
    return resources.files("generator.serve").joinpath("assets", name).read_bytes()


def outcome(result: BuildResult, config: BuildConfig, elapsed: float) -> str:
    if not result.ok:
        return report.failure(result, strict=config.strict) + "; the preview keeps the last cards"
    plan = report.plan_summary(result.plan) if result.plan is not None else ""
    if result.output is None:
        wrote = "preview only"
    elif result.written:
        wrote = f"wrote {result.output}"
    else:
        wrote = f"{result.output} is up to date"
    return f"built in {elapsed:.2f} s: {plan.removeprefix('changes: ')}; {wrote}"


def ignored(config: BuildConfig) -> Callable[[watchfiles.Change, str], bool]:
    """What a change must not rebuild for: the state file and output the build writes itself,
    temporaries, editors' swap files, hidden files."""
    default = watchfiles.DefaultFilter()
    skip = [config.lock_path.resolve(), config.out_dir.resolve()]

    def wanted(change: watchfiles.Change, path: str) -> bool:
        if not default(change, path) or path.endswith(TEMPORARY):
            return False
        resolved = Path(path).resolve()
        if any(resolved == other or other in resolved.parents for other in skip):
            return False
        root = config.content.resolve()
        parts = resolved.relative_to(root).parts if resolved.is_relative_to(root) else ()
        return not any(part.startswith(".") for part in parts)

    return wanted


def serve(
    config: BuildConfig,
    *,
    host: str,
    port: int,
    open_browser: bool,
    say: Say,
    tell: Tell,
    stop: threading.Event | None = None,
) -> None:
    """Build, serve, and build again on every change, until Ctrl+C (or `stop`)."""
    from generator.serve.server import start  # noqa: PLC0415 - the server needs the session

    session = Session(config, config.out_dir / "preview")
    told: set[str] = set()
    say(f"building {config.content} …")
    report_build(session, say, tell, told)
    if not config.content.is_dir():
        raise SystemExit(1)  # the build said so: there is nothing to watch
    try:
        server = start(session, host, port)
    except OSError as exc:
        say(f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port")
        raise SystemExit(1) from exc
    url = f"http://{host_of(host)}:{server.server_address[1]}/"
    say(f"serving the preview on {url} (Ctrl+C to stop)")
    if open_browser:
        webbrowser.open(url)
    stop = stop or threading.Event()
    stopping(stop)
    try:
        for changes in watchfiles.watch(
            config.content,
            watch_filter=ignored(config),
            debounce=400,
            step=30,
            stop_event=stop,
            raise_interrupt=False,
        ):
            names = shown(config, changes)
            if not names:
                continue  # only files that came and went: the course is as it was
            say(f"changed: {', '.join(sorted(names))}")
            report_build(session, say, tell, told)
    except KeyboardInterrupt:
        pass  # Ctrl+C during a build: what it was writing is written whole or not at all
    finally:
        server.shutdown()
        server.server_close()
        say("stopped")


def stopping(stop: threading.Event) -> None:
    """Stop on SIGTERM as on Ctrl+C (a service manager, a terminal closing)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())


def report_build(session: Session, say: Say, tell: Tell, told: set[str]) -> None:
    """Build; tell the problems the last build did not have (`told`: what it had), count the
    others: a course's standing warnings, repeated at every save, would bury the new one."""
    status, result, _ = session.rebuild()
    problems = result.diagnostics.sorted()
    texts = [problem.format() for problem in problems]
    tell([problem for problem, text in zip(problems, texts, strict=True) if text not in told])
    again = sum(text in told for text in texts)
    if again:
        say(f"{again} problem(s) as before, not repeated here (the page lists them all)")
    told.clear()
    told.update(texts)
    say(status.message)


def shown(config: BuildConfig, changes: Iterable[tuple[watchfiles.Change, str]]) -> set[str]:
    """The files that changed, relative to the course; not those that were made and removed
    again meanwhile, such as the temporary file an editor (or `sed -i`) writes and renames."""
    root = config.content.resolve()
    seen: dict[str, set[watchfiles.Change]] = {}
    for change, path in changes:
        seen.setdefault(path, set()).add(change)
    names = set()
    for path, kinds in seen.items():
        came_and_went = {watchfiles.Change.added, watchfiles.Change.deleted} <= kinds
        if came_and_went and not os.path.lexists(path):
            continue
        resolved = Path(path).resolve()
        if resolved == root:
            names.add(config.content_display)  # the folder itself: moved away, or back
        elif resolved.is_relative_to(root):
            names.add(str(resolved.relative_to(root)))
        else:
            names.add(path)
    return names


def host_of(host: str) -> str:
    return f"[{host}]" if ":" in host else host
