"""The legacy loader of po.co tickets (contract rule 7): thin over `aftersales.legacy.cases_import_legacy`.

This module resolves each ticket's references to primary keys and reads its attachments from the bundle; the
service keeps the number, thread, internal notes, status history and timestamps (the service clock runs from
the legacy `opened_at`), copies verified attachments to the private storage and leaves alone any case an
agent worked on since its import.

- Customer (hard): the engine has already set aside tickets of an unknown, quarantined, India or erased
  customer (rule 2: an erased customer's tickets are excluded); here it is the account the customer record
  became. A ticket whose account was deleted from the store since is quarantined.
- Store by portal (global, uk, fr), brand POCO (`reference_data_ensure()` must have run: refused otherwise).
- Order (soft): linked only when the orders entity imported that order (`resolution.of("orders", ...)`); without
  an orders loader, or for an order excluded, quarantined or unknown, the link stays empty.
- Product (soft): the store's variant of `product_sku`, if any.
- Agents: matched by e-mail to active staff accounts (`staff_ids_by_email`); otherwise unassigned.
- Attachments: a missing or mismatching file is counted in the report's `files` totals (and logged with its
  path); the ticket still imports. A dry run verifies and counts them but stores nothing.
- A legacy number that another case already has is a `conflict` (nothing overwritten).

Re-imports (rule 9): the state hash is the case's `changed_in_store_at` stamp, which every service write and
admin edit sets, so the engine answers `conflict` for a changed ticket whose case was worked on since.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from brands.legacy.loaders import (
    CONFLICT,
    CREATED,
    QUARANTINED,
    UPDATED,
    BatchResult,
    Item,
    Loaded,
    Loader,
    SetAside,
    register,
    state_digest,
)
from brands.legacy.resolution import IMPORTED
from brands.legacy.schemas import Ticket
from brands.models import Brand, RegionalStore
from storefront.accounts.models import User
from storefront.catalog.models import Variant
from storefront.orders.models import Order

from .legacy import LegacyAttachment, LegacyCase, LegacyMessage, LegacyStatusChange, cases_import_legacy
from .models import Case
from .selectors import staff_ids_by_email

logger = logging.getLogger(__name__)

BRAND_SLUG = "poco"
PORTAL_STORES = ("global", "uk", "fr")
NUMBER_MAX_LENGTH = Case._meta.get_field("number").max_length
# Attachment bytes held in memory at once: a batch is handed to the service in parts of at most this much.
ATTACHMENT_BYTES_PER_CALL = 64 * 1024 * 1024
WORKED_ON = "changed in the store since its import (an agent worked on it): kept as the store has it"


@register
class TicketsLoader(Loader):
    entity = "tickets"

    def preflight(self) -> str | None:
        stores = set(RegionalStore.objects.filter(code__in=PORTAL_STORES).values_list("code", flat=True))
        if not Brand.objects.filter(slug=BRAND_SLUG).exists() or stores != set(PORTAL_STORES):
            return ("the POCO brand or the regional stores are missing: run brands.services.reference_data_ensure()"
                    " (e.g. `manage.py seed_store`) before importing tickets")
        return None

    def prepare(self) -> None:
        self.brand_id = Brand.objects.get(slug=BRAND_SLUG).pk
        self.stores = dict(RegionalStore.objects.filter(code__in=PORTAL_STORES).values_list("code", "pk"))

    def check(self, record: Ticket) -> SetAside | None:
        if len(record.number) > NUMBER_MAX_LENGTH:
            return SetAside(QUARANTINED, f"number {record.number[:50]!r}... is longer than {NUMBER_MAX_LENGTH} "
                                         "characters")
        ids = [message.legacy_id for message in record.messages]
        repeated = sorted({legacy_id for legacy_id in ids if ids.count(legacy_id) > 1})
        if repeated:
            return SetAside(QUARANTINED, f"message legacy_id {', '.join(repeated)} repeated in its thread")
        return None

    # --- loading -------------------------------------------------------------------------------------

    def load(self, items: list[Item]) -> BatchResult:
        outcomes: dict[str, Loaded] = {}
        files = {"copied": 0, "missing": 0, "mismatched": 0}
        links = self._links([item.record for item in items])
        to_import = []
        for item in items:
            refused = links.admit(item.record)
            if refused:
                outcomes[item.legacy_id] = refused
            else:
                to_import.append(item)
        for part in _parts(to_import, self.context.bundle):
            records = [self._legacy_case(item.record, links) for item in part]
            results = cases_import_legacy(records, agents_by_email=links.agents, store_files=not self.context.dry_run)
            for result in results:
                outcomes[result.legacy_id] = _loaded(result)
                files["copied"] += result.files_copied
                files["missing"] += len(result.files_missing)
                files["mismatched"] += len(result.files_mismatched)
                for path in result.files_missing:
                    logger.warning("tickets %s: attachment %s is missing from the bundle", result.legacy_id, path)
                for path in result.files_mismatched:
                    logger.warning("tickets %s: attachment %s does not match its sha256", result.legacy_id, path)
        return BatchResult(outcomes, totals={"files": files})

    def _links(self, records: list[Ticket]) -> _Links:
        """The batch's references as primary keys, in five queries whatever its size."""
        customers = self.context.resolution.of("customers", (record.customer_legacy_id for record in records))
        orders = self.context.resolution.of("orders", (record.order_legacy_id for record in records))
        customer_pks = {r.legacy_id: customers.get(r.customer_legacy_id).target_pk for r in records}
        order_pks = {}
        for record in records:
            resolved = orders.get(record.order_legacy_id) if record.order_legacy_id else None
            if resolved is not None and resolved.state == IMPORTED and resolved.target_pk:
                order_pks[record.legacy_id] = resolved.target_pk
        emails = {record.assigned_to for record in records if record.assigned_to}
        for record in records:
            emails.update(message.author_email for message in record.messages if message.author_type != "customer")
            emails.update(change.by for change in record.status_history)
        numbers = {record.number for record in records}
        return _Links(
            accounts=set(User.objects.filter(pk__in=set(customer_pks.values())).values_list("pk", flat=True)),
            customer_pks=customer_pks,
            orders=set(Order.objects.filter(pk__in=set(order_pks.values())).values_list("pk", flat=True)),
            order_pks=order_pks,
            variants=dict(Variant.objects.filter(
                sku__in={r.product_sku for r in records if r.product_sku}).values_list("sku", "pk")),
            agents=staff_ids_by_email(emails),
            numbers=dict(Case.objects.filter(number__in=numbers).values_list("number", "legacy_id")),
        )

    def _legacy_case(self, record: Ticket, links: _Links) -> LegacyCase:
        order_pk = links.order_pks.get(record.legacy_id)
        return LegacyCase(
            legacy_id=record.legacy_id, number=record.number, customer_id=links.customer_pks[record.legacy_id],
            store_id=self.stores[record.portal], brand_id=self.brand_id, kind=record.kind, status=record.status,
            priority=record.priority, subject=record.subject, opened_at=record.opened_at,
            updated_at=record.updated_at, closed_at=record.closed_at,
            order_id=order_pk if order_pk in links.orders else None,
            variant_id=links.variants.get(record.product_sku) if record.product_sku else None,
            serial_number=record.serial_number or "", assigned_to_email=record.assigned_to,
            messages=tuple(
                LegacyMessage(
                    legacy_id=message.legacy_id, author_type=message.author_type, author_email=message.author_email,
                    body=message.body, created_at=message.created_at, internal=message.internal,
                    attachments=tuple(self._attachment(attachment) for attachment in message.attachments),
                )
                for message in record.messages
            ),
            status_history=tuple(
                LegacyStatusChange(at=change.at, from_status=change.from_, to_status=change.to, by=change.by)
                for change in record.status_history
            ),
        )

    def _attachment(self, attachment) -> LegacyAttachment:
        path = self.context.bundle.attachment(attachment.path)
        return LegacyAttachment(
            path=attachment.path, sha256=attachment.sha256, filename=attachment.filename,
            content_type=attachment.content_type, content=path.read_bytes() if path is not None else None,
        )

    # --- state ---------------------------------------------------------------------------------------

    def state_hashes(self, pks: Iterable[int]) -> dict[int, str]:
        """The case's store-change stamp: any reply, note, transition, assignment or admin edit moves it."""
        return {pk: state_digest(changed) for pk, changed in
                Case.objects.filter(pk__in=list(pks)).values_list("pk", "changed_in_store_at")}


