"""What the legacy loaders share: the outcome of a record, its fingerprint, and input checks."""

import enum
import hashlib
import json
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from decimal import Decimal


class ImportOutcome(enum.StrEnum):
    """Named as the import report counts them (FORMAT.md, "The report")."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    QUARANTINED = "quarantined"

    @property
    def is_imported(self) -> bool:
        """Whether the record counts in the report's totals (created, updated or unchanged)."""
        return self in (ImportOutcome.CREATED, ImportOutcome.UPDATED, ImportOutcome.UNCHANGED)


def _canonical(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


def fingerprint(record) -> str:
    """SHA-256 of a record's content, stable across runs (UTC times, decimals as strings, sorted keys)."""
    data = asdict(record) if is_dataclass(record) else record
    text = json.dumps(data, default=_canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def require_aware(name: str, value) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"{name} must be an aware datetime (got {value!r}).")
