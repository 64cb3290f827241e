"""A fixed sample of the mutants of some rooms, for a quicker estimate of their scores.

A full `make mutate` runs every mutant (about 11,000 of them, hours on two cores). This prints
the names of one mutant in EVERY, chosen by a hash of its name, so the same mutants are chosen
in every run and a change to one function does not reshuffle the rest:

    python mutation/sample.py --every 10 [--salt TEXT] source render kinds anki

It reads the mutants mutmut made (mutants/generator/<room>/*.py.meta), so it runs after
mutmut has made them (`make mutate-sample` does both).
"""

from __future__ import annotations

import argparse
import hashlib
import sys

from score import equivalent, results


def chosen(name: str, every: int, salt: str) -> bool:
    return int(hashlib.sha256((salt + name).encode()).hexdigest()[:8], 16) % every == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rooms", nargs="+")
    parser.add_argument("--every", type=int, default=10, help="one mutant in this many")
    parser.add_argument(
        "--salt",
        default="",
        help="another fixed sample: tests written against one sample's "
        "survivors are measured fairly on another",
    )
    args = parser.parse_args()
    listed = equivalent()
    names = [
        name
        for room in args.rooms
        for name in sorted(results(room))
        if name not in listed and chosen(name, args.every, args.salt)
    ]
    if not names:
        print("no mutants made: run mutmut first", file=sys.stderr)
        return 1
    print("\n".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
