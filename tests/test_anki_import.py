"""Real-Anki tier: import the package built from content/ into a fresh collection and check it.

The course in content/ was written from two scraped lesson pages (/work/shared/seeds/). SEED_ITEMS
below transcribes every item of those pages; each one must come out of Anki as a card of the right
note type, and together they must account for every note in the package. Several constructs make
more than one note from one seed item (a key fact is also a cloze and a multiple-choice cloze; an
analogy mapping is a reveal card and a multiple-choice question; a summary point is a cloze with
one multiple-choice cloze per deletion): each of those notes is an item of its own below. Counts
are written as literal numbers so that a lost (or an unexpected) card fails the tier.

Text is compared after removing `<style>`, HTML tags and entities, folding typographic quotes
(the seed writes both ’ and ') and whitespace, and without case (the seed capitalises a few words
differently, e.g. "General knowledge learning"). ASCII diagrams and code are compared exactly.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import cast

import pytest
import yaml
from anki.collection import Collection
from anki.consts import MODEL_CLOZE, MODEL_STD
from anki.import_export_pb2 import ImportResponse

from generator.kinds import REGISTRY
from generator.notes import RenderedNote
from generator.pipeline import BuildResult
from tests.anki_helpers import collection, import_package, render_errors
from tests.conftest import CONTENT, FIXTURES

pytestmark = pytest.mark.anki

REVEAL = "ankigen Reveal"
CHOICE = "ankigen Multiple choice"
SELFCHECK = "ankigen Self-check"
CLOZE = "ankigen Cloze"
CLOZE_CHOICE = "ankigen Cloze choice"

# The seed inventory.
# Reveal: 5 recall flashcards + 2 explanation cards + 1 analogy + 2 analogy mappings + 1 diagram
# card + 4 key facts + 1 summary = 16.
# Multiple choice: 5 quiz questions + 5 practice questions + 2 confusions (true/false) + 2 analogy
# mappings as questions = 14.
# Self-check: 2 explain-it-yourself prompts.
# Cloze: 4 key facts + 3 summary points = 7 notes; cards: 4 + (2 + 2 + 1) = 9.
# Cloze choice: 4 key facts + one per summary deletion group (2 + 2 + 1) = 9.
EXPECTED_NOTE_TYPES = {REVEAL: 16, CHOICE: 14, SELFCHECK: 2, CLOZE: 7, CLOZE_CHOICE: 9}
EXPECTED_CONSTRUCTS = {
    "reveal": 8,  # 5 recall flashcards, 2 explanation cards, the diagram card
    "analogy": 3,  # the analogy and its 2 mappings
    "analogy-choice": 2,
    "key-fact": 8,  # 4 reveal notes and 4 cloze notes
    "key-fact-choice": 4,
    "confusion": 2,
    "summary": 4,  # the key points and 3 cloze notes
    "summary-choice": 5,
    "multiple-choice": 10,
    "self-check": 2,
}
EXPECTED_NOTES = 48
# Cloze notes make one card per deletion group; every other note makes one card.
EXPECTED_CLOZE_CARDS = {
    "pt-ft-kf-pretraining/cloze": 1,
    "pt-ft-kf-finetuning/cloze": 1,
    "pt-ft-kf-general-data/cloze": 1,
    "pt-ft-kf-specific-task/cloze": 1,
    "pt-ft-summary-pretraining": 2,
    "pt-ft-summary-finetuning": 2,
    "pt-ft-summary-together": 1,
}
EXPECTED_CARDS = 50
# Generated multiple-choice cards have `choice_options` options: 4 unless front matter says so.
GENERATED_OPTIONS = 4
# Anki shows a cloze blank as `[...]`; the multiple-choice cloze template writes `[…]`.
ANKI_BLANK = "[...]"
CHOICE_BLANK = "[…]"
OPTION_LETTERS = "ABCD"


# --------------------------------------------------------------------------------------------
# The seed items
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeedItem:
    """One item of a seed page and where it must show up in Anki."""

    name: str
    """Test id."""
    group: str
    """Which part of the seed it comes from (for the inventory count)."""
    note_type: str
    """Anki note type name."""
    construct: str
    """Expected `ankigen::<construct>` tag."""
    front: tuple[str, ...] = ()
    """Text on the question side (and, repeated, on the answer side)."""
    back: tuple[str, ...] = ()
    """Text on the answer side only: it must not give the answer away on the question side."""
    hint: str = ""
    """Hint, behind a click on the question side."""
    tags: tuple[str, ...] = ()
    """Level or difficulty tags the seed gives."""
    options: tuple[str, ...] = ()
    """Multiple choice: the options, in the seed's order (A, B, C, D)."""
    correct: str = ""
    """Multiple choice: letter of the correct option."""
    answer: str = ""
    """Multiple choice: the final answer, shown in the answer section."""
    explanation: tuple[str, ...] = ()
    """Multiple choice: the explanation or worked solution, on the answer side only."""
    concepts: int = 0
    """Self-check: number of key concepts ("You got /4 concepts")."""
    mappings: tuple[tuple[str, str], ...] = ()
    """Analogy: rows `concept | analogue` of the table on the back."""
    front_pre: tuple[str, ...] = ()
    """Lines that must appear exactly, in this order, in one `<pre>` on the question side."""
    back_pre: tuple[str, ...] = ()
    """Lines that must appear exactly, in this order, in one `<pre>` on the answer side."""
    sentence: str = ""
    """Cloze and multiple-choice cloze: the whole sentence, shown on the answer side."""
    blanks: tuple[str, ...] = ()
    """Cloze: the hidden text of each card, by card ordinal. Multiple-choice cloze: the one
    hidden text of its card, which is also its correct option."""
    pool: tuple[str, ...] = ()
    """Generated multiple choice: where the wrong options may come from."""
    note_id: str = ""
    """The note's ID when the item pins it (notes made from an item that has a written id)."""
    generated: int = GENERATED_OPTIONS
    """Generated multiple choice: how many options the card has (fewer than `choice_options`
    when the pool has too few answers of the answer's form that the card does not show)."""

    @property
    def option_count(self) -> int:
        return len(self.options) if self.options else self.generated

    def cards(self) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        """Per card: (text on the question side only, text on the answer side only)."""
        if self.note_type == CLOZE:
            return tuple(
                ((blanked(self.sentence, blank, ANKI_BLANK),), (self.sentence,))
                for blank in self.blanks
            )
        if self.note_type == CLOZE_CHOICE:
            (blank,) = self.blanks
            return (((blanked(self.sentence, blank, CHOICE_BLANK),), (self.sentence,)),)
        return (((), (*self.back, *self.explanation)),)


def blanked(sentence: str, blank: str, marker: str) -> str:
    assert sentence.count(blank) == 1, (sentence, blank)
    return sentence.replace(blank, marker)


def recall(question: str, answer: tuple[str, ...], level: str) -> SeedItem:
    return SeedItem(
        name=f"recall: {question}",
        group="recall flashcard",
        note_type=REVEAL,
        construct="reveal",
        front=(question,),
        back=answer,
        tags=(f"level::{level}",),
    )


