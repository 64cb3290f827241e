"""Benchmark `ankigen build` end to end on synthetic courses of 1,000 and 10,000 notes.

For each size the script writes a deterministic corpus with bench/corpus.py (cached under
bench/out/, keyed on a hash of corpus.py so a change to the generator regenerates it). Every run
builds a fresh copy of it with the real CLI in a subprocess, `python -m generator build CONTENT
--out OUT`, so state the build leaves in the content folder cannot make a repeat incremental.
Each run measures:

- wall time from spawn to exit, interpreter start-up and imports included, as a user sees it
  (reported as median and minimum of --repeat runs), and CPU time (user + system of the build and
  its workers), which is less disturbed by other load on the machine;
- peak memory of the whole process tree: VmRSS of the build and every descendant (the process
  pool's workers) read from /proc every ~10 ms and summed; the maximum over the run and over the
  repeats. Pages that forked workers still share with the parent are counted once per process,
  so this is an upper bound on what the tree occupies;
- the largest single process: the kernel's max RSS of the build and its reaped descendants
  (ru_maxrss, the figure `getrusage(RUSAGE_CHILDREN)` gives), read from `os.wait4` so that each
  size gets its own value rather than the maximum over everything run so far.

Every build must succeed and report exactly the number of notes the corpus was generated with.
The 10,000-note row is checked against the targets (median wall < 8 s, peak tree < 400 MB); the
1,000-note row is informative. The exit status is non-zero when a build fails or its note count
is wrong, and, with --check, when a target is missed.

    python bench/bench.py [--sizes 1000,10000] [--repeat 3] [--check] [--jobs N]

Linux only (/proc). Standard library only, so it runs in the project's runtime venv.
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
from dataclasses import dataclass
from pathlib import Path

from corpus import write_corpus

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
DEFAULT_SIZES = (1_000, 10_000)
MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Target:
    """Limits a corpus size must stay under."""

    wall_s: float
    peak_mb: float


TARGETS = {10_000: Target(wall_s=8.0, peak_mb=400.0)}
WROTE = re.compile(r"^wrote .+ \((?P<notes>\d+) notes, [\d.]+ KiB\)$", re.MULTILINE)
TOTAL_ROW = re.compile(r"^total\s.*?(?P<notes>\d+)$", re.MULTILINE)
MARKER = ".complete"
SOURCE_DATE_EPOCH = "1700000000"


@dataclass(frozen=True, slots=True)
class Run:
    """One build."""

    wall_s: float
    cpu_s: float
    """User plus system time of the build and its reaped workers."""
    peak_tree_bytes: int
    max_process_bytes: int
    processes: int
    """Most processes seen alive in the tree at once."""
    apkg_bytes: int
    notes: int | None
    """Notes the CLI says it wrote; None when it did not say."""
    returncode: int
    stderr: str


@dataclass(frozen=True, slots=True)
class Row:
    """All runs of one corpus size."""

    notes: int
    files: int
    runs: tuple[Run, ...]

    @property
    def build_failed(self) -> bool:
        return any(run.returncode != 0 for run in self.runs)

    @property
    def wrong_count(self) -> int | None:
        """The note count the CLI reported when it differs from the corpus's, else None."""
        return next((run.notes or 0 for run in self.runs if run.notes != self.notes), None)

    @property
    def failed(self) -> bool:
        return self.build_failed or self.wrong_count is not None

    @property
    def apkg_mb(self) -> float:
        return max(run.apkg_bytes for run in self.runs) / MB

    @property
    def wall_median(self) -> float:
        return statistics.median(run.wall_s for run in self.runs)

    @property
    def wall_min(self) -> float:
        return min(run.wall_s for run in self.runs)

    @property
    def cpu_median(self) -> float:
        return statistics.median(run.cpu_s for run in self.runs)

    @property
    def peak_tree_mb(self) -> float:
        return max(run.peak_tree_bytes for run in self.runs) / MB

    @property
    def max_process_mb(self) -> float:
        return max(run.max_process_bytes for run in self.runs) / MB

    def verdict(self) -> str | None:
        """PASS/FAIL against this size's target; None when the size has no target."""
        target = TARGETS.get(self.notes)
        if target is None:
            return None
        ok = self.wall_median < target.wall_s and self.peak_tree_mb < target.peak_mb
        return "PASS" if ok and not self.failed else "FAIL"


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


