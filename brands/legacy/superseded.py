"""Which lines of an entity file are superseded (a later line has the same legacy id), kept off the heap.

The contract's rule is decided over the whole file, so the engine reads every line's legacy id before it
imports a line. A dict of legacy id -> last line grew with the file (one entry per record, the largest
per-record structure of an import); the index is instead a scratch database (`scratch`). It is then read back as the
superseded lines only, in line order (two 4-byte integers a superseded line), so the engine merges them with
its own pass over the file: no lookup per line. They are stored for the file's SHA-256 (`IndexedFile`), so an
import that meets the same bytes again does not index them again (`superseded_pairs`); a chunk of a
distributed run gets them from its run's plan (`SupersededLines`), decided once for every chunk.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable, Iterator

import msgspec

from .models import IndexedFile
from .reader import BundleFile
from .scratch import ScratchDatabase

INSERT_CHUNK = 10_000


class _IdOnly(msgspec.Struct):
    legacy_id: str


_ID_ONLY = msgspec.json.Decoder(_IdOnly)


def legacy_id_of(raw: bytes) -> str | None:
    """The line's legacy id when it is a JSON object with a string one, else None."""
    try:
        return _ID_ONLY.decode(raw).legacy_id
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
        return None


def legacy_ids(file: BundleFile) -> Iterator[tuple[int, str]]:
    """(line number, legacy id) of each line of `file` that has one (`legacy_id_of`), in line order."""
    for number, raw in file.lines():
        legacy_id = legacy_id_of(raw)
        if legacy_id is not None:
            yield number, legacy_id


class SupersededIndex:
    """A file's lines by legacy id, from its (line number, legacy id) pairs in line order (`legacy_ids(file)`,
    or a pass that reads them anyway: a distributed run's plan); use as a context."""

    def __init__(self, legacy_ids: Iterable[tuple[int, str]]):
        self._scratch = ScratchDatabase("CREATE TABLE line (number INTEGER PRIMARY KEY, legacy_id TEXT NOT NULL);")
        self._db = self._scratch.db
        try:
            self._index(legacy_ids)
        except BaseException:  # the pairs' own pass failed: no scratch file left behind
            self.close()
            raise

    def __enter__(self) -> SupersededIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._scratch.close()

    def _index(self, legacy_ids: Iterable[tuple[int, str]]) -> None:
        chunk: list[tuple[int, str]] = []
        for pair in legacy_ids:
            chunk.append(pair)
            if len(chunk) >= INSERT_CHUNK:
                self._db.executemany("INSERT INTO line VALUES (?, ?)", chunk)
                chunk = []
        self._db.executemany("INSERT INTO line VALUES (?, ?)", chunk)
        self._db.execute("CREATE INDEX line_by_legacy_id ON line (legacy_id, number)")
        self._db.commit()

    def superseded(self) -> Iterator[tuple[int, int]]:
        """(line number, the last line of its legacy id) for each superseded line, in line order."""
        return self._db.execute(
            "SELECT number, last FROM ("
            " SELECT number, (SELECT max(later.number) FROM line later WHERE later.legacy_id = line.legacy_id)"
            " AS last FROM line"
            ") WHERE last > number ORDER BY number"
        )


def superseded_pairs(file: BundleFile) -> array:
    """The file's superseded lines as flat (line, last line of its legacy id) pairs in line order: those stored for
    its SHA-256 when an import met the same bytes before, else indexed now (and stored)."""
    pairs = superseded_stored(file)
    if pairs is None:
        with SupersededIndex(legacy_ids(file)) as index:
            pairs = superseded_store(file, index)
    return pairs


def superseded_stored(file: BundleFile) -> array | None:
    """The superseded lines stored for the file's SHA-256, or None when no import indexed these bytes before."""
    packed = IndexedFile.objects.filter(sha256=file.sha256).values_list("superseded", flat=True).first()
    return None if packed is None else pairs_unpacked(packed)


def superseded_store(file: BundleFile, index: SupersededIndex) -> array:
    """Stores the index's superseded lines for the file's SHA-256 (kept when another import stored them first)."""
    pairs = array("I")
    for number, last in index.superseded():
        pairs.extend((number, last))
    IndexedFile.objects.get_or_create(sha256=file.sha256, defaults={"superseded": pairs_packed(pairs)})
    return pairs


def pairs_packed(pairs: array) -> bytes:
    return zlib.compress(pairs.tobytes(), 1)


def pairs_unpacked(packed: bytes) -> array:
    pairs = array("I")
    pairs.frombytes(zlib.decompress(packed))
    return pairs


class SupersededLookup:
    """Answers for ascending line numbers (a pass over the file, possibly skipping lines) from `superseded`."""

    def __init__(self, superseded: Iterator[tuple[int, int]]):
        self._rows = iter(superseded)
        self._next = next(self._rows, None)

    def last_line_if_superseded(self, number: int) -> int | None:
        """The last line of line `number`'s legacy id when that is a later line; None when `number` is last."""
        while self._next is not None and self._next[0] < number:
            self._next = next(self._rows, None)
        if self._next is not None and self._next[0] == number:
            return self._next[1]
        return None


class SupersededLines:
    """The superseded lines of a file as `SupersededIndex.superseded()` gave them, flat (line, last line of its
    legacy id) pairs in line order (`superseded_pairs`, or a distributed run's plan), for a pass over the file."""

    def __init__(self, pairs: array):
        self._pairs = pairs

    def lookup(self, after: int = 0) -> SupersededLookup:
        pairs = self._pairs
        return SupersededLookup((number, last) for number, last in zip(pairs[0::2], pairs[1::2], strict=True)
                                if number > after)