def quiz(question: str, explanation: str) -> SeedItem:
    # The seed's quiz lost its options in the scrape (only "✗ Incorrect" remains): the options
    # were written for the course, so only the question and the explanation come from the seed.
    return SeedItem(
        name=f"quiz: {question}",
        group="quiz question",
        note_type=CHOICE,
        construct="multiple-choice",
        front=(question,),
        explanation=(explanation,),
    )


def prompt(question: str, hint: str) -> SeedItem:
    return SeedItem(
        name=f"self-check: {question}",
        group="open-ended prompt",
        note_type=SELFCHECK,
        construct="self-check",
        front=(question,),
        hint=hint,
        concepts=4,
    )


def key_fact(term: str, definition: str) -> SeedItem:
    return SeedItem(
        name=f"key fact: {term}",
        group="key fact",
        note_type=REVEAL,
        construct="key-fact",
        front=(term,),
        back=(definition,),
    )


def flipped_confusion(claim: str, correction: str, note_id: str) -> SeedItem:
    # Every other misconception of a list is asked the other way round, so that "False" is not
    # always the answer: the correction is the claim, "True" the answer, the misconception the
    # explanation.
    return SeedItem(
        name=f"confusion: {claim}",
        group="confusion",
        note_type=CHOICE,
        construct="confusion",
        front=("True or false?", correction),
        options=("True", "False"),
        correct="A",
        answer="True",
        explanation=("A common confusion is the opposite:", claim),
        note_id=note_id,
    )


def confusion(claim: str, correction: str, note_id: str) -> SeedItem:
    # A misconception is a true/false question: "False" is the correct option, the correction
    # explains it.
    return SeedItem(
        name=f"confusion: {claim}",
        group="confusion",
        note_type=CHOICE,
        construct="confusion",
        front=("True or false?", claim),
        options=("True", "False"),
        correct="B",
        answer="False",
        explanation=(correction,),
        note_id=note_id,
    )


def key_fact_cloze(term: str, definition: str, note_id: str) -> SeedItem:
    return SeedItem(
        name=f"key fact cloze: {term}",
        group="key fact cloze",
        note_type=CLOZE,
        construct="key-fact",
        sentence=f"{term}: {definition}",
        blanks=(term,),
        note_id=f"{note_id}/cloze",
    )


def key_fact_choice(term: str, definition: str, note_id: str, terms: tuple[str, ...]) -> SeedItem:
    # The wrong options are the other terms of the same definition list, except a term the
    # definition itself shows ("General data" is no option for "Learning from … general data").
    pool = tuple(
        other for other in terms if other != term and other.casefold() not in definition.casefold()
    )
    return SeedItem(
        name=f"key fact choice: {term}",
        group="key fact cloze choice",
        note_type=CLOZE_CHOICE,
        construct="key-fact-choice",
        sentence=f"{term}: {definition}",
        blanks=(term,),
        answer=term,
        pool=pool,
        note_id=f"{note_id}/cloze/choice-c1",
        generated=min(GENERATED_OPTIONS, len(pool) + 1),
    )


def mapping(concept: str, analogue: str, note_id: str) -> SeedItem:
    return SeedItem(
        name=f"analogy mapping: {concept}",
        group="analogy mapping",
        note_type=REVEAL,
        construct="analogy",
        front=(f"What corresponds to “{concept}” in this analogy?", ANALOGY_QUESTION),
        back=(analogue,),
        note_id=note_id,
    )


def mapping_choice(
    concept: str, analogue: str, note_id: str, distractors: tuple[str, ...]
) -> SeedItem:
    # The author wrote the wrong options after `||`: those, and only those, are used.
    return SeedItem(
        name=f"analogy choice: {concept}",
        group="analogy choice",
        note_type=CHOICE,
        construct="analogy-choice",
        front=(f"What corresponds to “{concept}” in this analogy?", ANALOGY_QUESTION),
        answer=analogue,
        pool=distractors,
        note_id=f"{note_id}/choice",
    )


def summary_cloze(sentence: str, blanks: tuple[str, ...], note_id: str) -> SeedItem:
    return SeedItem(
        name=f"summary cloze: {sentence}",
        group="summary cloze",
        note_type=CLOZE,
        construct="summary",
        sentence=sentence,
        blanks=blanks,
        note_id=note_id,
    )


def summary_choices(
    sentence: str, blanks: tuple[tuple[str, tuple[str, ...]], ...], note_id: str
) -> list[SeedItem]:
    # The author wrote the wrong options of each deletion after `||`: those, and only those.
    return [
        SeedItem(
            name=f"summary choice c{group}: {sentence}",
            group="summary cloze choice",
            note_type=CLOZE_CHOICE,
            construct="summary-choice",
            sentence=sentence,
            blanks=(blank,),
            answer=blank,
            pool=wrong,
            note_id=f"{note_id}/choice-c{group}",
        )
        for group, (blank, wrong) in enumerate(blanks, start=1)
    ]


def practice(
    *,
    question: tuple[str, ...],
    difficulty: str,
    options: tuple[str, str, str, str],
    correct: str,
    steps: tuple[tuple[str, str], ...],
    quick_check: str,
    hint: str,
    mistakes: tuple[str, str, str],
    code: tuple[str, ...] = (),
) -> SeedItem:
    return SeedItem(
        name=f"practice: {question[0]}",
        group="practice question",
        note_type=CHOICE,
        construct="multiple-choice",
        front=question,
        hint=hint,
        back=(quick_check, *mistakes),
        tags=(f"difficulty::{difficulty}",),
        options=options,
        correct=correct,
        answer=options[OPTION_LETTERS.index(correct)],
        explanation=tuple(part for step in steps for part in step),
        front_pre=code,
    )


# Items of content/01-pretraining-and-fine-tuning/01-concepts.md that make several notes each,
# with the ids written in the lesson.
KEY_FACTS = (
    (
        "Pre-training",
        "Learning from large, general data to understand language broadly.",
        "pt-ft-kf-pretraining",
    ),
    (
        "Fine-tuning",
        "Training on specific data to adapt the model for a particular task.",
        "pt-ft-kf-finetuning",
    ),
    (
        "General data",
        "A wide variety of information used during pre-training.",
        "pt-ft-kf-general-data",
    ),
    (
        "Specific task",
        "A focused goal like translation or summarization for fine-tuning.",
        "pt-ft-kf-specific-task",
    ),
)
KEY_FACT_TERMS = tuple(term for term, _, _ in KEY_FACTS)
ANALOGY_QUESTION = "How are pre-training and fine-tuning like learning to play music?"
# The ids are written at the end of each mapping's list-item line (docs/format.md, "Note
# identity"), the author's wrong options on the item's continuation line.
MAPPINGS = (
    (
        "Pre-training",
        "Learning general music skills like reading notes and rhythm",
        "pt-ft-analogy-music-pretraining",
        (
            "Tuning the instrument carefully before every concert",
            "Choosing which instrument to buy at the music shop",
            "Recording a whole album in a professional studio on your own",
        ),
    ),
    (
        "Fine-tuning",
        "Practicing a specific song to perform well",
        "pt-ft-analogy-music-finetuning",
        (
            "Learning to read sheet music from scratch",
            "Listening to many different genres of music for fun",
            "Tuning the instrument before a concert",
        ),
    ),
)
SUMMARY_POINTS = (
    (
        "Pre-training teaches a model general language understanding using large, diverse data.",
        (
            ("Pre-training", ("Fine-tuning", "Distillation", "Quantization")),
            (
                "large, diverse data",
                ("small, labelled data", "one task's examples", "hand-written rules"),
            ),
        ),
        "pt-ft-summary-pretraining",
    ),
    (
        "Fine-tuning adapts the pre-trained model to perform well on a specific task with "
        "focused data.",
        (
            ("Fine-tuning", ("Pre-training", "Prompting", "Distillation")),
            ("specific task", ("whole language", "general corpus", "random sample")),
        ),
        "pt-ft-summary-finetuning",
    ),
    (
        "Together, these steps help create powerful AI models that can handle many language "
        "tasks effectively.",
        (
            (
                "many language tasks",
                ("only one narrow task", "translation alone", "no unseen tasks"),
            ),
        ),
        "pt-ft-summary-together",
    ),
)


