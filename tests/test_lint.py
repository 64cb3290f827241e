"""`ankigen lint` and the lint warnings of `ankigen build`.

The rules are tested on the examples of docs/lint.md (each bad card gets its finding, each good
card none), so the documentation cannot drift from the code; then silencing per card and per
lesson, the build's warnings and their switch, the command line, and the seed course.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.config import BuildConfig
from generator.lint import CODES, RULES, rules
from generator.lint.facts import Fact
from generator.pipeline import build, lint_course
from tests.conftest import CONTENT, ROOT

DOC = (ROOT / "docs" / "lint.md").read_text(encoding="utf-8")
HEADING = re.compile(r"^### `(lint-[a-z-]+)`$", re.M)
EXAMPLE = re.compile(r"\*\*(?P<kind>Bad|Good):\*\*\n\n```markdown\n(?P<text>.*?)\n```", re.S)
# Each rule's section runs to the next rule's heading (examples hold headings of their own).
PARTS = HEADING.split(DOC.split("## What the rules do not check")[0])
EXAMPLES = {
    code: {m["kind"]: m["text"] for m in EXAMPLE.finditer(body)}
    for code, body in zip(PARTS[1::2], PARTS[2::2], strict=True)
}


def course(tmp_path: Path, lesson: str, front_matter: str = "") -> Path:
    content = tmp_path / "content"
    content.mkdir(parents=True, exist_ok=True)
    (content / "_index.md").write_text(
        f"---\ndeck: Lint\nnamespace: lint-test\n{front_matter}---\n", encoding="utf-8"
    )
    (content / "lesson.md").write_text(f"# Lesson\n\n{lesson}\n", encoding="utf-8")
    return content


def codes(content: Path) -> list[str]:
    result = lint_course(BuildConfig(content=content, out_dir=content.parent / "out", jobs=1))
    assert result.diagnostics.errors == [], [d.format() for d in result.diagnostics.errors]
    return [finding.code for finding in result.findings]


def test_every_rule_is_documented_with_a_bad_and_a_good_example() -> None:
    assert set(EXAMPLES) == CODES
    assert [rule.code for rule in RULES] == list(EXAMPLES)
    for code, examples in EXAMPLES.items():
        assert set(examples) == {"Bad", "Good"}, code
    assert all(rule.why for rule in RULES)


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_the_bad_example_is_found_and_the_good_one_is_not(tmp_path: Path, code: str) -> None:
    assert codes(course(tmp_path / "bad", EXAMPLES[code]["Bad"])) == [code]
    assert codes(course(tmp_path / "good", EXAMPLES[code]["Good"])) == []


def test_the_seed_course_is_clean() -> None:
    result = lint_course(BuildConfig(content=CONTENT, out_dir=Path("unused"), jobs=1))
    assert [d.format() for d in result.diagnostics.items] == []
    assert result.ok


# --------------------------------------------------------------------------------------------
# Silencing
# --------------------------------------------------------------------------------------------


def test_a_comment_silences_its_card_only(tmp_path: Path) -> None:
    bad = EXAMPLES["lint-negative-stem"]["Bad"]
    silenced = bad.replace("\n\n- [ ]", "\n\n<!-- lint-ignore: lint-negative-stem -->\n\n- [ ]", 1)
    other = bad.replace("lint-bad-negative", "other").replace("Which step", "Which stage")
    content = course(tmp_path, f"{silenced}\n\n{other}")
    result = lint_course(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1))
    assert [(f.code, f.line) for f in result.findings] == [("lint-negative-stem", 11)]


def test_a_bare_comment_silences_every_rule_and_never_reaches_the_card(tmp_path: Path) -> None:
    bad = EXAMPLES["lint-correct-stands-out"]["Bad"].replace(
        "- [ ] It uses no data", "- [ ] It uses no data\n\n<!-- lint-ignore -->"
    )
    content = course(tmp_path, bad)
    assert codes(content) == []
    result = build(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1, now=1))
    assert result.output is not None
    assert not any("lint-ignore" in field for note in result.notes for field in note.fields)


def test_a_comment_in_lesson_text_silences_the_next_paragraph(tmp_path: Path) -> None:
    text = (
        "## Text\n\n<!-- lint-ignore: lint-trivial-cloze -->\n"
        "Fine-tuning starts from ==a== pre-trained model. <!-- id: one -->\n\n"
        "Pre-training starts from ==a== blank model. <!-- id: two -->\n"
    )
    result = lint_course(
        BuildConfig(content=course(tmp_path, text), out_dir=tmp_path / "out", jobs=1)
    )
    assert [(f.code, f.line) for f in result.findings] == [("lint-trivial-cloze", 8)]


def test_front_matter_turns_rules_off(tmp_path: Path) -> None:
    content = course(
        tmp_path, EXAMPLES["lint-enumeration"]["Bad"], "lint_ignore: [lint-enumeration]\n"
    )
    assert codes(content) == []


def test_an_unknown_code_is_warned_about(tmp_path: Path) -> None:
    text = EXAMPLES["lint-long-answer"]["Good"] + "\n\n<!-- lint-ignore: lint-long-anwser -->\n"
    content = course(tmp_path, text)
    result = lint_course(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1))
    unknown = [d for d in result.diagnostics.warnings if d.code == "lint-unknown-rule"]
    assert len(unknown) == 1
    assert "lint-long-anwser" in unknown[0].message


# --------------------------------------------------------------------------------------------
# In the build, and on the command line
# --------------------------------------------------------------------------------------------


def test_the_build_warns_with_the_same_codes(tmp_path: Path) -> None:
    content = course(tmp_path, EXAMPLES["lint-all-none-of-the-above"]["Bad"])
    result = build(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1, now=1))
    assert result.output is not None
    assert [d.code for d in result.diagnostics.warnings] == ["lint-all-none-of-the-above"]
    strict = build(
        BuildConfig(content=content, out_dir=tmp_path / "strict", jobs=1, now=1, strict=True)
    )
    assert strict.output is None


def test_lint_build_false_keeps_the_build_quiet(tmp_path: Path) -> None:
    content = course(tmp_path, EXAMPLES["lint-all-none-of-the-above"]["Bad"], "lint_build: false\n")
    result = build(BuildConfig(content=content, out_dir=tmp_path / "out", jobs=1, now=1))
    assert result.diagnostics.items == []
    assert codes(content) == ["lint-all-none-of-the-above"]


def test_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    clean = course(tmp_path / "a", EXAMPLES["lint-long-answer"]["Good"])
    done = runner.invoke(main, ["lint", str(clean)])
    assert done.exit_code == 0, done.output
    assert done.output.strip().startswith("lint: no findings")
    dirty = course(tmp_path / "b", EXAMPLES["lint-long-answer"]["Bad"])
    done = runner.invoke(main, ["lint", str(dirty)])
    assert done.exit_code == 1
    assert re.search(r"lesson\.md:3: warning: .* \[lint-long-answer\]", done.output)
    done = runner.invoke(main, ["lint", str(dirty), "--json"])
    assert done.exit_code == 1
    payload = json.loads(done.output[done.output.index("{") :])
    assert [f["code"] for f in payload["findings"]] == ["lint-long-answer"]
    assert payload["findings"][0]["line"] == 3


def asks(*questions: str) -> list[tuple[str, str]]:
    """(note id, the note it repeats) for each note found asking what an earlier one asks."""
    facts = [
        Fact("lesson.md", line, f"q{line}", "reveal", question=question)
        for line, question in enumerate(questions, start=1)
    ]
    found = rules.duplicates([rules.asking(fact) for fact in facts])
    return [(note.id, message.split("'")[1]) for note, message in found]


def test_the_duplicate_rule_compares_words_and_content_words_in_order() -> None:
    # The same words, whatever the case and punctuation.
    assert asks("What is a token?", "what is a TOKEN") == [("q2", "q1")]
    # The same content words in the same order, in another form.
    assert asks(
        "What is the goal of pre-training a model?",
        "What goal has pre-training of models?",
    ) == [("q2", "q1")]
    # In another order they ask something else.
    assert asks("Does dropout cause underfitting?", "Does underfitting cause dropout?") == []
    # Two content words say too little: only the same words count.
    assert asks("What is a token?", "Which is the token?") == []
    assert asks("What is a token?", "Is a token what?") == []
    # Each later repeat names the first note that asked it.
    assert asks("Define a token.", "Define a token!", "define a token") == [
        ("q2", "q1"),
        ("q3", "q1"),
    ]
    # A generated question (none written) is compared with nothing.
    assert asks("", "") == []
