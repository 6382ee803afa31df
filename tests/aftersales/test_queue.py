from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.models import Case
from aftersales.scope import agent_scope
from aftersales.selectors import BadCursor, QueueFilters, case_queue, queue_counts, queue_page
from tests.factories import OrderFactory, UserFactory

from .factories import CarriedOverCaseFactory, CaseFactory, make_agent


def numbers(cases):
    return [case.number for case in cases]


@pytest.fixture
def scope(poco_agent):
    return agent_scope(poco_agent)


def test_the_queue_shows_only_the_agents_brands_and_stores(scope, brands, stores):
    mine = CaseFactory(store=stores["uk"])
    CaseFactory(brand=brands["xiaomi"])
    CaseFactory(store=stores["in"])
    assert numbers(case_queue(scope=scope, filters=QueueFilters(), now=timezone.now())) == [mine.number]


def test_the_queue_filters_by_assignment_source_and_due_state(scope, poco_agent):
    now = timezone.now()
    breached = CaseFactory(opened_at=now - timedelta(days=10))
    soon = CaseFactory(opened_at=now - timedelta(hours=23))  # normal: first response within 24 h
    later = CaseFactory(assigned_to=poco_agent)
    carried = CarriedOverCaseFactory(opened_at=now - timedelta(hours=1))

    def matching(**filters):
        return set(numbers(case_queue(scope=scope, filters=QueueFilters(**filters), now=now)))

    assert matching(due="breached") == {breached.number}
    assert matching(due="soon") == {soon.number}
    assert matching(assigned="me") == {later.number}
    assert matching(assigned="unassigned") == {breached.number, soon.number, carried.number}
    assert matching(source="po.co") == {carried.number}


def test_search_finds_a_case_by_number_email_order_or_serial(scope):
    customer = UserFactory(email="dana@example.com")
    by_email = CaseFactory(customer=customer)
    by_order = CaseFactory(order=OrderFactory(number="PO-UK-2023-000123"))
    by_serial = CaseFactory(serial_number="868123456789012")
    legacy = CarriedOverCaseFactory(number="PS-2024-004512")

    def found(q):
        return numbers(case_queue(scope=scope, filters=QueueFilters(q=q), now=timezone.now()))

    assert found(" DANA@Example.com ") == [by_email.number]
    assert found("PO-UK-2023-000123") == [by_order.number]
    assert found("868123456789012") == [by_serial.number]
    assert found("ps-2024-004512") == [legacy.number]


def test_keyset_pages_walk_every_case_once_in_due_order(scope):
    now = timezone.now()
    for hours in (5, 1, 3, 3, 8):
        CaseFactory(opened_at=now - timedelta(hours=hours))
    CaseFactory(status="closed")  # no due date: last
    cases = case_queue(scope=scope, filters=QueueFilters(), now=now)
    seen, cursor = [], ""
    while True:
        page = queue_page(cases, cursor=cursor, size=2)
        seen.extend(page.cases)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    expected = list(Case.objects.order_by(*Case._meta.ordering))
    assert [c.pk for c in seen] == [c.pk for c in expected]
    assert seen[-1].due_at is None


def test_a_forged_cursor_is_refused_clearly(scope):
    with pytest.raises(BadCursor, match="not valid"):
        queue_page(Case.objects.all(), cursor="bm9wZQ")


def test_facet_counts_take_one_query_and_ignore_their_own_filter(scope, django_assert_num_queries):
    CaseFactory(status="in_repair", kind="warranty")
    CaseFactory(priority="urgent")
    CaseFactory(status="closed")
    with django_assert_num_queries(1):
        counts = queue_counts(scope=scope, filters=QueueFilters(status="in_repair"), now=timezone.now())
    assert counts["status"] == {"open": 1, "in_progress": 0, "awaiting_customer": 0, "in_repair": 1, "resolved": 0,
                                "closed": 1}
    assert counts["kind"] == {"repair": 0, "return": 0, "refund": 0, "warranty": 1, "inquiry": 0}
    assert counts["priority"]["normal"] == 1 and counts["priority"]["urgent"] == 0
    assert counts["total"] == {"all": 1, "breached": 0, "unassigned": 1}


def test_facet_counts_stop_at_the_limit(scope, settings):
    settings.AFTERSALES_QUEUE_COUNT_LIMIT = 2
    CaseFactory.create_batch(3, kind="warranty")
    CaseFactory(kind="refund")
    counts = queue_counts(scope=scope, filters=QueueFilters(active_only=True), now=timezone.now())
    assert counts["limit"] == 2
    assert counts["kind"]["warranty"] == 2 and counts["kind"]["refund"] == 1
    assert counts["total"]["all"] == 2 and counts["status"]["open"] == 2


def test_facet_counts_of_an_agent_without_brands_are_zero(reference_data, django_assert_num_queries):
    empty = agent_scope(make_agent(email="new.agent@mi.com"))
    CaseFactory()
    with django_assert_num_queries(1):
        counts = queue_counts(scope=empty, filters=QueueFilters(), now=timezone.now())
    assert counts["total"] == {"all": 0, "breached": 0, "unassigned": 0}
    assert set(counts["status"].values()) == {0}