SEED_ITEMS: tuple[SeedItem, ...] = (
    # ---- Seed 000: "Recall & Review" ------------------------------------------------------
    recall(
        "What is pre-training in machine learning?",
        (
            "Pre-training is the process where a model learns general patterns from a large "
            "dataset before being trained on a specific task.",
            "It's like learning the basics first before focusing on details.",
        ),
        "beginner",
    ),
    recall(
        "What does fine-tuning mean in AI model training?",
        (
            "Fine-tuning means adjusting a pre-trained model on a smaller, specific dataset to "
            "make it perform well on a particular task, like customizing a general skill to a "
            "special job.",
        ),
        "beginner",
    ),
    recall(
        "Why do we use pre-training before fine-tuning?",
        (
            "Pre-training helps the model learn general knowledge, which saves time and data when "
            "fine-tuning.",
            "It’s like learning the alphabet before writing a story.",
        ),
        "intermediate",
    ),
    recall(
        "Give a real-life example of pre-training and fine-tuning.",
        (
            "Imagine learning to drive (pre-training) before learning to drive a race car "
            "(fine-tuning). You first learn general driving skills, then adjust to the special "
            "car’s needs.",
        ),
        "beginner",
    ),
    recall(
        "What is a benefit of fine-tuning a pre-trained model?",
        (
            "Fine-tuning allows the model to perform well on a new task with less data and time, "
            "making it faster and cheaper to get good results.",
        ),
        "intermediate",
    ),
    quiz(
        "What is the main goal of pre-training a model?",
        "Pre-training helps the model learn general knowledge from a large dataset before "
        "focusing on specific tasks.",
    ),
    quiz(
        "Fine-tuning is best described as:",
        "Fine-tuning means adapting a pre-trained model to perform well on a particular task.",
    ),
    quiz(
        "Which of these is a benefit of pre-training?",
        "Pre-training saves time and data when adapting the model to new tasks.",
    ),
    quiz(
        "What is an example of fine-tuning?",
        "Fine-tuning customizes a general model to perform well on a specific domain like "
        "medical language.",
    ),
    quiz(
        "Why is fine-tuning important after pre-training?",
        "Fine-tuning adapts the pre-trained model to perform well on a particular task.",
    ),
    prompt(
        "Explain in your own words what pre-training and fine-tuning mean and how they work "
        "together.",
        "Think about learning general skills first, then specializing.",
    ),
    prompt(
        "Describe a simple example from daily life that helps you understand why pre-training "
        "and fine-tuning are useful.",
        "Consider learning a basic skill before a specialized one.",
    ),
    # ---- Seed 002: "Pre-training and fine-tuning concept - Full Explanation" -------------------
    SeedItem(
        name="explanation: Pre-training",
        group="explanation",
        note_type=REVEAL,
        construct="reveal",
        front=("Pre-training",),
        back=(
            "Pre-training builds a general understanding of language by learning from large, "
            "diverse data.",
            "Pre-training is when a model learns from a huge amount of general data. It studies "
            "patterns, grammar, and facts without focusing on one specific task. This helps the "
            "model understand language broadly and build a strong foundation.",
        ),
    ),
    SeedItem(
        name="explanation: Fine-tuning",
        group="explanation",
        note_type=REVEAL,
        construct="reveal",
        front=("Fine-tuning",),
        back=(
            "Fine-tuning customizes the model to excel at a specific task using focused data.",
            "Fine-tuning happens after pre-training. The model is trained on a smaller, specific "
            "dataset related to a particular task. This step adjusts the model’s knowledge to "
            "perform well on that task, like translating languages or summarizing text.",
        ),
    ),
    SeedItem(
        # The seed's "Real World Analogy" has no question of its own; the card supplies one.
        name="analogy: learning to play music",
        group="analogy",
        note_type=REVEAL,
        construct="analogy",
        back=(
            "Think of learning to play music. First, you learn general skills like reading notes "
            "and rhythm (pre-training). Later, you practice a specific song to perform well "
            "(fine-tuning).",
        ),
        mappings=tuple((concept, analogue) for concept, analogue, _, _ in MAPPINGS),
    ),
    *(mapping(concept, analogue, note_id) for concept, analogue, note_id, _ in MAPPINGS),
    *(
        mapping_choice(concept, analogue, note_id, wrong)
        for concept, analogue, note_id, wrong in MAPPINGS
    ),
    SeedItem(
        name="diagram: pre-training to fine-tuning",
        group="diagram",
        note_type=REVEAL,
        construct="reveal",
        back=(
            "This diagram shows the flow from general learning (pre-training) to specific task "
            "learning (fine-tuning).",
        ),
        back_pre=(
            "┌─────────────┐     ┌─────────────┐",
            "│             │     │             │",
            "│ Pre-training│────▶│ Fine-tuning │",
            "│ (General)   │     │ (Specific)  │",
            "│             │     │             │",
            "└─────────────┘     └─────────────┘",
        ),
    ),
    *(key_fact(term, definition) for term, definition, _ in KEY_FACTS),
    *(key_fact_cloze(term, definition, note_id) for term, definition, note_id in KEY_FACTS),
    *(
        key_fact_choice(term, definition, note_id, KEY_FACT_TERMS)
        for term, definition, note_id in KEY_FACTS
    ),
    confusion(
        "Pre-training and fine-tuning are the same process.",
        "Pre-training builds broad knowledge from general data, while fine-tuning adjusts that "
        "knowledge for a specific task.",
        "pt-ft-conf-same-process",
    ),
    flipped_confusion(
        "Fine-tuning requires as much data as pre-training.",
        "Fine-tuning uses much less data because it focuses on a specific task after the model "
        "already learned general language patterns.",
        "pt-ft-conf-same-amount-of-data",
    ),
    SeedItem(
        # The card asks for the key points of the lesson; the seed has only the points.
        name="summary",
        group="summary",
        note_type=REVEAL,
        construct="summary",
        back=tuple(sentence for sentence, _, _ in SUMMARY_POINTS),
    ),
    *(
        summary_cloze(sentence, tuple(blank for blank, _ in blanks), note_id)
        for sentence, blanks, note_id in SUMMARY_POINTS
    ),
    *(
        item
        for sentence, blanks, note_id in SUMMARY_POINTS
        for item in summary_choices(sentence, blanks, note_id)
    ),
    # The seed's "[OK]" badges, "Step N:" prefixes and "-> Option X" are page furniture, not text.
    practice(
        question=("What is the main purpose of pre-training in machine learning models?",),
        difficulty="easy",
        options=(
            "To delete unnecessary data from the model",
            "To adjust the model for a specific task",
            "To evaluate the model's performance",
            "To teach the model general knowledge from large data",
        ),
        correct="D",
        steps=(
            (
                "Understand pre-training role",
                "Pre-training is done on large datasets to help the model learn general patterns "
                "and knowledge.",
            ),
            (
                "Differentiate from fine-tuning",
                "Fine-tuning is the step where the model is adapted to a specific task, not the "
                "initial general learning.",
            ),
        ),
        quick_check="Pre-training = General knowledge learning",
        hint="Pre-training = general learning, fine-tuning = task-specific",
        mistakes=(
            "Confusing pre-training with fine-tuning",
            "Thinking pre-training is for evaluation",
            "Assuming pre-training deletes data",
        ),
    ),
    practice(
        question=("Which of the following is the correct way to describe fine-tuning?",),
        difficulty="easy",
        options=(
            "Adjusting a pre-trained model to perform a specific task",
            "Removing layers from a neural network",
            "Training a model from scratch on a small dataset",
            "Collecting data for training",
        ),
        correct="A",
        steps=(
            (
                "Define fine-tuning",
                "Fine-tuning means taking a model already trained on general data and adjusting "
                "it for a specific task.",
            ),
            (
                "Eliminate incorrect options",
                "Training from scratch is not fine-tuning; removing layers or collecting data are "
                "unrelated to fine-tuning.",
            ),
        ),
        quick_check="Fine-tuning = adapt pre-trained model",
        hint="Fine-tuning = adapt model, not train from scratch",
        mistakes=(
            "Confusing fine-tuning with training from scratch",
            "Thinking fine-tuning means changing model structure",
            "Mixing data collection with fine-tuning",
        ),
    ),
    practice(
        question=(
            "Consider this Python-like pseudocode for fine-tuning a pre-trained model:",
            "What is the expected output of print(predictions)?",
        ),
        difficulty="medium",
        options=(
            "Random values unrelated to the task",
            "Predictions based on the specific task after fine-tuning",
            "Error because model is not trained",
            "Predictions from the original pre-trained model without changes",
        ),
        correct="B",
        steps=(
            (
                "Understand the code flow",
                "The model is loaded pre-trained, then trained on specific task data "
                "(fine-tuning), then used to predict.",
            ),
            (
                "Predict output meaning",
                "After fine-tuning, predictions reflect the model adapted to the specific task, "
                "not random or original outputs.",
            ),
        ),
        quick_check="Fine-tuned model predicts task data",
        hint="Fine-tuned model predicts task-specific outputs",
        mistakes=(
            "Assuming predictions are random",
            "Thinking model is untrained",
            "Ignoring fine-tuning effect on predictions",
        ),
        code=(
            "model = load_pretrained_model()",
            "model.train(specific_task_data)",
            "predictions = model.predict(test_data)",
            "print(predictions)",
        ),
    ),
    practice(
        question=(
            "You try to fine-tune a pre-trained model but get an error: AttributeError: "
            "'NoneType' object has no attribute 'train'. What is the most likely cause?",
        ),
        difficulty="medium",
        options=(
            "The pre-trained model failed to load, returning None",
            "The training data is empty",
            "The model is already fine-tuned",
            "The prediction method is called before training",
        ),
        correct="A",
        steps=(
            (
                "Analyze the error message",
                "The error says 'NoneType' has no attribute 'train', meaning the model variable "
                "is None, not a model object.",
            ),
            (
                "Identify cause of None",
                "This usually happens if loading the pre-trained model failed and returned None "
                "instead of a model.",
            ),
        ),
        quick_check="None model means load failure",
        hint="Check if model loaded correctly before training",
        mistakes=(
            "Blaming empty training data for this error",
            "Assuming model is already fine-tuned",
            "Confusing training and prediction order",
        ),
    ),
    practice(
        question=(
            "You have a large language model pre-trained on general text. You want to create a "
            "chatbot for medical advice. Which approach best uses pre-training and fine-tuning?",
        ),
        difficulty="hard",
        options=(
            "Use the pre-trained model without any changes",
            "Train a new model from scratch only on medical texts",
            "Fine-tune the pre-trained model on medical conversation data",
            "Pre-train the model again on medical texts before fine-tuning",
        ),
        correct="C",
        steps=(
            (
                "Understand the goal",
                "The goal is to adapt a general language model to a specific medical chatbot task.",
            ),
            (
                "Evaluate options",
                "Training from scratch is costly and slow; using the model without changes lacks "
                "medical knowledge; re-pre-training is unnecessary and expensive.",
            ),
            (
                "Choose best approach",
                "Fine-tuning the pre-trained model on medical conversation data efficiently "
                "adapts it to the task.",
            ),
        ),
        quick_check="Fine-tuning adapts general model to specific task",
        hint="Fine-tune pre-trained model for specific tasks",
        mistakes=(
            "Training from scratch wastes resources",
            "Using pre-trained model without fine-tuning misses task needs",
            "Re-pre-training is redundant and costly",
        ),
    ),
)

