"""The queue's facet counts are the true counts, capped at the limit, under every filter and scope.

`queue_counts` shapes its bounded counts for the indexes (split by status, a `source IN` of every source
when none is asked for); here each is checked against a plain `COUNT(*)` of the same filters.
"""

import pytest
from django.utils import timezone

from aftersales.models import Case, Kind, Priority, Status
from aftersales.scope import agent_scope
from aftersales.selectors import QueueFilters, case_queue, queue_counts
from aftersales.transitions import ACTIVE
from tests.factories import get_brand, get_store

from .test_queue_query_counts import cases_add

FILTERS = {
    "active": {"active_only": True}, "all": {}, "brand": {"active_only": True, "brand": "poco"},
    "store": {"active_only": True, "store": "uk"}, "status": {"status": Status.IN_REPAIR},
    "closed": {"status": Status.CLOSED}, "kind": {"active_only": True, "kind": Kind.WARRANTY},
    "priority": {"active_only": True, "priority": Priority.URGENT}, "mine": {"active_only": True, "assigned": "me"},
    "unassigned": {"active_only": True, "assigned": "unassigned"}, "due soon": {"active_only": True, "due": "soon"},
    "breached": {"active_only": True, "due": "breached"},
    "carried over": {"active_only": True, "source": Case.Source.POCO},
    "new": {"source": Case.Source.STORE}, "kind and priority": {"kind": Kind.REPAIR, "priority": Priority.LOW},
}


def filters_of(values: dict) -> QueueFilters:
    values = dict(values)
    if "brand" in values:
        values["brand_id"] = get_brand(values.pop("brand")).pk
    if "store" in values:
        values["store_id"] = get_store(values.pop("store")).pk
    return QueueFilters(**values)


def live_counts(*, scope, filters: QueueFilters, now, limit: int) -> dict:
    """What the counts mean, counted plainly: every matching case, one COUNT(*) each."""
    def count(cases):
        return min(limit, cases.count())

    statuses = [filters.status] if filters.status else list(ACTIVE) if filters.active_only else Status.values
    unfiltered_status = case_queue(scope=scope, filters=filters, now=now, ignore=frozenset({"status"}))
    listed = unfiltered_status.filter(status__in=statuses)
    counts = {"limit": limit, "status": {value: count(unfiltered_status.filter(status=value))
                                         for value in Status.values}}
    for facet, values in (("kind", Kind.values), ("priority", Priority.values)):
        others = case_queue(scope=scope, filters=filters, now=now, ignore=frozenset({"status", facet}))
        counts[facet] = {value: count(others.filter(status__in=statuses, **{facet: value})) for value in values}
    counts["total"] = {"all": count(listed), "breached": count(listed.filter(due_at__lt=now)),
                       "unassigned": count(listed.filter(assigned_to=None))}
    return counts


@pytest.mark.parametrize("role", ["agent", "admin"])
@pytest.mark.parametrize("limit", [1000, 3])
def test_facet_counts_are_the_live_counts_capped_at_the_limit_under_every_filter(
    settings, poco_agent, admin_user, role, limit
):
    settings.AFTERSALES_QUEUE_COUNT_LIMIT = limit
    cases_add(70, agent=poco_agent)
    scope, now = agent_scope(poco_agent if role == "agent" else admin_user), timezone.now()
    for name, values in FILTERS.items():
        filters = filters_of(values)
        assert queue_counts(scope=scope, filters=filters, now=now) == live_counts(
            scope=scope, filters=filters, now=now, limit=limit
        ), name


def test_facet_counts_leave_out_the_cases_outside_the_agents_scope(poco_agent, brands, stores):
    cases_add(20, agent=None)  # every brand and store, the agent's and others
    scope, now = agent_scope(poco_agent), timezone.now()
    counts = queue_counts(scope=scope, filters=QueueFilters(), now=now)
    in_scope = Case.objects.filter(brand=brands["poco"], store__in=[stores["global"], stores["uk"], stores["fr"]])
    assert 0 < counts["total"]["all"] == in_scope.count() < Case.objects.count()
