import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core import mail

from loyalty.exceptions import CouponRefused
from loyalty.models import Coupon, CouponAlias, CouponNotification, LegacyCoupon
from loyalty.services import CartLine, ImportOutcome, LegacyCouponRecord, coupon_check, coupons_reissue_bulk
from tests.factories import UserFactory
from tests.queries import QUERIES_PER_INSERT

from .factories import CouponFactory

pytestmark = pytest.mark.django_db

CUTOVER = datetime(2024, 12, 12, tzinfo=UTC)
CODE_SHAPE = re.compile(r"^MI-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}$")


def legacy(owner=None, **changes) -> LegacyCouponRecord:
    record = LegacyCouponRecord(
        legacy_id="K000007", code="POCOD00006", owner_id=owner.pk if owner else None, kind="fixed",
        value=Decimal("5.00"), currency="GBP", min_order_amount=Decimal("50.00"),
        valid_from=datetime(2023, 9, 15, tzinfo=UTC), valid_until=datetime(2099, 12, 22, tzinfo=UTC),
        usage_limit=5, times_used=1, status="active", portal="uk",
    )
    return replace(record, **changes)


def reissue(records, capture):
    with capture(execute=True):
        return coupons_reissue_bulk(records=records, cutover=CUTOVER)


@pytest.fixture
def owner(reference_data):
    return UserFactory(first_name="Aoife", preferred_language="en")


def test_a_live_coupon_is_reissued_with_the_same_terms_and_the_uses_it_had_left(
    owner, stores, brands, django_capture_on_commit_callbacks
):
    [result] = reissue([legacy(owner)], django_capture_on_commit_callbacks)

    coupon = Coupon.objects.get()
    assert (result.outcome, result.coupon_outcome, result.new_code) == ("created", "reissued", coupon.code)
    assert CODE_SHAPE.match(coupon.code)
    assert (coupon.kind, coupon.value, coupon.currency, coupon.min_order_amount) == (
        "fixed", Decimal("5.00"), "GBP", Decimal("50.00"))
    assert (coupon.valid_from, coupon.valid_until) == (datetime(2023, 9, 15, tzinfo=UTC),
                                                        datetime(2099, 12, 22, tzinfo=UTC))
    assert (coupon.usage_limit, coupon.owner) == (4, owner)
    assert list(coupon.stores.all()) == [stores["uk"]] and list(coupon.brands.all()) == [brands["poco"]]
    assert coupon.legacy_origin.code == "POCOD00006"


def test_the_legacy_code_stays_an_alias_that_redeems_the_new_coupon(
    owner, stores, brands, django_capture_on_commit_callbacks
):
    reissue([legacy(owner)], django_capture_on_commit_callbacks)
    coupon = Coupon.objects.get()
    assert list(coupon.aliases.values_list("code", flat=True)) == ["POCOD00006"]
    lines = [CartLine(brand_id=brands["poco"].pk, category_path="phones", total=Decimal("60.00"))]
    assert coupon_check(code="pocod00006", user=owner, store=stores["uk"], lines=lines).coupon == coupon


def test_the_owner_is_mailed_the_new_code_and_its_validity_once_even_when_the_import_runs_again(
    owner, django_capture_on_commit_callbacks
):
    reissue([legacy(owner)], django_capture_on_commit_callbacks)
    [again] = reissue([legacy(owner)], django_capture_on_commit_callbacks)

    assert again.outcome == ImportOutcome.UNCHANGED
    [message] = mail.outbox
    code = Coupon.objects.get().code
    assert message.to == [owner.email]
    assert message.subject == f"Your POCO coupon POCOD00006 has a new code: {code}"
    assert code in message.body and "Valid until 22 December 2099." in message.body
    assert "It can be used 4 times." in message.body and "£5.00 off" in message.body
    assert CouponNotification.objects.get().email == owner.email


