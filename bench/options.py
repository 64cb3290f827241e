"""Measure the generated multiple-choice cards a build makes: could a learner guess the answer
without knowing it, and does an edit in one lesson disturb the others?

For a course (the seed course in content/, a generated corpus of mixed answers, and the
corpus of bench/corpus.py) it builds a copy with its own state file and reports, over every
generated card:

- options per card, and where the answer sits (position counts: uniform is the goal);
- how often "pick the longest option" (ties broken at random) finds the answer: about 1/n is
  the goal, with n options;
- how many wrong options are of another form than the answer (a number among words, code among
  prose) and how many are text the card's question already shows;
- the true/false cards: how many are "True";
- a one-lesson edit (an answer reworded, a cloze point added, a definition reworded) and the
  notes that changed, in that lesson and in every other one;
- warnings about short cards on a rebuild with no change.

It reads the package's fields, not the build's internals, so the same script measures an older
checkout: `PYTHONPATH=/path/to/checkout python bench/options.py`.

    python bench/options.py [--corpus-lessons 40] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from corpus import write_corpus  # noqa: E402

from generator.config import BuildConfig  # noqa: E402
from generator.pipeline import BuildResult, build  # noqa: E402

# The form rules are read from this checkout's file, so an older build is judged by the same rules.
_spec = importlib.util.spec_from_file_location("shapes", REPO / "generator/kinds/shapes.py")
assert _spec is not None and _spec.loader is not None
shapes = importlib.util.module_from_spec(_spec)
sys.modules["shapes"] = shapes
_spec.loader.exec_module(shapes)

OPTION = re.compile(
    r'<li class="ak-option" data-correct="(?P<correct>true|false)"[^>]*>.*?'
    r'<span class="ak-option-text">(?P<text>.*?)</span>'
    r'(?:<div class="ak-option-note">.*?</div>)?</li>',
    re.DOTALL,
)
NOW = 2_000_000_000


@dataclass
class Figures:
    """What one build of one course shows."""

    course: str
    generated_cards: int = 0
    options_per_card: dict[int, int] = field(default_factory=dict)
    answer_position: dict[int, int] = field(default_factory=dict)
    answer_longest: float = 0.0
    expected_longest: float = 0.0
    other_form: float = 0.0
    shown_by_question: float = 0.0
    true_false: dict[str, int] = field(default_factory=dict)
    edited_lesson: str = ""
    changed_in_edited_lesson: int = 0
    changed_in_other_lessons: int = 0
    short_card_warnings_on_rebuild: int = 0


def options_of(field_html: str) -> list[tuple[bool, str]]:
    return [(m["correct"] == "true", m["text"]) for m in OPTION.finditer(field_html)]


def measure(result: BuildResult, figures: Figures) -> None:
    positions: Counter[int] = Counter()
    counts: Counter[int] = Counter()
    longest = expected = 0.0
    wrong_total = other_form = shown = 0
    verdicts: Counter[str] = Counter()
    for note in result.notes:
        construct = note.meta.construct
        if construct == "confusion":
            answer = next(text for ok, text in options_of(note.fields[1]) if ok)
            verdicts[shapes.plain(answer)] += 1
            continue
        if not construct.endswith("-choice") or construct == "multiple-choice":
            continue  # authored questions are the author's; `ankigen lint` looks at those
        options = options_of(note.fields[1])
        question = shapes.plain(note.fields[0])
        correct = next(i for i, (ok, _) in enumerate(options) if ok)
        positions[correct] += 1
        counts[len(options)] += 1
        lengths = [len(shapes.plain(text)) for _, text in options]
        # What "pick the longest option" scores, ties broken at random.
        if lengths[correct] == max(lengths):
            longest += 1 / lengths.count(max(lengths))
        expected += 1 / len(options)
        answer = shapes.shape_of(options[correct][1])
        slot = shapes.Slot(question)
        for index, (_, text) in enumerate(options):
            if index == correct:
                continue
            wrong_total += 1
            option = shapes.shape_of(text)
            other_form += option.kind != answer.kind
            shown += shapes.contains(shapes.words(slot.shown), shapes.words(option.text))
    total = sum(counts.values())
    figures.generated_cards = total
    figures.options_per_card = dict(sorted(counts.items()))
    figures.answer_position = dict(sorted(positions.items()))
    figures.answer_longest = round(longest / total, 3) if total else 0.0
    figures.expected_longest = round(expected / total, 3) if total else 0.0
    figures.other_form = round(other_form / wrong_total, 3) if wrong_total else 0.0
    figures.shown_by_question = round(shown / wrong_total, 3) if wrong_total else 0.0
    figures.true_false = dict(verdicts)


def build_course(content: Path, out: Path, now: int) -> BuildResult:
    config = BuildConfig(content=content, out_dir=out, jobs=1, lock=out / "ankigen.lock", now=now)
    return build(config)


def changed_paths(result: BuildResult) -> Counter[str]:
    assert result.plan is not None
    return Counter(
        change.path
        for change in result.plan.changes
        if change.status.value != "unchanged" and change.path
    )


def edit_lesson(path: Path) -> None:
    """Three edits an author makes in one sitting: an answer reworded, a point added, a
    definition reworded."""
    text = path.read_text(encoding="utf-8")
    deletion = re.search(r"==(?!c\d)([^=|\n]+?)(?:\s*\|\|[^=\n]*)?==", text)
    if deletion:
        text = text.replace(deletion[0], f"=={deletion[1].strip()} itself==", 1)
    definition = re.search(r"^:   (.+)$", text, re.MULTILINE)
    if definition:
        text = text.replace(definition[0], f":   In short: {definition[1]}", 1)
    text += "\n## Added\n\n- A new point names ==a fresh answer== here. <!-- id: bench-added -->\n"
    path.write_text(text, encoding="utf-8")


def run(name: str, source: Path, lesson: str) -> Figures:
    figures = Figures(name, edited_lesson=lesson)
    with tempfile.TemporaryDirectory(prefix="ankigen-options-") as workdir:
        content = Path(workdir) / "content"
        shutil.copytree(source, content)
        out = Path(workdir) / "out"
        lock = content / "ankigen.lock"
        out.mkdir()
        if lock.exists():
            shutil.copyfile(lock, out / "ankigen.lock")
        first = build_course(content, out, NOW)
        if first.output is None:
            raise SystemExit(
                f"{name}: build failed: {[d.format() for d in first.diagnostics.errors]}"
            )
        second = build_course(content, out, NOW + 10)
        figures.short_card_warnings_on_rebuild = sum(
            "options instead of" in d.message or "no multiple-choice card" in d.message
            for d in second.diagnostics.items
        )
        measure(second, figures)
        edit_lesson(content / lesson)
        edited = build_course(content, out, NOW + 20)
        paths = changed_paths(edited)
        mine = str(content / lesson)
        figures.changed_in_edited_lesson = paths.pop(mine, 0)
        figures.changed_in_other_lessons = sum(paths.values())
    return figures


# --- a corpus of mixed answers -----------------------------------------------------------------

NUMBERS = ["{} ms", "{} MB", "{} km/s", "{} %", "{} layers", "{}"]
CODE = [
    "`git commit`",
    "`git push`",
    "`HEAD`",
    "`.git/refs/heads/`",
    "`ORIG_HEAD`",
    "`git rebase`",
    "`git stash`",
    "`.git/objects/`",
    "`git fetch`",
    "`MERGE_HEAD`",
]
TERMS = [
    "Tokenizer",
    "Embedding",
    "Decoder",
    "Encoder",
    "Optimizer",
    "Scheduler",
    "Retriever",
    "Reranker",
    "Quantizer",
    "Sampler",
    "Compiler",
    "Profiler",
]
PLURALS = [
    "tokens",
    "vectors",
    "gradients",
    "batches",
    "weights",
    "layers",
    "heads",
    "prompts",
    "logits",
    "shards",
    "replicas",
    "checkpoints",
]
PHRASES = [
    "one tree",
    "two parents",
    "a single commit",
    "no history",
    "the working tree",
    "the staging area",
    "many small files",
    "one large file",
    "zero",
    "blob",
]


def mixed_lesson(rng: random.Random, index: int) -> str:
    lines = [f"# Lesson {index}", "", "## Points", ""]
    for point in range(3):
        kind = rng.choice(["number", "year", "code", "term", "plural", "phrase"])
        if kind == "number":
            answer = rng.choice(NUMBERS).format(rng.choice([4, 8, 16, 64, 128, 512, 2048]))
            sentence = f"The limit {point} is =={answer}== by default."
        elif kind == "year":
            answer = str(rng.randrange(1950, 2024))
            sentence = f"Version {point} appeared in =={answer}==."
        elif kind == "code":
            answer = rng.choice(CODE)
            sentence = f"Step {point} runs =={answer}== before anything else."
        elif kind == "term":
            answer = rng.choice(TERMS)
            sentence = f"=={answer}== is the part that handles stage {point}."
        elif kind == "plural":
            answer = rng.choice(PLURALS)
            sentence = f"Stage {point} splits the input into =={answer}==."
        else:
            answer = rng.choice(PHRASES)
            sentence = f"In case {point} the pointer leads to =={answer}==."
        lines.append(f"- {sentence} <!-- id: mix-{index}-{point} -->")
    lines += ["", "### Key facts", ""]
    for term in rng.sample(TERMS, 3):
        lines += [
            f"{term} <!-- id: mix-{index}-kf-{term.lower()} -->",
            f":   The component named {term.lower()} in lesson {index}.",
            "",
        ]
    lines += ["### Common confusions", ""]
    for item in range(3):
        lines.append(
            f"- ~~Claim {item} of lesson {index} holds in every case.~~"
            f" <!-- id: mix-{index}-c{item} -->\n"
            f"  Claim {item} of lesson {index} holds only for small inputs."
        )
    return "\n".join(lines) + "\n"


def write_mixed(folder: Path, lessons: int) -> None:
    rng = random.Random(13)
    folder.mkdir(parents=True)
    (folder / "_index.md").write_text(
        "---\ndeck: Mixed\nnamespace: bench-options-mixed\n---\n", encoding="utf-8"
    )
    for index in range(lessons):
        topic = folder / f"{index // 10:02d}-topic"
        topic.mkdir(exist_ok=True)
        (topic / f"lesson-{index:03d}.md").write_text(mixed_lesson(rng, index), encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-lessons", type=int, default=40)
    parser.add_argument("--bench-notes", type=int, default=1000)
    parser.add_argument("--content", type=Path, default=REPO / "content", help="seed course")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="ankigen-corpora-") as workdir:
        mixed = Path(workdir) / "mixed"
        write_mixed(mixed, args.corpus_lessons)
        bench = Path(workdir) / "bench"
        write_corpus(bench, args.bench_notes)
        bench_lesson = sorted(
            p.relative_to(bench) for p in bench.rglob("*.md") if not p.name.startswith("_")
        )[3]
        results.append(
            run(
                "seed course (content/)",
                args.content,
                "01-pretraining-and-fine-tuning/01-concepts.md",
            )
        )
        results.append(
            run(f"mixed corpus ({args.corpus_lessons} lessons)", mixed, "00-topic/lesson-003.md")
        )
        results.append(run(f"bench corpus ({args.bench_notes} notes)", bench, str(bench_lesson)))
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        for figures in results:
            print(f"== {figures.course}")
            for key, value in asdict(figures).items():
                if key != "course":
                    print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
