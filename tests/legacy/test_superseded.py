"""The superseded-lines index: the last line of a legacy id wins across the whole file, read in line order."""

import pytest

from brands.legacy.superseded import SupersededIndex, legacy_ids


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


def test_superseded_lines_are_found_across_the_whole_file_after_a_resumed_line():
    with SupersededIndex(legacy_ids(FILE)) as index:
        assert list(index.superseded(after=2)) == [(5, 7)]


def test_a_lookup_answers_a_pass_that_skips_lines_as_a_chunk_of_a_distributed_run_does():
    with SupersededIndex(legacy_ids(FILE)) as index:
        lookup = index.lookup()
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
