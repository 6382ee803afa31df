"""Points holds: set aside while a purchase is paid, then spent (confirm) or given back as they were (release)."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from loyalty.exceptions import PointsHoldStateError, PointsRefused
from loyalty.models import PointsEntry, PointsHold, PointsHoldLot, PointsLot
from loyalty.selectors import points_balance, points_held, points_ledger_sum
from loyalty.services import (
    points_expire_due,
    points_hold,
    points_hold_confirm,
    points_hold_release,
    points_holds_release_abandoned,
    points_redeem,
)
from loyalty.tasks import expire_points_task
from tests.factories import OrderFactory, UserFactory

from .test_points import earn

pytestmark = pytest.mark.django_db


def soon(minutes=15):
    return timezone.now() + timedelta(minutes=minutes)


def hold(user, points, reference="Checkout A", **kwargs):
    return points_hold(user=user, points=points, reference=reference, expires_at=kwargs.pop("expires_at", soon()))


def remaining(*lots):
    by_pk = dict(PointsLot.objects.values_list("pk", "remaining"))
    return tuple(by_pk[lot.pk] for lot in lots)


def assert_ledger_balances(user):
    """The invariant of docs/loyalty.md: ledger sum == lots' remaining + points in reserved holds."""
    in_lots = PointsLot.objects.filter(account__user=user).aggregate(total=Sum("remaining"))["total"] or 0
    assert points_ledger_sum(user=user) == in_lots + points_held(user=user)


def lapse(held):
    """Dates a hold as if it had been taken two minutes ago for one minute."""
    now = timezone.now()
    PointsHold.objects.filter(pk=held.pk).update(created_at=now - timedelta(minutes=2),
                                                 expires_at=now - timedelta(minutes=1))


def kinds(user):
    return list(PointsEntry.objects.filter(account__user=user).order_by("at", "id").values_list("kind", "delta"))


def test_a_hold_takes_the_points_expiring_first_out_of_the_balance_and_writes_nothing_in_the_ledger():
    user = UserFactory()
    late = earn(user, 100, days_left=300, days_ago=1)
    first = earn(user, 30, days_left=5, days_ago=100)
    middle = earn(user, 50, days_left=60, days_ago=50)

    held = hold(user, 60)

    assert (held.status, held.points, held.reference, held.closed_at) == ("reserved", 60, "Checkout A", None)
    assert remaining(first, middle, late) == (0, 20, 100)
    assert list(held.draws.values_list("lot_id", "points")) == [(first.pk, 30), (middle.pk, 30)]
    assert points_balance(user=user) == 120 and points_held(user=user) == 60
    assert [kind for kind, _delta in kinds(user)] == ["earn", "earn", "earn"]
    assert_ledger_balances(user)


def test_confirming_a_hold_writes_one_redeem_entry_linked_to_the_order(reference_data):
    user = UserFactory()
    earn(user, 100, days_left=30)
    held = hold(user, 40, reference="Checkout 1234")
    order = OrderFactory(user=user)

    entry = points_hold_confirm(hold=held, order=order)

    assert (entry.kind, entry.delta, entry.order, entry.reason, entry.lot) == ("redeem", -40, order, "Checkout 1234",
                                                                             None)
    held.refresh_from_db()
    assert (held.status, held.entry) == ("confirmed", entry) and held.closed_at is not None
    assert points_balance(user=user) == 60 and points_held(user=user) == 0
    assert_ledger_balances(user)


def test_confirming_again_for_the_same_order_returns_the_same_entry_and_another_order_is_refused(reference_data):
    user = UserFactory()
    earn(user, 100, days_left=30)
    held = hold(user, 40)
    order = OrderFactory(user=user)
    entry = points_hold_confirm(hold=held, order=order)

    assert points_hold_confirm(hold=held, order=order) == entry
    with pytest.raises(PointsHoldStateError) as refusal:
        points_hold_confirm(hold=held, order=OrderFactory(user=user))
    assert refusal.value.code == "confirmed"
    assert refusal.value.message == "These points were already spent on another order."
    assert PointsEntry.objects.filter(kind="redeem").count() == 1


def test_a_hold_past_its_expiry_but_still_reserved_can_be_confirmed(reference_data):
    user = UserFactory()
    earn(user, 100, days_left=30)
    held = hold(user, 40)

    entry = points_hold_confirm(hold=held, order=OrderFactory(user=user), now=held.expires_at + timedelta(hours=2))

    assert entry.delta == -40


