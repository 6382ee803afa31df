"""`file_store_verified`: a file the import stored before is kept when whole, written again when not."""

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage

from brands.legacy.files import file_store_verified

CONTENT = b"%PDF-1.4 a receipt"
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def storage():
    return InMemoryStorage()


def source(opened: list):
    def open_source():
        opened.append(1)
        return io.BytesIO(CONTENT)

    return open_source


def test_a_new_name_is_written(storage):
    opened = []
    file_store_verified(storage=storage, name="legacy/a.pdf", sha256=SHA, open_source=source(opened))
    assert storage.open("legacy/a.pdf").read() == CONTENT and opened == [1]


def test_a_whole_file_already_there_is_kept_and_the_source_not_read(storage):
    storage.save("legacy/a.pdf", ContentFile(CONTENT))
    opened = []
    file_store_verified(storage=storage, name="legacy/a.pdf", sha256=SHA, open_source=source(opened))
    assert storage.open("legacy/a.pdf").read() == CONTENT and opened == []
    assert storage.listdir("legacy") == ([], ["a.pdf"])


def test_a_part_left_by_a_killed_run_is_written_again_under_the_same_name(storage):
    storage.save("legacy/a.pdf", ContentFile(CONTENT[:5]))
    file_store_verified(storage=storage, name="legacy/a.pdf", sha256=SHA, open_source=source([]))
    assert storage.open("legacy/a.pdf").read() == CONTENT
    assert storage.listdir("legacy") == ([], ["a.pdf"])
