"""The legacy shop's passwords, documented so tests and demos can log in as migrated customers.

Every generated customer's password follows from its legacy id alone (not from the seed), so anyone holding
a bundle can compute a working login: `legacy_password_for("C000043") == "poco-43-Fénix"`. Some passwords
hold non-ASCII characters on purpose: the legacy hash is over the UTF-8 bytes.
"""

import hashlib

_SUFFIXES = ("secret!", "Fénix", "x", "mi fan ♥", "Ünïcode", "correct horse battery")


def legacy_password_for(legacy_id: str) -> str:
    """The POCO password of the generated customer `legacy_id` (e.g. `C000043` -> `poco-43-Fénix`)."""
    digits = "".join(ch for ch in legacy_id if ch.isdigit())
    if not digits:
        raise ValueError(f"{legacy_id!r} is not a generated customer legacy id")
    number = int(digits)
    return f"poco-{number}-{_SUFFIXES[number % len(_SUFFIXES)]}"


def legacy_password_hash(password: str, salt: str) -> str:
    """The legacy scheme `sha256$<salt>$<hex>`, hex being SHA-256 of the salt followed by the UTF-8 password."""
    digest = hashlib.sha256((salt + password).encode("utf-8")).hexdigest()
    return f"sha256${salt}${digest}"
