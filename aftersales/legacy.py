"""Carrying po.co tickets over (FORMAT.md rule 7), set-wise, for the import engine's tickets loader.

The loader decodes and validates the records, resolves the customer, store, brand (POCO), order and variant
to primary keys, reads attachment bytes from the bundle, and hands a batch to `cases_import_legacy`. This
module keeps the number, thread, internal notes, status history and timestamps, copies attachments into the
store's storage after checking their SHA-256, matches agents to staff accounts by e-mail (otherwise the case
is unassigned), and leaves alone any case changed in the store since its import (a conflict, rule 9).
Whether a record changed in the bundle (fingerprints) is the engine's business: it calls this only for
records that are new or changed.
"""

import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from django.db import transaction
from django.utils import timezone

from brands.legacy.bulk import bulk_insert
from brands.legacy.files import file_store_verified
from storefront.accounts.models import normalize_email

from .models import Attachment, AuthorType, Case, Message, Status, StatusChange
from .selectors import legacy_case_states
from .service_levels import case_deadlines_set, service_level_targets

LEGACY_ATTACHMENTS = "private/aftersales/legacy"  # never under a served URL, like every attachment


@dataclass(frozen=True)
class LegacyAttachment:
    path: str  # relative path in the bundle, for the report
    sha256: str
    filename: str
    content_type: str
    content: bytes | None  # None: the file is missing from the bundle


@dataclass(frozen=True)
class LegacyMessage:
    legacy_id: str
    author_type: str  # customer / agent / system
    author_email: str
    body: str
    created_at: datetime
    internal: bool
    attachments: tuple[LegacyAttachment, ...] = ()


@dataclass(frozen=True)
class LegacyStatusChange:
    at: datetime
    from_status: str | None
    to_status: str
    by: str


@dataclass(frozen=True)
class LegacyCase:
    """A valid ticket record with its references resolved to primary keys."""

    legacy_id: str
    number: str
    customer_id: int
    store_id: int
    brand_id: int
    kind: str
    status: str
    priority: str
    subject: str
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    order_id: int | None = None
    variant_id: int | None = None
    serial_number: str = ""
    assigned_to_email: str | None = None
    messages: tuple[LegacyMessage, ...] = ()
    status_history: tuple[LegacyStatusChange, ...] = ()


@dataclass
class LegacyCaseOutcome:
    legacy_id: str
    outcome: str  # "created", "updated" or "conflict"
    case_id: int
    files_copied: int = 0
    files_missing: list[str] = field(default_factory=list)
    files_mismatched: list[str] = field(default_factory=list)


def _case_fields(record: LegacyCase, *, agents_by_email: dict[str, int], now: datetime) -> dict:
    resolved_at = next(
        (change.at for change in reversed(record.status_history) if change.to_status == Status.RESOLVED), None
    )
    if record.status in (Status.RESOLVED, Status.CLOSED) and resolved_at is None:
        resolved_at = record.closed_at or record.updated_at
    first_response_at = min(
        (m.created_at for m in record.messages if m.author_type == AuthorType.AGENT and not m.internal), default=None
    )
    closed_at = record.closed_at
    if record.status == Status.CLOSED and closed_at is None:
        closed_at = record.updated_at
    return dict(
        number=record.number, source=Case.Source.POCO, legacy_id=record.legacy_id,
        customer_id=record.customer_id, store_id=record.store_id, brand_id=record.brand_id,
        kind=record.kind, priority=record.priority, status=record.status, subject=record.subject[:200],
        order_id=record.order_id, variant_id=record.variant_id, serial_number=(record.serial_number or "")[:64],
        assigned_to_id=agents_by_email.get(normalize_email(record.assigned_to_email or "")),
        opened_at=record.opened_at, updated_at=record.updated_at, closed_at=closed_at, resolved_at=resolved_at,
        first_response_at=first_response_at, imported_at=now, changed_in_store_at=None,
    )


