"""Frozen dataclasses ↔ plain tuples, for the cache.

Pickling the dataclasses themselves is slow to load (every slot is set through `__setstate__`)
and would let a cache file name any class. Instead a value is stored as nested tuples of
strings, numbers, booleans and None, and rebuilt by calling the classes' own constructors, which
the field annotations say how to do (for frozen dataclasses with slots, a quicker way to the same
object: `constructor`). The layout follows the classes: a changed class changes
the tool's fingerprint (generator.cache.fingerprint), so older entries are never read with it.
"""

from __future__ import annotations

import dataclasses
import enum
import operator
import sys
import types
import typing
from collections.abc import Callable
from functools import cache

from generator import codecache

Decode = Callable[[typing.Any], typing.Any]


def encode(value: object) -> object:
    """Plain data for `value`: a dataclass becomes the tuple of its fields, an enum its value."""
    found = ENCODERS.get(type(value))
    if found is None:
        found = ENCODERS[type(value)] = encoder_of(type(value))
    return found(value)


Encode = Callable[[typing.Any], object]
ENCODERS: dict[type, Encode] = {}


def encoder_of(kind: type) -> Encode:
    if dataclasses.is_dataclass(kind):
        return dataclass_encoder(kind)
    if issubclass(kind, enum.Enum):
        return operator.attrgetter("value")
    if issubclass(kind, tuple):
        # A named tuple too: its plain form is the tuple of its fields.
        return lambda value: tuple(encode(item) for item in value)
    if issubclass(kind, frozenset):
        return lambda value: frozenset(encode(item) for item in value)
    if issubclass(kind, list):
        return lambda value: [encode(item) for item in value]
    if issubclass(kind, dict):
        return lambda value: {encode(key): encode(item) for key, item in value.items()}
    return identity


@cache
def field_types(cls: type) -> dict[str, typing.Any]:
    """The type of each field of a dataclass or a named tuple, its annotation evaluated in the
    module of `cls`: what `typing.get_type_hints(cls, that module's namespace)` gives for them
    (tests.test_codec checks every class the cache holds), without its walk of every base class
    and rewrite of every annotation, which took 6-15 ms of a build after an edit."""
    pairs: list[tuple[str, typing.Any]]
    if dataclasses.is_dataclass(cls):
        pairs = [(spec.name, spec.type) for spec in dataclasses.fields(cls)]
    else:
        annotations = cls.__annotations__
        pairs = [(name, annotations[name]) for name in cls._fields]  # type: ignore[attr-defined]
    return {name: evaluated(cls.__module__, annotation) for name, annotation in pairs}


@cache
def evaluated(module: str, annotation: typing.Any) -> typing.Any:
    """An annotation of `module`, evaluated when it is text (a dataclass's field) or a forward
    reference (a named tuple's, which turns text into one), once per module and text."""
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):
        annotation = eval(annotation, vars(sys.modules[module]))
    return type(None) if annotation is None else annotation


def dataclass_encoder(cls: type) -> Encode:
    """The tuple of the fields; fields whose annotation says they are plain already (strings,
    numbers, tuples of them) are taken as they are, which is most of them."""
    hints = field_types(cls)
    names = [spec.name for spec in dataclasses.fields(cls)]
    getter = operator.attrgetter(*names) if len(names) > 1 else None
    deep = [index for index, name in enumerate(names) if build_decoder(hints[name]) is not None]
    if getter is None:
        return lambda value: (encode(getattr(value, names[0])),)
    if not deep:
        return typing.cast(Encode, getter)

    def plain(value: object) -> object:
        values = list(getter(value))
        for index in deep:
            values[index] = encode(values[index])
        return tuple(values)

    return plain


def decode(kind: object, plain: object) -> typing.Any:
    """The value of type `kind` that `encode` turned into `plain`."""
    return decoder(kind)(plain)


def identity(value: object) -> object:
    return value


@cache
def decoder(kind: typing.Any) -> Decode:
    """A function rebuilding values of `kind`; None when plain data is the value itself."""
    built = build_decoder(kind)
    return built if built is not None else identity


