"""The `points` and `coupons` loaders of the legacy import (FORMAT.md rules 2, 5, 6 and 9), run through the
real engine and `import_legacy` on tiny bundles, on the shared sample and on a generated bundle."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brands.legacy.generator import write_bundle as generate_bundle
from brands.legacy.models import ExcludedRecord
from loyalty import importers
from loyalty.exceptions import CouponRefused
from loyalty.importers import CouponsLoader, PointsLoader
from loyalty.models import (
    Coupon,
    CouponNotification,
    LegacyCoupon,
    LegacyPointsHistory,
    LegacyPointsMigration,
    PointsAccount,
    PointsLot,
    Redemption,
)
from loyalty.services import CartLine, coupon_check, coupon_reserve, points_redeem
from storefront.accounts.models import User
from tests.legacy.bundles import customer, write_bundle

pytestmark = pytest.mark.django_db

# Live lots and coupons end far ahead, so they are still live whenever the tests run (cutover 2024-12-12).
LIVE, LATER, EXPIRED = "2098-06-01T00:00:00Z", "2099-01-31T00:00:00Z", "2024-06-01T00:00:00Z"


def lot(points, expires_at=LIVE, earned_at="2024-01-15T08:00:00Z"):
    return {"points": points, "earned_at": earned_at, "expires_at": expires_at}


def points(legacy_id, customer_id, *lots, history=None, **fields):
    lots = lots or (lot(100),)
    return {
        "legacy_id": legacy_id, "customer_legacy_id": customer_id, "balance": sum(x["points"] for x in lots),
        "lots": list(lots),
        "history": history if history is not None else [
            {"at": x["earned_at"], "delta": x["points"], "reason": "purchase", "order_legacy_id": None} for x in lots
        ],
        **fields,
    }


def coupon(legacy_id, customer_id, **fields):
    return {
        "legacy_id": legacy_id, "code": f"POCO-{legacy_id}", "customer_legacy_id": customer_id, "kind": "fixed",
        "value": "5.00", "currency": "GBP", "min_order_amount": "20.00", "valid_from": "2024-01-01T00:00:00Z",
        "valid_until": LATER, "usage_limit": 1, "times_used": 0, "status": "active", "portal": "uk", **fields,
    }


def counters(report, entity):
    return {key: value for key, value in report["entities"][entity].items() if value and key != "read"}


def reasons(report, entity):
    return {row["legacy_id"]: row["reason"] for row in report["quarantine"] if row["entity"] == entity}


def user(legacy_id):
    return User.objects.get(email=f"{legacy_id.lower()}@example.com")


def lots_of(legacy_customer_id):
    return sorted((lot.points, lot.remaining, lot.earned_at, lot.expires_at)
                  for lot in PointsLot.objects.filter(account__user=user(legacy_customer_id)))


def at(text):
    return datetime.fromisoformat(text)


@pytest.fixture
def bundle(tmp_path, reference_data):
    """Writes a bundle of these customers, points and coupons; a new directory each call."""

    def make(customers, points_accounts=(), coupons=()):
        name = f"bundle-{len(list(tmp_path.glob('bundle-*')))}"
        return write_bundle(tmp_path / name, {"customers": list(customers), "points": list(points_accounts),
                                              "coupons": list(coupons)})

    return make


@pytest.fixture
def imported(bundle, run_import, django_capture_on_commit_callbacks):
    """Imports a bundle as an operator would, running what waits for the commit (the e-mails)."""

    def run(*args, **files):
        with django_capture_on_commit_callbacks(execute=True):
            return run_import(bundle(**files), *args)

    return run


# --- POCO Points (rule 5) ------------------------------------------------------------------------------


def test_live_lots_are_credited_with_the_same_dates_and_expired_ones_are_not(imported):
    status, report = imported(customers=[customer("C1")], points_accounts=[
        points("P1", "C1", lot(120, LIVE), lot(50, EXPIRED), lot(30, LATER, earned_at="2024-11-30T00:00:00Z")),
    ])
    assert status == 0
    assert counters(report, "points") == {"created": 1}
    assert lots_of("C1") == [(30, 30, at("2024-11-30T00:00:00Z"), at(LATER)),
                             (120, 120, at("2024-01-15T08:00:00Z"), at(LIVE))]
    assert report["totals"]["points"] == {"legacy_unexpired": 150, "credited": 150}
    migration = LegacyPointsMigration.objects.get()
    assert (migration.legacy_id, migration.legacy_unexpired, migration.credited) == ("P1", 150, 150)


def test_the_rate_multiplies_each_lot_and_rounds_down(imported, settings):
    settings.LOYALTY_POCO_POINTS_RATE = Decimal("0.75")
    _, report = imported(customers=[customer("C1")], points_accounts=[points("P1", "C1", lot(7), lot(3, LATER))])
    assert [credited for credited, *_ in lots_of("C1")] == [2, 5]  # 2.25 and 5.25
    assert report["totals"]["points"] == {"legacy_unexpired": 10, "credited": 7}


def test_the_legacy_history_is_kept_for_display_and_counts_in_no_balance(imported):
    history = [{"at": "2024-01-15T08:00:00Z", "delta": 150, "reason": "purchase", "order_legacy_id": "O1"},
               {"at": "2024-02-01T08:00:00Z", "delta": -50, "reason": "redeemed", "order_legacy_id": None}]
    imported(customers=[customer("C1")], points_accounts=[points("P1", "C1", lot(100), history=history)])
    kept = LegacyPointsHistory.objects.filter(account__user=user("C1")).order_by("at")
    assert [(h.at, h.delta, h.reason, h.order_legacy_id) for h in kept] == [
        (at("2024-01-15T08:00:00Z"), 150, "purchase", "O1"), (at("2024-02-01T08:00:00Z"), -50, "redeemed", "")]
    assert lots_of("C1") == [(100, 100, at("2024-01-15T08:00:00Z"), at(LIVE))]


def test_a_merged_persons_points_accounts_land_in_their_one_account(imported):
    _, report = imported(
        customers=[customer("C1", email="Sam.Lee@example.com"),
                   customer("C2", email=" sam.lee@EXAMPLE.com ", portal="fr", language="fr")],
        points_accounts=[points("P1", "C1", lot(100)), points("P2", "C2", lot(40, LATER))],
    )
    assert counters(report, "points") == {"created": 2}
    account = PointsAccount.objects.get()
    assert account.user.email == "sam.lee@example.com"
    assert sorted(lot.points for lot in account.lots.all()) == [40, 100]
    assert set(account.legacy_migrations.values_list("legacy_id", flat=True)) == {"P1", "P2"}


def test_lots_that_do_not_add_up_to_the_balance_are_quarantined(imported):
    status, report = imported(customers=[customer("C1")],
                              points_accounts=[points("P1", "C1", lot(100), balance=150)])
    assert status == 1
    assert counters(report, "points") == {"quarantined": 1}
    assert reasons(report, "points") == {"P1": "lots add up to 100 points, not to the balance 150"}
    assert not PointsLot.objects.exists() and report["totals"]["points"] == {"legacy_unexpired": 0, "credited": 0}


# --- rules 1 and 2: India and erased customers ---------------------------------------------------------


def test_an_erased_customers_points_and_coupons_are_excluded(imported):
    _, report = imported(customers=[customer("C1", status="erased")],
                         points_accounts=[points("P1", "C1")], coupons=[coupon("K1", "C1")])
    assert counters(report, "points") == counters(report, "coupons") == {"excluded": 1}
    assert dict(ExcludedRecord.objects.filter(entity__in=["points", "coupons"]).values_list("legacy_id", "reason")) \
        == {"P1": "customer_legacy_id C1: that customers record is excluded "
                  "(erased customer (data-erasure request): no account)",
            "K1": "customer_legacy_id C1: that customers record is excluded "
                  "(erased customer (data-erasure request): no account)"}
    assert not PointsAccount.objects.exists() and not LegacyCoupon.objects.exists() and mail.outbox == []


def test_india_is_excluded_whether_the_portal_is_the_coupons_or_its_customers(imported):
    _, report = imported(customers=[customer("C1"), customer("C2", portal="in")],
                         points_accounts=[points("P2", "C2")],
                         coupons=[coupon("K1", "C1", portal="in", currency="INR"), coupon("K2", "C2"),
                                  coupon("K3", None, portal="in", currency="INR")])
    assert counters(report, "points") == {"excluded": 1}
    assert counters(report, "coupons") == {"excluded": 3}
    assert not PointsLot.objects.exists() and not Coupon.objects.exists() and not LegacyCoupon.objects.exists()


# --- coupons (rule 6) ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fields, outcome", [
    ({}, "reissued"),
    ({"usage_limit": 3, "times_used": 2}, "reissued"),
    ({"status": "used", "times_used": 1}, "used"),
    ({"times_used": 1}, "used"),  # still `active` on po.co, but no use left
    ({"status": "expired"}, "expired"),
    ({"valid_until": "2024-12-01T00:00:00Z"}, "expired"),  # still `active`, but past valid_until at the cutover
    ({"status": "revoked"}, "revoked"),
])
def test_only_an_active_coupon_with_time_and_uses_left_is_reissued(imported, fields, outcome):
    _, report = imported(customers=[customer("C1")], coupons=[coupon("K1", "C1", **fields)])
    assert counters(report, "coupons") == {"created": 1}
    legacy = LegacyCoupon.objects.get()
    assert legacy.outcome == outcome
    assert (legacy.reissued_as is not None) is (outcome == "reissued")
    reissued = int(outcome == "reissued")
    assert report["totals"]["coupons"] == {"reissued": reissued, "history": 1 - reissued}


def test_a_reissued_coupon_keeps_its_terms_and_the_uses_it_had_left(imported, stores, brands):
    imported(customers=[customer("C1")], coupons=[coupon("K1", "C1", usage_limit=5, times_used=2, value="7.50")])
    new = LegacyCoupon.objects.get().reissued_as
    assert (new.kind, new.value, new.currency, new.min_order_amount) == ("fixed", Decimal("7.50"), "GBP",
                                                                        Decimal("20.00"))
    assert (new.valid_from, new.valid_until, new.usage_limit) == (at("2024-01-01T00:00:00Z"), at(LATER), 3)
    assert new.owner == user("C1") and new.code != "POCO-K1"
    assert list(new.stores.all()) == [stores["uk"]] and list(new.brands.all()) == [brands["poco"]]


def test_the_legacy_code_is_an_alias_that_redeems_the_same_coupon(imported, stores, brands):
    imported(customers=[customer("C1")], coupons=[coupon("K1", "C1")])
    owner, new = user("C1"), Coupon.objects.get()
    lines = [CartLine(brands["poco"].pk, "smartphones", Decimal("30.00"))]
    by_alias = coupon_check(code="poco-k1", user=owner, store=stores["uk"], lines=lines)
    assert by_alias.coupon == new and by_alias.discount == Decimal("5.00")
    assert coupon_check(code=new.code, user=owner, store=stores["uk"], lines=lines).coupon == new


def test_a_public_coupon_is_reissued_without_an_owner_and_without_an_email(imported):
    imported(customers=[], coupons=[coupon("K1", None, usage_limit=500, times_used=120)])
    new = Coupon.objects.get()
    assert new.owner is None and new.usage_limit == 380
    assert mail.outbox == [] and not CouponNotification.objects.exists()


def test_the_owner_is_emailed_once_in_their_language(imported):
    imported(customers=[customer("C1", language="fr", portal="fr")],
             coupons=[coupon("K1", "C1", portal="fr", currency="EUR")])
    new = Coupon.objects.get()
    [message] = mail.outbox
    assert message.to == ["c1@example.com"]
    assert message.subject.startswith("Votre bon POCO POCO-K1 a un nouveau code") and new.code in message.subject
    assert CouponNotification.objects.get().language == "fr"


def test_with_the_broker_down_at_commit_the_import_still_lands_and_the_resend_sends_the_email_later(
        imported, monkeypatch, settings):
    from kombu.exceptions import OperationalError

    from loyalty.services.coupon_notifications import coupon_notifications_resend
    from loyalty.tasks import send_coupon_notifications_task

    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_coupon_notifications_task, "delay", broker_down)
    status, _ = imported(customers=[customer("C1")], coupons=[coupon("K1", "C1")])
    assert status == 0 and mail.outbox == []
    assert CouponNotification.objects.get().sent_at is None

    settings.LOYALTY_COUPON_NOTIFICATION_RESEND_AFTER = timedelta(0)
    assert coupon_notifications_resend() == 1
    [message] = mail.outbox
    assert Coupon.objects.get().code in message.subject and "POCO-K1" in message.subject


def test_a_disabled_owner_gets_the_coupon_but_no_email(imported):
    imported(customers=[customer("C1", status="disabled")], coupons=[coupon("K1", "C1")])
    assert Coupon.objects.get().owner == user("C1") and mail.outbox == []


def test_a_history_coupon_redeems_nothing_and_says_why(imported, stores, brands):
    imported(customers=[customer("C1", language="fr")], coupons=[coupon("K1", "C1", status="used", times_used=1)])
    lines = [CartLine(brands["poco"].pk, "smartphones", Decimal("30.00"))]
    with pytest.raises(CouponRefused) as refused:
        coupon_check(code="POCO-K1", user=user("C1"), store=stores["uk"], lines=lines)
    assert refused.value.code == "legacy_used"
    assert refused.value.message == "This POCO coupon was already used before the move to the Xiaomi store."
    assert not Coupon.objects.exists() and mail.outbox == []


@pytest.mark.parametrize("fields, reason", [
    ({"kind": "fixed", "currency": None}, "currency: required for a fixed coupon (only percent may omit it)"),
    ({"currency": "EUR"}, "currency EUR is not the uk portal's (GBP)"),
    ({"value": 5.0}, "Expected `str`, got `float` - at `$.value`"),
    ({"value": "5.555"}, "value 5.555 has more than 2 decimal places (the store keeps cents)"),
    ({"min_order_amount": "10000000000.00"}, "min_order_amount 10000000000.00 is too large for the store"),
    ({"code": "POCO-" + "X" * 36}, "code is 41 characters long, more than the 40 the store keeps"),
])
def test_a_coupon_with_bad_money_fields_is_quarantined(imported, fields, reason):
    _, report = imported(customers=[customer("C1")], coupons=[coupon("K1", "C1", **fields)])
    assert reasons(report, "coupons") == {"K1": reason}
    assert not LegacyCoupon.objects.exists()


def test_a_percent_coupon_needs_no_currency(imported):
    imported(customers=[customer("C1")], coupons=[coupon("K1", "C1", kind="percent", value="10", currency=None,
                                                         min_order_amount="0.00")])
    assert Coupon.objects.get().value == Decimal("10")


# --- rule 9: again, resumed, dry run, and the store's own changes ---------------------------------------


def everything(**changes):
    files = {"customers": [customer("C1"), customer("C2", language="fr")],
             "points_accounts": [points("P1", "C1", lot(100), lot(20, EXPIRED)), points("P2", "C2", lot(60))],
             "coupons": [coupon("K1", "C1"), coupon("K2", "C2"), coupon("K3", "C1", status="used", times_used=1),
                         coupon("K4", None, usage_limit=50)]}
    return {**files, **changes}


def test_importing_again_changes_nothing_and_emails_no_one_twice(imported):
    _, first = imported(**everything())
    assert counters(first, "points") == {"created": 2} and counters(first, "coupons") == {"created": 4}
    assert len(mail.outbox) == 2
    coupons, lots = list(Coupon.objects.values_list("code", flat=True)), list(PointsLot.objects.values())
    _, again = imported(**everything())
    assert counters(again, "points") == {"unchanged": 2} and counters(again, "coupons") == {"unchanged": 4}
    assert again["totals"]["points"] == first["totals"]["points"] == {"legacy_unexpired": 160, "credited": 160}
    assert again["totals"]["coupons"] == first["totals"]["coupons"] == {"reissued": 3, "history": 1}
    assert list(Coupon.objects.values_list("code", flat=True)) == coupons and list(PointsLot.objects.values()) == lots
    assert len(mail.outbox) == 2 and CouponNotification.objects.count() == 2


def test_a_dry_run_writes_and_sends_nothing_but_reports_as_a_real_run(imported):
    _, dry = imported("--dry-run", **everything())
    assert dry["dry_run"] is True
    assert counters(dry, "points") == {"created": 2} and counters(dry, "coupons") == {"created": 4}
    assert dry["totals"]["coupons"] == {"reissued": 3, "history": 1}
    for model in (PointsAccount, PointsLot, LegacyPointsMigration, Coupon, LegacyCoupon, CouponNotification):
        assert not model.objects.exists(), model.__name__
    assert mail.outbox == []
    _, real = imported(**everything())  # the real run after it mails as a first run does
    assert counters(real, "coupons") == {"created": 4} and len(mail.outbox) == 2


def test_an_import_that_fails_midway_and_is_run_again_mails_each_owner_once(imported, settings, monkeypatch):
    settings.LEGACY_IMPORT_BATCH_SIZE = 1
    real, calls = importers.coupons_reissue_bulk, []

    def fails_on_the_second_batch(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(importers, "coupons_reissue_bulk", fails_on_the_second_batch)
    with pytest.raises(RuntimeError, match="went away"):
        imported(**everything())
    assert len(mail.outbox) == 1  # K1's batch committed and was mailed; K2's rolled back with its e-mail
    monkeypatch.setattr(importers, "coupons_reissue_bulk", real)
    _, resumed = imported(**everything())
    assert counters(resumed, "coupons") == {"created": 4}  # the two parts count as one run
    assert sorted(message.to[0] for message in mail.outbox) == ["c1@example.com", "c2@example.com"]
    assert CouponNotification.objects.count() == 2


def test_a_history_coupon_that_becomes_live_in_a_later_bundle_is_reissued_and_mailed_then(imported):
    imported(customers=[customer("C1")], coupons=[coupon("K1", "C1", status="revoked")])
    assert mail.outbox == []
    _, later = imported(customers=[customer("C1")], coupons=[coupon("K1", "C1")])
    assert counters(later, "coupons") == {"updated": 1}
    assert LegacyCoupon.objects.get().outcome == "reissued" and len(mail.outbox) == 1


def test_a_reissued_coupon_changed_in_a_later_bundle_is_a_conflict_and_kept(imported):
    imported(customers=[customer("C1")], coupons=[coupon("K1", "C1")])
    _, later = imported(customers=[customer("C1")], coupons=[coupon("K1", "C1", value="9.00")])
    assert counters(later, "coupons") == {"conflicts": 1}
    assert later["conflicts"] == [{"entity": "coupons", "legacy_id": "K1", "reason": (
        "already re-issued and announced to its owner; the store keeps the coupon as it is")}]
    assert Coupon.objects.get().value == Decimal("5.00") and len(mail.outbox) == 1


def test_an_admins_edit_of_a_reissued_coupon_is_a_store_change_and_its_uses_are_not(imported, stores, brands):
    imported(customers=[customer("C1")], coupons=[coupon("K1", "C1", usage_limit=3)])
    loader, legacy = CouponsLoader(context=None), LegacyCoupon.objects.get()
    before = loader.state_hashes([legacy.pk])
    coupon_reserve(code="POCO-K1", user=user("C1"), store=stores["uk"],
                   lines=[CartLine(brands["poco"].pk, "smartphones", Decimal("30.00"))])
    assert Redemption.objects.count() == 1 and loader.state_hashes([legacy.pk]) == before
    Coupon.objects.filter(pk=legacy.reissued_as_id).update(value=Decimal("6.00"))
    assert loader.state_hashes([legacy.pk]) != before
    _, later = imported(customers=[customer("C1")], coupons=[coupon("K1", "C1", usage_limit=4)])
    assert later["conflicts"] == [{"entity": "coupons", "legacy_id": "K1", "reason": (
        "changed in the bundle and, since its last import, in the store: kept as the store has it")}]


def test_spending_or_expiring_migrated_points_is_not_a_change_in_the_store(imported):
    imported(customers=[customer("C1")], points_accounts=[points("P1", "C1", lot(100))])
    loader, migration = PointsLoader(context=None), LegacyPointsMigration.objects.get()
    before = loader.state_hashes([migration.pk])
    points_redeem(user=user("C1"), points=70, reason="order")
    assert lots_of("C1")[0][1] == 30 and loader.state_hashes([migration.pk]) == before
    _, again = imported(customers=[customer("C1")], points_accounts=[points("P1", "C1", lot(100))])
    assert counters(again, "points") == {"unchanged": 1}


def test_a_points_account_changed_in_a_later_bundle_keeps_the_points_credited(imported):
    imported(customers=[customer("C1")], points_accounts=[points("P1", "C1", lot(100))])
    _, later = imported(customers=[customer("C1")], points_accounts=[points("P1", "C1", lot(100), lot(40))])
    assert later["conflicts"] == [{"entity": "points", "legacy_id": "P1", "reason": (
        "already migrated with other content; the credited points are kept as they are")}]
    assert [credited for credited, *_ in lots_of("C1")] == [100]
    assert later["totals"]["points"] == {"legacy_unexpired": 0, "credited": 0}  # a conflict is not imported


def test_points_and_coupons_of_an_account_deleted_from_the_store_since_are_excluded(imported):
    imported(customers=[customer("C1")])
    user("C1").delete()
    _, later = imported("--only", "points,coupons", customers=[customer("C1")],
                        points_accounts=[points("P1", "C1")], coupons=[coupon("K1", "C1")])
    assert counters(later, "points") == counters(later, "coupons") == {"excluded": 1}
    assert set(ExcludedRecord.objects.filter(entity__in=["points", "coupons"]).values_list("reason", flat=True)) \
        == {"its customer's account was deleted from the store"}


# --- no query per record -------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", ["points", "coupons"])
def test_the_number_of_queries_does_not_grow_with_the_number_of_records(imported, entity):
    def queries(prefix, count):
        customers = [customer(f"{prefix}{n}") for n in range(count)]
        if entity == "points":
            files = {"points_accounts": [points(f"P{prefix}{n}", f"{prefix}{n}") for n in range(count)]}
        else:
            files = {"coupons": [coupon(f"K{prefix}{n}", f"{prefix}{n}") for n in range(count)]}
        imported("--only", "customers", customers=customers)
        with CaptureQueriesContext(connection) as captured:
            status, _ = imported("--only", entity, customers=customers, **files)
        assert status == 0
        return len(captured)

    queries("W", 1)  # warm-up: the store now holds imported rows
    assert queries("A", 4) == queries("B", 12)


# --- the shared sample and a generated bundle ----------------------------------------------------------

SAMPLE = {
    "points": {"read": 44, "created": 24, "excluded": 11, "quarantined": 9},
    "coupons": {"read": 20, "created": 12, "excluded": 5, "quarantined": 3},
}


@pytest.fixture
def store_before(reference_data):
    """The sample's (and the generator's) store before the import: one Xiaomi customer, two agents."""
    User.objects.create_user("oliver.fournier.50@example.com", "mi-existing-0")
    for n in (0, 1):
        User.objects.create_user(f"agent.{n}@po.co", "agent-password", is_staff=True)


def nonzero(entry):
    return {key: value for key, value in entry.items() if value}


def test_the_sample_imports_points_and_coupons_as_expected(sample, store_before, run_import,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, report = run_import(sample)
    for entity, expected in SAMPLE.items():
        assert nonzero(report["entities"][entity]) == expected
    assert report["totals"]["points"] == {"legacy_unexpired": 4279, "credited": 4279}
    assert report["totals"]["coupons"] == {"reissued": 4, "history": 8}
    assert sum(lot.points for lot in PointsLot.objects.all()) == 4279
    assert Coupon.objects.count() == 4 and LegacyCoupon.objects.count() == 12
    assert len(mail.outbox) == CouponNotification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        _, again = run_import(sample)
    for entity, expected in SAMPLE.items():
        unchanged = {key: value for key, value in expected.items() if key != "created"}
        assert nonzero(again["entities"][entity]) == {**unchanged, "unchanged": expected["created"]}
        assert again["totals"][entity] == report["totals"][entity]
    assert len(mail.outbox) == CouponNotification.objects.count()


def test_a_generated_bundle_imports_points_and_coupons_as_its_truth_file_says(tmp_path, reference_data,
                                                                             run_import):
    truth = generate_bundle(tmp_path / "generated", customers=80, seed=5).truth
    assert truth["assumes"]["cutover"] == truth["generator"]["exported_at"] and truth["assumes"]["points_rate"] == 1
    before = truth["assumes"]["store_before"]
    for account in before["customers"]:
        User.objects.create_user(account["email"], account["password"])
    for email in before["staff"]:
        User.objects.create_user(email, "agent-password", is_staff=True)
    _, report = run_import(tmp_path / "generated")
    for entity in ("points", "coupons"):
        assert report["entities"][entity] == truth["entities"][entity]
        assert report["totals"][entity] == truth["totals"][entity]
    assert report["totals"]["points"]["credited"] > 0 and report["totals"]["coupons"]["reissued"] > 0


def test_the_legacy_map_points_each_record_at_its_own_row_first_and_again(imported):
    """The services say which row each record became; the legacy map keeps it (a wrong row would compare a
    later bundle against another record's state). Several records a batch, one history coupon among them."""
    from brands.legacy.models import LegacyRecord

    customers = [customer(f"C{n}") for n in range(1, 4)]
    files = dict(customers=customers, points_accounts=[points(f"P{n}", f"C{n}", lot(10 * n)) for n in range(1, 4)],
                 coupons=[coupon("K1", "C1"), coupon("K2", "C2", status="revoked"), coupon("K3", None)])
    for _ in range(2):  # created, then unchanged: the map keeps pointing at the same rows
        imported(**files)
        mapped = dict(LegacyRecord.objects.filter(entity__in=["points", "coupons"]).values_list("legacy_id",
                                                                                                 "target_pk"))
        rows = {**dict(LegacyPointsMigration.objects.values_list("legacy_id", "pk")),
                **dict(LegacyCoupon.objects.values_list("legacy_id", "pk"))}
        assert mapped == rows and len(rows) == 6


def test_the_state_hash_kept_at_import_is_what_the_rows_give_when_read_back(imported, settings):
    """The loaders hash what the services have just written instead of reading it back: the two must agree, or
    every later import would take the import's own rows for store edits (conflicts). Awkward values: times
    with offsets and microseconds, amounts of fewer decimals than the columns keep, a rate that rounds, an
    account with nothing live, a public coupon, history coupons, one re-issued on a re-import."""
    from brands.legacy.models import LegacyRecord

    settings.LOYALTY_POCO_POINTS_RATE = Decimal("0.5")
    customers = [customer("C1"), customer("C2", language="fr")]
    accounts = [points("P1", "C1", lot(7, "2098-06-01T02:00:00.250000+02:00", earned_at="2024-01-15T08:00:00-05:00"),
                       lot(1), lot(20, EXPIRED)),
                points("P2", "C2", lot(20, EXPIRED))]
    coupons = [coupon("K1", "C1", value="5", min_order_amount="20", valid_from="2024-01-01T01:00:00+01:00",
                      valid_until="2099-01-31T00:00:00.5-03:00"),
               coupon("K2", None, kind="percent", value="12.5", currency=None, usage_limit=50, times_used=3),
               coupon("K3", "C2", status="used", times_used=1), coupon("K4", "C2", status="revoked")]
    imported(customers=customers, points_accounts=accounts, coupons=coupons)
    imported(customers=customers, points_accounts=accounts, coupons=[*coupons[:3], coupon("K4", "C2")])
    assert LegacyCoupon.objects.get(legacy_id="K4").outcome == LegacyCoupon.Outcome.REISSUED

    for entity, loader in (("points", PointsLoader), ("coupons", CouponsLoader)):
        kept = dict(LegacyRecord.objects.filter(entity=entity).values_list("target_pk", "state_hash"))
        assert len(kept) == (2 if entity == "points" else 4) and all(kept.values())
        assert loader(None).state_hashes(kept) == kept, entity
