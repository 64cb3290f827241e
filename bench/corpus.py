"""Deterministic synthetic lesson corpus for the build benchmark.

`write_corpus(folder, notes)` writes a course in the format of docs/format.md: a course `_index.md`,
topic folders with their own `_index.md`, and lessons of 20–60 notes each that mix every construct
in roughly the proportions of hand-written lessons (reveal cards and multiple-choice questions
dominate; key facts, confusions, self-check prompts, analogies and one summary per lesson make up
the rest). About one card in ten carries a fenced code block and many use inline code, because
syntax highlighting is a large part of rendering cost. Most cards carry an explicit id.

The same `(notes, seed)` always gives byte-identical files, so timings are comparable across
commits. The return value is the exact number of notes the build should produce, counted as
docs/format.md defines notes: one per card, except that each key-fact term and each confusion item
is a note of its own. The benchmark fails when the build counts differently.

Run `python bench/corpus.py DIR NOTES` to write a corpus and print what it contains.
"""

from __future__ import annotations

import itertools
import random
import re
import sys
import textwrap
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

NAMESPACE = "ankigen-bench-corpus"
COURSE_DECK = "Benchmark Course"
LESSON_MIN, LESSON_MAX = 20, 60
LESSONS_PER_TOPIC = (5, 9)
WRAP = 100

# Relative frequency of each card kind. Key-fact and confusion cards hold several notes each, so
# their card weights are their note share divided by the average number of items per card.
CARD_WEIGHTS = {
    "reveal": 38.0,
    "choice": 27.0,
    "selfcheck": 7.0,
    "keyfacts": 14.0 / 4.5,
    "confusions": 8.0 / 3.0,
    "analogy": 3.0,
}
# Code blocks go only into reveal, choice and self-check cards (~80% of cards), so this gives
# about 10% of all cards.
CODE_PROBABILITY = 0.13
INLINE_CODE_PROBABILITY = 0.25
EXPLICIT_ID_PROBABILITY = 0.85

