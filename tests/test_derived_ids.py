"""Derived ids of headings, terms and file names in any script.

A derived id decides a note's GUID, so an id derived from Latin text must never change: those
below are what ankigen has always derived. Text in other scripts used to derive 'card' whatever
it said (two Japanese headings were one id); it derives its transliteration and a digest of the
text, computed here independently from the documented scheme.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from generator.config import BuildConfig
from generator.pipeline import build
from generator.source.noteids import id_slug, slugify, valid_id
from generator.stamp_ids import stamp_ids


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("What is pre-training in machine learning?", "what-is-pre-training-in-machine-learning"),
        ("Café au lait, s'il vous plaît", "cafe-au-lait-s-il-vous-plait"),
        ("Straße", "strae"),
        ("Łódź", "odz"),
        ("01-pretraining-and-fine-tuning", "01-pretraining-and-fine-tuning"),
        ("What is 東京?", "what-is"),  # mixed scripts: the Latin part, as always
        ("Что такое GPT?", "gpt"),
        ("???", "card"),
        ("", "card"),
        ("x" * 80, "x" * 60),
    ],
)
def test_ids_from_latin_text_never_change(text: str, slug: str) -> None:
    assert id_slug(text) == slug


def digest(text: str) -> str:
    written = " ".join(text.casefold().split())
    return hashlib.sha256(written.encode()).hexdigest()[:8]


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        ("東京とは", "dongjingtoha"),
        ("大阪とは", "dabantoha"),
        ("Привет мир", "privet-mir"),
        ("Ελληνικά", "ellinika"),
        ("한국어", "hangugeo"),
    ],
)
def test_text_in_other_scripts_is_spelled_and_told_apart(text: str, spelled: str) -> None:
    slug = id_slug(text)
    assert slug == f"{spelled}-{digest(text)}"
    assert valid_id(f"lesson#{slug}")  # `ankigen ids` can write it into the source


def test_long_ids_are_cut_to_their_limit() -> None:
    assert id_slug("lesson-" * 10, limit=40) == ("lesson-" * 6)[:40].rstrip("-")
    assert id_slug("a" * 50, limit=40) == "a" * 40
    # Other scripts: the spelling is cut so that it and its digest fit the limit.
    long = "東京" * 40
    assert id_slug(long) == ("dongjing" * 10)[:51] + f"-{digest(long)}"
    assert len(id_slug(long)) == 60
    assert id_slug(long, limit=30) == f"dongjingdongjingdongj-{digest(long)}"
    assert len(id_slug(long, limit=30)) == 30


def test_letters_with_no_latin_spelling_still_get_a_distinct_id() -> None:
    assert id_slug("々々") == f"u-{digest('々々')}"
    assert id_slug("々々") != id_slug("々")


@pytest.mark.parametrize(
    ("deck", "name"),
    [("Biology 101", "biology-101"), ("日本語", "card"), ("x" * 100, "x" * 80)],
)
def test_package_file_names(deck: str, name: str) -> None:
    assert slugify(deck, limit=80) == name


@pytest.mark.parametrize("text", ["What is pre-training?", "Straße", "x" * 80, "???"])
def test_slugify_derives_what_id_slug_derives_from_latin_text(text: str) -> None:
    # bench/corpus.py predicts derived ids with slugify.
    assert slugify(text) == id_slug(text)


def test_texts_that_read_alike_get_different_ids() -> None:
    # Both are read "YiYi" in Chinese: the digest tells them apart.
    assert id_slug("意義") != id_slug("異議")
    assert id_slug("意義").startswith("yiyi-")


INDEX = "---\ndeck: 日本語\nnamespace: ja\n---\n"
LESSON = "# 文法\n\n### 東京とは？\n\n日本の首都。\n\n### 大阪とは？\n\n西日本の都市。\n"


def test_a_japanese_course_builds_with_distinct_stable_ids(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "基礎").mkdir(parents=True)
    (content / "_index.md").write_text(INDEX, encoding="utf-8")
    (content / "基礎" / "文法.md").write_text(LESSON, encoding="utf-8")
    first = build(BuildConfig(content=content, out_dir=tmp_path / "a", jobs=1, dry_run=True))
    assert [d.format() for d in first.diagnostics.errors] == []
    ids = [note.meta.id for note in first.notes]
    folder, lesson = id_slug("基礎", limit=40), id_slug("文法", limit=40)
    assert ids == [
        f"{folder}/{lesson}#{id_slug('東京とは？')}",
        f"{folder}/{lesson}#{id_slug('大阪とは？')}",
    ]
    assert len(set(ids)) == 2
    again = build(BuildConfig(content=content, out_dir=tmp_path / "b", jobs=1, dry_run=True))
    assert [note.meta.id for note in again.notes] == ids
    stamped = stamp_ids(content, force=True)
    assert not stamped.diagnostics.errors
    assert sorted(meta.id for metas in stamped.stamped.values() for meta in metas) == sorted(ids)
