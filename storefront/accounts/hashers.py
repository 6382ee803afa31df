"""The legacy po.co password hash, wrapped so it is never stored as the weak hash it was.

po.co stored `sha256$<salt>$<hex>`, hex being SHA-256(salt + UTF-8 password): one fast hash, cheap to
attack. Following Django's documented way of upgrading legacy hashes without a login ("Password
management", PBKDF2WrappedSHA1PasswordHasher), the import wraps the legacy hex digest in PBKDF2:
the stored value is PBKDF2(SHA-256(salt + password)). At login Django computes the same from the typed
password; on success, as this is not the preferred hasher, it re-hashes the password with the default
hasher (the `setter` of `check_password`), so the wrapper lives only until a customer's first login.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

LEGACY_ALGORITHM = "sha256"


class LegacyHashError(ValueError):
    """A legacy hash that is not `sha256$<salt>$<64 hex digits>`."""


class PBKDF2WrappedPocoSHA256PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 over po.co's SHA-256(salt + password), with po.co's salt.

    Cost: `settings.LEGACY_PASSWORD_WRAP_COST` PBKDF2 iterations (environment variable of that name),
    default 100,000. The trade-off: every migrated customer is wrapped once at import, on every core of
    the importing machine (about 55 ms per customer per core at 100,000 iterations: 500,000 customers take
    about an hour on 8 cores), while an attacker holding a copy of the table pays 100,000 HMAC-SHA256 per
    guess instead of the single SHA-256 of the legacy hash, i.e. 100,000 times the legacy cost and a
    tenth of Django 5.2's own default (1,000,000). The wrapper only lives until the customer's first
    login, when Django replaces it with the default hasher at full cost. Raise it when the import window
    allows; lower it only to fit the import window.
    """

    algorithm = "pbkdf2_wrapped_poco_sha256"

    @property
    def iterations(self) -> int:
        return settings.LEGACY_PASSWORD_WRAP_COST

    def encode_legacy_hash(self, legacy_hex: str, salt: str, iterations: int | None = None) -> str:
        return super().encode(legacy_hex, salt, iterations)

    def encode(self, password, salt, iterations=None):
        legacy_hex = hashlib.sha256((salt + password).encode("utf-8")).hexdigest()
        return self.encode_legacy_hash(legacy_hex, salt, iterations)


def split_legacy_hash(legacy: str) -> tuple[str, str]:
    """(salt, hex digest) of a `sha256$<salt>$<hex>` legacy hash; LegacyHashError when it is not one."""
    parts = legacy.split("$")
    if len(parts) != 3 or parts[0] != LEGACY_ALGORITHM or not parts[1] or len(parts[2]) != 64:
        raise LegacyHashError("password_hash is not sha256$<salt>$<64 hex digits>")
    try:
        int(parts[2], 16)
    except ValueError as exc:
        raise LegacyHashError("password_hash is not sha256$<salt>$<64 hex digits>") from exc
    return parts[1], parts[2].lower()


def wrap_legacy_hash(legacy: str, iterations: int) -> str:
    """The stored form of a legacy hash. A plain function of its arguments, so a process pool can run it."""
    salt, legacy_hex = split_legacy_hash(legacy)
    return PBKDF2WrappedPocoSHA256PasswordHasher().encode_legacy_hash(legacy_hex, salt, iterations)
