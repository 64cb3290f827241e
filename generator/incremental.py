"""What a build keeps for the next one, so that the next does only the work its changes call for.

After a build has written the package and the state file, it checks which lessons are *steady*:
built again from the same bytes, against the state file just written, they come out the same
(the same notes, the same options on their generated cards, every note unchanged in the plan with
its state entry as it is). It keeps each steady lesson as a `Block`, and the state file it
wrote, in the cache (a `Snapshot`). The next build uses a block as it is, without parsing,
rendering, drawing options or planning its notes, when

- the lesson's cache key is the same (its bytes, inherited front matter, registry, templates
  and tool: generator.compile),
- the state file is, byte for byte, the one the snapshot recorded, and
- every generated option the lesson's cards showed is still offered by the same answer of the
  course (the `reads` it made of the course's options, checked by digest).

Anything else, and the lesson is built as usual (from the compile cache when its bytes did not
change). A block never changes a result: the property test builds random edit sequences with
and without the cache and compares the packages and state files byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import typing
import zlib
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from generator.anki.notetypes import FIELD_SEPARATOR
from generator.anki.plan import Kept, NoteHashes, pack_texts
from generator.anki.state import State
from generator.anki.update import COLLECTIONS
from generator.cache.codec import decode, encode
from generator.cache.fingerprint import tool_fingerprint
from generator.cache.store import PlainUnpickler, Store
from generator.compile import CompiledLesson
from generator.diagnostics import Diagnostic
from generator.kinds.distractors import Pools
from generator.kinds.variants import Candidate, RenderedVariant
from generator.lint import LessonLint
from generator.notes import RenderedNote

SNAPSHOT = "snapshot"
"""Kind of cache entry: the index of what the last build kept."""
BLOCKS = "blocks"
"""Kind of cache entry: one steady lesson."""
STATES = "states"
"""Kind of cache entry: a state file as written, by the digest of its text."""
LAST = "last"


@dataclass(frozen=True, slots=True)
class Block:
    """A steady lesson, as the last build left it."""

    key: str
    """The lesson's cache key."""
    resolved: tuple[tuple[str, Any], ...]
    """Media references it resolved, and how (see `CompiledLesson.resolved`)."""
    diagnostics: tuple[Diagnostic, ...]
    """Problems found compiling it (warnings: a lesson with an error is never steady)."""
    linted: LessonLint
    """What the lint rules found in it alone."""
    kept: Kept
    """Its notes with their generated cards, as the plan and the package take them."""
    explicit: tuple[bool, ...]
    """Whether each note's id is written by the author."""
    media: tuple[tuple[tuple[str, str], ...], ...]
    """The images and sounds each note uses: (packaged name, source)."""
    notes: bytes
    """The same notes, whole, pickled in plain form and compressed: read only when a command
    asks for the notes themselves (a preview)."""
    base: int
    """How many of the notes come before the generated cards."""
    pool: tuple[Any, ...]
    """What it offers the course's generated cards as options: `PoolEntry`s in plain form."""
    offers: tuple[tuple[str, str], ...]
    """(Markdown, digest) of each option it offers, in the order `Pools.of` meets them."""
    reads: tuple[tuple[str, str], ...]
    """(Markdown, digest) of each option its cards showed, as the course offered it then."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the last build kept."""

    inputs: str
    """Digest of the tool, registry and settings the blocks were made with."""
    state: str
    """Digest of the state file's text the last build wrote."""
    blocks: dict[str, str]
    """Lesson (relative path) → id of its block."""
    packs: dict[str, str]
    """Block id → the pack (one cache file of many blocks) that holds it."""
    collection: str
    """The name of the collection the last build kept (generator.anki.update); "" for none."""


@dataclass(frozen=True, slots=True)
class PoolEntry:
    """What one generated card offers the others (see `Pools.of`)."""

    pool: str
    """Which answers can stand in for each other."""
    lesson: str
    """The card's lesson."""
    deck: str
    """The card's deck."""
    answers: tuple[Candidate, ...]
    """Its answer and the answers of its block."""
    distractors: tuple[Candidate, ...]
    """Its author-written wrong options."""