def test_releasing_puts_the_points_back_into_the_lots_they_came_from_with_their_expiry():
    user = UserFactory()
    first = earn(user, 30, days_left=5, days_ago=100)
    later = earn(user, 50, days_left=60, days_ago=50)
    expiries = dict(PointsLot.objects.values_list("pk", "expires_at"))
    held = hold(user, 45)

    released = points_hold_release(hold=held)

    assert released.status == "released" and released.closed_at is not None
    assert remaining(first, later) == (30, 50)
    assert dict(PointsLot.objects.values_list("pk", "expires_at")) == expiries
    assert PointsLot.objects.count() == 2, "no new lot, so no fresh expiry"
    assert kinds(user) == [("earn", 30), ("earn", 50)], "nothing happened to the points: nothing in the ledger"
    assert points_balance(user=user) == 80
    assert_ledger_balances(user)


def test_releasing_twice_changes_nothing_and_a_confirmed_hold_cannot_be_released(reference_data):
    user = UserFactory()
    earn(user, 100, days_left=30)
    held = hold(user, 40)
    points_hold_release(hold=held)
    closed_at = PointsHold.objects.get().closed_at

    points_hold_release(hold=held)

    assert PointsHold.objects.get().closed_at == closed_at
    assert points_balance(user=user) == 100
    with pytest.raises(PointsHoldStateError) as refusal:
        points_hold_confirm(hold=held, order=OrderFactory(user=user))
    assert refusal.value.code == "released"

    spent = hold(user, 10)
    points_hold_confirm(hold=spent, order=OrderFactory(user=user))
    with pytest.raises(PointsHoldStateError) as refusal:
        points_hold_release(hold=spent)
    assert refusal.value.code == "confirmed"
    assert points_balance(user=user) == 90
    assert_ledger_balances(user)


def test_points_returned_to_a_lot_that_expired_meanwhile_expire_with_it():
    user = UserFactory()
    expiring = earn(user, 30, days_left=1, days_ago=100)
    lasting = earn(user, 50, days_left=60, days_ago=50)
    held = hold(user, 40)  # 30 from the expiring lot, 10 from the lasting one
    PointsLot.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expiring.refresh_from_db()

    points_hold_release(hold=held)

    assert remaining(expiring, lasting) == (0, 50)
    expired = PointsEntry.objects.get(kind="expire")
    assert (expired.delta, expired.lot_id, expired.at) == (-30, expiring.pk, expiring.expires_at)
    assert points_balance(user=user) == 50
    assert_ledger_balances(user)
    assert points_expire_due() == 0, "nothing left for the expiry run"