SEED_INVENTORY = {
    "recall flashcard": 5,
    "quiz question": 5,
    "open-ended prompt": 2,
    "explanation": 2,
    "analogy": 1,
    "diagram": 1,
    "key fact": 4,
    "confusion": 2,
    "summary": 1,
    "practice question": 5,
    "key fact cloze": 4,
    "key fact cloze choice": 4,
    "analogy mapping": 2,
    "analogy choice": 2,
    "summary cloze": 3,
    "summary cloze choice": 5,
}


# --------------------------------------------------------------------------------------------
# HTML helpers
# --------------------------------------------------------------------------------------------

STYLE_OR_SCRIPT = re.compile(r"<(style|script)\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
BLOCK_TAG = re.compile(
    r"</?(?:address|article|blockquote|br|dd|details|div|dl|dt|figcaption|figure|footer|h[1-6]"
    r"|header|hr|li|ol|p|pre|section|summary|table|tbody|td|tfoot|th|thead|tr|ul)\b[^>]*>",
    re.IGNORECASE,
)
ANY_TAG = re.compile(r"<[^>]*>")
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def visible_text(markup: str) -> str:
    """Text a reader sees: no CSS/JS, block tags break words, inline tags do not; one space."""
    text = STYLE_OR_SCRIPT.sub(" ", markup)
    text = BLOCK_TAG.sub(" ", text)
    text = ANY_TAG.sub("", text)
    return " ".join(html.unescape(text).translate(QUOTES).split())


def norm(markup: str) -> str:
    """visible_text without case, for comparing transcribed seed text with cards."""
    return visible_text(markup).casefold()


@dataclass(frozen=True, slots=True)
class Element:
    """An element found in rendered HTML."""

    tag: str
    attrs: Mapping[str, str]
    text: str
    """Text content exactly as written (entities decoded, whitespace kept)."""

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self.attrs.get("class", "").split())