@dataclass(slots=True)
class Part:
    """One lesson in a build: kept from the last build, or built in this one."""

    block: Block | None = None
    """The kept lesson, when it could be used."""
    compiled: CompiledLesson | None = None
    """The compiled lesson, when it is built in this build."""
    notes: list[RenderedNote] = field(default_factory=list)
    """For a lesson built in this build: its notes with their generated cards."""
    made: list[bool] = field(default_factory=list)
    """For each of `notes`: made from its lesson alone (False for a generated card)."""

    offering: tuple[CompiledLesson, tuple[Any, ...], tuple[tuple[str, str], ...]] | None = None
    """`pool()` and `offers()` of `compiled`, once made (a build asks for them several times)."""

    def pool(self) -> tuple[Any, ...]:
        if self.block is not None:
            return self.block.pool
        return self.offered()[1]

    def offers(self) -> tuple[tuple[str, str], ...]:
        if self.block is not None:
            return self.block.offers
        return self.offered()[2]

    def offered(self) -> tuple[CompiledLesson, tuple[Any, ...], tuple[tuple[str, str], ...]]:
        compiled = self.compiled
        assert compiled is not None
        if self.offering is None or self.offering[0] is not compiled:
            pool = pool_of(compiled.variants)
            self.offering = (compiled, pool, offers_of(pool))
        return self.offering

    def final_notes(self) -> list[RenderedNote]:
        if self.block is not None:
            return [decode(RenderedNote, plain) for plain in plain_notes(self.block)]
        return self.notes

    def base_notes(self) -> list[RenderedNote]:
        """Its notes without the generated cards."""
        if self.block is not None:
            kept = plain_notes(self.block)[: self.block.base]
            return [decode(RenderedNote, plain) for plain in kept]
        assert self.compiled is not None
        return list(self.compiled.notes)

    def diagnostics(self) -> tuple[Diagnostic, ...]:
        if self.block is not None:
            return self.block.diagnostics
        assert self.compiled is not None
        return self.compiled.diagnostics

    def linted(self) -> LessonLint:
        if self.block is not None:
            return self.block.linted
        assert self.compiled is not None
        return self.compiled.linted

    def hashes(self) -> list[NoteHashes | None]:
        """What the plan compares each of `notes` by, where its lesson's worker made it."""
        assert self.compiled is not None
        made = self.compiled.hashes
        return [
            made[index] if index < len(made) and own else None
            for index, own in enumerate(self.made)
        ]

    def variants(self) -> tuple[RenderedVariant, ...]:
        assert self.compiled is not None
        return self.compiled.variants


def plain_notes(block: Block) -> tuple[Any, ...]:
    found = PlainUnpickler(io.BytesIO(zlib.decompress(block.notes))).load()
    if not isinstance(found, tuple):
        raise TypeError("a kept lesson's notes are not a tuple")
    return found


def kept_of(notes: Sequence[RenderedNote]) -> Kept:
    """`notes` as the plan takes a steady lesson's."""
    joined, sizes = pack_texts(FIELD_SEPARATOR.join(note.fields) for note in notes)
    return Kept(
        ids=tuple(note.meta.id for note in notes),
        paths=tuple(note.meta.path for note in notes),
        lines=tuple(note.meta.line for note in notes),
        decks=tuple(note.meta.deck for note in notes),
        note_types=tuple(note.note_type for note in notes),
        joined=joined,
        sizes=sizes,
        tags=tuple(note.meta.tags for note in notes),
        cards=tuple(note.cards for note in notes),
    )


def make_block(
    compiled: CompiledLesson,
    key: str,
    notes: Sequence[RenderedNote],
    *,
    pool: tuple[Any, ...],
    offers: tuple[tuple[str, str], ...],
    reads: tuple[tuple[str, str], ...],
) -> Block:
    return Block(
        key=key,
        resolved=compiled.resolved,
        diagnostics=compiled.diagnostics,
        linted=compiled.linted,
        kept=kept_of(notes),
        explicit=tuple(note.meta.explicit_id for note in notes),
        media=tuple(note.media for note in notes),
        notes=zlib.compress(pickle.dumps(tuple(encode(note) for note in notes), protocol=5), 1),
        base=len(compiled.notes),
        pool=pool,
        offers=offers,
        reads=reads,
    )


# --- options offered across the course -----------------------------------------------------------


def pool_of(variants: Sequence[RenderedVariant]) -> tuple[Any, ...]:
    return tuple(
        encode(
            PoolEntry(
                variant.pool,
                variant.lesson,
                variant.meta.deck,
                (variant.answer, *variant.siblings),
                variant.distractors,
            )
        )
        for variant in variants
    )


def digest(plain: object) -> str:
    return hashlib.sha256(repr(plain).encode()).hexdigest()[:24]


POOL_ANSWERS = 3
POOL_DISTRACTORS = 4
CANDIDATE_TEXT = 0


