from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from loyalty.models import LegacyPointsHistory, PointsEntry, PointsLot
from loyalty.selectors import points_balance, points_ledger_sum, points_overview
from loyalty.services import (
    ImportOutcome,
    LegacyPointsAccountRecord,
    LegacyPointsEvent,
    LegacyPointsLot,
    points_lots_migrate_bulk,
)
from tests.factories import UserFactory
from tests.queries import QUERIES_PER_INSERT, QUERIES_PER_INSERT_WITHOUT_KEYS

pytestmark = pytest.mark.django_db

CUTOVER = datetime(2024, 12, 12, tzinfo=UTC)
NOW_ISH = datetime.now(UTC)


def lot(points, *, expires_in_days, earned_days_before_cutover=200):
    """A legacy lot expiring `expires_in_days` after the cutover (negative: before it)."""
    return LegacyPointsLot(points, CUTOVER - timedelta(days=earned_days_before_cutover),
                           CUTOVER + timedelta(days=expires_in_days))


def future_lot(points, **kwargs):
    """A lot live at the cutover and still live today, so it shows in today's balance."""
    expires_in = (NOW_ISH - CUTOVER).days + 400
    return lot(points, expires_in_days=expires_in, **kwargs)


def record(user, legacy_id="L1", lots=(), history=()):
    return LegacyPointsAccountRecord(legacy_id=legacy_id, user_id=user.pk, lots=tuple(lots), history=tuple(history))


def test_live_legacy_lots_are_credited_with_the_same_dates_and_expired_ones_are_not():
    user = UserFactory()
    live = future_lot(273)
    expired_long_ago = lot(742, expires_in_days=-300, earned_days_before_cutover=700)
    expired_at_cutover = lot(326, expires_in_days=0)
    [result] = points_lots_migrate_bulk(
        records=[record(user, lots=[live, expired_long_ago, expired_at_cutover])], cutover=CUTOVER
    )

    assert (result.outcome, result.legacy_unexpired, result.credited) == (ImportOutcome.CREATED, 273, 273)
    credited = PointsLot.objects.get()
    assert (credited.points, credited.earned_at, credited.expires_at) == (273, live.earned_at, live.expires_at)
    entry = PointsEntry.objects.get()
    assert (entry.kind, entry.delta, entry.lot, entry.legacy_account_id) == ("migrate", 273, credited, "L1")


def test_points_are_multiplied_by_the_rate_and_rounded_down_lot_by_lot(settings):
    settings.LOYALTY_POCO_POINTS_RATE = Decimal("1.5")
    user = UserFactory()
    [result] = points_lots_migrate_bulk(records=[record(user, lots=[future_lot(5), future_lot(7)])], cutover=CUTOVER)

    assert sorted(PointsLot.objects.values_list("points", flat=True)) == [7, 10]  # 7.5 -> 7, 10.5 -> 10
    assert (result.legacy_unexpired, result.credited) == (12, 17)


def test_a_lot_worth_less_than_one_point_after_the_rate_credits_nothing():
    user = UserFactory()
    [result] = points_lots_migrate_bulk(records=[record(user, lots=[future_lot(1)])], cutover=CUTOVER,
                                        rate=Decimal("0.5"))
    assert (result.outcome, result.credited) == (ImportOutcome.CREATED, 0)
    assert not PointsLot.objects.exists()


def test_the_legacy_history_is_kept_for_display_and_never_counted_in_the_balance():
    user = UserFactory()
    history = [LegacyPointsEvent(CUTOVER - timedelta(days=100), 273, "purchase", "O000031"),
               LegacyPointsEvent(CUTOVER - timedelta(days=400), 742, "purchase", None)]
    points_lots_migrate_bulk(records=[record(user, lots=[future_lot(273)], history=history)], cutover=CUTOVER)

    assert points_balance(user=user) == points_ledger_sum(user=user) == 273
    lines = points_overview(user=user).history
    legacy = [(line.delta, line.label, line.detail) for line in lines if line.is_legacy]
    assert legacy == [(273, "purchase", "O000031"), (742, "purchase", "")]
    assert [line.label for line in lines if not line.is_legacy] == ["Carried over from POCO Points"]


