"""Simultaneous spending, with real threads and connections: only PostgreSQL has the row locks under test."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from loyalty.exceptions import CouponRefused, PointsHoldStateError, PointsRefused
from loyalty.models import PointsEntry, PointsHold, PointsLot, Redemption
from loyalty.selectors import points_balance, points_held, points_ledger_sum
from loyalty.services import (
    CartLine,
    coupon_reserve,
    points_earn,
    points_hold,
    points_hold_confirm,
    points_hold_release,
    points_redeem,
)
from tests.factories import OrderFactory, UserFactory

from .factories import CouponFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks (select_for_update) need PostgreSQL"),
]

THREADS = 8


def run_together(work):
    """Runs `work()` in THREADS threads released at once; returns what each returned or raised."""
    start = threading.Barrier(THREADS)
    outcomes = []

    def target():
        try:
            start.wait()
            outcomes.append(work())
        except Exception as error:  # the outcome under test, reported to the main thread
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_simultaneous_redemptions_never_spend_more_points_than_the_customer_has(transactional_db):
    user = UserFactory()
    points_earn(user=user, points=60)
    points_earn(user=user, points=40)

    outcomes = run_together(lambda: points_redeem(user=user, points=30))

    spent = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, PointsRefused)]
    assert (len(spent), len(refused)) == (3, THREADS - 3)
    assert points_balance(user=user) == points_ledger_sum(user=user) == 10
    assert all(lot.remaining >= 0 for lot in PointsLot.objects.all())


def test_simultaneous_holds_never_set_aside_more_points_than_the_customer_has(transactional_db):
    user = UserFactory()
    points_earn(user=user, points=60)
    points_earn(user=user, points=40)
    until = timezone.now() + timedelta(minutes=15)

    outcomes = run_together(lambda: points_hold(user=user, points=30, reference="Checkout", expires_at=until))

    held = [o for o in outcomes if isinstance(o, PointsHold)]
    refused = [o for o in outcomes if isinstance(o, PointsRefused) and o.code == "insufficient_points"]
    assert (len(held), len(refused)) == (3, THREADS - 3)
    assert all(lot.remaining >= 0 for lot in PointsLot.objects.all())
    assert points_balance(user=user) == 10 and points_held(user=user) == 90
    in_lots = PointsLot.objects.aggregate(total=Sum("remaining"))["total"]
    assert points_ledger_sum(user=user) == in_lots + points_held(user=user) == 100


def test_a_hold_confirmed_and_released_at_once_ends_one_way_only(transactional_db, reference_data):
    user = UserFactory()
    points_earn(user=user, points=50)
    hold = points_hold(user=user, points=20, reference="Checkout",
                       expires_at=timezone.now() + timedelta(minutes=15))
    order = OrderFactory(user=user)
    turns = iter(range(THREADS))
    lock = threading.Lock()

    def confirm_or_release():
        with lock:
            turn = next(turns)
        if turn % 2:
            return points_hold_confirm(hold=hold, order=order)
        return points_hold_release(hold=hold)

    outcomes = run_together(confirm_or_release)

    assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, PointsHoldStateError)]
    status = PointsHold.objects.get().status
    refusals = {o.code for o in outcomes if isinstance(o, PointsHoldStateError)}
    assert refusals == ({"confirmed"} if status == "confirmed" else {"released"})
    assert PointsEntry.objects.filter(kind="redeem").count() == (1 if status == "confirmed" else 0)
    assert points_balance(user=user) == (30 if status == "confirmed" else 50)
    assert points_ledger_sum(user=user) == points_balance(user=user) and points_held(user=user) == 0


def test_simultaneous_checkouts_cannot_take_the_last_use_of_a_coupon_twice(transactional_db, stores, brands):
    CouponFactory(code="LAST", usage_limit=1)
    lines = [CartLine(brand_id=brands["poco"].pk, category_path="phones", total=Decimal("80.00"))]
    shoppers = iter(UserFactory.create_batch(THREADS))
    lock = threading.Lock()

    def reserve():
        with lock:
            shopper = next(shoppers)
        return coupon_reserve(code="LAST", user=shopper, store=stores["global"], lines=lines)

    outcomes = run_together(reserve)
    assert sum(isinstance(o, Redemption) for o in outcomes) == 1
    assert sum(isinstance(o, CouponRefused) and o.code == "used_up" for o in outcomes) == THREADS - 1