TOPICS = (
    "Tokenization",
    "Embeddings",
    "Attention",
    "Transformers",
    "Pre-training and fine-tuning",
    "Prompt engineering",
    "Retrieval-augmented generation",
    "Evaluation metrics",
    "Gradient descent",
    "Regularization",
    "Decoding strategies",
    "Vector databases",
    "Python generators",
    "Python decorators",
    "JavaScript promises",
    "Async iteration",
    "Data loaders",
    "Model serving",
    "Quantization",
    "Distillation",
    "Safety and alignment",
    "Function calling",
    "Caching and batching",
    "Observability",
)
LESSON_NAMES = (
    "concepts",
    "recall",
    "practice",
    "worked-examples",
    "pitfalls",
    "review",
    "deep-dive",
    "exercises",
    "cheat-sheet",
)
SECTIONS = (
    "Explanation",
    "Recall & review",
    "Quiz",
    "Explain it yourself",
    "Practice",
    "Worked examples",
    "Going further",
    "Review",
)
CONCEPTS = (
    "tokenizer",
    "vocabulary",
    "embedding",
    "attention head",
    "loss function",
    "learning rate",
    "batch size",
    "gradient",
    "checkpoint",
    "context window",
    "prompt template",
    "vector index",
    "decoder",
    "encoder",
    "optimizer",
    "validation set",
    "dropout rate",
    "temperature",
    "beam width",
    "weight decay",
    "positional encoding",
    "residual connection",
    "layer norm",
    "cache",
    "event loop",
    "promise chain",
    "generator function",
    "decorator",
    "iterator",
    "callback",
    "retry policy",
    "rate limit",
    "reward model",
    "system prompt",
    "few-shot example",
    "similarity score",
    "chunk size",
    "quantized weight",
    "teacher model",
    "student model",
    "latency budget",
    "trace span",
    "feature store",
    "data pipeline",
    "schema",
    "mini-batch",
)
VERBS = (
    "reduces",
    "controls",
    "depends on",
    "feeds into",
    "is computed from",
    "limits",
    "stabilises",
    "shapes",
    "is stored next to",
    "replaces",
    "is tuned together with",
    "amplifies",
)
TAILS = (
    "during training",
    "at inference time",
    "for every batch",
    "when the data changes",
    "in most production systems",
    "unless you cache it",
    "before evaluation",
    "after the first epoch",
    "on long inputs",
    "",
)
ADJECTIVES = ("larger", "smaller", "noisier", "stale", "shared", "frozen", "fresh", "sparse")
INLINE_CODE = (
    "model.fit()",
    "tokenizer.encode(text)",
    "torch.no_grad()",
    "Array.prototype.map",
    "await fetch(url)",
    "len(batch)",
    "lr=3e-4",
    "Promise.all",
    "yield from",
    "functools.wraps",
    "top_p=0.9",
    "max_tokens",
    "async for",
    "np.dot(a, b)",
    "JSON.parse",
)
QUESTION_FORMS = (
    "What is the role of the {c} in {t}?",
    "Why does the {c} matter for the {c2}?",
    "How does the {c} differ from the {c2}?",
    "When should you change the {c}?",
    "What happens to the {c} when the {c2} gets {a}?",
    "Which problem does a {a} {c} cause?",
    "How do you check that the {c} works as intended?",
    "What does the {c} tell you about the {c2}?",
)
PROMPT_FORMS = (
    "Explain in your own words how the {c} and the {c2} work together in {t}.",
    "Describe a situation where a {a} {c} breaks the {c2}, and how you would notice.",
    "Walk through what happens to the {c} from input to output.",
    "Compare the {c} with the {c2}: when would you reach for each?",
)
ANALOGY_FORMS = (
    "How is the {c} like a {thing}?",
    "Why is the {c} a bit like a {thing}?",
    "In what way does the {c} resemble a {thing}?",
)
THINGS = (
    "library catalogue",
    "kitchen pantry",
    "train timetable",
    "recipe card",
    "city map",
    "post office",
    "orchestra conductor",
    "thermostat",
)
DIAGRAM = """\
```text
┌──────────┐     ┌──────────┐     ┌──────────┐
│ {a:<8} │────▶│ {b:<8} │────▶│ {c:<8} │
└──────────┘     └──────────┘     └──────────┘
```"""
PYTHON_SNIPPETS = (
    """\
def {f}(items, size={n}):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch""",
    """\
import functools


def {f}(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        result = func(*args, **kwargs)
        print(f"{{func.__name__}} -> {{result!r}}")
        return result
    return wrapper""",
    """\
scores = {{"{w1}": {n}, "{w2}": {m}}}
best = max(scores, key=scores.get)
print(best, scores[best] / sum(scores.values()))""",
    """\
class {F}:
    def __init__(self, limit: int = {n}) -> None:
        self.limit = limit
        self.seen: dict[str, int] = {{}}

    def {f}(self, key: str) -> bool:
        self.seen[key] = self.seen.get(key, 0) + 1
        return self.seen[key] <= self.limit""",
)
JS_SNIPPETS = (
    """\
async function {f}(urls) {{
  const results = await Promise.all(urls.map((url) => fetch(url)));
  return results.filter((r) => r.ok).length;
}}""",
    """\
const {f} = (xs) => xs
  .map((x) => x * {n})
  .filter((x) => x % {m} === 0)
  .reduce((a, b) => a + b, 0);
console.log({f}([1, 2, 3, 4, 5]));""",
    """\
function* {f}(limit = {n}) {{
  let [a, b] = [0, 1];
  while (a < limit) {{
    yield a;
    [a, b] = [b, a + b];
  }}
}}""",
)
IDENTIFIERS = ("batched", "traced", "limiter", "collect", "score_all", "window", "fib", "pipeline")


def wrap(text: str, first: str = "", rest: str = "") -> str:
    """Soft-wrap like an author would; never inside a word, so inline code keeps its shape."""
    return textwrap.fill(
        text,
        WRAP,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )


def slugify(text: str, limit: int = 60) -> str:
    """The generator's slug rule (generator/ids.py), to predict derived ids without importing it."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "card"


@dataclass
class Stats:
    """What a corpus contains, for sanity checks."""

    notes: Counter[str] = field(default_factory=Counter)
    cards: int = 0
    cards_with_code: int = 0
    cards_with_inline_code: int = 0
    explicit_ids: int = 0
    lessons: int = 0
    topics: int = 0


class LessonWriter:
    """Builds the Markdown of one lesson; keeps the ids it uses unique."""

    def __init__(
        self, rng: random.Random, topic: str, stem: str, prefix: str, stats: Stats
    ) -> None:
        self.rng = rng
        self.topic = topic
        self.stem = stem
        self.prefix = prefix
        self.stats = stats
        self.serial = 0
        # Derived ids are `stem#heading-slug[/item-slug]`: track them so two cards never derive
        # the same id (that would be a build error, not a benchmark).
        self.derived: set[str] = set()
        self.code_in_card = False
        self.inline_in_card = False

    # --- text -------------------------------------------------------------------------------

    def concept(self) -> str:
        return self.rng.choice(CONCEPTS)

    def two_concepts(self) -> tuple[str, str]:
        first, second = self.rng.sample(CONCEPTS, 2)
        return first, second

    def inline_code(self) -> str:
        self.inline_in_card = True
        return f"`{self.rng.choice(INLINE_CODE)}`"

    def sentence(self) -> str:
        c1, c2 = self.two_concepts()
        verb = self.rng.choice(VERBS)
        tail = self.rng.choice(TAILS)
        subject = f"The {c1}"
        if self.rng.random() < INLINE_CODE_PROBABILITY / 6:
            subject = f"Calling {self.inline_code()} on the {c1}"
        text = f"{subject} {verb} the {self.rng.choice(ADJECTIVES)} {c2}"
        return f"{text} {tail}.".replace(" .", ".")

    def paragraph(self, low: int = 1, high: int = 3) -> str:
        text = " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))
        return wrap(text)

    def phrase(self) -> str:
        c1, c2 = self.two_concepts()
        verb = self.rng.choice(VERBS)
        return f"The {c1} {verb} the {c2}"

    def fill(self, form: str) -> str:
        c1, c2 = self.two_concepts()
        return form.format(c=c1, c2=c2, t=self.topic.lower(), a=self.rng.choice(ADJECTIVES))

    def code_block(self) -> str:
        self.code_in_card = True
        names = {
            "f": self.rng.choice(IDENTIFIERS),
            "F": self.rng.choice(IDENTIFIERS).title().replace("_", ""),
            "n": self.rng.randint(2, 64),
            "m": self.rng.randint(2, 9),
            "w1": self.rng.choice(CONCEPTS),
            "w2": self.rng.choice(CONCEPTS),
        }
        if self.rng.random() < 0.6:
            return "```python\n" + self.rng.choice(PYTHON_SNIPPETS).format(**names) + "\n```"
        return "```js\n" + self.rng.choice(JS_SNIPPETS).format(**names) + "\n```"

    def wants_code(self) -> bool:
        return self.rng.random() < CODE_PROBABILITY

    # --- identity ---------------------------------------------------------------------------

    def next_id(self, kind: str) -> str:
        self.serial += 1
        if kind not in ("facts", "confusions"):
            self.stats.explicit_ids += 1
        return f"{self.prefix}-{kind}-{self.serial:03d}"

    def heading_id(self, kind: str, text: str, *, force: bool = False) -> tuple[str, str]:
        """(comment to append, id the parser will use) for a card heading."""
        derived = f"{self.stem}#{slugify(text)}".casefold()
        if force or derived in self.derived or self.rng.random() < EXPLICIT_ID_PROBABILITY:
            note_id = self.next_id(kind)
            return f" <!-- id: {note_id} -->", note_id
        self.derived.add(derived)
        return "", derived

    def item_id(self, kind: str, card_id: str, text: str) -> str:
        derived = f"{card_id}/{slugify(text)}".casefold()
        if derived in self.derived or self.rng.random() < EXPLICIT_ID_PROBABILITY:
            return f" <!-- id: {self.next_id(kind)} -->"
        self.derived.add(derived)
        return ""

    def begin_card(self) -> None:
        self.code_in_card = False
        self.inline_in_card = False

    def end_card(self, kind: str, notes: int) -> None:
        self.stats.cards += 1
        self.stats.notes[kind] += notes
        self.stats.cards_with_code += self.code_in_card
        self.stats.cards_with_inline_code += self.inline_in_card

    # --- cards ------------------------------------------------------------------------------

    def question(self) -> str:
        text = self.fill(self.rng.choice(QUESTION_FORMS))
        if self.rng.random() < INLINE_CODE_PROBABILITY / 2:
            text = text.removesuffix("?") + f" with {self.inline_code()}?"
        return text

    def reveal(self) -> str:
        self.begin_card()
        lines: list[str] = []
        if self.wants_code():
            heading = self.rng.choice(
                (
                    "What does this snippet do, and what would you change?",
                    "What is printed when this code runs?",
                    "Where is the bug in this code?",
                )
            )
            heading = f"{heading.removesuffix('?')} ({self.topic.lower()}, {self.concept()})?"
            comment, _ = self.heading_id("card", heading, force=True)
            lines += [f"### {heading}{comment}", "", self.code_block(), ""]
            lines += [wrap(f"**Answer:** {self.paragraph(1, 2)}"), ""]
        else:
            heading = self.question()
            comment, _ = self.heading_id("card", heading)
            lines += [f"### {heading}{comment}", "", self.paragraph(1, 3), ""]
            if self.rng.random() < 0.04:
                c1, c2 = self.two_concepts()
                lines += [
                    "| setting | effect |",
                    "| --- | --- |",
                    f"| {c1} | {self.phrase().lower()} |",
                    f"| {c2} | {self.phrase().lower()} |",
                    "",
                ]
        if self.rng.random() < 0.3:
            lines += [f"**Level:** {self.rng.choice(('beginner', 'intermediate', 'advanced'))}", ""]
        if self.rng.random() < 0.5:
            lines += [f"**Hint:** Think about the {self.concept()} *before* anything else.", ""]
        if self.rng.random() < 0.6:
            lines += [wrap(f"**Explanation:** {self.paragraph(1, 3)}"), ""]
        if self.rng.random() < 0.05:
            lines += [f"**Analogy:** It is like a {self.rng.choice(THINGS)}.", ""]
        if self.rng.random() < 0.03:
            a, b, c = (name[:8] for name in self.rng.sample(CONCEPTS, 3))
            lines += ["**Diagram:**", "", DIAGRAM.format(a=a, b=b, c=c), ""]
            lines += ["The flow from input to output.", ""]
        self.end_card("reveal", 1)
        return "\n".join(lines)

    def options(self) -> list[str]:
        found: list[str] = []
        while len(found) < 4:
            option = self.phrase()
            if self.rng.random() < 0.1:
                option += f" via {self.inline_code()}"
            if option.casefold() not in {o.casefold() for o in found}:
                found.append(option)
        return found

    def choice(self) -> str:
        self.begin_card()
        lines: list[str] = []
        if self.wants_code():
            heading = f"Consider this code from a {self.topic.lower()} project ({self.concept()}):"
            comment, _ = self.heading_id("quiz", heading, force=True)
            lines += [f"### {heading}{comment}", "", self.code_block(), ""]
            lines += [f"What is the most likely effect of {self.inline_code()} here?", ""]
        else:
            heading = self.question()
            comment, _ = self.heading_id("quiz", heading)
            lines += [f"### {heading}{comment}", ""]
        options = self.options()
        correct = {self.rng.randrange(4)}
        if self.rng.random() < 0.1:
            correct.add(self.rng.randrange(4))
        lines += [f"- [{'x' if i in correct else ' '}] {o}" for i, o in enumerate(options)]
        lines.append("")
        if self.rng.random() < 0.8:
            lines += [f"**Difficulty:** {self.rng.choice(('easy', 'medium', 'hard'))}", ""]
        lines += [wrap(f"**Explanation:** {self.paragraph(1, 2)}"), ""]
        lines += ["**Solution:**", ""]
        for step in range(1, self.rng.randint(2, 4) + 1):
            lines.append(wrap(f"{step}. **{self.phrase()}.** {self.sentence()}", "", "   "))
        lines.append("")
        first = min(correct)
        lines += [f"**Final answer:** {options[first]} (option {'ABCD'[first]})", ""]
        if self.rng.random() < 0.7:
            lines += [f"**Quick check:** {self.phrase()}", ""]
        if self.rng.random() < 0.7:
            lines += [f"**Hint:** Look at the {self.concept()} first.", ""]
        lines += ["**Common mistakes:**", ""]
        lines += [f"- {self.phrase()}" for _ in range(self.rng.randint(2, 3))]
        lines.append("")
        self.end_card("choice", 1)
        return "\n".join(lines)

    def selfcheck(self) -> str:
        self.begin_card()
        heading = self.fill(self.rng.choice(PROMPT_FORMS))
        comment, _ = self.heading_id("explain", heading)
        lines = [f"### {heading}{comment}", ""]
        code_in_prompt = self.wants_code()
        if code_in_prompt:
            lines += ["Use this code as your starting point:", "", self.code_block(), ""]
        if self.rng.random() < 0.7:
            lines += [f"**Hint:** Start from the {self.concept()}.", ""]
        lines += ["**Key concepts:**", ""]
        lines += [f"- {self.phrase()}" for _ in range(self.rng.randint(3, 5))]
        lines.append("")
        if self.rng.random() < 0.9:
            lines += [wrap(f"**Model answer:** {self.paragraph(2, 4)}"), ""]
        self.end_card("selfcheck", 1)
        return "\n".join(lines)

    def keyfacts(self, count: int) -> str:
        self.begin_card()
        subtitle = "" if self.rng.random() < 0.6 else f": {self.concept()}"
        comment, card_id = self.heading_id("facts", f"Key facts{subtitle}")
        lines = [f"### Key facts{subtitle}{comment}", ""]
        terms: set[str] = set()
        while len(terms) < count:
            term = f"{self.rng.choice(ADJECTIVES).title()} {self.concept()}"
            if term.casefold() in terms:
                continue
            terms.add(term.casefold())
            lines.append(f"{term}{self.item_id('kf', card_id, term)}")
            lines += [wrap(self.paragraph(1, 2), ":   ", "    "), ""]
        # Each term makes a reveal card, a cloze and its multiple-choice variant.
        self.end_card("key-fact", 3 * count)
        return "\n".join(lines)

    def confusions(self, count: int) -> str:
        self.begin_card()
        comment, card_id = self.heading_id("confusions", "Common confusions")
        lines = [f"### Common confusions{comment}", ""]
        claims: set[str] = set()
        while len(claims) < count:
            claim = f"{self.phrase()} {self.rng.choice(TAILS)}".strip() + "."
            if claim.casefold() in claims:
                continue
            claims.add(claim.casefold())
            lines.append(f"- ~~{claim}~~{self.item_id('conf', card_id, claim)}")
            lines.append(wrap(self.paragraph(1, 2), "  ", "  "))
        lines.append("")
        self.end_card("confusion", count)
        return "\n".join(lines)

    def analogy(self, mappings: int = 2) -> str:
        self.begin_card()
        c1 = self.concept()
        heading = self.rng.choice(ANALOGY_FORMS).format(c=c1, thing=self.rng.choice(THINGS))
        comment, _ = self.heading_id("analogy", f"Analogy: {heading}")
        lines = [f"### Analogy: {heading}{comment}", "", self.paragraph(2, 3), ""]
        things = self.rng.sample(THINGS, mappings)
        for concept, thing in zip(self.rng.sample(CONCEPTS, mappings), things, strict=True):
            lines.append(f"- {concept.capitalize()} → the {thing}")
        lines.append("")
        # The analogy, then a card and a multiple-choice variant per mapping.
        self.end_card("analogy", 1 + 2 * mappings)
        return "\n".join(lines)

    def summary(self) -> str:
        self.begin_card()
        comment, _ = self.heading_id("summary", "Summary")
        lines = [f"### Summary{comment}", ""]
        lines += [f"- {self.sentence()}" for _ in range(self.rng.randint(3, 5))]
        lines.append("")
        self.end_card("summary", 1)
        return "\n".join(lines)


def lesson_sizes(rng: random.Random, notes: int) -> list[int]:
    """Split `notes` into lessons of LESSON_MIN..LESSON_MAX notes (or one smaller lesson)."""
    sizes: list[int] = []
    remaining = notes
    while remaining > 0:
        size = rng.randint(LESSON_MIN, LESSON_MAX)
        if remaining <= LESSON_MAX:
            size = remaining
        elif remaining - size < LESSON_MIN:
            size = remaining - LESSON_MIN
        sizes.append(size)
        remaining -= size
    return sizes


def lesson_text(writer: LessonWriter, title: str, size: int) -> str:
    rng = writer.rng
    front = [f'title: "{title}"']
    if rng.random() < 0.4:
        front.append(f"tags: [{slugify(writer.topic)}-{rng.choice(LESSON_NAMES)}]")
    if rng.random() < 0.7:
        front.append(f"level: {rng.choice(('beginner', 'intermediate', 'advanced'))}")
    if rng.random() < 0.5:
        front.append(f"difficulty: {rng.choice(('easy', 'medium', 'hard'))}")
    parts = ["---", *front, "---", "", f"# {title}", "", writer.paragraph(2, 4), ""]

    kinds = list(CARD_WEIGHTS)
    weights = list(CARD_WEIGHTS.values())
    # One summary closes every lesson; the rest is drawn card by card.
    remaining = size - 1
    cards: list[str] = []
    while remaining > 0:
        kind = rng.choices(kinds, weights)[0]
        if kind == "keyfacts" and remaining >= 6:
            terms = min(rng.randint(3, 6), remaining // 3)
            count = 3 * terms
            cards.append(writer.keyfacts(terms))
        elif kind == "analogy" and remaining >= 5:
            mappings = min(rng.randint(2, 4), (remaining - 1) // 2)
            count = 1 + 2 * mappings
            cards.append(writer.analogy(mappings))
        elif kind in ("keyfacts", "analogy"):
            count = 1
            cards.append(writer.reveal())
        elif kind == "confusions":
            count = min(rng.randint(2, 4), remaining)
            cards.append(writer.confusions(count))
        else:
            count = 1
            cards.append(getattr(writer, kind)())
        remaining -= count

    sections = list(SECTIONS)
    rng.shuffle(sections)
    index = 0
    for section in itertools.cycle(sections):
        if index >= len(cards):
            break
        take = rng.randint(3, 9)
        parts += [f"## {section}", ""]
        if rng.random() < 0.5:
            parts += [writer.paragraph(1, 3), ""]
        parts += cards[index : index + take]
        index += take
    parts += ["## Review", "", writer.summary()]
    return "\n".join(parts).rstrip("\n") + "\n"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def generate(folder: Path, notes: int, seed: int = 0) -> Stats:
    """Write the corpus into `folder` (created if missing) and return what it contains."""
    if notes < 1:
        raise ValueError("a corpus needs at least one note")
    rng = random.Random(f"ankigen-bench:{seed}:{notes}")
    stats = Stats()
    write(
        folder / "_index.md",
        f"---\ndeck: {COURSE_DECK}\nnamespace: {NAMESPACE}\ntags: [bench]\n---\n\n"
        "A synthetic course for timing `ankigen build`. Generated by bench/corpus.py.\n",
    )
    sizes = lesson_sizes(rng, notes)
    topic_number = 0
    while sizes:
        topic_number += 1
        name = TOPICS[(topic_number - 1) % len(TOPICS)]
        cycle = (topic_number - 1) // len(TOPICS)
        deck = name if cycle == 0 else f"{name} (part {cycle + 1})"
        topic_dir = folder / f"{topic_number:02d}-{slugify(deck)}"
        index_lines = ["---", f"deck: {deck}", f"tags: [{slugify(name)}]"]
        if rng.random() < 0.3:
            index_lines.append(f"level: {rng.choice(('beginner', 'intermediate'))}")
        index_lines += ["---", "", f"# {deck}", "", f"Lessons about {name.lower()}."]
        write(topic_dir / "_index.md", "\n".join(index_lines) + "\n")
        stats.topics += 1
        for lesson_number in range(1, rng.randint(*LESSONS_PER_TOPIC) + 1):
            if not sizes:
                break
            size = sizes.pop(0)
            kind = LESSON_NAMES[(lesson_number - 1) % len(LESSON_NAMES)]
            stem = f"{lesson_number:02d}-{kind}"
            rel_stem = f"{topic_dir.name}/{stem}"
            writer = LessonWriter(
                rng, name, rel_stem, f"t{topic_number:03d}-l{lesson_number:02d}", stats
            )
            title = f"{deck}: {kind.replace('-', ' ')}"
            write(topic_dir / f"{stem}.md", lesson_text(writer, title, size))
            stats.lessons += 1
    total = sum(stats.notes.values())
    assert total == notes, f"generated {total} notes, planned {notes}"
    return stats


def write_corpus(folder: Path, notes: int) -> int:
    """Write a corpus of `notes` notes into `folder`; return the number of notes it produces."""
    return sum(generate(folder, notes).notes.values())


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python bench/corpus.py DIR NOTES", file=sys.stderr)
        return 2
    stats = generate(Path(argv[0]), int(argv[1]))
    total = sum(stats.notes.values())
    print(f"{total} notes in {stats.lessons} lessons, {stats.topics} topics, {stats.cards} cards")
    for kind, count in stats.notes.most_common():
        print(f"  {kind:<10} {count:>6}  {count / total:6.1%}")
    print(f"  cards with a code block:  {stats.cards_with_code / stats.cards:6.1%}")
    print(f"  cards with inline code:   {stats.cards_with_inline_code / stats.cards:6.1%}")
    print(f"  explicit ids:             {stats.explicit_ids / total:6.1%} of notes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