def test_a_merged_persons_legacy_accounts_all_land_in_one_mi_account():
    user = UserFactory()
    results = points_lots_migrate_bulk(
        records=[record(user, "L-uk", [future_lot(100)]), record(user, "L-fr", [future_lot(40)])], cutover=CUTOVER
    )
    assert [r.outcome for r in results] == [ImportOutcome.CREATED, ImportOutcome.CREATED]
    assert points_balance(user=user) == 140
    assert PointsLot.objects.values("account").distinct().count() == 1


def test_importing_the_same_account_again_credits_nothing_twice():
    user = UserFactory()
    records = [record(user, lots=[future_lot(50)], history=[LegacyPointsEvent(CUTOVER, 50, "purchase")])]
    points_lots_migrate_bulk(records=records, cutover=CUTOVER)
    [again] = points_lots_migrate_bulk(records=records, cutover=CUTOVER)

    assert (again.outcome, again.legacy_unexpired, again.credited) == (ImportOutcome.UNCHANGED, 50, 50)
    assert points_balance(user=user) == 50
    assert LegacyPointsHistory.objects.count() == 1


def test_an_account_migrated_before_with_other_content_is_a_conflict_and_keeps_its_points():
    user = UserFactory()
    points_lots_migrate_bulk(records=[record(user, lots=[future_lot(50)])], cutover=CUTOVER)
    [changed] = points_lots_migrate_bulk(records=[record(user, lots=[future_lot(500)])], cutover=CUTOVER)

    assert changed.outcome == ImportOutcome.CONFLICT
    assert "already migrated" in changed.reason
    assert points_balance(user=user) == 50


def test_an_unusable_lot_quarantines_its_account_with_the_reason_and_the_batch_goes_on():
    user = UserFactory()
    bad = LegacyPointsLot(10, CUTOVER + timedelta(days=5), CUTOVER + timedelta(days=1))
    results = points_lots_migrate_bulk(
        records=[record(user, "L-bad", [bad]), record(user, "L-good", [future_lot(9)])], cutover=CUTOVER
    )
    assert [(r.outcome, r.reason) for r in results] == [
        (ImportOutcome.QUARANTINED, "lot 1: expires_at is not after earned_at"), (ImportOutcome.CREATED, ""),
    ]
    assert points_balance(user=user) == 9


def test_a_naive_cutover_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="cutover must be an aware datetime"):
        points_lots_migrate_bulk(records=[], cutover=datetime(2024, 12, 12))


@pytest.mark.parametrize("size", [2, 20])
def test_a_batch_runs_a_fixed_number_of_queries_whatever_its_size(size, django_assert_num_queries):
    users = UserFactory.create_batch(size)
    records = [record(u, f"L{n}", [future_lot(10), future_lot(20)], [LegacyPointsEvent(CUTOVER, 30, "purchase")])
               for n, u in enumerate(users)]
    # savepoint, migrations done, accounts read + missing created + re-read, release; one insert per table
    # (migrations and lots with their keys, entries and history without)
    with django_assert_num_queries(6 + 2 * QUERIES_PER_INSERT + 2 * QUERIES_PER_INSERT_WITHOUT_KEYS):
        points_lots_migrate_bulk(records=records, cutover=CUTOVER)
    assert PointsLot.objects.count() == 2 * size


def test_odd_dates_on_a_lot_that_expired_before_the_cutover_do_not_stop_the_account():
    user = UserFactory()
    odd = LegacyPointsLot(10, CUTOVER - timedelta(days=5), CUTOVER - timedelta(days=50))
    [result] = points_lots_migrate_bulk(records=[record(user, lots=[odd, future_lot(9)])], cutover=CUTOVER)
    assert (result.outcome, result.legacy_unexpired, result.credited) == (ImportOutcome.CREATED, 9, 9)