def test_the_expiry_run_leaves_held_points_alone_and_a_confirmed_hold_spent_them_before_they_expired(reference_data):
    user = UserFactory()
    lot = earn(user, 30, days_left=1, days_ago=100)
    held = hold(user, 20)
    PointsLot.objects.filter(pk=lot.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert points_expire_due() == 1  # the 10 points left in the lot
    assert PointsEntry.objects.get(kind="expire").delta == -10
    points_hold_confirm(hold=held, order=OrderFactory(user=user))

    assert kinds(user) == [("earn", 30), ("expire", -10), ("redeem", -20)]
    assert points_ledger_sum(user=user) == points_balance(user=user) == 0
    assert_ledger_balances(user)


def test_a_hold_is_refused_with_the_balance_when_the_customer_has_too_few_points_and_writes_nothing():
    user = UserFactory()
    earn(user, 20, days_left=10)
    hold(user, 5)
    earn(user, 80, days_left=-2)

    with pytest.raises(PointsRefused) as refusal:
        hold(user, 50)

    assert refusal.value.code == "insufficient_points"
    assert refusal.value.message == "You have 15 points; 50 were asked for."
    assert PointsHold.objects.count() == 1 and points_held(user=user) == 5
    assert kinds(user) == [("earn", 20), ("earn", 80)], "the lot past expiry was not expired by a refused hold"


def test_a_held_point_cannot_be_spent_twice():
    user = UserFactory()
    earn(user, 50, days_left=10)
    hold(user, 30)
    with pytest.raises(PointsRefused, match="You have 20 points; 30 were asked for."):
        points_redeem(user=user, points=30)
    with pytest.raises(PointsRefused, match="You have 20 points; 21 were asked for."):
        hold(user, 21, reference="Checkout B")


@pytest.mark.parametrize("points", [0, -5, 1.5, "10", True])
def test_holding_anything_but_a_positive_whole_number_of_points_is_refused(points):
    with pytest.raises(PointsRefused) as refusal:
        hold(UserFactory(), points)
    assert refusal.value.code == "invalid_points"


@pytest.mark.parametrize("reference, expires_at, problem", [
    ("  ", soon(), "needs a reference of 1 to 100 characters"),
    ("x" * 101, soon(), "needs a reference of 1 to 100 characters"),
    ("Checkout A", timezone.now() - timedelta(seconds=1), "must expire at an aware time in the future"),
    ("Checkout A", (timezone.now() + timedelta(hours=1)).replace(tzinfo=None),
     "must expire at an aware time in the future"),
])
def test_a_hold_needs_a_reference_and_an_expiry_to_come(reference, expires_at, problem):
    user = UserFactory()
    earn(user, 10, days_left=10)
    with pytest.raises(ValueError, match=problem):
        points_hold(user=user, points=5, reference=reference, expires_at=expires_at)
    assert not PointsHold.objects.exists()


def test_the_expiry_run_releases_holds_abandoned_past_their_expiry_and_the_grace_only(settings):
    settings.LOYALTY_POINTS_HOLD_GRACE_MINUTES = 60
    user, other = UserFactory(), UserFactory()
    lot = earn(user, 100, days_left=30)
    earn(other, 10, days_left=30)
    abandoned = hold(user, 30, expires_at=soon(5))
    recent = hold(user, 20, expires_at=soon(50))
    hold(other, 10, expires_at=soon(5))

    assert points_holds_release_abandoned(now=timezone.now() + timedelta(minutes=70), batch_size=1) == 2

    statuses = dict(PointsHold.objects.values_list("pk", "status"))
    assert (statuses[abandoned.pk], statuses[recent.pk]) == ("released", "reserved")
    assert remaining(lot) == (80,)
    assert points_balance(user=user) == 80 and points_balance(user=other) == 10
    assert_ledger_balances(user)
    assert points_holds_release_abandoned(now=timezone.now() + timedelta(minutes=70)) == 0


def test_the_periodic_task_and_the_command_release_abandoned_holds_then_expire_lots(settings):
    settings.LOYALTY_POINTS_HOLD_GRACE_MINUTES = 0
    user = UserFactory()
    lot = earn(user, 40, days_left=1, days_ago=100)
    held = hold(user, 40, expires_at=soon(1))
    lapse(held)
    PointsLot.objects.filter(pk=lot.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert expire_points_task.delay().get() == {"holds_released": 1, "lots_expired": 0}
    assert points_ledger_sum(user=user) == 0, "the points went back to their lot, which had expired"

    earn(user, 7, days_left=10)
    late = hold(user, 7, expires_at=soon(1))
    earn(user, 5, days_left=-1)
    lapse(late)
    out = io.StringIO()
    call_command("expire_points", stdout=out)
    assert out.getvalue().strip() == "Released 1 abandoned points hold(s); expired 1 points lot(s)."
    assert points_balance(user=user) == points_ledger_sum(user=user) == 7
    assert_ledger_balances(user)


def test_the_invariant_holds_through_every_kind_of_move(reference_data):
    user = UserFactory()
    steps = [
        lambda: earn(user, 100, days_left=30),
        lambda: earn(user, 40, days_left=2, days_ago=300),
        lambda: hold(user, 70),
        lambda: points_redeem(user=user, points=10),
        lambda: points_hold_confirm(hold=PointsHold.objects.get(reference="Checkout A"), order=OrderFactory(user=user)),
        lambda: hold(user, 25, reference="Checkout B"),
        lambda: PointsLot.objects.filter(expires_at__lt=timezone.now() + timedelta(days=3)).update(
            expires_at=timezone.now() - timedelta(seconds=1)),
        lambda: points_expire_due(),
        lambda: points_hold_release(hold=PointsHold.objects.get(reference="Checkout B")),
    ]
    for step in steps:
        step()
        assert_ledger_balances(user)
    assert points_ledger_sum(user=user) == points_balance(user=user) == 100 - 30 - 10 + 0


def test_the_database_keeps_holds_consistent():
    user = UserFactory()
    earn(user, 10, days_left=10)
    held = hold(user, 5)
    lot = PointsLot.objects.get()
    broken = [
        lambda: PointsHold.objects.filter(pk=held.pk).update(closed_at=timezone.now()),
        lambda: PointsHold.objects.filter(pk=held.pk).update(status="released"),
        lambda: PointsHold.objects.filter(pk=held.pk).update(status="confirmed", closed_at=timezone.now()),
        lambda: PointsHold.objects.filter(pk=held.pk).update(status="gone", closed_at=timezone.now()),
        lambda: PointsHold.objects.filter(pk=held.pk).update(points=0),
        lambda: PointsHold.objects.filter(pk=held.pk).update(reference=""),
        lambda: PointsHold.objects.filter(pk=held.pk).update(expires_at=held.created_at),
        lambda: PointsHoldLot.objects.create(hold=held, lot=lot, points=1),
        lambda: PointsHoldLot.objects.filter(hold=held).update(points=0),
    ]
    for change in broken:
        with pytest.raises(IntegrityError), transaction.atomic():
            change()