def children_by_scan(pid: int) -> list[int]:
    """Fallback for kernels without /proc/*/children: read every process's parent."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(errors="replace")
        except OSError:
            continue
        # The command name may contain spaces and parentheses; the fields after it do not.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


HAS_CHILDREN_FILE = Path(f"/proc/self/task/{os.getpid()}/children").exists()


def process_tree(root: int) -> list[int]:
    find = children if HAS_CHILDREN_FILE else children_by_scan
    tree: list[int] = []
    pending = [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(find(pid))
    return tree


def rss_bytes(pid: int) -> int:
    """Resident set size of one process; 0 once it has exited (zombies have no VmRSS)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(errors="replace")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class TreeSampler(threading.Thread):
    """Polls the summed RSS of a process tree until stopped; keeps the peak."""

    def __init__(self, root: int, interval_s: float) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval_s = interval_s
        self.peak_bytes = 0
        self.most_processes = 0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        tree = process_tree(self.root)
        total = sum(rss_bytes(pid) for pid in tree)
        self.peak_bytes = max(self.peak_bytes, total)
        self.most_processes = max(self.most_processes, len(tree))

    def run(self) -> None:
        self.sample()
        while not self._stop_event.wait(self.interval_s):
            self.sample()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# --- corpus and builds --------------------------------------------------------------------------


def corpus_key() -> str:
    """Changes whenever the corpus generator does, so a stale cached corpus is never reused."""
    return hashlib.sha256((BENCH_DIR / "corpus.py").read_bytes()).hexdigest()[:12]


def lesson_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*.md") if not path.name.startswith(("_", ".")))


def ensure_corpus(notes: int, *, regenerate: bool) -> tuple[Path, int]:
    """The corpus folder for `notes` and the note count it yields, generating it if needed."""
    key = corpus_key()
    folder = OUT_DIR / f"corpus-{notes}-{key}"
    # Discovery skips dot-files, so the marker inside the corpus is not a lesson.
    marker = folder / MARKER
    if regenerate and folder.exists():
        shutil.rmtree(folder)
    if marker.is_file():
        return folder, int(marker.read_text(encoding="ascii"))
    for stale in OUT_DIR.glob(f"corpus-{notes}-*"):
        shutil.rmtree(stale)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    # Generate beside the final place and rename, so an interrupted run never leaves a corpus
    # that looks complete.
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


def notes_reported(stdout: str) -> int | None:
    """The note count the CLI printed: its 'wrote …' line, else the total row of its deck table."""
    match = WROTE.search(stdout) or TOTAL_ROW.search(stdout)
    return int(match["notes"]) if match else None


def build_once(corpus: Path, interval_s: float, jobs: int | None) -> Run:
    with (
        tempfile.TemporaryDirectory(prefix="run-", dir=OUT_DIR) as work,
        tempfile.TemporaryFile("w+", encoding="utf-8") as stdout,
        tempfile.TemporaryFile("w+", encoding="utf-8") as stderr,
    ):
        # A fresh copy per run: the build writes state into the content folder (ankigen.lock),
        # which would turn every repeat into an incremental build of an unchanged course.
        content, out = Path(work) / "content", Path(work) / "build"
        shutil.copytree(corpus, content, ignore=shutil.ignore_patterns(MARKER))
        command = [sys.executable, "-m", "generator", "build", str(content), "--out", str(out)]
        if jobs is not None:
            command += ["--jobs", str(jobs)]
        # A fixed clock makes the package byte-identical between runs, so its size is comparable.
        env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
        # Output goes to files, not pipes: nothing has to drain them while we wait4() below.
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=stdout, stderr=stderr)
        sampler = TreeSampler(proc.pid, interval_s)
        sampler.start()
        # wait4 rather than proc.wait(): it returns this child's own rusage, whose ru_maxrss
        # covers the build and the pool workers it reaped.
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            sampler.stop()
            raise
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
        stdout.seek(0)
        stderr.seek(0)
        out_text, err_text = stdout.read(), stderr.read()
        packages = sorted(out.glob("*.apkg"))
        return Run(
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            peak_tree_bytes=sampler.peak_bytes,
            max_process_bytes=usage.ru_maxrss * 1024,
            processes=sampler.most_processes,
            apkg_bytes=packages[0].stat().st_size if len(packages) == 1 else 0,
            notes=notes_reported(out_text),
            returncode=proc.returncode,
            stderr=err_text,
        )


