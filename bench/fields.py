"""Benchmark: build time against the size of one field. It must grow linearly.

For each shape of text and each size, the script writes a course with one reveal card whose answer
is that text, and builds it with the real CLI in a subprocess (`python -m generator build`), so the
time is what a user waits: discovery, parsing, rendering, plan and package. Shapes:

- `paragraphs`: paragraphs of prose with code spans, `$…$` math and prices such as `$5`;
- `one-paragraph`: the same text without blank lines, so one paragraph holds it all;
- `unpaired`: one paragraph of unpaired backticks and `\\(` (each would search the rest of it);
- `lists`: list items with emphasis, links and code.

For every shape it prints the time of each size, the time per megabyte of the field (the time of
the same build with a 1 kB field, start-up and packaging, taken off), and the growth exponent of
that time between the smallest and the largest size (time ∝ size^k: k = 1 is linear, 2 quadratic).
With --check the exit status is non-zero when an exponent exceeds 1.25.

    python bench/fields.py [--sizes 100000,400000,1600000,5000000] [--repeat 1] [--check]

Standard library only, so it runs in the project's runtime venv.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INDEX = "---\ndeck: Bench\nnamespace: bench-fields\n---\n"
UNITS = {
    "paragraphs": "Call `v.push(x)` for $O(1)$ time; `std::move` costs $5 and $a_i$ is fine.\n\n",
    "one-paragraph": "Call `v.push(x)` for $O(1)$ time; `std::move` costs $5 and $a_i$ is fine. ",
    "unpaired": "a `` b \\( c ` d $e ",
    "lists": "- *Item* with [a link](https://example.com) and `code` and **bold**\n",
}
DEFAULT_SIZES = (100_000, 400_000, 1_600_000, 5_000_000)
LIMIT = 1.25


def text_of(shape: str, size: int) -> str:
    unit = UNITS[shape]
    text = (unit * (size // len(unit) + 1))[:size]
    return text.rsplit(" ", 1)[0]


def build_once(shape: str, size: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        content.mkdir()
        (content / "_index.md").write_text(INDEX, encoding="utf-8")
        lesson = f"### A long answer\n\n{text_of(shape, size)}\n"
        (content / "long.md").write_text(lesson, encoding="utf-8")
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
        command = [sys.executable, "-m", "generator", "build", str(content), "--out", f"{tmp}/out"]
        start = time.perf_counter()
        done = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{shape} {size}: build failed\n{done.stderr}")
        return elapsed


def exponent(sizes: list[int], times: list[float]) -> float:
    return math.log(times[-1] / times[0]) / math.log(sizes[-1] / sizes[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--shapes", default=",".join(UNITS))
    parser.add_argument(
        "--repeat", type=int, default=1, help="builds per size (the fastest counts)"
    )
    parser.add_argument("--check", action="store_true", help=f"fail when k > {LIMIT}")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    worst = 0.0
    print(f"{'shape':<14} {'size':>10} {'seconds':>9} {'s/MB':>7}")
    for shape in args.shapes.split(","):
        base = min(build_once(shape, 1000) for _ in range(max(args.repeat, 3)))
        print(f"{shape:<14} {1000:>10} {base:>9.2f}", flush=True)
        times = []
        for size in sizes:
            seconds = min(build_once(shape, size) for _ in range(args.repeat))
            field = max(seconds - base, 1e-3)
            times.append(field)
            print(
                f"{shape:<14} {size:>10} {seconds:>9.2f} {field / (size / 1e6):>7.2f}", flush=True
            )
        k = exponent(sizes, times)
        worst = max(worst, k)
        print(f"{shape:<14} growth exponent k = {k:.2f}", flush=True)
    if args.check and worst > LIMIT:
        print(f"FAIL: build time grows faster than linearly (k = {worst:.2f} > {LIMIT})")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