def offers_of(pool: tuple[Any, ...]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for entry in pool:
        found.extend(
            (candidate[CANDIDATE_TEXT], digest(candidate))
            for candidate in (*entry[POOL_ANSWERS], *entry[POOL_DISTRACTORS])
        )
    return tuple(found)


def offered(parts: Sequence[Part]) -> dict[str, str]:
    """Markdown → digest of the option the course offers under it (the first, as `Pools.of`
    takes it)."""
    table: dict[str, str] = {}
    for part in parts:
        for text, value in part.offers():
            table.setdefault(text, value)
    return table


class Lazy(Mapping[Any, Any]):
    """A mapping whose values are decoded from plain form when first asked for."""

    def __init__(self, plain: dict[Any, Any], kind: object) -> None:
        self.plain = plain
        self.kind = kind
        self.made: dict[Any, Any] = {}

    def __getitem__(self, key: Any) -> Any:
        if key not in self.made:
            self.made[key] = decode(self.kind, self.plain[key])
        return self.made[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.plain)

    def __len__(self) -> int:
        return len(self.plain)


def pools_of(parts: Sequence[Part]) -> Pools:
    """`Pools.of` every generated card of the course, from plain entries: an option is made an
    object only when a card being built looks at it."""
    lessons: dict[tuple[str, str], dict[str, Any]] = {}
    decks: dict[tuple[str, str], dict[str, Any]] = {}
    texts: dict[str, Any] = {}
    for part in parts:
        for pool, lesson, deck, answers, distractors in part.pool():
            in_lesson = lessons.setdefault((pool, lesson), {})
            in_deck = decks.setdefault((pool, deck), {})
            for answer in answers:
                text = answer[CANDIDATE_TEXT]
                in_lesson.setdefault(text, answer)
                in_deck.setdefault(text, answer)
                texts.setdefault(text, answer)
            for option in distractors:
                texts.setdefault(option[CANDIDATE_TEXT], option)
    many = tuple[Candidate, ...]
    return Pools(
        Lazy({key: tuple(value.values()) for key, value in lessons.items()}, many),
        Lazy({key: tuple(value.values()) for key, value in decks.items()}, many),
        Lazy(texts, Candidate),
    )


class Reading(Mapping[str, Candidate]):
    """The course's options by Markdown, noting each one a lesson's cards look up."""

    def __init__(self, table: Mapping[str, Candidate], offers: Mapping[str, str]) -> None:
        self.table = table
        self.offers = offers
        self.reads: dict[str, str] = {}

    def __getitem__(self, key: str) -> Candidate:
        self.reads[key] = self.offers.get(key, "")
        return self.table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)


class Unread(Mapping[Any, Any]):
    """A table a steady lesson must not look at (another deck's options): looking marks it."""

    def __init__(self, table: Mapping[Any, Any]) -> None:
        self.table = table
        self.looked = False

    def __getitem__(self, key: Any) -> Any:
        self.looked = True
        return self.table[key]

    def __iter__(self) -> Iterator[Any]:
        self.looked = True
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)


# --- the snapshot --------------------------------------------------------------------------------


class Memory:
    """What a process that builds one course again and again (`ankigen serve`) keeps of the
    cache from one build to the next, decoded: the state the last build wrote and the blocks the
    snapshot names. Each entry is what the cache holds under its name, as read or as written (a
    state by the digest of its text, a block by its pack and id: names the cache never gives
    other contents), and is found only under a name the snapshot on disk gives, so a build by
    another process is read as usual. At 10,000 notes it spares a save 60 ms of reading and
    decoding, for 10 MB more resident (the process holds much of it anyway). Nothing changes a
    state or a block once made, so one build's objects can serve the next."""

    def __init__(self) -> None:
        self.state: tuple[str, State] | None = None
        """The state the last build wrote or read, with the digest of its text."""
        self.blocks: dict[tuple[str, str], Block] = {}
        """Blocks by pack and block id."""

    def state_named(self, state_digest: str) -> State | None:
        """The state it holds, if it is the one with the text of digest `state_digest`."""
        return self.state[1] if self.state is not None and self.state[0] == state_digest else None

    def kept(self, state_digest: str, state: State, packs: Mapping[str, str]) -> None:
        """Hold what a snapshot names: its state (of digest `state_digest`), and of the blocks
        held, those of its `packs` (block id → pack)."""
        self.state = (state_digest, state)
        self.blocks = {
            (pack, found): block
            for (pack, found), block in self.blocks.items()
            if packs.get(found) == pack
        }