@dataclass(slots=True)
class _Capture:
    tag: str
    attrs: dict[str, str]
    depth: int = 1
    parts: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self, wanted: Callable[[str, Mapping[str, str]], bool]) -> None:
        super().__init__(convert_charrefs=True)
        self.wanted = wanted
        self.open: list[_Capture] = []
        self.found: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for capture in self.open:
            if capture.tag == tag:
                capture.depth += 1
        if self.wanted(tag, values):
            self.open.append(_Capture(tag, values))

    def handle_endtag(self, tag: str) -> None:
        for capture in list(self.open):
            if capture.tag != tag:
                continue
            capture.depth -= 1
            if capture.depth == 0:
                self.open.remove(capture)
                self.found.append(Element(tag, capture.attrs, "".join(capture.parts)))

    def handle_data(self, data: str) -> None:
        for capture in self.open:
            capture.parts.append(data)


def elements(markup: str, tag: str, css_class: str | None = None) -> list[Element]:
    """Every `tag` element (with `css_class`, if given), in document order of their ends."""

    def wanted(name: str, attrs: Mapping[str, str]) -> bool:
        return name == tag and (css_class is None or css_class in attrs.get("class", "").split())

    collector = _Collector(wanted)
    collector.feed(STYLE_OR_SCRIPT.sub("", markup))
    collector.close()
    return collector.found


def pre_blocks(markup: str) -> list[str]:
    return [element.text for element in elements(markup, "pre")]


def has_lines_in_pre(markup: str, lines: tuple[str, ...]) -> bool:
    block = "\n".join(lines)
    return any(block in text for text in pre_blocks(markup))


def table_rows(markup: str) -> list[tuple[str, ...]]:
    rows = []
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr\s*>", markup, re.DOTALL | re.IGNORECASE):
        cells = re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]\s*>", row, re.DOTALL | re.IGNORECASE)
        rows.append(tuple(norm(cell) for cell in cells))
    return rows


# --------------------------------------------------------------------------------------------
# Front matter of content/ (decks and tags are read from it, not hard-coded)
# --------------------------------------------------------------------------------------------

ORDER_PREFIX = re.compile(r"^\d+[-_ .]+")


def front_matter(path: Path) -> dict[str, object]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].rstrip() != "---":
        return {}
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    data = yaml.safe_load("\n".join(lines[1:end])) or {}
    assert isinstance(data, dict), path
    return {str(key): value for key, value in data.items()}


def tag_list(value: object) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


def humanize(folder: str) -> str:
    text = " ".join(ORDER_PREFIX.sub("", folder).replace("-", " ").replace("_", " ").split())
    return (text[0].upper() + text[1:]) if text else folder


def expected_deck(source: str) -> str:
    """The deck of a lesson (path relative to content/), from the `deck:` keys of _index.md."""
    names = [str(front_matter(CONTENT / "_index.md")["deck"])]
    folder = CONTENT
    for part in PurePosixPath(source).parent.parts:
        folder = folder / part
        index = folder / "_index.md"
        deck = front_matter(index).get("deck") if index.is_file() else None
        names.append(str(deck) if deck else humanize(part))
    return "::".join(names)


def expected_front_matter_tags(source: str) -> set[str]:
    """Course, folder and lesson `tags` of a lesson (path relative to content/)."""
    tags = set(tag_list(front_matter(CONTENT / "_index.md").get("tags")))
    folder = CONTENT
    for part in PurePosixPath(source).parent.parts:
        folder = folder / part
        index = folder / "_index.md"
        if index.is_file():
            tags.update(tag_list(front_matter(index).get("tags")))
    tags.update(tag_list(front_matter(CONTENT / source).get("tags")))
    return tags


# --------------------------------------------------------------------------------------------
# The imported collection
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportedCard:
    card_id: int
    ord: int
    deck: str
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class ImportedNote:
    note_id: int
    guid: str
    note_type: str
    fields: Mapping[str, str]
    tags: frozenset[str]
    cards: tuple[ImportedCard, ...]

    @property
    def front(self) -> str:
        return self.cards[0].question

    @property
    def back(self) -> str:
        return self.cards[0].answer

    @property
    def label(self) -> str:
        return f"{self.note_type} {self.fields.get('ID', '?')!r}"

    def construct_tags(self) -> list[str]:
        return sorted(tag for tag in self.tags if tag.startswith("ankigen::"))


@dataclass(frozen=True, slots=True)
class Imported:
    col: Collection
    log: ImportResponse.Log
    notes: tuple[ImportedNote, ...]

    def of_type(self, name: str) -> list[ImportedNote]:
        return [note for note in self.notes if note.note_type == name]


def read_notes(col: Collection) -> tuple[ImportedNote, ...]:
    notes = []
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        note_type = note.note_type()
        assert note_type is not None
        cards = tuple(
            ImportedCard(
                card.id, card.ord, col.decks.name(card.did), card.question(), card.answer()
            )
            for card in sorted(note.cards(), key=lambda card: card.ord)
        )
        notes.append(
            ImportedNote(
                note_id=int(note.id),
                guid=note.guid,
                note_type=note_type["name"],
                fields=dict(note.items()),
                tags=frozenset(note.tags),
                cards=cards,
            )
        )
    return tuple(notes)


@pytest.fixture(scope="module")
def imported(
    seed_build: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Imported]:
    """The seed package imported once into a fresh collection, shared by this module."""
    assert seed_build.output is not None
    with collection(tmp_path_factory.mktemp("anki-import")) as col:
        log = cast(ImportResponse.Log, import_package(col, seed_build.output))
        yield Imported(col, log, read_notes(col))


@pytest.fixture(scope="module")
def built_by_id(seed_build: BuildResult) -> dict[str, RenderedNote]:
    return {note.meta.id: note for note in seed_build.notes}


CLOZE_SYNTAX = re.compile(r"\{\{c(?P<n>\d+)::(?P<answer>.*?)(?:::(?P<hint>.*?))?\}\}", re.DOTALL)


def cloze_groups(text: str) -> list[int]:
    """Deletion groups written in a cloze field, ascending (what Anki makes cards from)."""
    return sorted({int(match["n"]) for match in CLOZE_SYNTAX.finditer(text)})


def cloze_plain(text: str) -> str:
    """A cloze field as the answer side shows it: every deletion replaced by its text."""
    return CLOZE_SYNTAX.sub(lambda match: match["answer"], text)


# --------------------------------------------------------------------------------------------
# Import log, counts, note types, decks, cards, tags
# --------------------------------------------------------------------------------------------


