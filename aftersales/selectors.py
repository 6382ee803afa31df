"""Reads shared by the agents' workspace, the customers' portal, the API and the legacy loader.

The queue pages by keyset on (due_at, id) with NULLs (resolved and closed cases) last, never by OFFSET,
and counts per status, kind and priority in one aggregate query whatever the filters.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.dateparse import parse_datetime

from storefront.accounts.models import normalize_email
from storefront.accounts.services import SUPPORT_AGENTS_GROUP
from storefront.orders.models import Order

from .models import Attachment, Case, Kind, Message, Priority, Status, StatusChange
from .scope import AgentScope
from .transitions import ACTIVE
from .warranty import Warranty, order_warranty

User = get_user_model()

CASE_RELATED = ("customer", "store", "brand", "order", "order__store", "variant__product", "assigned_to")


# --- Customers ----------------------------------------------------------------------------------------

def customer_cases(*, customer) -> QuerySet[Case]:
    """A customer's own cases, new and carried over, the latest first."""
    return (
        Case.objects.filter(customer=customer)
        .select_related("store", "brand", "order")
        .order_by("-opened_at", "-id")
    )


def thread_prefetch(*, include_internal: bool) -> Prefetch:
    messages = Message.objects.select_related("author").prefetch_related("attachments")
    if not include_internal:
        messages = messages.filter(is_internal=False)
    return Prefetch("messages", queryset=messages, to_attr="thread")


def _case_detail_queryset(*, include_internal: bool) -> QuerySet[Case]:
    return Case.objects.select_related(*CASE_RELATED).prefetch_related(
        thread_prefetch(include_internal=include_internal),
        Prefetch("status_changes", queryset=StatusChange.objects.select_related("changed_by"), to_attr="history"),
    )


def customer_case_or_404(*, customer, number: str) -> Case:
    """The customer's own case with its thread WITHOUT internal notes; 404 for anyone else's."""
    case = _case_detail_queryset(include_internal=False).filter(customer=customer, number=number).first()
    if case is None:
        raise Http404("No such case")
    return case


def customer_orders(*, customer) -> QuerySet[Order]:
    """The customer's orders (placed in the account, or as a guest with the account's e-mail), latest first."""
    return (
        Order.objects.filter(Q(user=customer) | Q(user__isnull=True, email=normalize_email(customer.email)))
        .select_related("store")
        .order_by("-placed_at", "-id")
    )


@dataclass(frozen=True)
class OrderWithWarranty:
    order: Order
    warranty: Warranty


def customer_orders_with_warranty(*, customer, now: datetime, limit: int = 20) -> list[OrderWithWarranty]:
    return [
        OrderWithWarranty(order=order, warranty=order_warranty(order, now=now))
        for order in customer_orders(customer=customer).prefetch_related("lines__variant__product")[:limit]
    ]


def customer_attachment_or_404(*, customer, pk: int) -> Attachment:
    """An attachment of the customer's own case, on a message they may read (never an internal note)."""
    attachment = Attachment.objects.filter(
        pk=pk, message__case__customer=customer, message__is_internal=False
    ).first()
    if attachment is None:
        raise Http404("No such attachment")
    return attachment


# --- Agents -------------------------------------------------------------------------------------------

def agent_case_or_404(*, scope: AgentScope, number: str) -> Case:
    """A case in the agent's scope with its whole thread (internal notes too); 404 outside the scope."""
    case = scope.cases(_case_detail_queryset(include_internal=True)).filter(number=number).first()
    if case is None:
        raise Http404("No such case")
    return case


def agent_attachment_or_404(*, scope: AgentScope, pk: int) -> Attachment:
    attachment = scope.cases(Attachment.objects.filter(pk=pk), via="message__case__").first()
    if attachment is None:
        raise Http404("No such attachment")
    return attachment


def support_agents() -> QuerySet:
    """Active staff in the "Support agents" group."""
    return User.objects.filter(is_active=True, is_staff=True, groups__name=SUPPORT_AGENTS_GROUP).distinct()


def agents_for_scope(scope: AgentScope) -> QuerySet:
    """Agents who share part of this scope (all agents for an admin): whom bulk assignment offers."""
    agents = support_agents()
    if not scope.is_admin:
        agents = agents.filter(agent_profile__brands__in=scope.brand_ids, agent_profile__stores__in=scope.store_ids)
    return agents.order_by("email")


def agents_for_case(case: Case) -> QuerySet:
    """Agents whose scope covers the case: those it may be assigned to."""
    return support_agents().filter(agent_profile__brands=case.brand_id, agent_profile__stores=case.store_id).order_by(
        "email"
    )


@dataclass
class QueueFilters:
    """What an agent asked the queue for; every field optional. Built by QueueFilterForm (pages and API)."""

    brand_id: int | None = None
    store_id: int | None = None
    status: str = ""
    kind: str = ""
    priority: str = ""
    assigned: str = ""  # "me" or "unassigned"
    due: str = ""  # "soon" or "breached"
    source: str = ""  # Case.Source value
    q: str = ""
    active_only: bool = False


def _search(q: str) -> Q:
    """A case number (new or legacy), a customer e-mail, an order number or a serial/IMEI: each an exact,
    indexed match. The e-mail is a subquery on the unique e-mail; the others are resolved to case ids by a
    UNION of three index lookups, since an OR across them would make the database scan the queue."""
    term = q.strip()
    if "@" in term:
        return Q(customer__in=User.objects.filter(email=normalize_email(term)).values("pk"))
    by_number = Case.objects.filter(number=term.upper())
    by_serial = Case.objects.filter(serial_number=term)
    by_order = Case.objects.filter(order__in=Order.objects.filter(number=term).values("pk"))
    ids = by_number.order_by().values_list("pk", flat=True).union(
        by_serial.order_by().values_list("pk", flat=True), by_order.order_by().values_list("pk", flat=True)
    )
    return Q(pk__in=list(ids))