def load(store: Store, inputs: str, memory: Memory | None = None) -> tuple[Snapshot, State] | None:
    """The last build's snapshot and the state it wrote, when made with the same inputs."""
    plain = store.read(SNAPSHOT, LAST)
    try:
        snapshot: Snapshot = decode(Snapshot, plain)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        return None
    if snapshot.inputs != inputs:
        return None
    held = memory.state_named(snapshot.state) if memory is not None else None
    if held is not None:
        return snapshot, held
    stored = store.read(STATES, snapshot.state)
    try:
        blob, package_digest = typing.cast(tuple[bytes, str], stored)
        plain = PlainUnpickler(io.BytesIO(blob)).load()
        written: State = decode(State, with_digest(plain, package_digest))
    except Exception:  # whatever is wrong with an entry, it is a miss
        return None
    if memory is not None:
        memory.state = (snapshot.state, written)
    return snapshot, written


def blocks_of(
    store: Store, snapshot: Snapshot, wanted: Mapping[str, str], memory: Memory | None = None
) -> dict[str, Block]:
    """Block id → block, of the blocks in `wanted` (id → the cache key its lesson has now) that
    the snapshot's packs hold and that are still their lesson's. Each pack is read once, one
    block at a time, unless `memory` holds every block wanted of it."""
    found: dict[str, Block] = {}
    held = memory.blocks if memory is not None else {}
    packs: dict[str, list[str]] = {}
    for wanted_id in wanted:
        if wanted_id in snapshot.packs:
            packs.setdefault(snapshot.packs[wanted_id], []).append(wanted_id)
    for pack in sorted(packs):
        if all((pack, wanted_id) in held for wanted_id in packs[pack]):
            for wanted_id in packs[pack]:
                if held[(pack, wanted_id)].key == wanted[wanted_id]:
                    found[wanted_id] = held[(pack, wanted_id)]
            continue
        for block_id, plain in store.read_pack(BLOCKS, pack):
            block = block_from(plain) if block_id in wanted else None
            if block is None:
                continue
            if block.key == wanted[block_id]:
                found[block_id] = block
            if memory is not None:
                held[(pack, block_id)] = block
    return found


def block_from(plain: object) -> Block | None:
    """The block in `plain`, if it is one."""
    try:
        found: Block = decode(Block, plain)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        return None
    return found


def block_id(found: Block) -> str:
    return digest((found.key, found.reads, hashlib.sha256(found.notes).hexdigest()))


PACKS = 8
"""At most this many packs of blocks: after more, the kept blocks are written into one again
(after each edit a new pack holds the edited lessons, and the next build reads every pack)."""


@dataclass(frozen=True, slots=True)
class Stowed:
    """Steady lessons written for the next build (`stow`), before the state this build writes
    is known: they count once `save` records them with it."""

    ids: dict[str, str]
    """Lesson → the id of its block."""
    packs: dict[str, str]
    """Block id → the pack that holds it."""
    whole: bool
    """Every block is in a pack (False: the new pack could not be written)."""


def stow(
    store: Store,
    blocks: Iterable[tuple[str, Block]],
    known: Mapping[str, str],
    memory: Memory | None = None,
) -> Stowed:
    """Write the steady lessons `blocks` yields (lesson → its block). A block in a pack the cache
    holds (`known`: block id → pack) stays there; the others go into one new pack, written as
    they come, so that a course's blocks are never all in memory at once (but in `memory`,
    which keeps those it writes). Past `PACKS` packs, every block goes into the new one."""
    ids: dict[str, str] = {}
    packs: dict[str, str] = {}
    repack = len(set(known.values())) >= PACKS
    writer = store.pack(BLOCKS)
    made: dict[str, Block] = {}
    for lesson, kept in blocks:
        ids[lesson] = found = block_id(kept)
        if found in known and not repack:
            packs[found] = known[found]
        else:
            writer.add(found, encode(kept))
            made[found] = kept
    if not store.writable:
        return Stowed(ids, packs, whole=True)
    name = writer.finish()
    if made and not name:
        return Stowed({}, {}, whole=False)  # the new pack could not be written: keep nothing
    packs.update(dict.fromkeys(made, name))
    if memory is not None:
        memory.blocks.update(((name, found), kept) for found, kept in made.items())
    return Stowed(ids, packs, whole=True)