@transaction.atomic
def cases_import_legacy(
    records: list[LegacyCase], *, agents_by_email: dict[str, int], now: datetime | None = None,
    store_files: bool = True,
) -> list[LegacyCaseOutcome]:
    """Creates or replaces the cases of a batch of tickets; a fixed number of queries per batch (plus one
    storage write per new attachment file). `agents_by_email` comes from `selectors.staff_ids_by_email`.
    `store_files=False` (an import's dry run, whose transaction is rolled back) verifies and counts the
    attachments like a real run but writes nothing to the storage.

    A case changed in the store since its import is left as it is and reported as a conflict. On update the
    thread and history are rewritten from the record; attachment files already stored (same message, same
    SHA-256) are kept rather than copied again, and files no longer referenced are deleted after commit.
    """
    now = now or timezone.now()
    targets = service_level_targets()
    states = legacy_case_states(r.legacy_id for r in records)
    outcomes: dict[str, LegacyCaseOutcome] = {}
    to_create, to_update, to_write = [], [], []
    for record in records:
        state = states.get(record.legacy_id)
        if state is not None and state.changed_since_import:
            outcomes[record.legacy_id] = LegacyCaseOutcome(record.legacy_id, "conflict", state.case_id)
            continue
        case = Case(pk=state.case_id if state else None, **_case_fields(record, agents_by_email=agents_by_email,
                                                                            now=now))
        case_deadlines_set(case, targets=targets)
        (to_update if state else to_create).append(case)
        to_write.append((record, case))
        outcomes[record.legacy_id] = LegacyCaseOutcome(record.legacy_id, "updated" if state else "created", 0)

    bulk_insert(to_create)
    if to_update:
        fields = [f.name for f in Case._meta.concrete_fields if f.name not in ("id", "number", "legacy_id")]
        Case.objects.bulk_update(to_update, fields)
    kept_files = _stored_files_of([case.pk for case in to_update])
    StatusChange.objects.filter(case__in=[c.pk for c in to_update]).delete()
    Message.objects.filter(case__in=[c.pk for c in to_update]).delete()

    messages, history, pending_attachments = [], [], []
    for record, case in to_write:
        outcome = outcomes[record.legacy_id]
        outcome.case_id = case.pk
        for entry in record.status_history:
            history.append(StatusChange(
                case=case, from_status=entry.from_status or "", to_status=entry.to_status,
                changed_by_id=agents_by_email.get(normalize_email(entry.by)), changed_by_label=entry.by[:254],
                at=entry.at,
            ))
        for legacy_message in record.messages:
            message = _message(case=case, record=record, legacy=legacy_message, agents_by_email=agents_by_email)
            messages.append(message)
            for legacy_attachment in legacy_message.attachments:
                pending_attachments.append((outcome, message, legacy_message.legacy_id, legacy_attachment))
    bulk_insert(history)
    bulk_insert(messages)

    attachments, reused = [], set()
    for outcome, message, message_legacy_id, legacy in pending_attachments:
        kept = kept_files.get((message.case_id, message_legacy_id, legacy.sha256))
        if kept is not None:
            (name, size) = kept
        else:
            name = _copy(outcome=outcome, message_legacy_id=message_legacy_id, legacy=legacy, store=store_files)
            if name is None:
                continue
            size = len(legacy.content)
        reused.add(name)
        attachments.append(Attachment(
            message=message, file=name, filename=legacy.filename[:200], content_type=legacy.content_type[:100],
            size=size, sha256=legacy.sha256, created_at=message.created_at,
        ))
    bulk_insert(attachments)
    orphans = {name for name, _size in kept_files.values()} - reused
    transaction.on_commit(lambda: _delete_files(orphans))
    return [outcomes[r.legacy_id] for r in records]


def _message(*, case: Case, record: LegacyCase, legacy: LegacyMessage, agents_by_email: dict[str, int]) -> Message:
    author_type = legacy.author_type if legacy.author_type in AuthorType.values else AuthorType.SYSTEM
    if author_type == AuthorType.CUSTOMER:
        author_id = record.customer_id
    else:
        author_id = agents_by_email.get(normalize_email(legacy.author_email))
    return Message(
        case=case, author_id=author_id, author_type=author_type, author_email=(legacy.author_email or "")[:254],
        body=legacy.body, is_internal=legacy.internal and author_type != AuthorType.CUSTOMER,
        created_at=legacy.created_at, legacy_id=legacy.legacy_id,
    )


def _stored_files_of(case_ids: list[int]) -> dict[tuple[int, str, str], tuple[str, int]]:
    """(case id, message legacy id, sha256) -> (stored file name, size), for the cases being replaced."""
    if not case_ids:
        return {}
    rows = Attachment.objects.filter(message__case__in=case_ids).values_list(
        "message__case_id", "message__legacy_id", "sha256", "file", "size"
    )
    return {(case_id, legacy_id, sha): (name, size) for case_id, legacy_id, sha, name, size in rows}


def _copy(*, outcome: LegacyCaseOutcome, message_legacy_id: str, legacy: LegacyAttachment, store: bool) -> str | None:
    """Stores the file after checking its checksum (unless `store` is False: then only the name it would get);
    a missing or mismatching file is reported, not stored."""
    if legacy.content is None:
        outcome.files_missing.append(legacy.path)
        return None
    sha256 = hashlib.sha256(legacy.content).hexdigest()
    if sha256 != legacy.sha256.lower():
        outcome.files_mismatched.append(legacy.path)
        return None
    name = _legacy_name(outcome.legacy_id, message_legacy_id, legacy)
    if store:
        content = legacy.content
        file_store_verified(storage=Attachment.file.field.storage, name=name, sha256=sha256,
                            open_source=lambda: io.BytesIO(content))
    outcome.files_copied += 1
    return name


def _legacy_name(case_legacy_id: str, message_legacy_id: str, legacy: LegacyAttachment) -> str:
    """A private name fixed by which attachment it is (its ticket, message, path in the bundle and content), so
    a batch imported again after a rollback or a kill finds the file it stored (`file_store_verified`). Not
    guessable without the ticket's ids and the file itself; served only through the permission checks."""
    key = "\0".join([case_legacy_id, message_legacy_id, legacy.path, legacy.sha256.lower()])
    suffix = PurePosixPath(legacy.filename).suffix.lower()[:10]
    return f"{LEGACY_ATTACHMENTS}/{hashlib.sha256(key.encode()).hexdigest()[:32]}{suffix}"


def _delete_files(names) -> None:
    storage = Attachment.file.field.storage
    for name in names:
        storage.delete(name)
