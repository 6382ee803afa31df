"""Files the import copies into the store's storage, under names that a retried batch finds again.

A batch that fails after storing its files is rolled back, and a run killed mid-batch (kill -9) is resumed
from its last committed batch: either way the batch is imported again. With a name fixed by what the file
is (not a random one), the retry finds the file it stored before instead of leaving it behind and storing
another copy. The file found is trusted only when its checksum is the bundle's: a run killed while writing
it leaves a part (Django's file storage writes in place), which is then written again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import Storage

CHUNK = 1 << 20


def file_store_verified(*, storage: Storage, name: str, sha256: str, open_source: Callable[[], BinaryIO]) -> None:
    """Makes `name` in `storage` hold the source's bytes, whose checksum the caller has verified as `sha256`.

    A file already at `name` with that checksum is kept (a retried batch, or the same content imported
    before); one with another checksum (a part left by a killed run) is replaced.
    """
    if storage.exists(name):
        if _sha256_of(storage, name) == sha256:
            return
        storage.delete(name)
    with open_source() as stream:
        stored = storage.save(name, File(stream))
    if stored != name:
        raise RuntimeError(f"storage renamed {name} to {stored}")


def _sha256_of(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
