from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.models import Case, Status
from aftersales.transitions import AGENT, CUSTOMER, TRANSITIONS, TransitionNotAllowed, allowed_targets, transition_check


def a_case(status, **fields):
    return Case(status=status, **fields)


def test_every_status_has_a_row_and_closed_cases_only_reopen():
    assert set(TRANSITIONS) == set(Status.values)
    assert TRANSITIONS[Status.CLOSED] == {Status.OPEN}


@pytest.mark.parametrize(
    "current, target",
    [("open", "in_progress"), ("open", "awaiting_customer"), ("open", "in_repair"), ("in_progress", "resolved"),
     ("awaiting_customer", "in_progress"), ("in_repair", "resolved"), ("resolved", "closed")],
)
def test_agents_move_along_the_table(current, target):
    transition_check(case=a_case(current), to_status=target, actor=AGENT, now=timezone.now())


@pytest.mark.parametrize(
    "current, target", [("open", "resolved"), ("closed", "in_progress"), ("resolved", "in_repair")]
)
def test_moves_outside_the_table_are_refused_with_both_statuses_named(current, target):
    with pytest.raises(TransitionNotAllowed) as refused:
        transition_check(case=a_case(current), to_status=target, actor=AGENT, now=timezone.now())
    assert str(Status(current).label) in refused.value.messages[0]
    assert str(Status(target).label) in refused.value.messages[0]


def test_an_unknown_status_is_named():
    with pytest.raises(TransitionNotAllowed, match="“flying” is not a case status"):
        transition_check(case=a_case("open"), to_status="flying", actor=AGENT, now=timezone.now())


def test_customers_may_only_close_or_reopen():
    now = timezone.now()
    assert allowed_targets(case=a_case("in_progress"), actor=CUSTOMER, now=now) == ["closed"]
    with pytest.raises(TransitionNotAllowed, match="only close or reopen"):
        transition_check(case=a_case("open"), to_status="in_progress", actor=CUSTOMER, now=now)


def test_reopening_is_allowed_within_the_period_only(settings):
    settings.AFTERSALES_REOPEN_DAYS = 30
    now = timezone.now()
    recent = a_case("closed", closed_at=now - timedelta(days=29))
    old = a_case("closed", closed_at=now - timedelta(days=31))
    assert allowed_targets(case=recent, actor=CUSTOMER, now=now) == ["open"]
    assert allowed_targets(case=old, actor=AGENT, now=now) == []
    with pytest.raises(TransitionNotAllowed, match="can no longer be reopened"):
        transition_check(case=old, to_status="open", actor=CUSTOMER, now=now)


def test_a_resolved_case_reopens_within_the_period_from_its_resolution():
    now = timezone.now()
    resolved = a_case("resolved", resolved_at=now - timedelta(days=2))
    assert "open" in allowed_targets(case=resolved, actor=CUSTOMER, now=now)