def case_queue(
    *, scope: AgentScope, filters: QueueFilters, now: datetime, ignore: frozenset[str] = frozenset()
) -> QuerySet[Case]:
    """The cases in scope matching the filters, except those named in `ignore` (for facet counts)."""
    cases = scope.cases(Case.objects.all())
    if filters.brand_id:
        cases = cases.filter(brand_id=filters.brand_id)
    if filters.store_id:
        cases = cases.filter(store_id=filters.store_id)
    if "status" not in ignore:
        if filters.status:
            cases = cases.filter(status=filters.status)
        elif filters.active_only:
            cases = cases.filter(status__in=ACTIVE)
    if filters.kind and "kind" not in ignore:
        cases = cases.filter(kind=filters.kind)
    if filters.priority and "priority" not in ignore:
        cases = cases.filter(priority=filters.priority)
    if filters.assigned == "me":
        cases = cases.filter(assigned_to=scope.user)
    elif filters.assigned == "unassigned":
        cases = cases.filter(assigned_to__isnull=True)
    if filters.due == "breached":
        cases = cases.filter(due_at__lt=now)
    elif filters.due == "soon":
        cases = cases.filter(due_at__gte=now, due_at__lt=now + timedelta(hours=settings.AFTERSALES_DUE_SOON_HOURS))
    if filters.source:
        cases = cases.filter(source=filters.source)
    if filters.q:
        cases = cases.filter(_search(filters.q))
    return cases


FACETS = {"status": Status.values, "kind": Kind.values, "priority": Priority.values}


def queue_counts(*, scope: AgentScope, filters: QueueFilters, now: datetime) -> dict[str, dict[str, int]]:
    """Facet counts in four queries whatever the filters and the number of cases: per status, kind and
    priority under every OTHER filter (so each choice shows what picking it would give), and the totals
    (all, breached, unassigned) of the list as filtered."""
    counts = {}
    for facet, values in FACETS.items():
        rows = (
            case_queue(scope=scope, filters=filters, now=now, ignore=frozenset({facet}))
            .order_by()
            .values_list(facet)
            .annotate(n=Count("*"))
        )
        found = dict(rows)
        counts[facet] = {value: found.get(value, 0) for value in values}
    # Counted over indexed columns only (not the primary key), so the facet index answers alone.
    counts["total"] = case_queue(scope=scope, filters=filters, now=now).order_by().aggregate(
        all=Count("*"),
        breached=Count("due_at", filter=Q(due_at__lt=now)),
        unassigned=Count("status", filter=Q(assigned_to__isnull=True)),
    )
    return counts


class BadCursor(ValueError):
    """A `cursor` parameter that is not one this queue handed out."""


def cursor_encode(case: Case) -> str:
    raw = f"{case.due_at.isoformat() if case.due_at else ''}|{case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime | None, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        due, pk = raw.split("|")
        due_at = parse_datetime(due) if due else None
        if due and due_at is None:
            raise ValueError(due)
        return due_at, int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise BadCursor("The page cursor is not valid; start again from the first page.") from error


@dataclass
class QueuePage:
    cases: list[Case]
    next_cursor: str | None


def queue_page(cases: QuerySet[Case], *, cursor: str = "", size: int | None = None) -> QueuePage:
    """One page of `cases` by (due_at, id), cases without a deadline (resolved, closed) last, after `cursor`.

    Each part is a plain index range (due_at >= x, then due_at IS NULL by id), never an OFFSET nor an OR
    the database cannot seek on: a page deep in the queue costs what the first one does (two queries at
    most, where a page spans both parts).
    """
    size = size or settings.AFTERSALES_QUEUE_PAGE_SIZE
    cases = cases.select_related("customer", "store", "brand", "assigned_to", "order")
    due_at, pk = cursor_decode(cursor) if cursor else (None, None)
    rows: list[Case] = []
    if pk is None or due_at is not None:
        dated = cases.filter(due_at__isnull=False)
        if due_at is not None:
            dated = dated.filter(due_at__gte=due_at).exclude(due_at=due_at, pk__lte=pk)
        rows = list(dated.order_by("due_at", "pk")[: size + 1])
    if len(rows) <= size:
        undated = cases.filter(due_at__isnull=True)
        if due_at is None and pk is not None:
            undated = undated.filter(pk__gt=pk)
        rows += list(undated.order_by("pk")[: size + 1 - len(rows)])
    has_next = len(rows) > size
    rows = rows[:size]
    return QueuePage(cases=rows, next_cursor=cursor_encode(rows[-1]) if has_next else None)


# --- The legacy loader ----------------------------------------------------------------------------------

def staff_ids_by_email(emails) -> dict[str, int]:
    """Active staff accounts by normalized e-mail, in one query: how legacy agents are matched (rule 7)."""
    wanted = {normalize_email(e) for e in emails if e}
    if not wanted:
        return {}
    return dict(
        User.objects.filter(email__in=wanted, is_staff=True, is_active=True).values_list("email", "pk")
    )


@dataclass(frozen=True)
class LegacyCaseState:
    case_id: int
    changed_since_import: bool


def legacy_case_states(legacy_ids) -> dict[str, LegacyCaseState]:
    """What the store holds for these legacy tickets, in one query: a re-import must not overwrite a case
    changed in the store since it was imported (rule 9: a conflict)."""
    rows = Case.objects.filter(legacy_id__in=list(legacy_ids)).only(
        "pk", "legacy_id", "imported_at", "changed_in_store_at"
    )
    return {case.legacy_id: LegacyCaseState(case.pk, case.changed_since_import) for case in rows}