class _Links:
    """What a batch's tickets point at, looked up set-wise; `admit` tells which tickets can be written."""

    def __init__(self, *, accounts, customer_pks, orders, order_pks, variants, agents, numbers):
        self.accounts, self.customer_pks = accounts, customer_pks
        self.orders, self.order_pks = orders, order_pks
        self.variants, self.agents = variants, agents
        self.numbers = numbers  # number -> legacy id of the case that has it (None: a case opened in the store)

    def admit(self, record: Ticket) -> Loaded | None:
        """None when the ticket can be written (its number is then claimed for it within the batch); otherwise
        its outcome: quarantined when its customer's account is gone, a conflict when its number is taken."""
        if self.customer_pks[record.legacy_id] not in self.accounts:
            return Loaded(QUARANTINED, reason=f"customer_legacy_id {record.customer_legacy_id}: its account was "
                                              "deleted from the store")
        holder = self.numbers.get(record.number, record.legacy_id)
        if holder != record.legacy_id:
            whose = f"ticket {holder}" if holder else "a case opened in the store"
            return Loaded(CONFLICT, reason=f"number {record.number} already belongs to {whose}; nothing overwritten")
        self.numbers[record.number] = record.legacy_id  # a later ticket of the batch repeating it conflicts
        return None


def _loaded(result) -> Loaded:
    if result.outcome == "created":
        return Loaded(CREATED, result.case_id, target_created=True)
    if result.outcome == "updated":
        return Loaded(UPDATED, result.case_id)
    return Loaded(CONFLICT, result.case_id, reason=WORKED_ON)


def _parts(items: list[Item], bundle) -> Iterator[list[Item]]:
    """The items in consecutive parts whose attachments add up to at most ATTACHMENT_BYTES_PER_CALL (a part
    holds at least one ticket), so a batch of tickets with large photos never sits in memory whole."""
    part, size = [], 0
    for item in items:
        own = sum(path.stat().st_size for message in item.record.messages for attachment in message.attachments
                  if (path := bundle.attachment(attachment.path)) is not None)
        if part and size + own > ATTACHMENT_BYTES_PER_CALL:
            yield part
            part, size = [], 0
        part.append(item)
        size += own
    if part:
        yield part
