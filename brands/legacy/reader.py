"""Opening a bundle and checking its manifest before anything is written; streaming its files.

A bundle is a directory or a `.tar.gz` of one. A tarball is unpacked once into a temporary directory
(Python's `data` extraction filter refuses links and paths outside it): the JSON Lines files are then read
twice as plain files (checksum pass, import pass) and product images / attachments are opened by path,
which a compressed tar stream cannot do without re-reading it from the start each time.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .entities import ENTITIES

logger = logging.getLogger(__name__)

FORMAT = "poco-legacy-export"
SUPPORTED_VERSIONS = (1,)
CHUNK = 1 << 20


class BundleRefused(Exception):
    """The bundle cannot be imported at all; the message names the file and the problem."""


@dataclass(frozen=True)
class BundleFile:
    entity: str
    name: str  # as listed in the manifest
    path: Path
    records: int
    sha256: str

    @property
    def compressed(self) -> bool:
        return self.name.endswith(".gz")

    def open(self):
        return gzip.open(self.path, "rb") if self.compressed else open(self.path, "rb")

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """(line number from 1, bytes without the newline), the last line counted with or without one."""
        with self.open() as stream:
            for number, raw in enumerate(stream, start=1):
                yield number, raw.rstrip(b"\r\n") if raw.endswith(b"\n") else raw


@dataclass
class Bundle:
    location: str
    root: Path
    manifest: dict
    digest: str
    files: dict[str, BundleFile] = field(default_factory=dict)  # by entity
    _tempdir: tempfile.TemporaryDirectory | None = None

    @property
    def source(self) -> str:
        return str(self.manifest.get("source", ""))

    @property
    def exported_at(self) -> str:
        return str(self.manifest.get("exported_at", ""))

    @property
    def version(self) -> int:
        return self.manifest["version"]

    def attachment(self, relative: str) -> Path | None:
        """The path of a file the records name (`files/...`), or None when it is absent or escapes the bundle."""
        parts = PurePosixPath(relative).parts
        if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
            return None
        path = self.root.joinpath(*parts)
        return path if path.is_file() else None

    def close(self) -> None:
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_bundle(location: str | Path) -> Bundle:
    """Opens and fully checks a bundle: format, version, every listed file's presence, sha256 and lines.

    Raises BundleRefused, naming the file, on the first problem; nothing has been written then.
    """
    path = Path(location)
    tempdir = None
    if path.is_dir():
        root = path
    elif path.is_file() and path.name.endswith((".tar.gz", ".tgz")):
        tempdir = tempfile.TemporaryDirectory(prefix="legacy-bundle-")
        root = _unpack(path, Path(tempdir.name))
    else:
        raise BundleRefused(f"{path}: not a bundle directory nor a .tar.gz file")
    try:
        bundle = _check(str(location), root)
    except BaseException:
        if tempdir is not None:
            tempdir.cleanup()
        raise
    bundle._tempdir = tempdir
    return bundle


def _unpack(archive: Path, into: Path) -> Path:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BundleRefused(f"{archive.name}: not a readable .tar.gz ({exc})") from exc
    if (into / "manifest.json").is_file():
        return into
    children = [child for child in into.iterdir() if child.is_dir()]
    if len(children) == 1 and (children[0] / "manifest.json").is_file():
        return children[0]
    raise BundleRefused(f"{archive.name}: manifest.json not found in the archive")


def _check(location: str, root: Path) -> Bundle:
    manifest_path = root / "manifest.json"
    try:
        manifest_bytes = manifest_path.read_bytes()
    except OSError as exc:
        raise BundleRefused(f"manifest.json: cannot be read ({exc})") from exc
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BundleRefused(f"manifest.json: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise BundleRefused("manifest.json: not a JSON object")
    if manifest.get("format") != FORMAT:
        raise BundleRefused(f"manifest.json: unknown format {manifest.get('format')!r} (expected {FORMAT!r})")
    version = manifest.get("version")
    if isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        raise BundleRefused(
            f"manifest.json: unknown version {version!r} (this import reads version "
            f"{', '.join(map(str, SUPPORTED_VERSIONS))})"
        )
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        raise BundleRefused("manifest.json: `files` is missing or not an object")
    bundle = Bundle(location=location, root=root, manifest=manifest,
                    digest=hashlib.sha256(manifest_bytes).hexdigest())
    for name, entry in listed.items():
        entity = _entity_of(name)
        if entity is None:
            logger.warning("manifest.json lists %s, which is no file of the format: ignored", name)
            continue
        if entity in bundle.files:
            raise BundleRefused(f"{name}: {entity} listed twice in manifest.json")
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str) \
                or not isinstance(entry.get("records"), int) or isinstance(entry.get("records"), bool):
            raise BundleRefused(f"{name}: manifest.json entry needs `records` (int) and `sha256` (hex)")
        file = BundleFile(entity=entity, name=name, path=root / name, records=entry["records"],
                          sha256=entry["sha256"].lower())
        _verify(file)
        bundle.files[entity] = file
    return bundle


def _entity_of(name: str) -> str | None:
    for suffix in (".jsonl", ".jsonl.gz"):
        if name.endswith(suffix) and name[: -len(suffix)] in ENTITIES:
            return name[: -len(suffix)]
    return None


def _verify(file: BundleFile) -> None:
    """Checks the sha256 of the file's bytes, then its line count (decompressing a .gz in full)."""
    if not file.path.is_file():
        raise BundleRefused(f"{file.name}: listed in manifest.json but missing from the bundle")
    digest = hashlib.sha256()
    with open(file.path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != file.sha256:
        raise BundleRefused(
            f"{file.name}: sha256 {digest.hexdigest()} does not match manifest.json ({file.sha256}); "
            "the file is truncated or altered"
        )
    try:
        lines = _count_lines(file)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise BundleRefused(f"{file.name}: corrupt gzip ({exc})") from exc
    if lines != file.records:
        raise BundleRefused(f"{file.name}: {lines} lines where manifest.json says {file.records} records")


def _count_lines(file: BundleFile) -> int:
    count, last = 0, b"\n"
    with file.open() as stream:
        while chunk := stream.read(CHUNK):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


