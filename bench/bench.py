"""Benchmark `ankigen build` on a synthetic course of 10,000 notes, with its cache and without it,
side by side, in one run; and against a bare Python-Markdown + Pygments + genanki loop.

The corpus comes from bench/corpus.py (deterministic; cached under bench/out/, keyed on a hash of
corpus.py). Every build is the real command in a subprocess, `python -m generator build CONTENT
--out OUT`, so start-up and imports count, as a user sees them. Scenarios, each timed --repeat
times (median reported), with the cache (the default) and with `--no-cache`:

- **cold build**: a fresh copy of the course, no state file, an empty output folder;
- **no-change rebuild**: the same course built again, nothing changed;
- **one-lesson edit**: one word of one lesson changed (a different word every time), built again;

then the bare loop (bench/bare.py, one process) on the same course, and cold builds of 50,000
notes (the median of --big-repeat, 3 by default: one such build varies by a tenth from run to
run, as much as the target's margin).

Memory is measured in rounds of its own (--memory-repeat, 3 by default), before the timed ones:
every scenario once more, its memory sampled every ~10 ms: the proportional set size (PSS) of
the build's process tree, summed (shared pages counted once), and the largest single process's
resident size (the kernel's max RSS). The sampler reads /proc from this process while the build
runs on the same two cores: it made an edit build 27 ms slower (a median of 16 pairs), so no
timed build is sampled.

Targets, at 10,000 notes on two cores: no-change rebuild ≤ 0.3 s; one-lesson edit ≤ 0.5 s; cold
build ≤ 0.8 × the bare loop's wall time; 50,000 notes cold ≤ 5 × the 10,000 cold time; peak
memory ≤ 150 MB, of every build of the 10,000 notes (cold, no change, after an edit). Wall times
depend on the machine's load: the CPU column (user + system of the build and its workers) is
less disturbed, and the script warns when the machine was busy.

    python bench/bench.py [--notes 10000] [--big 50000] [--repeat 5] [--big-repeat 3]
        [--memory-repeat 3] [--check] [--jobs N]

The exit status is non-zero when a build fails or reports a wrong note count, and, with
--check, when a target is missed. Linux only (/proc). Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpus import write_corpus

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
MB = 1024 * 1024
MARKER = ".complete"
SOURCE_DATE_EPOCH = "1700000000"
REPORTED = re.compile(
    r"^(?:wrote (?P<path>.+)|(?P<same>.+) is up to date) \((?P<notes>\d+) notes, [\d.]+ KiB\)",
    re.MULTILINE,
)
EXPLANATION = "**Explanation:** "

NO_CHANGE_S = 0.3
EDIT_S = 0.5
COLD_VS_BARE = 0.8
BIG_VS_SMALL = 5.0
PEAK_MB = 150.0


@dataclass(frozen=True, slots=True)
class Run:
    """One process, measured."""

    wall_s: float
    cpu_s: float
    """User plus system time of the process and its reaped workers."""
    peak_pss_bytes: int
    """The largest sum of PSS over the process tree."""
    max_rss_bytes: int
    """The largest single process's resident size."""
    notes: int | None
    """Notes the build reported; None when it said nothing about them."""
    returncode: int
    output: str