def test_the_e_mail_speaks_the_owners_language(reference_data, django_capture_on_commit_callbacks):
    francophone = UserFactory(first_name="Amélie", preferred_language="fr")
    reissue([legacy(francophone, currency="EUR", portal="fr")], django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.subject.startswith("Votre bon POCO POCOD00006 a un nouveau code")
    assert "Bonjour Amélie," in message.body
    assert "Valable jusqu’au 22 décembre 2099." in message.body
    assert "5,00\xa0€" in message.body


def test_a_rolled_back_import_mails_nobody(owner, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            coupons_reissue_bulk(records=[legacy(owner)], cutover=CUTOVER)
            raise RuntimeError("import killed")
    assert mail.outbox == [] and not Coupon.objects.exists()


def test_a_public_coupon_is_reissued_without_an_e_mail(reference_data, django_capture_on_commit_callbacks):
    [result] = reissue([legacy(None)], django_capture_on_commit_callbacks)
    assert result.coupon_outcome == "reissued"
    assert Coupon.objects.get().owner is None
    assert mail.outbox == []


def test_a_disabled_owner_gets_the_coupon_but_no_e_mail(reference_data, django_capture_on_commit_callbacks):
    reissue([legacy(UserFactory(is_active=False))], django_capture_on_commit_callbacks)
    assert Coupon.objects.count() == 1 and mail.outbox == []


def test_a_percent_coupon_without_currency_takes_its_portals_currency_for_the_minimum(
    owner, django_capture_on_commit_callbacks
):
    reissue([legacy(owner, kind="percent", value=Decimal("10"), currency=None, portal="fr")],
            django_capture_on_commit_callbacks)
    assert Coupon.objects.get().currency == "EUR"


@pytest.mark.parametrize(("changes", "outcome", "message"), [
    ({"status": "used"}, "used", "This POCO coupon was already used before the move to the Xiaomi store."),
    ({"times_used": 5}, "used", "This POCO coupon was already used before the move to the Xiaomi store."),
    ({"status": "expired"}, "expired", "This POCO coupon had expired before the move to the Xiaomi store."),
    ({"valid_until": CUTOVER}, "expired", "This POCO coupon had expired before the move to the Xiaomi store."),
    ({"status": "revoked"}, "revoked", "This POCO coupon was revoked before the move to the Xiaomi store."),
])
def test_a_coupon_not_live_at_the_cutover_is_kept_as_history_and_refuses_with_the_reason(
    owner, stores, brands, django_capture_on_commit_callbacks, changes, outcome, message
):
    [result] = reissue([legacy(owner, **changes)], django_capture_on_commit_callbacks)

    assert (result.outcome, result.coupon_outcome, result.new_code) == ("created", outcome, "")
    assert not Coupon.objects.exists() and mail.outbox == []
    assert LegacyCoupon.objects.get().outcome == outcome
    lines = [CartLine(brand_id=brands["poco"].pk, category_path="phones", total=Decimal("60.00"))]
    with pytest.raises(CouponRefused) as refused:
        coupon_check(code="POCOD00006", user=owner, store=stores["uk"], lines=lines)
    assert refused.value.message == message


def test_a_history_coupon_that_later_qualifies_is_reissued_as_an_update(owner, django_capture_on_commit_callbacks):
    reissue([legacy(owner, status="revoked")], django_capture_on_commit_callbacks)
    [result] = reissue([legacy(owner)], django_capture_on_commit_callbacks)
    assert (result.outcome, result.coupon_outcome) == ("updated", "reissued")
    assert LegacyCoupon.objects.get().reissued_as == Coupon.objects.get()
    assert len(mail.outbox) == 1


def test_a_reissued_coupon_that_changed_in_a_later_bundle_is_a_conflict_and_left_as_it_is(
    owner, django_capture_on_commit_callbacks
):
    [first] = reissue([legacy(owner)], django_capture_on_commit_callbacks)
    [result] = reissue([legacy(owner, times_used=2)], django_capture_on_commit_callbacks)
    assert (result.outcome, result.new_code) == ("conflict", first.new_code)
    assert Coupon.objects.get().usage_limit == 4


def test_a_legacy_code_that_already_redeems_a_store_coupon_is_a_conflict(owner, django_capture_on_commit_callbacks):
    CouponFactory(code="pocod00006")
    [result] = reissue([legacy(owner)], django_capture_on_commit_callbacks)
    assert (result.outcome, result.reason) == ("conflict", "the code 'POCOD00006' already redeems a coupon")
    assert Coupon.objects.count() == 1 and not CouponAlias.objects.exists()


@pytest.mark.parametrize(("changes", "reason"), [
    ({"kind": "bogof"}, "unknown kind 'bogof'"),
    ({"status": "paused"}, "unknown status 'paused'"),
    ({"portal": "in"}, "portal 'in' is not consolidated into the store"),
    ({"value": Decimal("120"), "kind": "percent"}, "a percentage above 100"),
    ({"valid_from": datetime(2099, 12, 23, tzinfo=UTC)}, "valid_until is not after valid_from"),
])
def test_an_unusable_record_is_quarantined_with_the_reason(owner, django_capture_on_commit_callbacks, changes, reason):
    [result] = reissue([legacy(owner, **changes)], django_capture_on_commit_callbacks)
    assert (result.outcome, result.reason) == ("quarantined", reason)
    assert not LegacyCoupon.objects.exists()


def test_a_batch_runs_a_fixed_number_of_queries_whatever_its_size(reference_data, django_assert_num_queries):
    def batch(size, start):
        owners = UserFactory.create_batch(size)
        return [legacy(o, legacy_id=f"K{start + n}", code=f"POCO{start + n}") for n, o in enumerate(owners)]

    small, large = batch(2, 0), batch(25, 100)
    # savepoint, known coupons, code clashes (2), POCO brand, stores, new codes clash (2), owners, release;
    # inserts whose keys come back: coupons, legacy rows, notifications; one query each for the rows nothing
    # refers to: stores and brands links, aliases
    queries = 10 + 3 * QUERIES_PER_INSERT + 3
    with django_assert_num_queries(queries):
        coupons_reissue_bulk(records=small, cutover=CUTOVER)
    with django_assert_num_queries(queries):
        coupons_reissue_bulk(records=large, cutover=CUTOVER)
    assert Coupon.objects.count() == 27


def test_an_expired_coupon_with_an_empty_validity_window_is_still_kept_as_history(
    owner, django_capture_on_commit_callbacks
):
    odd = legacy(owner, valid_from=datetime(2024, 11, 12, 13, tzinfo=UTC),
                 valid_until=datetime(2024, 11, 12, tzinfo=UTC))
    [result] = reissue([odd], django_capture_on_commit_callbacks)
    assert (result.outcome, result.coupon_outcome) == ("created", "expired")