def test_import_log_reports_every_note_new(imported: Imported) -> None:
    log = imported.log
    assert len(log.new) == EXPECTED_NOTES
    assert log.found_notes == EXPECTED_NOTES
    assert list(log.updated) == []
    assert list(log.duplicate) == []
    assert list(log.conflicting) == []
    assert list(log.first_field_match) == []
    assert list(log.missing_notetype) == []
    assert list(log.missing_deck) == []
    assert list(log.empty_first_field) == []


def test_build_reports_no_problem(seed_build: BuildResult) -> None:
    # Every generated multiple-choice card found its options: no "only N options" warning.
    assert [d.format() for d in seed_build.diagnostics.sorted()] == []


def test_note_counts_per_note_type(imported: Imported, seed_build: BuildResult) -> None:
    built = Counter(REGISTRY.note_type(note.note_type).name for note in seed_build.notes)
    in_anki = Counter(note.note_type for note in imported.notes)
    assert dict(built) == EXPECTED_NOTE_TYPES
    assert dict(in_anki) == EXPECTED_NOTE_TYPES
    assert imported.col.note_count() == EXPECTED_NOTES


def test_note_counts_per_construct(imported: Imported, seed_build: BuildResult) -> None:
    built = Counter(note.meta.construct for note in seed_build.notes)
    tagged = Counter(
        tag.removeprefix("ankigen::") for note in imported.notes for tag in note.construct_tags()
    )
    assert dict(built) == EXPECTED_CONSTRUCTS
    assert dict(tagged) == EXPECTED_CONSTRUCTS


def test_notes_match_the_build_one_to_one(
    imported: Imported, seed_build: BuildResult, built_by_id: dict[str, RenderedNote]
) -> None:
    assert seed_build.course is not None
    # Pinned when the notes were first released: a GUID that moves loses the learner's history.
    pinned = json.loads((FIXTURES / "golden" / "seed-guids.json").read_text(encoding="utf-8"))
    assert len(built_by_id) == len(seed_build.notes) == EXPECTED_NOTES
    by_id = {note.fields["ID"]: note for note in imported.notes}
    assert set(by_id) == set(built_by_id)
    for note_id, note in by_id.items():
        built = built_by_id[note_id]
        assert note.guid == pinned[note_id], note.label
        assert note.note_type == REGISTRY.note_type(built.note_type).name, note.label
        assert tuple(note.fields.values()) == built.fields, note.label


def test_one_note_type_per_kind_without_copies(imported: Imported) -> None:
    names = [entry.name for entry in imported.col.models.all_names_and_ids()]
    ours = sorted(name for name in names if name.startswith("ankigen"))
    assert ours == sorted(EXPECTED_NOTE_TYPES)
    # Anki imports the note types the notes use; the package holds every one of the registry.
    assert set(EXPECTED_NOTE_TYPES) <= {nt.name for nt in REGISTRY.note_types.values()}
    assert not [name for name in names if "+" in name]
    assert all(Counter(names)[name] == 1 for name in EXPECTED_NOTE_TYPES)


SEED_KINDS = sorted(
    key for key, spec in REGISTRY.note_types.items() if spec.name in EXPECTED_NOTE_TYPES
)


@pytest.mark.parametrize("kind", SEED_KINDS, ids=str)
def test_note_type_carries_the_generator_ids(imported: Imported, kind: str) -> None:
    spec = REGISTRY.note_type(kind)
    model = imported.col.models.by_name(spec.name)
    assert model is not None, spec.name
    assert model["id"] == spec.model_id
    assert model["type"] == (MODEL_CLOZE if spec.cloze else MODEL_STD)
    assert [(f["name"], f.get("id"), f["ord"]) for f in model["flds"]] == [
        (f.name, f.id, index) for index, f in enumerate(spec.fields)
    ]
    assert [(t["name"], t.get("id"), t["ord"]) for t in model["tmpls"]] == [
        (spec.template_name, spec.template_id, 0)
    ]
    template = REGISTRY.template(kind)
    assert model["tmpls"][0]["qfmt"] == template.front
    assert model["tmpls"][0]["afmt"] == template.back
    assert model["css"] == template.css
    assert model["sortf"] == 0


def test_only_the_cloze_note_type_is_a_cloze_type(imported: Imported) -> None:
    cloze_types = sorted(spec.name for spec in REGISTRY.note_types.values() if spec.cloze)
    assert cloze_types == [CLOZE, "ankigen Cloze type-in", "ankigen Image occlusion"]
    model = imported.col.models.by_name(CLOZE)
    assert model is not None
    assert "{{cloze:Text}}" in model["tmpls"][0]["qfmt"]
    assert "{{cloze:Text}}" in model["tmpls"][0]["afmt"]


def test_every_card_is_in_the_deck_named_in_content(
    imported: Imported, seed_build: BuildResult
) -> None:
    assert seed_build.course is not None
    decks = {expected_deck(note.fields["Source"]) for note in imported.notes}
    # This seed is one topic folder: one deck under the course deck.
    assert len(decks) == 1
    (deck,) = decks
    course_deck = str(front_matter(CONTENT / "_index.md")["deck"])
    assert deck.startswith(f"{course_deck}::")
    assert seed_build.course.decks == (deck,)
    for note in imported.notes:
        assert [card.deck for card in note.cards] == [deck] * len(note.cards), note.label
    names = {entry.name for entry in imported.col.decks.all_names_and_ids()}
    assert {course_deck, deck} <= names
    assert imported.col.find_cards('deck:"Default"') == []


def test_cards_per_note(imported: Imported, built_by_id: dict[str, RenderedNote]) -> None:
    """A cloze note has one card per deletion group (ordinal = group - 1); others one card."""
    cloze_cards = {}
    for note in imported.notes:
        ordinals = [card.ord for card in note.cards]
        assert ordinals == list(built_by_id[note.fields["ID"]].cards), note.label
        if note.note_type == CLOZE:
            groups = cloze_groups(note.fields["Text"])
            assert ordinals == [group - 1 for group in groups], note.label
            cloze_cards[note.fields["ID"]] = len(ordinals)
        else:
            assert ordinals == [0], note.label
    assert cloze_cards == EXPECTED_CLOZE_CARDS
    assert imported.col.card_count() == EXPECTED_CARDS
    assert (
        EXPECTED_NOTES - len(EXPECTED_CLOZE_CARDS) + sum(EXPECTED_CLOZE_CARDS.values())
        == EXPECTED_CARDS
    )


def test_summary_points_have_five_deletion_groups(imported: Imported) -> None:
    summaries = [note for note in imported.of_type(CLOZE) if "ankigen::summary" in note.tags]
    assert len(summaries) == 3
    assert sum(len(cloze_groups(note.fields["Text"])) for note in summaries) == 5
    choices = [
        note for note in imported.of_type(CLOZE_CHOICE) if "ankigen::summary-choice" in note.tags
    ]
    assert len(choices) == 5


def test_tags_equal_the_build_and_the_front_matter(
    imported: Imported, built_by_id: dict[str, RenderedNote]
) -> None:
    for note in imported.notes:
        built = built_by_id[note.fields["ID"]]
        assert note.tags == frozenset(built.meta.tags), note.label
        assert expected_front_matter_tags(note.fields["Source"]) <= note.tags, note.label
        assert note.construct_tags() == [f"ankigen::{built.meta.construct}"], note.label
        assert all(" " not in tag for tag in note.tags), note.label