@dataclass(slots=True)
class Series:
    """Runs of one scenario."""

    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(run.wall_s for run in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(run.cpu_s for run in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(run.peak_pss_bytes for run in self.runs) / MB

    @property
    def max_process_mb(self) -> float:
        return max(run.max_rss_bytes for run in self.runs) / MB

    @property
    def failed(self) -> bool:
        return any(run.returncode != 0 for run in self.runs)


# --- process tree memory ------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """Direct children of `pid`, from every thread (a pool may fork from a helper thread)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def process_tree(root: int) -> list[int]:
    tree: list[int] = []
    pending = [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children(pid))
    return tree


def pss_bytes(pid: int) -> int:
    """Proportional set size: private pages, plus shared ones divided among their sharers (so
    a forked worker's pages shared with its parent are not counted twice)."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text(errors="replace")
    except OSError:
        return 0
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (cheap to read); 0 once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(errors="replace")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class TreeSampler(threading.Thread):
    """Follows the memory of a process tree until stopped, and keeps the peak of its summed PSS.

    Reading a process's PSS walks its page tables (milliseconds for a few hundred MB): done at
    every ~10 ms it would take a core of the two the build runs on. So the cheap resident size is
    read every ~10 ms, and the PSS when the tree's resident size reaches a new high (by 4 MB), or
    every 0.25 s: the PSS peak is where the resident peak is."""

    def __init__(self, root: int, interval_s: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval_s = interval_s
        self.peak_bytes = 0
        self.rss_high = 0
        self.pss_at = 0.0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        tree = process_tree(self.root)
        rss = sum(rss_bytes(pid) for pid in tree)
        now = time.monotonic()
        if rss > self.rss_high + 4 * MB or now - self.pss_at > 0.25:
            self.rss_high = max(self.rss_high, rss)
            self.pss_at = now
            self.peak_bytes = max(self.peak_bytes, sum(pss_bytes(pid) for pid in tree))

    def run(self) -> None:
        self.sample()
        while not self._stop_event.wait(self.interval_s):
            self.sample()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure(command: list[str], cwd: Path = REPO, *, sample: bool = True) -> Run:
    """Run `command`, with its wall and CPU time, and its memory when `sample` (else the peak
    is 0: the sampler takes CPU from the build)."""
    # An installed tool runs from cached bytecode; a shell that turns bytecode caching off
    # would make every run compile the package first, which no user sees.
    env = {
        **{key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"},
        "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
        "NO_COLOR": "1",
    }
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=output)
        sampler = TreeSampler(process.pid) if sample else None
        if sampler is not None:
            sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.kill()
            process.wait()
            if sampler is not None:
                sampler.stop()
            raise
        wall = time.perf_counter() - started
        if sampler is not None:
            sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read()
    found = REPORTED.search(text)
    return Run(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_pss_bytes=sampler.peak_bytes if sampler is not None else 0,
        max_rss_bytes=usage.ru_maxrss * 1024,
        notes=int(found["notes"]) if found else None,
        returncode=process.returncode,
        output=text,
    )


# --- corpus and builds --------------------------------------------------------------------------


def corpus_key() -> str:
    """Changes whenever the corpus generator does, so a stale cached corpus is never reused."""
    return hashlib.sha256((BENCH_DIR / "corpus.py").read_bytes()).hexdigest()[:12]


def ensure_corpus(notes: int) -> tuple[Path, int]:
    """The corpus folder for `notes` and the note count it yields, generating it if needed."""
    folder = OUT_DIR / f"corpus-{notes}-{corpus_key()}"
    marker = folder / MARKER
    if marker.is_file():
        return folder, int(marker.read_text(encoding="ascii"))
    for stale in OUT_DIR.glob(f"corpus-{notes}-*"):
        shutil.rmtree(stale)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    # Generated beside its place and renamed, so an interrupted run never leaves a corpus that
    # looks complete. Discovery skips dot-files: the marker is not a lesson.
    staging = Path(tempfile.mkdtemp(prefix=f".corpus-{notes}-", dir=OUT_DIR))
    try:
        expected = write_corpus(staging, notes)
        (staging / MARKER).write_text(str(expected), encoding="ascii")
        staging.chmod(0o755)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder, expected


def fresh_copy(corpus: Path, work: Path) -> tuple[Path, Path]:
    """A copy of the course, without state, and an empty output folder."""
    if work.exists():
        shutil.rmtree(work)
    content, out = work / "content", work / "build"
    shutil.copytree(corpus, content, ignore=shutil.ignore_patterns(MARKER))
    out.mkdir(parents=True)
    return content, out


def build(content: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "generator", "build", str(content), "--out", str(out), *extra]


def edited_lesson(content: Path) -> Path:
    """The lesson in the middle of the course (its notes in the middle of the package)."""
    lessons = sorted(
        path
        for path in content.rglob("*.md")
        if not path.name.startswith("_") and EXPLANATION in path.read_text(encoding="utf-8")
    )
    return lessons[len(lessons) // 2]


def edit(lesson: Path, count: int) -> None:
    """One card's explanation changed, in front: a word numbered `count` put there, where the
    last edit's is replaced, with one word more or less than it (so that every edit changes the
    note's length, as most edits do, and gives a text no build has seen: an edit undone would be
    found in the compile cache)."""
    text = lesson.read_text(encoding="utf-8")
    marked = re.compile(r"\*\*Explanation:\*\* edited\d+ (?:again )?")
    words = f"{EXPLANATION}edited{count} " + "again " * (count % 2)
    if marked.search(text):
        text = marked.sub(lambda _: words, text, count=1)
    else:
        text = text.replace(EXPLANATION, words, 1)
    lesson.write_text(text, encoding="utf-8")


# --- the benchmark ------------------------------------------------------------------------------


@dataclass(slots=True)
class Results:
    """Every series of one benchmark run."""

    notes: int
    lessons: int
    series: dict[str, Series] = field(default_factory=dict)
    """Timed runs, by scenario."""
    memory: dict[str, Series] = field(default_factory=dict)
    """Runs whose memory was sampled (their times are not counted), by scenario."""

    def add(self, name: str, run: Run, *, sampled: bool = False) -> Run:
        (self.memory if sampled else self.series).setdefault(name, Series()).runs.append(run)
        return run


def timed(
    results: Results,
    name: str,
    command: list[str],
    expected: int | None,
    say: Say,
    *,
    sampled: bool = False,
) -> Run:
    """`command` run and added to `results`: timed, or with its memory sampled."""
    run = results.add(name, measure(command, sample=sampled), sampled=sampled)
    counted = "" if expected is None or run.notes in (expected, None) else f" (said {run.notes})"
    memory = f"{run.peak_pss_bytes / MB:6.0f} MB" if sampled else "     (timed)"
    say(f"  {name:<28} {run.wall_s:6.2f} s wall {run.cpu_s:6.2f} s CPU {memory}{counted}")
    if run.returncode != 0 or (expected is not None and run.notes not in (expected, None)):
        say(f"    FAILED (exit {run.returncode}):")
        for line in run.output.strip().splitlines()[-15:]:
            say(f"      {line}")
    return run


Say = Callable[[str], None]


def bench_course(corpus: Path, expected: int, args: argparse.Namespace, say: Say) -> Results:
    lessons = sum(1 for path in corpus.rglob("*.md") if not path.name.startswith(("_", ".")))
    results = Results(expected, lessons)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=OUT_DIR))
    try:
        for attempt in range(args.memory_repeat + args.repeat):
            sampled = attempt < args.memory_repeat
            if sampled:
                say(f" memory {attempt + 1}/{args.memory_repeat}")
            else:
                say(f" repeat {attempt + 1 - args.memory_repeat}/{args.repeat}")
            Round(results, corpus, work, args, say, sampled=sampled).run(attempt)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


@dataclass(frozen=True, slots=True)
class Round:
    """Every scenario once: timed, or with its memory sampled."""

    results: Results
    corpus: Path
    work: Path
    args: argparse.Namespace
    say: Say
    sampled: bool

    def build(self, name: str, content: Path, out: Path, *flags: str) -> None:
        jobs = ["--jobs", str(self.args.jobs)] if self.args.jobs is not None else []
        command = build(content, out, *jobs, *flags)
        timed(self.results, name, command, self.results.notes, self.say, sampled=self.sampled)

    def run(self, attempt: int) -> None:
        work = self.work
        for name, flags in (("cold, no cache", ["--no-cache"]), ("cold", [])):
            content, out = fresh_copy(self.corpus, work / name.replace(",", "").replace(" ", "-"))
            self.build(name, content, out, *flags)
        # The cached course, built once above: rebuilt as it is, then after an edit.
        content, out = work / "cold" / "content", work / "cold" / "build"
        plain_content, plain_out = (
            work / "cold-no-cache" / "content",
            work / "cold-no-cache" / "build",
        )
        self.build("no change", content, out)
        self.build("no change, no cache", plain_content, plain_out, "--no-cache")
        edit(edited_lesson(content), attempt)
        self.build("one-lesson edit", content, out)
        edit(edited_lesson(plain_content), attempt)
        self.build("one-lesson edit, no cache", plain_content, plain_out, "--no-cache")
        bare = [sys.executable, str(BENCH_DIR / "bare.py"), str(self.corpus), str(work / "b.apkg")]
        timed(self.results, "bare loop", bare, None, self.say, sampled=self.sampled)


def bench_big(corpus: Path, expected: int, args: argparse.Namespace, say: Say) -> Series:
    jobs = ["--jobs", str(args.jobs)] if args.jobs is not None else []
    series = Series()
    work = Path(tempfile.mkdtemp(prefix="run-", dir=OUT_DIR))
    try:
        for attempt in range(args.big_repeat):
            say(f" repeat {attempt + 1}/{args.big_repeat}")
            content, out = fresh_copy(corpus, work / "big")
            results = Results(expected, 0)
            series.runs.append(timed(results, "cold", build(content, out, *jobs), expected, say))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return series


# --- report -------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(results: Results, big: Series | None, big_notes: int, load: float) -> tuple[str, bool]:
    """The side-by-side table, and whether every target holds."""
    series = results.series
    cold, plain = series["cold"], series["cold, no cache"]
    same, same_plain = series["no change"], series["no change, no cache"]
    edit_run, edit_plain = series["one-lesson edit"], series["one-lesson edit, no cache"]
    bare = series["bare loop"]
    cold_ratio = cold.wall / bare.wall
    checks = {
        "cold": cold_ratio <= COLD_VS_BARE,
        "same": same.wall <= NO_CHANGE_S,
        "edit": edit_run.wall <= EDIT_S,
    }
    repeats = len(cold.runs)
    lines = [
        "",
        f"ankigen build, {results.notes:,} notes in {results.lessons} lessons; median of "
        f"{repeats} run(s); Python {platform.python_version()}, {os.cpu_count()} CPU(s), "
        f"load average {load:.2f} at the start",
        "",
        f"{'scenario':<22} {'cached':>15} {'no cache':>15} {'cached/no cache':>16}   "
        f"{'target':<34} result",
    ]
    lines.append("-" * (len(lines[-1]) + 6))

    def row(name: str, one: Series, two: Series, target: str, result: str) -> None:
        cached = f"{one.wall:.2f} s ({one.cpu:.2f})"
        plain_text = f"{two.wall:.2f} s ({two.cpu:.2f})"
        ratio = f"{one.wall / two.wall:.2f}"
        lines.append(
            f"{name:<22} {cached:>15} {plain_text:>15} {ratio:>16}   {target:<34} {result}"
        )

    row(
        "cold build",
        cold,
        plain,
        f"≤ {COLD_VS_BARE} × bare loop ({COLD_VS_BARE * bare.wall:.2f} s)",
        f"{verdict(checks['cold'])} ({cold_ratio:.2f} × bare)",
    )
    row("no-change rebuild", same, same_plain, f"≤ {NO_CHANGE_S} s", verdict(checks["same"]))
    row("one-lesson edit", edit_run, edit_plain, f"≤ {EDIT_S} s", verdict(checks["edit"]))
    lines.append(
        f"{'bare loop':<22} {bare.wall:>8.2f} s ({bare.cpu:.2f})   Python-Markdown + Pygments + "
        "genanki, one process (bench/bare.py)"
    )
    if big is not None and big.runs:
        ratio = big.wall / cold.wall
        checks["big"] = ratio <= BIG_VS_SMALL
        lines.append(
            f"{f'cold, {big_notes:,} notes':<22} {f'{big.wall:.2f} s ({big.cpu:.2f})':>15} "
            f"{'':>15} {'':>16}   {f'≤ {BIG_VS_SMALL:g} × cold {results.notes:,} notes':<34} "
            f"{verdict(checks['big'])} ({ratio:.2f} ×)"
        )
    lines.extend(memory_rows(results.memory, checks))
    lines.append("")
    lines.append(
        "Times are medians of wall time, CPU (user + system) in brackets. 'cached' is a plain "
        "`ankigen build`; 'no cache' is `ankigen build --no-cache`. Memory is the largest of the "
        "rounds that sampled it, whose builds are not timed."
    )
    return "\n".join(lines), all(checks.values())


MEMORY_ROWS = (
    ("peak memory, cold", "cold"),
    ("peak memory, no change", "no change"),
    ("peak memory, edit", "one-lesson edit"),
)


def memory_rows(memory: dict[str, Series], checks: dict[str, bool]) -> list[str]:
    """The peak memory of each build of the course, cached and not (its target is checked for
    every one of them, in `checks`), and the largest single process."""
    if not memory:
        return []
    rows = []
    for label, name in MEMORY_ROWS:
        cached, plain = memory[name], memory[f"{name}, no cache"]
        checks[f"memory: {name}"] = ok = max(cached.peak_mb, plain.peak_mb) <= PEAK_MB
        rows.append(
            f"{label:<22} {f'{cached.peak_mb:.0f} MB':>15} {f'{plain.peak_mb:.0f} MB':>15}"
            f" {'':>16}   {f'≤ {PEAK_MB:g} MB (PSS of the process tree)':<34} {verdict(ok)}"
        )
    largest = max((memory[name] for _, name in MEMORY_ROWS), key=lambda one: one.max_process_mb)
    largest_plain = max(
        (memory[f"{name}, no cache"] for _, name in MEMORY_ROWS),
        key=lambda one: one.max_process_mb,
    )
    rows.append(
        f"{'largest process':<22} {f'{largest.max_process_mb:.0f} MB':>15} "
        f"{f'{largest_plain.max_process_mb:.0f} MB':>15}"
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--notes", type=int, default=10_000, help="notes (default: 10000)")
    parser.add_argument(
        "--big", type=int, default=50_000, help="notes of the large cold build (0: none)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each scenario (5)")
    parser.add_argument("--big-repeat", type=int, default=3, help="runs of the large build (3)")
    parser.add_argument(
        "--memory-repeat",
        type=int,
        default=3,
        help="rounds that sample memory, not timed (3; 0: memory is not measured)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for the builds")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.notes < 1 or args.memory_repeat < 0:
        parser.error("--repeat and --notes must be positive, --memory-repeat not negative")

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1) / 2:
        say(f"warning: load average {load:.2f}: other work is running, wall times are inflated")
    corpus, expected = ensure_corpus(args.notes)
    say(f"{args.notes:,} notes: {corpus.relative_to(REPO)}")
    # Imports the whole command once, so its bytecode is cached before anything is timed.
    with tempfile.TemporaryDirectory(prefix="warm-", dir=OUT_DIR) as warm:
        measure(build(REPO / "content", Path(warm), "--no-cache", "--lock", f"{warm}/lock"))
    results = bench_course(corpus, expected, args, say)
    big = None
    if args.big:
        big_corpus, big_expected = ensure_corpus(args.big)
        say(f"{args.big:,} notes: {big_corpus.relative_to(REPO)}")
        big = bench_big(big_corpus, big_expected, args, say)
    text, ok = table(results, big, args.big, load)
    print(text)
    runs = [*results.series.values(), *results.memory.values()]
    failed = any(series.failed for series in runs) or (big is not None and big.failed)
    if failed:
        print("a build failed: see above")
        return 1
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