def build_decoder(kind: typing.Any) -> Decode | None:
    """None means "no conversion needed", which keeps tuples of strings as they are."""
    if kind is typing.Any or kind is object:
        return None  # kept in plain form on purpose
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return dataclass_decoder(kind)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind
    if isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "_fields"):
        return named_tuple_decoder(kind)
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            element = build_decoder(args[0])
            if element is None:
                return None
            return lambda plain: tuple(map(element, plain))
        parts = [build_decoder(arg) for arg in args]
        if all(part is None for part in parts):
            return None
        steps = [part or identity for part in parts]
        return lambda plain: tuple(step(item) for step, item in zip(steps, plain, strict=True))
    if origin is dict:
        keys, values = (build_decoder(arg) for arg in args)
        if keys is None and values is None:
            return None
        key_step, value_step = keys or identity, values or identity
        return lambda plain: {key_step(key): value_step(item) for key, item in plain.items()}
    if origin is frozenset:
        member = build_decoder(args[0])
        if member is None:
            return None
        return lambda plain: frozenset(map(member, plain))
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in args if arg is not type(None)]
        if len(options) == 1:
            inner = build_decoder(options[0])
            if inner is None:
                return None
            return lambda plain: None if plain is None else inner(plain)
        if all(build_decoder(option) is None for option in options):
            return None
        raise TypeError(f"cannot decode the union {kind}")
    if origin is typing.Literal or kind in (str, int, float, bool, bytes, type(None)):
        return None
    raise TypeError(f"no cache decoding for {kind!r}")


def named_tuple_decoder(cls: type) -> Decode:
    hints = field_types(cls)
    steps = [build_decoder(hints[name]) for name in cls._fields]  # type: ignore[attr-defined]
    make = cls._make  # type: ignore[attr-defined]
    if all(step is None for step in steps):
        return typing.cast(Decode, make)
    return lambda plain: make(
        (step or identity)(item) for step, item in zip(steps, plain, strict=True)
    )


def dataclass_decoder(cls: type) -> Decode:
    hints = field_types(cls)
    steps = [
        (index, step)
        for index, spec in enumerate(dataclasses.fields(cls))
        if (step := build_decoder(hints[spec.name])) is not None
    ]
    make = constructor(cls)
    if not steps:
        return lambda plain: make(*plain)

    def rebuild(plain: typing.Any) -> object:
        values = list(plain)
        for index, step in steps:
            values[index] = step(values[index])
        return make(*values)

    return rebuild


def constructor(cls: type) -> Callable[..., object]:
    """What makes a `cls` of all its field values, in order: `cls` itself, or, for a frozen
    dataclass with slots whose `__init__` only stores the fields, a quicker way to the same
    object. A frozen `__init__` stores each field with a call of `object.__setattr__`, which is
    most of the time of rebuilding ten thousand note states; a plain class with the same slots
    stores them as attributes, and the object then becomes a `cls` (Python lets an object
    change its class to one whose slots are laid out alike, and checks that they are)."""
    specs = dataclasses.fields(cls)
    names = tuple(spec.name for spec in specs)
    params = getattr(cls, "__dataclass_params__", None)
    if (
        params is None
        or not params.frozen
        or not names
        or cls.__bases__ != (object,)
        or vars(cls).get("__slots__") != names
        or hasattr(cls, "__post_init__")
        or not all(spec.init for spec in specs)
        or "self" in names
    ):
        return cls
    # Generated, as dataclasses generates `__init__`: one assignment per field, no loop.
    source = f"def __init__(self, {', '.join(names)}):\n" + "".join(
        f"    self.{name} = {name}\n" for name in names
    )
    namespace: dict[str, typing.Any] = {}
    # Compiled once, then kept between runs with the dataclasses' own methods.
    exec(codecache.CACHE.code(source), {}, namespace)
    fields = type(f"{cls.__name__}Fields", (), {"__slots__": names, **namespace})
    try:
        fields(*names).__class__ = cls
    except TypeError:  # laid out otherwise after all
        return cls

    def make(*values: object) -> object:
        made = fields(*values)
        made.__class__ = cls
        return made

    return make
