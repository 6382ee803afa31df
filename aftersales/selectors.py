"""Reads shared by the agents' workspace, the customers' portal, the API and the legacy loader.

The queue pages by keyset on (due_at, id) with NULLs (resolved and closed cases) last, never by OFFSET,
and counts per status, kind and priority in one query of bounded counts whatever the filters; the number of
queries of a page depends on its filters and cursor, never on how many cases there are.
"""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet, Subquery, Value
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
    # The cases `q` names (not an e-mail), looked up on first use: a request's page and counts share them.
    search_ids: list[int] | None = field(default=None, compare=False, repr=False)


def _search(filters: QueueFilters) -> Q:
    """A case number (new or legacy), a customer e-mail, an order number or a serial/IMEI: each an exact,
    indexed match. The e-mail is `=` a subquery on the unique e-mail (SQLite then seeks the customer index;
    IN made it scan the queue). The others are resolved to case ids once per request (one query, a UNION of
    three index lookups: an OR across them would make the database scan the queue), so the page and every
    facet count look cases up by primary key instead of testing each case of a status against a subquery."""
    term = filters.q.strip()
    if "@" in term:
        return Q(customer=Subquery(User.objects.filter(email=normalize_email(term)).values("pk")[:1]))
    if filters.search_ids is None:
        by_number = Case.objects.filter(number=term.upper())
        by_serial = Case.objects.filter(serial_number=term)
        by_order = Case.objects.filter(order__in=Order.objects.filter(number=term).values("pk"))
        filters.search_ids = list(by_number.order_by().values_list("pk", flat=True).union(
            by_serial.order_by().values_list("pk", flat=True), by_order.order_by().values_list("pk", flat=True)
        ))
    return Q(pk__in=filters.search_ids)


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
        cases = cases.filter(_search(filters))
    return cases


FACETS = {"status": Status.values, "kind": Kind.values, "priority": Priority.values}


def queue_counts(*, scope: AgentScope, filters: QueueFilters, now: datetime) -> dict:
    """Facet counts in one query whatever the filters and the number of cases: per status, kind and
    priority under every OTHER filter (so each choice shows what picking it would give), and the totals
    (all, breached, unassigned) of the list as filtered.

    Each count stops at `limit` (AFTERSALES_QUEUE_COUNT_LIMIT, returned as `counts["limit"]`): a count
    equal to it means "that many or more". Counting every match made the queue's cost grow with the
    number of cases (200,000 cases: hundreds of milliseconds); a bounded count costs the same at any size.
    Each count is summed from one bounded count per status it covers (the four active ones, say): an
    equality on the status, the first column of the `case_counts` index, is what lets the database seek
    that index (brand and store next) instead of picking a narrower, non-covering one and reading rows.
    """
    limit = settings.AFTERSALES_QUEUE_COUNT_LIMIT
    if filters.status:
        statuses = [filters.status]
    else:
        statuses = list(ACTIVE) if filters.active_only else list(Status.values)
    parts: dict[tuple[str, str], list[QuerySet[Case]]] = {}
    for value in Status.values:
        parts["status", value] = [_seekable(case_queue(scope=scope, filters=filters, now=now,
                                                       ignore=frozenset({"status"})), filters)
                                  .filter(status=value)]
    for facet in ("kind", "priority"):
        others = _seekable(case_queue(scope=scope, filters=filters, now=now, ignore=frozenset({"status", facet})),
                           filters)
        for value in FACETS[facet]:
            parts[facet, value] = [others.filter(status=status, **{facet: value}) for status in statuses]
    listed = _seekable(case_queue(scope=scope, filters=filters, now=now, ignore=frozenset({"status"})), filters)
    for name, condition in (("all", Q()), ("breached", Q(due_at__lt=now)), ("unassigned", Q(assigned_to=None))):
        parts["total", name] = [listed.filter(condition, status=status) for status in statuses]
    found = iter(_counts_up_to([part for group in parts.values() for part in group], limit=limit))
    counts: dict = {"limit": limit}
    for (group, name), querysets in parts.items():
        counts.setdefault(group, {})[name] = min(limit, sum(next(found) for _ in querysets))
    return counts


