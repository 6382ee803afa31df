"""What an import of a bundle should report, read independently from the bundle's bytes and files."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path


def product_image_files(bundle: Path, report: dict) -> dict:
    """`files` totals of the images of the imported products: present and matching, missing, mismatched.

    `bundle` is a directory (products.jsonl or .jsonl.gz); the products that were not imported are the
    report's quarantined lines of that file.
    """
    set_aside = {row["line"] for row in report["quarantine"] if row["entity"] == "products"}
    files = {"copied": 0, "missing": 0, "mismatched": 0}
    plain = bundle / "products.jsonl"
    data = plain.read_bytes() if plain.exists() else gzip.decompress((bundle / "products.jsonl.gz").read_bytes())
    for number, raw in enumerate(data.splitlines(), 1):
        if number in set_aside:
            continue
        for image in json.loads(raw)["images"]:
            path = bundle / image["path"]
            if not path.is_file():
                files["missing"] += 1
            elif hashlib.sha256(path.read_bytes()).hexdigest() != image["sha256"].lower():
                files["mismatched"] += 1
            else:
                files["copied"] += 1
    return files
