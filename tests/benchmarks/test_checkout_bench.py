"""The checkout benchmark's fixture, its in-process client and its invariants, on a small run (one client,
so SQLite does too): every attempt gets the outcome its kind calls for, and each invariant catches the
breakage it is about."""

from collections import Counter

import pytest
from django.db.models import F

from benchmarks.catalog_data import catalog_ensure
from benchmarks.checkout_clients import OK, checkout_in_process
from benchmarks.checkout_data import checkout_fixture_build
from benchmarks.checkout_invariants import invariants_check
from brands.models import RegionalStore
from loyalty.models import PointsLot, Redemption
from storefront.catalog.models import Stock
from storefront.orders.models import Checkout


@pytest.fixture
def finished_run(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    catalog_ensure(products=30)
    fixture = checkout_fixture_build(attempts=40)
    store = RegionalStore.objects.get(code="uk")
    assert checkout_in_process(fixture.warmup, store) == OK
    outcomes = [(attempt.kind, checkout_in_process(attempt, store)) for attempt in fixture.attempts]
    return fixture, outcomes


def failed(checks):
    return [check.name for check in checks if not check.ok]


def test_each_kind_of_attempt_ends_as_its_kind_calls_for(finished_run):
    fixture, outcomes = finished_run
    by_kind = {kind: Counter(outcome for k, outcome in outcomes if k == kind) for kind, _ in outcomes}

    for kind in ("plain", "public_coupon", "personal_coupon", "points"):
        assert set(by_kind[kind]) == {OK}, (kind, by_kind[kind])
    assert set(by_kind["declined"]) <= {"payment_declined", "out_of_stock"}  # some carts hold the hot variant
    assert by_kind["points_too_many"] == Counter({"not_enough_points": 1})
    assert by_kind["hot"][OK] <= fixture.hot_units and by_kind["hot"]["out_of_stock"] >= 1
    assert by_kind["limited_coupon"] == Counter({OK: 2, "used_up": 3})


def test_the_invariants_hold_after_a_run_and_catch_each_breakage(finished_run):
    fixture, outcomes = finished_run
    successes = sum(outcome == OK for _kind, outcome in outcomes)
    assert failed(invariants_check(fixture, successes=successes)) == []

    assert failed(invariants_check(fixture, successes=successes - 1)) == ["orders = successes the clients saw"]

    Stock.objects.filter(variant_id=fixture.hot_variant_id).update(quantity=F("quantity") + 1)
    assert failed(invariants_check(fixture, successes=successes)) == ["stock = initial - sold"]
    Stock.objects.filter(variant_id=fixture.hot_variant_id).update(quantity=F("quantity") - 1)

    lot = PointsLot.objects.filter(remaining__gt=0).first()
    PointsLot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - 1)
    assert failed(invariants_check(fixture, successes=successes)) == ["points balance = ledger"]
    PointsLot.objects.filter(pk=lot.pk).update(remaining=F("remaining") + 1)

    Checkout.objects.filter(status=Checkout.Status.RELEASED).update(status=Checkout.Status.RESERVED)
    Redemption.objects.filter(status=Redemption.Status.RELEASED).update(status=Redemption.Status.RESERVED)
    assert failed(invariants_check(fixture, successes=successes)) == ["no reservation left open"]