def test_level_and_difficulty_tags_by_construct(imported: Imported) -> None:
    for note in imported.notes:
        levels = [tag for tag in note.tags if tag.startswith("level::")]
        difficulties = [tag for tag in note.tags if tag.startswith("difficulty::")]
        if note.construct_tags() == ["ankigen::multiple-choice"]:
            assert len(difficulties) == 1, note.label
            assert difficulties[0] in {"difficulty::easy", "difficulty::medium", "difficulty::hard"}
            # `level` front matter is a default for the notes that are not written multiple-choice
            # questions (format.md), and no question of this course has a `**Level:**` field.
            assert levels == [], note.label
        else:
            # Reveal, self-check, key facts, confusions, analogies and summaries, and the
            # multiple-choice cards generated from them: the lesson's level, no difficulty.
            assert difficulties == [], note.label
            assert len(levels) == 1, note.label
            assert levels[0] in {"level::beginner", "level::intermediate", "level::advanced"}


def test_no_id_comment_leaks_into_a_field(imported: Imported) -> None:
    """`<!-- id: … -->` names the note; it is never part of a question, answer or option."""
    leaks = [
        f"{note.label} {name}"
        for note in imported.notes
        for name, value in note.fields.items()
        if "<!--" in value
    ]
    assert leaks == []


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def main_text(note: ImportedNote) -> tuple[str, str]:
    """What the question side and the answer side must both show of the note's main field."""
    if note.note_type == CLOZE:
        return "", norm(cloze_plain(note.fields["Text"]))
    if note.note_type == CLOZE_CHOICE:
        return norm(note.fields["Sentence"]), norm(note.fields["Full"])
    main = norm(next(iter(note.fields.values())))
    return main, main


def test_every_card_renders(imported: Imported) -> None:
    problems = []
    for note in imported.notes:
        on_front, on_back = main_text(note)
        for card in note.cards:
            for side, markup in (("question", card.question), ("answer", card.answer)):
                if errors := render_errors(markup):
                    problems.append(f"{note.label} {side}: Anki error text {errors}")
            if not on_back:
                problems.append(f"{note.label}: empty main field")
            if not visible_text(card.question):
                problems.append(f"{note.label}: question side is blank")
            if on_front not in norm(card.question):
                problems.append(f"{note.label}: main text missing from the question side")
            if on_back not in norm(card.answer):
                problems.append(f"{note.label}: main text missing from the answer side")
            front_root = elements(card.question, "div", "ak-front")
            back_root = elements(card.answer, "div", "ak-back")
            if len(front_root) != 1 or len(back_root) != 1:
                problems.append(f"{note.label}: not rendered with the front and back templates")
    assert problems == []


def test_anki_cloze_cards_blank_one_group(imported: Imported) -> None:
    """Anki's own cloze rendering: the card's group is `[...]` on the front and its text on the
    back; the other groups are plain text on both sides."""
    for note in imported.of_type(CLOZE):
        deletions = list(CLOZE_SYNTAX.finditer(note.fields["Text"]))
        for card in note.cards:
            own = [d for d in deletions if int(d["n"]) == card.ord + 1]
            assert own, note.label
            front_blanks = elements(card.question, "span", "cloze")
            back_blanks = elements(card.answer, "span", "cloze")
            assert [e.text for e in front_blanks] == [
                f"[{d['hint']}]" if d["hint"] else ANKI_BLANK for d in own
            ], note.label
            assert [norm(e.text) for e in back_blanks] == [norm(d["answer"]) for d in own]
            (text,) = elements(card.question, "div", "ak-cloze-text")
            for deletion in own:
                assert norm(deletion["answer"]) not in norm(text.text), note.label


# --------------------------------------------------------------------------------------------
# Every seed item is present
# --------------------------------------------------------------------------------------------


def test_seed_table_is_the_whole_inventory() -> None:
    assert dict(Counter(item.group for item in SEED_ITEMS)) == SEED_INVENTORY
    assert len(SEED_ITEMS) == EXPECTED_NOTES
    assert len({item.name for item in SEED_ITEMS}) == len(SEED_ITEMS)
    counted = Counter(item.note_type for item in SEED_ITEMS)
    assert dict(counted) == EXPECTED_NOTE_TYPES
    assert dict(Counter(item.construct for item in SEED_ITEMS)) == EXPECTED_CONSTRUCTS
    cards = sum(len(item.cards()) for item in SEED_ITEMS)
    assert cards == EXPECTED_CARDS
    # Every question a learner answers from the seed explains its answer on the back.
    explained = {"quiz question", "practice question", "confusion"}
    assert all(item.explanation for item in SEED_ITEMS if item.group in explained)
    ids = [item.note_id for item in SEED_ITEMS if item.note_id]
    assert len(set(ids)) == len(ids)


def missing_text(item: SeedItem, note: ImportedNote) -> list[str]:
    """The item's texts not found where they belong on this note's cards."""
    expected = item.cards()
    if len(note.cards) != len(expected):
        return [f"{len(expected)} cards, not {len(note.cards)}"]
    missing = []
    for card, (front_only, back_only) in zip(note.cards, expected, strict=True):
        front, back = norm(card.question), norm(card.answer)
        missing += [
            f"front: {text}" for text in (*item.front, *front_only) if norm(text) not in front
        ]
        missing += [f"back: {text}" for text in (*item.front, *back_only) if norm(text) not in back]
        missing += [f"option: {text}" for text in item.options if norm(text) not in front]
        if item.hint and norm(item.hint) not in front:
            missing.append(f"hint: {item.hint}")
        if item.answer and norm(item.answer) not in back:
            missing.append(f"answer: {item.answer}")
    return missing


def matches(item: SeedItem, note: ImportedNote) -> bool:
    if note.note_type != item.note_type or missing_text(item, note):
        return False
    if item.front_pre and not has_lines_in_pre(note.front, item.front_pre):
        return False
    return not (item.back_pre and not has_lines_in_pre(note.back, item.back_pre))


def find_note(item: SeedItem, imported: Imported) -> ImportedNote:
    found = [note for note in imported.notes if matches(item, note)]
    if len(found) == 1:
        return found[0]
    if found:
        pytest.fail(f"{item.name}: several cards match: {[note.label for note in found]}")
    same_type = imported.of_type(item.note_type)
    closest = min(same_type, key=lambda note: len(missing_text(item, note)), default=None)
    detail = f"closest card {closest.label} lacks {missing_text(item, closest)}" if closest else ""
    pytest.fail(f"{item.name}: no {item.note_type} card has it; {detail}")


def test_every_seed_item_maps_to_its_own_note(imported: Imported) -> None:
    owners: dict[int, list[str]] = {}
    for item in SEED_ITEMS:
        owners.setdefault(find_note(item, imported).note_id, []).append(item.name)
    shared = {nid: names for nid, names in owners.items() if len(names) > 1}
    assert shared == {}
    unaccounted = [note.label for note in imported.notes if note.note_id not in owners]
    assert unaccounted == []


