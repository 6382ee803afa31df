"""A generator of realistic legacy POCO export bundles (FORMAT.md), of any size, deterministic per seed.

    from brands.legacy.generator import write_bundle, legacy_password_for
    summary = write_bundle("var/bundle", customers=1000, seed=1)   # -> BundleSummary(path, files, truth, ...)
    legacy_password_for("C000043")                                  # -> "poco-43-Fénix"

`summary.truth` is the expected outcome of importing the bundle (see truth.py).
"""

from .bundle import BundleSummary, GeneratorError, write_bundle
from .common import DEFAULT_EXPORTED_AT
from .passwords import legacy_password_for, legacy_password_hash

__all__ = [
    "BundleSummary",
    "DEFAULT_EXPORTED_AT",
    "GeneratorError",
    "legacy_password_for",
    "legacy_password_hash",
    "write_bundle",
]