def _seekable(cases: QuerySet[Case], filters: QueueFilters) -> QuerySet[Case]:
    """`cases` with `source IN (every source)` when no source is asked for: the same rows (the
    `case_legacy_id_iff_carried_over` constraint allows no other source), but the condition the database
    needs to seek `case_counts` past its second column. PostgreSQL has no skip scan: with nothing on
    `source` it read a count's whole status range and tested brand, store, kind and priority on every
    entry (200,000 cases: the agent's priority filter read 8,400 index pages for its counts, 94 ms, against
    270 at 2,000); with the IN it descends once per source (and brand and store) and reads only what
    matches, as an emulated skip scan (1,700 pages, 15 ms)."""
    if filters.source:
        return cases
    return cases.filter(source__in=Case.Source.values)


def _counts_up_to(querysets, *, limit: int) -> list[int]:
    """How many rows each queryset has, counting no further than `limit`, all in one SELECT of scalar
    subqueries `(SELECT COUNT(*) FROM (... LIMIT limit))`. The ORM cannot put several sliced subqueries in
    one statement, so their SQL (compiled, with parameters) is assembled here. A constant is selected
    rather than a column, so an index holding the filtered columns answers alone."""
    parts, params = [], []
    for queryset in querysets:
        try:
            sql, part_params = queryset.order_by().values(one=Value(1))[:limit].query.sql_with_params()
        except EmptyResultSet:  # a filter nothing can match (an agent without brands): no rows
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return list(cursor.fetchone())


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


def queue_parts(filters: QueueFilters | None) -> tuple[bool, bool]:
    """Which parts of the queue the filters can match: (cases with a deadline, cases without one).

    A case has a deadline exactly while it is active (the `case_due_at_iff_active` constraint), so the
    active queue, an active status and the due filters are all in the first part, and a resolved or closed
    status all in the second; anything else spans both.
    """
    if filters is None:
        return True, True
    if filters.due:
        return True, False
    if filters.status:
        return filters.status in ACTIVE, filters.status not in ACTIVE
    if filters.active_only:
        return True, False
    return True, True


def _rows_of(page: QuerySet[Case], *, ordering: tuple[str, ...]) -> list[Case]:
    """The cases of `page` (ordered and sliced) with what the queue shows of them, in one query. The ids
    are chosen by a subquery on the cases alone, so the planner walks an index in queue order; joined
    with the brands, it looped over them and sorted every matching case."""
    ids = page.values("pk")
    return list(
        Case.objects.filter(pk__in=ids)
        .select_related("customer", "store", "brand", "assigned_to", "order")
        .order_by(*ordering)
    )


def queue_page(
    cases: QuerySet[Case], *, cursor: str = "", size: int | None = None, filters: QueueFilters | None = None
) -> QueuePage:
    """One page of `cases` by (due_at, id), cases without a deadline (resolved, closed) last, after `cursor`.

    Each part is a plain index range (due_at >= x, then due_at IS NULL by id), never an OFFSET nor an OR
    the database cannot seek on: a page deep in the queue costs what the first one does. The number of
    queries depends on the filters (`queue_parts`) and on the part the cursor is in, never on the data: a
    part the filters can match is read even when the other part filled the page.
    """
    size = size or settings.AFTERSALES_QUEUE_PAGE_SIZE
    due_at, pk = cursor_decode(cursor) if cursor else (None, None)
    in_undated_part = pk is not None and due_at is None
    read_dated, read_undated = queue_parts(filters)
    rows: list[Case] = []
    if read_dated and not in_undated_part:
        dated = cases.filter(due_at__isnull=False)
        if due_at is not None:
            dated = dated.filter(due_at__gte=due_at).exclude(due_at=due_at, pk__lte=pk)
        rows = _rows_of(dated.order_by("due_at", "pk")[: size + 1], ordering=("due_at", "pk"))
    if read_undated:
        undated = cases.filter(due_at__isnull=True)
        if in_undated_part:
            undated = undated.filter(pk__gt=pk)
        rows += _rows_of(undated.order_by("pk")[: size + 1], ordering=("pk",))
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
