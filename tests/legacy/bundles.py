"""Tiny legacy bundles for tests: JSON Lines files plus a manifest with correct checksums and counts."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The shared sample sits beside the integration repository (../shared); worktrees find it at /work/shared.
SAMPLE_CANDIDATES = (REPO / "../shared/legacy-export/sample", Path("/work/shared/legacy-export/sample"))
EXPORTED_AT = "2024-12-12T00:00:00Z"
PNG = b"\x89PNG\r\n\x1a\n fake image bytes"


def legacy_hash(password: str, salt: str = "s1a2b3") -> str:
    """po.co's scheme: sha256$<salt>$<hex of SHA-256(salt + password)>."""
    return f"sha256${salt}${hashlib.sha256((salt + password).encode()).hexdigest()}"


def address(legacy_id: str, **fields) -> dict:
    return {"legacy_id": legacy_id, "name": "Alex Martin", "line1": "1 High Street", "line2": None,
            "city": "Leeds", "postcode": "LS1 1AA", "country": "GB", "phone": None, "is_default": True,
            **fields}


def customer(legacy_id: str, **fields) -> dict:
    return {
        "legacy_id": legacy_id, "portal": "uk", "email": f"{legacy_id.lower()}@example.com",
        "first_name": "Alex", "last_name": "Martin", "phone": None, "language": "en",
        "created_at": "2022-01-01T10:00:00Z", "last_login_at": "2024-01-01T10:00:00Z",
        "marketing_opt_in": False, "status": "active", "password_hash": legacy_hash(f"pw-{legacy_id}"),
        "addresses": [address(f"{legacy_id}-A1")], **fields,
    }


def product(legacy_id: str, slug: str | None = None, **fields) -> dict:
    slug = slug or f"poco-{legacy_id.lower()}"
    return {
        "legacy_id": legacy_id, "slug": slug, "name": f"POCO {legacy_id}", "category": "Smartphones/POCO F Series",
        "description_html": "<p>Fast.</p>", "status": "active",
        "images": [{"path": f"files/products/{legacy_id}/0.png", "sha256": hashlib.sha256(PNG).hexdigest(),
                    "alt": "front"}],
        "variants": [{"sku": f"{legacy_id}-BLK", "attributes": {"color": "Black"},
                      "prices": {"global": "299.00", "uk": "259.90", "fr": "289.00", "in": "24999.00"},
                      "stock": {"global": 5, "uk": 3, "fr": 0, "in": 9}}],
        "legacy_urls": [f"https://www.po.co/uk/product/{slug}/"], **fields,
    }


def encode(line) -> bytes:
    if isinstance(line, bytes):
        return line
    if isinstance(line, str):
        return line.encode()
    return json.dumps(line, ensure_ascii=False).encode()


def write_bundle(root: Path, files: dict[str, list], *, attachments: dict[str, bytes] | None = None,
                 gz: tuple[str, ...] = (), final_newline: bool = True, manifest: dict | None = None) -> Path:
    """Writes `root/` with `<entity>.jsonl` (or `.jsonl.gz` for entities in `gz`) and a correct manifest.

    Lines are dicts (JSON-encoded), str or bytes (written as they are). `manifest` overrides fields.
    """
    root.mkdir(parents=True, exist_ok=True)
    listed = {}
    for entity, lines in files.items():
        data = b"\n".join(encode(line) for line in lines) + (b"\n" if lines and final_newline else b"")
        name = f"{entity}.jsonl" + (".gz" if entity in gz else "")
        raw = gzip.compress(data, mtime=0) if entity in gz else data
        (root / name).write_bytes(raw)
        listed[name] = {"records": len(lines), "sha256": hashlib.sha256(raw).hexdigest()}
    for relative, content in (attachments or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (root / "manifest.json").write_text(json.dumps({
        "format": "poco-legacy-export", "version": 1, "source": "www.po.co", "exported_at": EXPORTED_AT,
        "files": listed, **(manifest or {}),
    }))
    return root


def product_images(*legacy_ids: str) -> dict[str, bytes]:
    return {f"files/products/{legacy_id}/0.png": PNG for legacy_id in legacy_ids}


def tarball(directory: Path, target: Path) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(directory, arcname=directory.name)
    target.write_bytes(buffer.getvalue())
    return target
