"""How a build sets the interpreter up while it runs (generator.pipeline): the cyclic garbage
collector paused, the interpreter's lock handed between threads often; both as they were after."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from generator.pipeline import no_collections, quick_handoffs


@pytest.fixture
def collecting() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


def in_generation(found: object, generation: int) -> bool:
    return any(item is found for item in gc.get_objects(generation=generation))


@pytest.mark.usefixtures("collecting")
def test_the_collector_resumes_without_walking_what_the_build_made() -> None:
    with no_collections():
        assert not gc.isenabled()
        made = [[index] for index in range(10_000)]
    assert gc.isenabled()
    # In the oldest generation, as if it had survived the collections it missed: the youngest
    # would have been walked whole by the first collection after the build.
    assert in_generation(made, 2)
    assert in_generation(made[-1], 2)


@pytest.mark.usefixtures("collecting")
def test_the_collector_resumes_after_a_failed_build() -> None:
    with pytest.raises(RuntimeError), no_collections():
        raise RuntimeError("the build failed")
    assert gc.isenabled()


def test_a_paused_collector_stays_paused() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with no_collections():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_threads_hand_over_quickly_during_a_build_and_as_before_after() -> None:
    before = sys.getswitchinterval()
    with quick_handoffs():
        assert sys.getswitchinterval() == pytest.approx(0.0001)
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), quick_handoffs():
        raise RuntimeError("the build failed")
    assert sys.getswitchinterval() == before