def state_blob(state: State) -> bytes:
    """`state` in plain form, pickled, as `save` stores it with the digest of the package it
    records: a state is made ready while that package is being made."""
    # Without pickle's memo (plain data has no cycles, and nothing in it needs to be one object
    # twice): keeping it costs more than the rest of pickling, more so the larger the course
    # (at 10,000 notes 0.029 s against 0.011 s; at 50,000, 0.21 s against 0.05 s), for a blob
    # a fifth smaller that loads about as fast.
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(encode(state))
    return buffer.getvalue()


def with_digest(plain: object, package_digest: object) -> tuple[Any, ...]:
    """A state in plain form, with the digest of the package it records."""
    if not isinstance(plain, tuple) or not isinstance(package_digest, str):
        raise TypeError("not a state")
    values = list(plain)
    values[DIGEST_FIELD] = package_digest
    return tuple(values)


DIGEST_FIELD = [spec.name for spec in fields(State)].index("package_digest")


def save(
    store: Store,
    *,
    inputs: str,
    state_digest: str,
    written: tuple[bytes, str],
    stowed: Stowed,
    collection: str = "",
    memory: tuple[Memory, State] | None = None,
) -> int:
    """Record the lessons `stow` wrote as kept, with the state this build wrote (`written`: its
    `state_blob` and the digest of its package) and the collection it kept; `memory` is left
    holding what the snapshot names, with that state (the one `written` holds). Returns how
    many lessons are kept."""
    if not stowed.whole:
        return 0
    if not store.writable:
        return len(stowed.ids)
    if not store.path(STATES, state_digest).is_file():
        store.write(STATES, state_digest, written)
    snapshot = Snapshot(inputs, state_digest, stowed.ids, stowed.packs, collection)
    store.write(SNAPSHOT, LAST, encode(snapshot))
    if memory is not None:
        held, state = memory
        held.kept(state_digest, state, stowed.packs)
    store.prune(BLOCKS, set(stowed.packs.values()))
    store.prune(STATES, {state_digest})
    store.prune(COLLECTIONS, {collection})
    return len(stowed.ids)


# --- compressed pieces of the package ------------------------------------------------------------

PIECES = "pieces"


class PieceCache(MutableMapping[bytes, bytes]):
    """Compressed pieces of the last package's collection (generator.anki.archive), noting the
    ones this build's package uses: only those are kept for the next."""

    def __init__(self, known: dict[bytes, bytes]) -> None:
        self.known = known
        self.loaded = frozenset(known)
        self.used: dict[bytes, bytes] = {}

    def __getitem__(self, key: bytes) -> bytes:
        piece = self.known[key]
        self.used[key] = piece
        return piece

    def __setitem__(self, key: bytes, piece: bytes) -> None:
        self.known[key] = piece
        self.used[key] = piece

    def __delitem__(self, key: bytes) -> None:
        del self.known[key]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.known)

    def __len__(self) -> int:
        return len(self.known)


def load_pieces(store: Store | None) -> PieceCache | None:
    if store is None:
        return None
    found = store.read(PIECES, LAST)
    if not isinstance(found, dict) or not all(
        isinstance(key, bytes) and isinstance(piece, bytes) for key, piece in found.items()
    ):
        found = {}
    return PieceCache(found)


def save_pieces(store: Store | None, pieces: PieceCache | None) -> None:
    """Keep the pieces this build's package used, unless they are the ones kept already."""
    if store is not None and pieces is not None and pieces.used.keys() != pieces.loaded:
        store.write(PIECES, LAST, pieces.used)


# --- collection frames ---------------------------------------------------------------------------

FRAMES = "frames"


class FrameCache(MutableMapping[str, bytes]):
    """Frames of collections (generator.anki.package), kept by the tool that made them: another
    version of ankigen or of genanki makes its own. A frame made by this build is stored only
    when the build succeeds (`save`)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.used: set[str] = set()
        self.made: dict[str, bytes] = {}

    def entry(self, key: str) -> str:
        return digest((tool_fingerprint(), key))

    def __getitem__(self, key: str) -> bytes:
        found = self.store.read(FRAMES, self.entry(key))
        if not isinstance(found, bytes):
            raise KeyError(key)
        self.used.add(self.entry(key))
        return found

    def __setitem__(self, key: str, frame: bytes) -> None:
        self.made[self.entry(key)] = frame
        self.used.add(self.entry(key))

    def __delitem__(self, key: str) -> None:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def save(self) -> None:
        """Store the frames this build made; forget those it did not use."""
        for entry, frame in self.made.items():
            self.store.write(FRAMES, entry, frame)
        if self.used:
            self.store.prune(FRAMES, self.used)