def bench_size(notes: int, args: argparse.Namespace) -> Row:
    started = time.perf_counter()
    corpus, expected = ensure_corpus(notes, regenerate=args.regenerate)
    files = lesson_files(corpus)
    print(
        f"{notes:>6} notes: corpus {corpus.relative_to(REPO)} "
        f"({files} lessons, ready in {time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
    )
    runs = []
    for attempt in range(1, args.repeat + 1):
        run = build_once(corpus, args.interval_ms / 1000, args.jobs)
        runs.append(run)
        print(
            f"        run {attempt}/{args.repeat}: {run.wall_s:.2f} s wall, {run.cpu_s:.2f} s CPU, "
            f"tree {run.peak_tree_bytes / MB:.0f} MB in {run.processes} process(es), "
            f"exit {run.returncode}",
            file=sys.stderr,
        )
        if run.returncode != 0:
            report_failure(run)
            break
        # Keep timing a build that counts differently: the numbers still say something, and
        # the row is marked as failed anyway.
        if run.notes != expected and attempt == 1:
            print(
                f"        build reported {run.notes} notes, the corpus has {expected}: "
                "the parser and bench/corpus.py disagree on what a note is",
                file=sys.stderr,
            )
        if run.stderr.strip():
            count = len(run.stderr.strip().splitlines())
            print(f"        note: the build printed {count} diagnostic line(s)", file=sys.stderr)
    return Row(expected, files, tuple(runs))


def report_failure(run: Run) -> None:
    print(f"        build FAILED with exit status {run.returncode}:", file=sys.stderr)
    for line in run.stderr.strip().splitlines()[-20:]:
        print(f"          {line}", file=sys.stderr)


# --- report -------------------------------------------------------------------------------------


def print_table(rows: list[Row], repeat: int) -> None:
    print()
    print(
        f"ankigen build, median/min of {repeat} run(s); Python {platform.python_version()}, "
        f"{os.cpu_count()} CPU(s)"
    )
    header = (
        f"{'notes':>7}  {'files':>5}  {'wall s (med/min)':>16}  {'cpu s':>6}  "
        f"{'peak tree MB':>12}  {'max proc MB':>11}  {'apkg MB':>7}  target"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        verdict = row.verdict()
        target = TARGETS.get(row.notes)
        if row.build_failed:
            result = "BUILD FAILED"
        elif row.wrong_count is not None:
            result = f"FAIL: build made {row.wrong_count} notes"
        elif verdict is None or target is None:
            result = "info"
        else:
            result = f"{verdict} (< {target.wall_s:g} s, < {target.peak_mb:g} MB)"
        wall = f"{row.wall_median:.2f} / {row.wall_min:.2f}"
        print(
            f"{row.notes:>7}  {row.files:>5}  {wall:>16}  {row.cpu_median:>6.2f}  "
            f"{row.peak_tree_mb:>12.1f}  "
            f"{row.max_process_mb:>11.1f}  {row.apkg_mb:>7.2f}  {result}"
        )


def warn_if_busy() -> None:
    """Wall times are only comparable on an otherwise idle machine; say so when it is not.

    Checked before the first build: afterwards the load average mostly reflects our own builds.
    """
    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    if load > cpus / 2:
        print(
            f"warning: load average {load:.2f} on {cpus} CPU(s): other work is running, wall "
            "times are inflated (the CPU column is less affected)",
            file=sys.stderr,
        )


def parse_sizes(values: list[str]) -> list[int]:
    return [int(part) for value in values for part in value.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        nargs="+",
        default=[",".join(map(str, DEFAULT_SIZES))],
        help="note counts to benchmark, e.g. '1000,10000' or '1000 10000' (default: %(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="builds per size (default: 3)")
    parser.add_argument(
        "--check", action="store_true", help="exit non-zero when a target is missed"
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="pass --jobs to the build (default: its own)"
    )
    parser.add_argument(
        "--interval-ms", type=float, default=10.0, help="memory polling interval (default: 10)"
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="rewrite the corpora even if cached"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = parse_sizes(args.sizes)
    if not sizes or min(sizes) < 1:
        parser.error("--sizes needs positive note counts")

    warn_if_busy()
    rows = [bench_size(notes, args) for notes in sizes]
    print_table(rows, args.repeat)
    if any(row.failed for row in rows):
        return 1
    if args.check and any(row.verdict() == "FAIL" for row in rows):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
