"""Writing a bundle to disk: JSON Lines files (plain or gzip) with their checksums, the manifest, the tarball.

Everything is byte-for-byte reproducible: gzip headers carry no name and no time, tar members carry no
owner and no time, and entries are written in a fixed order.
"""

import gzip
import hashlib
import json
import os
import tarfile
from pathlib import Path

_FLUSH_AT = 1 << 20


class _HashingSink:
    """A write-only file that hashes the bytes as they reach the disk (so `.jsonl.gz` hashes the `.gz`)."""

    def __init__(self, raw):
        self.raw = raw
        self.hash = hashlib.sha256()

    def write(self, data) -> int:
        self.hash.update(data)
        return self.raw.write(data)

    def flush(self):
        self.raw.flush()


class JsonlWriter:
    """One `.jsonl` / `.jsonl.gz` file: buffered writes, line count, checksum.

    The last line is held back until `close`, which ends it with a newline unless `final_newline` is off
    (a bad-lines bundle leaves one file's last line unterminated, as careless exports do).
    """

    def __init__(self, directory: Path, entity: str, compress: bool):
        self.name = f"{entity}.jsonl.gz" if compress else f"{entity}.jsonl"
        self._raw = open(directory / self.name, "wb")  # noqa: SIM115 - closed in close()
        self._sink = _HashingSink(self._raw)
        self._out = (
            gzip.GzipFile(filename="", mode="wb", fileobj=self._sink, mtime=0, compresslevel=6)
            if compress
            else self._sink
        )
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._last: bytes | None = None
        self.lines = 0

    def write(self, line: bytes) -> int:
        """Append one line (without its newline); returns its 1-based line number."""
        if self._last is not None:
            self._buffer.append(self._last + b"\n")
            self._buffered += len(self._last) + 1
            if self._buffered >= _FLUSH_AT:
                self._flush()
        self._last = line
        self.lines += 1
        return self.lines

    def _flush(self):
        self._out.write(b"".join(self._buffer))
        self._buffer.clear()
        self._buffered = 0

    def close(self, final_newline: bool = True) -> dict:
        """Finish the file; returns its manifest entry `{"records", "sha256"}`."""
        if self._last is not None:
            self._buffer.append(self._last + b"\n" if final_newline else self._last)
        self._flush()
        if self._out is not self._sink:
            self._out.close()
        self._raw.close()
        return {"records": self.lines, "sha256": self._sink.hash.hexdigest()}

    def abort(self):
        """Close without finishing (the partial bundle is then removed by the caller)."""
        try:
            if self._out is not self._sink:
                self._out.close()
        finally:
            self._raw.close()


def write_file(root: Path, relative: str, data: bytes):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_manifest(root: Path, exported_at: str, files: dict):
    manifest = {
        "format": "poco-legacy-export",
        "version": 1,
        "source": "www.po.co",
        "exported_at": exported_at,
        "files": files,
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def write_tarball(root: Path, target: Path, top: str):
    """`target` (.tar.gz) holding the bundle directory `root` as the single top-level directory `top`."""
    with (
        open(target, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as zipped,
    ):
        with tarfile.open(fileobj=zipped, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            _add_tree(tar, root, top)


def _add_tree(tar: tarfile.TarFile, path: Path, arcname: str):
    info = tarfile.TarInfo(arcname)
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if path.is_dir():
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        tar.addfile(info)
        for child in sorted(os.listdir(path)):
            _add_tree(tar, path / child, f"{arcname}/{child}")
    else:
        info.mode = 0o644
        info.size = path.stat().st_size
        with open(path, "rb") as data:
            tar.addfile(info, data)