@pytest.mark.parametrize("item", SEED_ITEMS, ids=lambda item: item.name[:70])
def test_seed_item_is_on_a_card(imported: Imported, item: SeedItem) -> None:
    note = find_note(item, imported)
    assert f"ankigen::{item.construct}" in note.tags
    assert set(item.tags) <= note.tags
    if item.note_id:
        assert note.fields["ID"] == item.note_id
    # The answer is not given away on the question side.
    for card, (_, back_only) in zip(note.cards, item.cards(), strict=True):
        revealed = [text for text in back_only if norm(text) in norm(card.question)]
        assert revealed == []
    for row in item.mappings:
        assert tuple(norm(cell) for cell in row) in table_rows(note.back), row
    if item.note_type == SELFCHECK:
        assert len(elements(note.back, "li", "ak-concept")) == item.concepts
    if item.note_type in (CHOICE, CLOZE_CHOICE):
        check_choice(item, note)


def check_choice(item: SeedItem, note: ImportedNote) -> None:
    count = item.option_count
    for side in (note.front, note.back):
        options = elements(side, "li", "ak-option")
        # Written questions of this course have four options, true/false questions two, and
        # generated ones `choice_options` (4); every question has exactly one correct answer.
        assert len(options) == count, note.label
        letters = [option.attrs.get("data-letter") for option in options]
        assert letters == list(OPTION_LETTERS[:count]), note.label
        correct = [option for option in options if option.attrs.get("data-correct") == "true"]
        wrong = [option for option in options if option.attrs.get("data-correct") == "false"]
        assert len(correct) == 1 and len(wrong) == count - 1, note.label
        texts = [norm(option.text) for option in options]
        if item.options:
            wanted = [norm(text) for text in item.options]
            assert all(map(str.endswith, texts, wanted)), (texts, wanted)
            assert correct[0].attrs.get("data-letter") == item.correct
            assert norm(correct[0].text).endswith(norm(item.answer))
        elif item.pool:
            # Generated: the answer and count - 1 distinct wrong options from the pool.
            assert len(set(texts)) == count, note.label
            letter = correct[0].attrs.get("data-letter", "").casefold()
            assert norm(correct[0].text) == f"{letter}{norm(item.answer)}", note.label
            wrong_texts = {
                norm(option.text).removeprefix(option.attrs.get("data-letter", "").casefold())
                for option in wrong
            }
            pool = {norm(text) for text in item.pool}
            assert wrong_texts <= pool, (wrong_texts, pool)
            if len(pool) == count - 1:
                assert wrong_texts == pool


# --------------------------------------------------------------------------------------------
# Multiple choice with JavaScript off
# --------------------------------------------------------------------------------------------

CHOICE_ITEMS = [item for item in SEED_ITEMS if item.note_type in (CHOICE, CLOZE_CHOICE)]
CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
HIDING = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
INLINE_HIDES = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# CSS that only applies with JavaScript on (card.js adds `.ak-js`), on the question side, or to
# elements that are empty until a script fills them (`[hidden]`, checked in the HTML itself).
NOT_THE_PLAIN_BACK = (".ak-js", ".ak-front", "[hidden]")


def hidden_elements(markup: str) -> list[Element]:
    """Elements hidden by an attribute or inline style, as a browser shows them without JS."""

    def wanted(name: str, attrs: Mapping[str, str]) -> bool:
        return "hidden" in attrs or bool(INLINE_HIDES.search(attrs.get("style", "")))

    collector = _Collector(wanted)
    collector.feed(STYLE_OR_SCRIPT.sub("", markup))
    collector.close()
    return collector.found


ANSWER_PARTS = (
    "ak-back",
    "ak-answer",
    "ak-option",
    "ak-explanation",
    "ak-solution",
    "ak-cloze-answer",
    "ak-cloze-text",
)


@pytest.mark.parametrize("name", [CHOICE, CLOZE_CHOICE])
def test_choice_css_marks_the_answer_without_javascript(imported: Imported, name: str) -> None:
    model = imported.col.models.by_name(name)
    assert model is not None
    css: str = model["css"]
    # The correct option is marked by the note type's CSS, on the back side only.
    assert '.ak-back .ak-option[data-correct="true"]' in css
    # Nothing on the back is hidden by CSS waiting for a script to reveal it.
    hiding = [
        selector.strip()
        for selectors, body in CSS_RULE.findall(css)
        if HIDING.search(body)
        for selector in selectors.split(",")
        if any(part in selector for part in ANSWER_PARTS)
        and not any(scope in selector for scope in NOT_THE_PLAIN_BACK)
    ]
    assert hiding == []


@pytest.mark.parametrize("item", CHOICE_ITEMS, ids=lambda item: item.name[:70])
def test_choice_back_without_javascript(imported: Imported, item: SeedItem) -> None:
    """The raw back HTML, as shown with JavaScript off, marks the answer and explains it."""
    note = find_note(item, imported)
    back = STYLE_OR_SCRIPT.sub("", note.back)
    # Whatever the back hides until a script runs holds no text.
    assert [e.text.strip() for e in hidden_elements(back)] == [""] * len(hidden_elements(back))
    (root,) = [e for e in elements(back, "div") if "ak-back" in e.classes]
    assert ("ak-clozechoice" if item.note_type == CLOZE_CHOICE else "ak-choice") in root.classes
    correct = [
        option
        for option in elements(back, "li", "ak-option")
        if option.attrs.get("data-correct") == "true"
    ]
    assert len(correct) == 1
    if item.correct:
        assert correct[0].attrs.get("data-letter") == item.correct
    letter = correct[0].attrs.get("data-letter", "")
    option_text = norm(correct[0].text).removeprefix(letter.casefold()).strip()
    assert option_text
    if item.answer:
        assert option_text == norm(item.answer)
    # The answer section states the correct option in plain text.
    (answer,) = elements(back, "section", "ak-answer")
    assert option_text in norm(answer.text)
    if item.group == "practice question":
        # The seed's final answer names the option ("-> Option D"); so must the card's.
        assert f"option {item.correct}".casefold() in norm(answer.text)
    # The explanation (quiz, confusion) or the worked solution (practice) is on the back only.
    explained = " ".join(
        norm(section.text)
        for section in elements(back, "section")
        if {"ak-explanation", "ak-solution"} & set(section.classes)
    )
    for text in item.explanation:
        assert norm(text) in explained
        assert norm(text) not in norm(note.front)
    # The front is the question side: no answer section, no marking.
    front = STYLE_OR_SCRIPT.sub("", note.front)
    assert "ak-front" in front and "ak-back" not in front
    assert elements(note.front, "section", "ak-answer") == []
    if item.note_type == CLOZE_CHOICE:
        # The front shows the sentence with a blank; the back the sentence with the answer
        # marked in place.
        (blank,) = elements(note.front, "span", "ak-blank")
        assert blank.text == CHOICE_BLANK
        assert elements(note.front, "mark", "ak-cloze-answer") == []
        assert elements(back, "span", "ak-blank") == []
        (marked,) = elements(back, "mark", "ak-cloze-answer")
        assert norm(marked.text) == norm(item.answer)
