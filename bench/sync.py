"""Time `ankigen sync` on the seed course and a 10,000-note course: the first sync into an empty
collection, a sync with nothing to do, and a sync after one edit — through the collection file
(the `anki` package) and, where Anki desktop and the AnkiConnect add-on are available (the test
set-up, see tests/ankiconnect.py), through AnkiConnect.

Every sync runs the real CLI in a subprocess (`python -m generator sync …`), so interpreter
start-up, imports, the build's gather phase, reading the collection and writing it are all in
the figure, as a user waits for it. Each sync must succeed and do what was expected (all notes
new, then none changed, then exactly one updated); the exit status is non-zero otherwise.

    python bench/sync.py [--sizes seed,10000] [--no-ankiconnect]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import write_corpus

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
PLAIN_LINE = re.compile(r"^[A-Z][^|`*\n<=]*[.!?]$", re.M)


def sync(content: Path, work: Path, target: list[str]) -> tuple[float, dict[str, int]]:
    command = [sys.executable, "-m", "generator", "sync", str(content), "--json"]
    command += ["--out", str(work / "out"), "--lock", str(work / "ankigen.lock"), *target]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"sync failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed, json.loads(done.stdout)["changes"]


def one_edit(content: Path) -> str:
    """Reword one answer: append to the first plain sentence under a card heading."""
    for lesson in sorted(content.rglob("*.md")):
        if lesson.name == "_index.md":
            continue
        text = lesson.read_text(encoding="utf-8")
        heading = re.search(r"^### (?!Key facts|Common confusions|Summary|Analogy)", text, re.M)
        if heading is None:
            continue
        following = re.compile(r"^#{2,3} ", re.M).search(text, heading.end())
        end = following.start() if following else len(text)
        line = PLAIN_LINE.search(text, heading.end(), end)
        if line is None:
            continue
        at = line.end() - 1
        lesson.write_text(text[:at] + " (reworded)" + text[at:], encoding="utf-8")
        return str(lesson.relative_to(content))
    raise SystemExit("no card to edit")


def course(size: str, folder: Path) -> Path:
    content = folder / "content"
    if size == "seed":
        shutil.copytree(REPO / "content", content)
        (content / "ankigen.lock").unlink(missing_ok=True)
    else:
        write_corpus(content, int(size))
    return content


def run(size: str, via: str, make_target: object) -> list[str]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as tmp:
        work = Path(tmp)
        content = course(size, work)
        with make_target(work) as target:  # type: ignore[operator]
            first, changes = sync(content, work, target)
            notes = changes["add"]
            assert changes["update"] == 0, changes
            rows.append(f"{size:>6} {via:<12} first sync ({notes} notes new)   {first:7.2f} s")
            idle, changes = sync(content, work, target)
            assert changes["add"] == changes["update"] == 0, changes
            rows.append(f"{size:>6} {via:<12} nothing to do                 {idle:7.2f} s")
            edited = one_edit(content)
            after, changes = sync(content, work, target)
            assert changes["update"] == 1 and changes["add"] == 0, (edited, changes)
            rows.append(f"{size:>6} {via:<12} one edit (1 updated)          {after:7.2f} s")
    return rows


class CollectionFile:
    def __init__(self, work: Path) -> None:
        self.path = work / "anki" / "collection.anki2"

    def __enter__(self) -> list[str]:
        from anki.collection import Collection  # noqa: PLC0415

        self.path.parent.mkdir()
        Collection(str(self.path)).close()
        return ["--collection", str(self.path)]

    def __exit__(self, *exc: object) -> None:
        return None


class Connect:
    def __init__(self, work: Path) -> None:
        from tests.ankiconnect import running_anki  # noqa: PLC0415

        self.context = running_anki(work / "anki-base", work / "anki.log")

    def __enter__(self) -> list[str]:
        anki = self.context.__enter__()
        return ["--url", anki.url, "--api-key", anki.api_key]

    def __exit__(self, *exc: object) -> None:
        self.context.__exit__(None, None, None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="seed,10000")
    parser.add_argument("--no-ankiconnect", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    targets: list[tuple[str, object]] = [("file", CollectionFile)]
    if not args.no_ankiconnect:
        from tests.ankiconnect import missing  # noqa: PLC0415

        reason = missing()
        if reason is None:
            targets.append(("ankiconnect", Connect))
        else:
            print(f"AnkiConnect not measured: {reason}")
    for size in args.sizes.split(","):
        for via, make in targets:
            for row in run(size, via, make):
                print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
