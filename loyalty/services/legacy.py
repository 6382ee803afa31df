"""What the legacy loaders share: the outcome of a record, its fingerprint, and input checks."""

import enum
import hashlib
import json
from dataclasses import fields, is_dataclass
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


_LEAVES = frozenset({str, int, float, bool, type(None), datetime, Decimal})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # a dataclass's field names, looked up once per class


def _plain(value):
    """Dataclasses as dicts of their fields, sequences as lists, recursively: the JSON of
    `dataclasses.asdict`, without the deep copy of every leaf value it makes (a fifth of a points import)."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES.setdefault(kind, tuple(field.name for field in fields(value)))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def fingerprint(record) -> str:
    """SHA-256 of a record's content, stable across runs (UTC times, decimals as strings, sorted keys).

    Stored by the migrations, so its bytes must never change: a new fingerprint turns every re-imported
    record into a conflict."""
    text = json.dumps(_plain(record), default=_canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def require_aware(name: str, value) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"{name} must be an aware datetime (got {value!r}).")
