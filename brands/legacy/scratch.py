"""A scratch database for what a pass over an entity file must remember per record, kept off the heap.

A dict per record grows with the file and keeps an import's memory from being flat; a stdlib sqlite3
file in the temporary directory has a bounded page cache instead, and is removed when closed. It is no
database of the store: nothing in it outlives the run's pass, and a resumed run builds it again.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path


class ScratchDatabase:
    def __init__(self, schema: str):
        self._directory = tempfile.TemporaryDirectory(prefix="legacy-import-")
        self.db = sqlite3.connect(Path(self._directory.name) / "scratch.sqlite3")
        self.db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + schema)

    def close(self) -> None:
        self.db.close()
        self._directory.cleanup()
