"""The mutation score of each room, from mutmut's results in mutants/.

mutmut keeps one `<module>.py.meta` file per mutated module with the exit code of each mutant's
test run. This script sorts them into rooms (`generator/<room>/`) and prints, per room:

    killed / total = score

- killed: a test failed (mutmut's "killed"), the tests ran out of time ("timeout": a mutant that
  loops for ever is caught), or the test process died ("segfault": a crash is caught too);
- survived: every selected test passed ("survived"), no test runs the mutated function
  ("no tests"), mutmut skipped it ("skipped"), or its test run ended oddly ("suspicious");
  so a mutant nothing tests counts against the score;
- not checked: not run yet (an interrupted run); also counted as not killed;
- equivalent: listed in mutation/equivalent.txt (a mutant that cannot change behaviour, with
  the reason); left out of the total and shown on their own.

    python mutation/score.py [--min 90] [--survivors] [--sampled] source render kinds anki

With --sampled (after `make mutate-sample`) only the mutants that were run count, and each score
is given with its 95% interval (Wilson's): the sample estimates the room's score.

With --min the exit status is non-zero when a room scores below that percentage; --survivors
lists the surviving mutants (see one with `mutmut show NAME`).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants" / "generator"
EQUIVALENT = Path(__file__).resolve().parent / "equivalent.txt"

# mutmut's exit codes (mutmut.stats.status_by_exit_code) and its name for each.
KILLED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout"}
KILLED |= {255: "timeout", -11: "segfault", -9: "segfault"}
SURVIVED = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 35: "suspicious"}


def status(code: int | None) -> str:
    """killed, survived or not checked."""
    if code in KILLED:
        return "killed"
    if code is None:
        return "not checked"
    return "survived"


def label(code: int | None) -> str:
    """mutmut's own word for a result."""
    if code is None:
        return "not checked"
    return KILLED.get(code) or SURVIVED.get(code) or f"suspicious (exit {code})"


def equivalent() -> dict[str, str]:
    """Mutant name → why it cannot change behaviour."""
    listed: dict[str, str] = {}
    if not EQUIVALENT.exists():
        return listed
    for raw in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, why = line.partition(" ")
        listed[name] = why.strip()
    return listed


def interval(killed: int, total: int) -> tuple[float, float]:
    """Wilson's 95% interval of a proportion, in %."""
    if not total:
        return 0.0, 100.0
    z = 1.96
    p = killed / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return 100 * (centre - half), 100 * (centre + half)


def results(room: str) -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    for meta in sorted((MUTANTS / room).glob("*.py.meta")):
        found.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rooms", nargs="+")
    parser.add_argument("--min", type=float, default=None, help="lowest passing score, in %%")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    parser.add_argument(
        "--sampled", action="store_true", help="count only the mutants run (a sample)"
    )
    args = parser.parse_args()
    listed = equivalent()
    failed = False
    print(f"{'room':<8} {'killed':>7} / {'total':<6} {'score':>6}  survived  not checked  equiv.")
    for room in args.rooms:
        found = results(room)
        if not found:
            print(f"{room:<8} no results: run `make mutate` first")
            failed = True
            continue
        counted = Counter(status(code) for name, code in found.items() if name not in listed)
        if args.sampled:
            del counted["not checked"]
        equivalents = sum(1 for name in found if name in listed)
        total = sum(counted.values())
        score = 100 * counted["killed"] / total if total else 100.0
        low, high = interval(counted["killed"], total)
        print(
            f"{room:<8} {counted['killed']:>7} / {total:<6} {score:>5.1f}%"
            f"  {counted['survived']:>8}  {counted['not checked']:>11}  {equivalents:>6}"
            + (f"  (95%: {low:.1f}–{high:.1f}%)" if args.sampled else "")
        )
        if args.min is not None and score < args.min:
            failed = True
        if args.survivors:
            for name, code in sorted(found.items()):
                if name not in listed and status(code) == "survived":
                    print(f"    {name}  ({label(code)})")
    made = {name for room in args.rooms for name in results(room)}
    stale = sorted(
        name
        for name in listed
        if name not in made and any(name.startswith(f"generator.{room}.") for room in args.rooms)
    )
    if stale:
        print(f"mutation/equivalent.txt names mutants not made: {', '.join(stale)}")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
