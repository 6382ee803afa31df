"""The queue page (under every filter), the queue API and the case page run the same number of queries
however many cases there are (issue 5: the queue at 200,000 cases).

The page size is 2, so the larger size fills every page while the smaller one leaves some short: a query
count that depended on how many rows matched (reading the next part of the queue only when the first
one ran short) shows up here. Test per role: an agent (POCO in global, uk and fr) and an admin.
"""

from datetime import timedelta
from itertools import cycle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Case, Kind, Priority, Status
from aftersales.selectors import cursor_encode
from tests.factories import OrderFactory, get_brand, get_store

from .factories import CarriedOverCaseFactory, CaseFactory, make_agent

STATUSES = cycle([Status.OPEN, Status.IN_PROGRESS, Status.CLOSED, Status.AWAITING_CUSTOMER, Status.IN_REPAIR,
                  Status.RESOLVED, Status.CLOSED])
KINDS = cycle(Kind.values)
PRIORITIES = cycle(Priority.values)
# Hours since opening: breached (days ago), due soon (a normal case's first response is due at 24 h), later.
AGES = cycle([240, 23, 1, 60, 3])
PLACES = cycle([("poco", "uk"), ("poco", "fr"), ("xiaomi", "global"), ("poco", "global"), ("redmi", "in")])


def cases_add(count: int, *, agent) -> None:
    """`count` cases spread over brands, stores, statuses, kinds, priorities, assignment, deadlines, sources."""
    now = timezone.now()
    for n in range(count):
        brand, store = next(PLACES)
        factory = CarriedOverCaseFactory if brand == "poco" and n % 3 == 0 else CaseFactory
        factory(brand=get_brand(brand), store=get_store(store), status=next(STATUSES), kind=next(KINDS),
                priority=next(PRIORITIES), opened_at=now - timedelta(hours=next(AGES)),
                assigned_to=agent if n % 2 else None)


@pytest.fixture
def searched(customer):
    """The case every search looks for: the agent's, active, about an order, with an IMEI."""
    return CaseFactory(customer=customer, store=get_store("uk"), order=OrderFactory(user=customer),
                       serial_number="868123456789012", status=Status.IN_PROGRESS)


def queue_requests(searched: Case) -> dict[str, dict]:
    """Every filter of the queue, and a page deep in each part (cursors of cases present at both sizes)."""
    dated = Case.objects.filter(due_at__isnull=False).order_by("due_at", "pk").first()
    undated = Case.objects.filter(due_at__isnull=True).order_by("pk").first()
    return {
        "active": {}, "brand": {"brand": get_brand("poco").pk}, "store": {"store": get_store("uk").pk},
        "status": {"status": Status.IN_REPAIR}, "closed": {"status": Status.CLOSED}, "all": {"status": "all"},
        "kind": {"kind": Kind.WARRANTY}, "priority": {"priority": Priority.URGENT}, "mine": {"assigned": "me"},
        "unassigned": {"assigned": "unassigned"}, "due soon": {"due": "soon"}, "breached": {"due": "breached"},
        "carried over": {"source": Case.Source.POCO}, "new": {"source": Case.Source.STORE},
        "number": {"q": searched.number}, "e-mail": {"q": searched.customer.email},
        "order": {"q": searched.order.number}, "IMEI": {"q": searched.serial_number},
        "next page": {"cursor": cursor_encode(dated)},
        "next page, all": {"status": "all", "cursor": cursor_encode(dated)},
        "deep in the closed ones": {"status": "all", "cursor": cursor_encode(undated)},
    }


def queries_of(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, params, response.status_code)
    return len(captured.captured_queries)


def queue_and_case_queries(client, searched: Case) -> dict[str, int]:
    counts = {}
    for name, params in queue_requests(searched).items():
        counts[f"page {name}"] = queries_of(client, reverse("aftersales:queue"), params)
        counts[f"API {name}"] = queries_of(client, reverse("api:aftersales:support-queue"), params)
    counts["case page"] = queries_of(client, reverse("aftersales:case", args=[searched.number]))
    counts["API case"] = queries_of(client, reverse("api:aftersales:support-case", args=[searched.number]))
    return counts


@pytest.mark.parametrize("role", ["agent", "admin"])
def test_queue_filters_and_the_case_cost_the_same_queries_at_two_sizes(
    client, settings, poco_agent, admin_user, searched, role
):
    settings.AFTERSALES_QUEUE_PAGE_SIZE = 2
    cases_add(8, agent=poco_agent)
    client.force_login(poco_agent if role == "agent" else admin_user)
    small = queue_and_case_queries(client, searched)
    cases_add(40, agent=poco_agent)
    large = queue_and_case_queries(client, searched)
    assert large == small
    # The facet counts are one query; a search adds one lookup at most, done once for the page and the counts.
    assert small["page number"] == small["page active"] + 1 and small["API e-mail"] == small["API active"]


def test_an_agent_without_brands_sees_an_empty_queue_in_as_many_queries(client, settings, reference_data):
    settings.AFTERSALES_QUEUE_PAGE_SIZE = 2
    newcomer = make_agent(email="newcomer@mi.com")
    client.force_login(newcomer)
    cases_add(5, agent=None)
    small = queries_of(client, reverse("aftersales:queue"))
    cases_add(10, agent=None)
    assert queries_of(client, reverse("aftersales:queue")) == small
    assert client.get(reverse("api:aftersales:support-queue")).json()["counts"]["total"]["all"] == 0

