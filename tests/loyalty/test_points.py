from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from loyalty.exceptions import PointsRefused
from loyalty.models import PointsAccount, PointsEntry, PointsLot
from loyalty.selectors import points_balance, points_ledger_sum
from loyalty.services.points import points_adjust, points_earn, points_expire_due, points_redeem
from loyalty.tasks import expire_points_task
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


def earn(user, points, *, days_left, days_ago=10):
    """A lot earned `days_ago` that expires in `days_left` days (negative: already past its expiry)."""
    entry = points_earn(user=user, points=points, earned_at=timezone.now() - timedelta(days=days_ago))
    PointsLot.objects.filter(pk=entry.lot_id).update(expires_at=timezone.now() + timedelta(days=days_left))
    return entry.lot


def test_earning_credits_a_lot_that_expires_after_the_configured_lifetime(settings):
    settings.LOYALTY_POINTS_LIFETIME_DAYS = 200
    user = UserFactory()
    entry = points_earn(user=user, points=120, reason="Order MI-1")

    assert (entry.kind, entry.delta) == ("earn", 120)
    assert entry.lot.remaining == entry.lot.points == 120
    assert entry.lot.expires_at - entry.lot.earned_at == timedelta(days=200)
    assert points_balance(user=user) == 120


def test_balance_equals_the_ledger_sum_after_earning_spending_adjusting_and_expiring():
    user, agent = UserFactory(), UserFactory(is_staff=True)
    earn(user, 100, days_left=30)
    earn(user, 50, days_left=-1)
    earn(user, 70, days_left=90)
    points_redeem(user=user, points=40)
    points_adjust(user=user, delta=15, reason="Goodwill", by=agent)
    points_adjust(user=user, delta=-5, reason="Duplicate credit", by=agent)
    points_expire_due()

    assert points_balance(user=user) == points_ledger_sum(user=user) == 100 + 70 - 40 + 15 - 5
    lots_sum = sum(PointsLot.objects.filter(account__user=user).values_list("remaining", flat=True))
    assert lots_sum == points_ledger_sum(user=user)


def test_redemption_spends_the_lots_that_expire_first(reference_data):
    user = UserFactory()
    late = earn(user, 100, days_left=300, days_ago=1)
    soon = earn(user, 30, days_left=5, days_ago=100)
    middle = earn(user, 50, days_left=60, days_ago=50)

    entry = points_redeem(user=user, points=60, order=OrderFactory(user=user))

    remaining = dict(PointsLot.objects.values_list("pk", "remaining"))
    assert (remaining[soon.pk], remaining[middle.pk], remaining[late.pk]) == (0, 20, 100)
    assert (entry.kind, entry.delta) == ("redeem", -60)


def test_redemption_never_spends_points_past_their_expiry_and_expires_them_first():
    user = UserFactory()
    earn(user, 80, days_left=-2)
    earn(user, 20, days_left=10)

    with pytest.raises(PointsRefused) as refusal:
        points_redeem(user=user, points=50)
    assert refusal.value.code == "insufficient_points"
    assert refusal.value.message == "You have 20 points; 50 were asked for."
    assert PointsEntry.objects.filter(kind="redeem").count() == 0


def test_a_refused_redemption_writes_nothing():
    user = UserFactory()
    earn(user, 10, days_left=10)
    with pytest.raises(PointsRefused):
        points_redeem(user=user, points=11)
    assert list(PointsEntry.objects.values_list("kind", flat=True)) == ["earn"]
    assert PointsLot.objects.get().remaining == 10


@pytest.mark.parametrize("points", [0, -5, 1.5, "10", True])
def test_redeeming_anything_but_a_positive_whole_number_is_refused(points):
    with pytest.raises(PointsRefused) as refusal:
        points_redeem(user=UserFactory(), points=points)
    assert refusal.value.code == "invalid_points"


def test_adjustment_needs_a_reason_and_records_who_made_it():
    user, agent = UserFactory(), UserFactory(is_staff=True)
    with pytest.raises(PointsRefused) as refusal:
        points_adjust(user=user, delta=10, reason="  ", by=agent)
    assert refusal.value.message == "Give the reason for this adjustment."

    entry = points_adjust(user=user, delta=10, reason="Parcel arrived late", by=agent)
    assert (entry.kind, entry.delta, entry.reason, entry.created_by) == ("adjust", 10, "Parcel arrived late", agent)


def test_a_negative_adjustment_cannot_take_more_than_the_balance():
    user, agent = UserFactory(), UserFactory(is_staff=True)
    earn(user, 10, days_left=10)
    with pytest.raises(PointsRefused) as refusal:
        points_adjust(user=user, delta=-11, reason="Fraud", by=agent)
    assert refusal.value.code == "insufficient_points"


def test_expiry_writes_an_expire_entry_for_each_lot_past_its_expiry_and_only_those():
    user = UserFactory()
    gone = earn(user, 40, days_left=-3)
    earn(user, 25, days_left=3)
    other = UserFactory()
    earn(other, 5, days_left=-1)

    assert points_expire_due(batch_size=1) == 2

    entry = PointsEntry.objects.get(kind="expire", account__user=user)
    assert (entry.delta, entry.lot_id, entry.at) == (-40, gone.pk, PointsLot.objects.get(pk=gone.pk).expires_at)
    assert points_balance(user=user) == points_ledger_sum(user=user) == 25
    assert points_ledger_sum(user=other) == 0
    assert points_expire_due() == 0, "a second run finds nothing left to expire"


def test_the_periodic_task_and_the_command_run_the_expiry(settings):
    user = UserFactory()
    earn(user, 10, days_left=-1)
    assert expire_points_task.delay().get() == {"holds_released": 0, "lots_expired": 1}
    earn(user, 7, days_left=-1)
    call_command("expire_points")
    assert points_ledger_sum(user=user) == 0
    assert settings.CELERY_BEAT_SCHEDULE["loyalty-expire-points"]["task"] == expire_points_task.name


def test_the_ledger_is_append_only():
    entry = points_earn(user=UserFactory(), points=5)
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        PointsEntry.objects.filter(pk=entry.pk).update(delta=500)
    with pytest.raises(TypeError):
        PointsEntry.objects.all().delete()


def test_deleting_a_customer_still_removes_their_ledger():
    user = UserFactory()
    points_earn(user=user, points=5)
    user.delete()
    assert not PointsEntry.objects.exists() and not PointsAccount.objects.exists()


@pytest.mark.parametrize("remaining", [-1, 11])
def test_the_database_keeps_a_lot_between_zero_and_its_points(remaining):
    lot = points_earn(user=UserFactory(), points=10).lot
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsLot.objects.filter(pk=lot.pk).update(remaining=remaining)


def test_the_database_refuses_a_ledger_entry_whose_sign_contradicts_its_kind():
    account = points_earn(user=UserFactory(), points=10).account
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(account=account, kind="redeem", delta=5)
