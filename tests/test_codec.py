"""The cache's plain form: values come back equal, of their own classes, and as immutable as
they went in."""

from __future__ import annotations

import dataclasses
import io
import sys
import typing
from dataclasses import dataclass, field, replace

import pytest

from generator.anki.state import NoteState, State
from generator.cache.codec import constructor, decode, encode, field_types
from generator.cache.store import PlainUnpickler
from generator.incremental import Block, state_blob, with_digest


@dataclass(frozen=True, slots=True)
class Leaf:
    name: str
    size: int


@dataclass(frozen=True, slots=True)
class Tree:
    leaves: tuple[Leaf, ...]
    top: Leaf | None
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Checked:
    size: int

    def __post_init__(self) -> None:
        if self.size < 0:
            raise ValueError("negative")


@dataclass(frozen=True, slots=True)
class Derived:
    size: int
    double: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "double", 2 * self.size)


@dataclass(frozen=True)
class Unslotted:
    size: int


@dataclass(slots=True)
class Mutable:
    size: int


def test_a_value_comes_back_equal_and_of_its_own_classes() -> None:
    tree = Tree((Leaf("a", 1), Leaf("b", 2)), Leaf("c", 3), frozenset({"x"}))
    back = decode(Tree, encode(tree))
    assert back == tree and hash(back) == hash(tree)
    assert type(back) is Tree and type(back.leaves[0]) is Leaf and type(back.top) is Leaf
    assert decode(Tree, encode(Tree((), None))) == Tree((), None)


def test_a_frozen_slotted_value_is_made_without_its_init_and_stays_frozen() -> None:
    make = constructor(Leaf)
    assert make is not Leaf
    made = make("a", 1)
    assert type(made) is Leaf and made == Leaf("a", 1) and hash(made) == hash(Leaf("a", 1))
    assert repr(made) == "Leaf(name='a', size=1)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.size = 2  # type: ignore[misc]
    assert dataclasses.replace(made, size=2) == Leaf("a", 2)
    with pytest.raises(TypeError):
        make("a")
    with pytest.raises(TypeError):
        make("a", 1, 2)


@pytest.mark.parametrize("cls", [Checked, Derived, Unslotted, Mutable])
def test_other_classes_are_made_by_their_own_init(cls: type) -> None:
    assert constructor(cls) is cls


def test_a_value_that_fails_its_own_checks_still_fails_them() -> None:
    with pytest.raises(ValueError, match="negative"):
        decode(Checked, (-1,))
    assert decode(Derived, (4,)) == Derived(4)


def note_state(index: int, field_hashes: tuple[str, ...] = ()) -> NoteState:
    return NoteState(
        guid=f"g{index}",
        nid=index,
        hash="h",
        mod=2,
        deck="D",
        construct="reveal",
        note_type="reveal",
        cards=(0,),
        field_hashes=field_hashes,
    )


def test_the_classes_the_cache_holds_most_of_are_made_the_quick_way() -> None:
    assert constructor(NoteState) is not NoteState
    assert constructor(Block) is not Block
    note = note_state(1)
    back = decode(NoteState, encode(note))
    assert back == note and type(back) is NoteState and hash(back) == hash(note)


def test_the_kept_state_comes_back_from_its_blob() -> None:
    # One tuple in every note: pickled without a memo, it comes back as equal copies.
    shared = ("a", "b")
    notes = {f"n{index}": note_state(index, field_hashes=shared) for index in range(3)}
    state = State(notes=notes, package="course.apkg", decks={"": "D"})
    blob = state_blob(state)
    plain = PlainUnpickler(io.BytesIO(blob)).load()
    assert decode(State, with_digest(plain, "digest")) == replace(state, package_digest="digest")
    assert state_blob(state) == blob


def held_classes() -> list[type]:
    """Every dataclass and named tuple a cache entry holds, found through the field types of
    the entries' own classes."""
    from generator.cache.memo import Basis, Memo  # noqa: PLC0415
    from generator.compile import CompiledLesson  # noqa: PLC0415
    from generator.incremental import PoolEntry, Snapshot  # noqa: PLC0415
    from generator.kinds.variants import Candidate  # noqa: PLC0415
    from generator.notes import RenderedNote  # noqa: PLC0415

    found: list[type] = []
    todo: list[object] = [
        Block,
        Snapshot,
        State,
        CompiledLesson,
        RenderedNote,
        PoolEntry,
        Candidate,
        Basis,
        Memo,
    ]
    while todo:
        kind = todo.pop()
        if isinstance(kind, type) and (dataclasses.is_dataclass(kind) or hasattr(kind, "_fields")):
            if kind in found:
                continue
            found.append(kind)
            todo.extend(field_types(kind).values())
        todo.extend(typing.get_args(kind))
    return found


def test_the_field_types_are_those_typing_finds() -> None:
    classes = held_classes()
    assert len(classes) > 20  # the walk reaches the nested classes
    for cls in classes:
        names = (
            [spec.name for spec in dataclasses.fields(cls)]
            if dataclasses.is_dataclass(cls)
            else list(cls._fields)
        )  # type: ignore[attr-defined]
        hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
        assert field_types(cls) == {name: hints[name] for name in names}, cls


def test_an_annotation_of_none_is_the_none_type() -> None:
    @dataclass(frozen=True, slots=True)
    class Nothing:
        value: None

    assert field_types(Nothing) == {"value": type(None)}
