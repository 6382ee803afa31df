"""The superseded-lines index: the last line of a legacy id wins across the whole file, read in line order."""

import hashlib
from array import array

import pytest

from brands.legacy.models import IndexedFile
from brands.legacy.reader import BundleFile
from brands.legacy.superseded import SupersededIndex, SupersededLines, legacy_ids, superseded_pairs


class LinesOf:
    """Stands for a BundleFile: only its lines are read."""

    def __init__(self, *lines: bytes):
        self._lines = lines

    def lines(self):
        return enumerate(self._lines, start=1)


FILE = LinesOf(
    b'{"legacy_id": "C1"}', b'{"legacy_id": "C2"}', b"not json", b'{"legacy_id": 7}',
    b'{"legacy_id": "C1"}', b'{"legacy_id": "C3"}', b'{"legacy_id": "C1"}', b'{"legacy_id": "C2"}',
)


def test_every_line_but_the_last_of_its_legacy_id_is_superseded_by_that_last_line():
    with SupersededIndex(legacy_ids(FILE)) as index:
        assert list(index.superseded()) == [(1, 7), (2, 8), (5, 7)]


def _lines_of(file) -> SupersededLines:
    with SupersededIndex(legacy_ids(file)) as index:
        return SupersededLines(array("I", [number for pair in index.superseded() for number in pair]))


def test_superseded_lines_are_found_across_the_whole_file_after_a_resumed_line():
    lookup = _lines_of(FILE).lookup(after=2)
    assert [lookup.last_line_if_superseded(n) for n in (3, 5, 6, 7, 8)] == [None, 7, None, None, None]


def test_a_lookup_answers_a_pass_that_skips_lines_as_a_chunk_of_a_distributed_run_does():
    lookup = _lines_of(FILE).lookup()
    assert [lookup.last_line_if_superseded(n) for n in (2, 3, 5, 6, 7, 8)] == [8, None, 7, None, None, None]


def test_the_scratch_file_is_removed_when_the_index_is_closed(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with SupersededIndex(legacy_ids(FILE)):
        assert len(list(tmp_path.iterdir())) == 1
    assert list(tmp_path.iterdir()) == []


def test_the_scratch_file_is_removed_when_the_pass_feeding_the_index_fails(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    def failing_pass():
        yield 1, "C1"
        raise OSError("the bundle's disk went away")

    with pytest.raises(OSError, match="disk went away"):
        SupersededIndex(failing_pass())
    assert list(tmp_path.iterdir()) == []


def _bundle_file(path, *lines: bytes) -> BundleFile:
    path.write_bytes(b"\n".join(lines))
    return BundleFile(entity="customers", name=path.name, path=path, records=len(lines),
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest())


@pytest.mark.django_db
def test_a_file_met_again_gives_its_superseded_lines_without_being_indexed_again(tmp_path, monkeypatch):
    file = _bundle_file(tmp_path / "customers.jsonl", *FILE._lines)
    assert superseded_pairs(file).tolist() == [1, 7, 2, 8, 5, 7]

    def not_again(self):
        raise AssertionError("read again for its superseded lines")

    monkeypatch.setattr(BundleFile, "lines", not_again)
    assert superseded_pairs(file).tolist() == [1, 7, 2, 8, 5, 7]
    assert IndexedFile.objects.count() == 1


@pytest.mark.django_db
def test_a_file_in_other_bytes_is_indexed_for_itself(tmp_path):
    first = _bundle_file(tmp_path / "first.jsonl", b'{"legacy_id": "C1"}', b'{"legacy_id": "C1"}')
    second = _bundle_file(tmp_path / "second.jsonl", b'{"legacy_id": "C1"}', b'{"legacy_id": "C2"}')
    assert superseded_pairs(first).tolist() == [1, 2]
    assert superseded_pairs(second).tolist() == []
    assert IndexedFile.objects.count() == 2
