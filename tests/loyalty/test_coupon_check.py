from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from loyalty.exceptions import CouponRefused
from loyalty.models import Coupon, LegacyCoupon, Redemption
from loyalty.services import CartLine, coupon_check
from tests.factories import CategoryFactory, UserFactory

from .factories import CouponAliasFactory, CouponFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper():
    return UserFactory()


@pytest.fixture
def phones(db):
    return CategoryFactory(name="Smartphones", slug="smartphones", path="smartphones")


def basket(brand, total="100.00", category_path="smartphones/poco-f"):
    return [CartLine(brand_id=brand.pk, category_path=category_path, total=Decimal(total))]


def refusal(**kwargs) -> CouponRefused:
    with pytest.raises(CouponRefused) as caught:
        coupon_check(**kwargs)
    return caught.value


def test_a_valid_fixed_coupon_takes_its_amount_off_the_lines_it_applies_to(shopper, stores, brands):
    CouponFactory(code="SAVE5", value=Decimal("5.00"), currency="USD")
    approval = coupon_check(code="SAVE5", user=shopper, store=stores["global"], lines=basket(brands["poco"]))
    assert (approval.coupon.code, approval.discount, approval.free_shipping) == ("SAVE5", Decimal("5.00"), False)


def test_a_percent_coupon_counts_only_the_lines_of_its_brand(shopper, stores, brands):
    CouponFactory(code="POCO10", kind=Coupon.Kind.PERCENT, value=Decimal("10"), currency="", brands=[brands["poco"]])
    lines = basket(brands["poco"], "199.99") + basket(brands["xiaomi"], "50.00")
    approval = coupon_check(code="POCO10", user=shopper, store=stores["global"], lines=lines)
    assert (approval.eligible_total, approval.discount) == (Decimal("199.99"), Decimal("20.00"))


def test_codes_are_matched_whatever_the_letter_case_and_surrounding_spaces(shopper, stores, brands):
    CouponFactory(code="WELCOME", kind=Coupon.Kind.FREE_SHIPPING, value=Decimal("0"), currency="")
    approval = coupon_check(code="  welCome ", user=shopper, store=stores["global"], lines=basket(brands["poco"]))
    assert approval.free_shipping


def test_an_alias_redeems_the_same_coupon(shopper, stores, brands):
    alias = CouponAliasFactory(code="POCOD00005")
    approval = coupon_check(code="pocod00005", user=shopper, store=stores["global"], lines=basket(brands["poco"]))
    assert approval.coupon == alias.coupon


def test_codes_are_unique_whatever_the_letter_case():
    CouponFactory(code="SUMMER")
    with pytest.raises(IntegrityError), transaction.atomic():
        CouponFactory(code="summer")
    CouponAliasFactory(code="OLDCODE")
    with pytest.raises(IntegrityError), transaction.atomic():
        CouponAliasFactory(code="oldcode")


def test_an_unknown_code_is_refused_naming_the_code(shopper, stores, brands):
    refused = refusal(code="NOPE", user=shopper, store=stores["global"], lines=basket(brands["poco"]))
    assert (refused.code, refused.message) == (
        "unknown", "No coupon has the code “NOPE”. Check the spelling and try again."
    )


def test_a_switched_off_coupon_is_refused(shopper, stores, brands):
    CouponFactory(code="OFF", is_active=False)
    refused = refusal(code="OFF", user=shopper, store=stores["global"], lines=basket(brands["poco"]))
    assert (refused.code, refused.message) == ("inactive", "This coupon is no longer valid.")


def test_a_coupon_not_yet_valid_says_from_when(shopper, stores, brands):
    CouponFactory(code="SOON", valid_from=datetime(2099, 3, 1, tzinfo=UTC), valid_until=None)
    refused = refusal(code="SOON", user=shopper, store=stores["global"], lines=basket(brands["poco"]))
    assert (refused.code, refused.message) == ("not_yet_valid", "This coupon can be used from 1 March 2099.")


def test_an_expired_coupon_says_when_it_expired_in_the_shoppers_language(shopper, stores, brands):
    CouponFactory(code="OLD", valid_from=datetime(2020, 1, 1, tzinfo=UTC), valid_until=datetime(2021, 5, 2, tzinfo=UTC))
    refused = refusal(code="OLD", user=shopper, store=stores["global"], lines=basket(brands["poco"]))
    assert (refused.code, refused.message) == ("expired", "This coupon expired on 2 May 2021.")
    with translation.override("fr"):
        refused = refusal(code="OLD", user=shopper, store=stores["fr"], lines=basket(brands["poco"]))
    assert refused.message == "Ce bon de réduction a expiré le 2 mai 2021."


def test_a_coupon_used_as_often_as_it_allows_is_refused(shopper, stores, brands):
    coupon = CouponFactory(code="ONCE", usage_limit=1)
    Redemption.objects.create(coupon=coupon, user=UserFactory(), status="confirmed", amount=5, currency="USD",
                              confirmed_at=timezone.now())
    refused = refusal(code="ONCE", user=shopper, store=stores["global"], lines=basket(brands["poco"]))
    assert (refused.code, refused.message) == (
        "used_up", "This coupon has already been used as many times as it allows."
    )


def test_a_lapsed_reservation_no_longer_holds_a_use(shopper, stores, brands):
    coupon = CouponFactory(code="ONCE", usage_limit=1)
    Redemption.objects.create(coupon=coupon, user=UserFactory(), status="reserved", amount=5, currency="USD",
                              reserved_until=timezone.now() - timedelta(minutes=1))
    assert coupon_check(code="ONCE", user=shopper, store=stores["global"], lines=basket(brands["poco"]))


def test_a_customer_over_their_own_limit_is_refused(shopper, stores, brands):
    coupon = CouponFactory(code="TWICE", per_customer_limit=2)
    for _ in range(2):
        Redemption.objects.create(coupon=coupon, user=shopper, status="confirmed", amount=5, currency="USD",
                                  confirmed_at=timezone.now())
    refused = refusal(code="TWICE", user=shopper, store=stores["global"], lines=basket(brands["poco"]))
    assert (refused.code, refused.message) == (
        "used_up_by_you", "You have already used this coupon 2 times, as many as it allows per customer."
    )
    assert coupon_check(code="TWICE", user=UserFactory(), store=stores["global"], lines=basket(brands["poco"]))


def test_a_personal_coupon_refuses_anyone_but_its_owner(shopper, stores, brands):
    CouponFactory(code="MINE", owner=shopper)
    refused = refusal(code="MINE", user=UserFactory(), store=stores["global"], lines=basket(brands["poco"]))
    assert (refused.code, refused.message) == ("not_yours", "This coupon belongs to another customer.")
    assert coupon_check(code="MINE", user=shopper, store=stores["global"], lines=basket(brands["poco"]))


def test_a_personal_coupon_asks_a_guest_to_sign_in(stores, brands):
    CouponFactory(code="MINE", owner=UserFactory())
    refused = refusal(code="MINE", user=None, store=stores["global"], lines=basket(brands["poco"]))
    assert (refused.code, refused.message) == ("sign_in", "Sign in to use this coupon.")


def test_a_coupon_for_another_store_is_refused(shopper, stores, brands):
    CouponFactory(code="UKONLY", currency="GBP", stores=[stores["uk"]])
    refused = refusal(code="UKONLY", user=shopper, store=stores["fr"], lines=basket(brands["poco"]))
    assert (refused.code, refused.message) == ("wrong_store", "This coupon cannot be used in this store.")


def test_a_coupon_in_another_currency_is_refused(shopper, stores, brands):
    CouponFactory(code="EUROS", currency="EUR")
    refused = refusal(code="EUROS", user=shopper, store=stores["uk"], lines=basket(brands["poco"]))
    assert (refused.code, refused.message) == ("wrong_currency", "This coupon is for orders in EUR.")


def test_a_coupon_for_another_brand_is_refused_naming_its_brands(shopper, stores, brands):
    CouponFactory(code="POCOONLY", brands=[brands["poco"]])
    refused = refusal(code="POCOONLY", user=shopper, store=stores["global"], lines=basket(brands["redmi"]))
    assert (refused.code, refused.message) == ("wrong_brand", "This coupon is only for POCO products.")


def test_a_coupon_for_a_category_applies_to_its_subcategories_and_refuses_others(shopper, stores, brands, phones):
    CouponFactory(code="PHONES", categories=[phones])
    assert coupon_check(code="PHONES", user=shopper, store=stores["global"],
                        lines=basket(brands["poco"], category_path="smartphones/poco-f"))
    refused = refusal(code="PHONES", user=shopper, store=stores["global"],
                      lines=basket(brands["poco"], category_path="smartphones-accessories"))
    assert (refused.code, refused.message) == ("wrong_category", "This coupon is only for products in Smartphones.")


def test_a_basket_under_the_minimum_is_refused_with_both_amounts(shopper, stores, brands):
    CouponFactory(code="MIN50", currency="GBP", min_order_amount=Decimal("50.00"))
    refused = refusal(code="MIN50", user=shopper, store=stores["uk"], lines=basket(brands["poco"], "49.99"))
    assert (refused.code, refused.message) == (
        "minimum_not_met",
        "This coupon needs an order of at least £50.00; the items it applies to come to £49.99.",
    )


def test_an_empty_basket_is_refused(shopper, stores):
    CouponFactory(code="SAVE5")
    refused = refusal(code="SAVE5", user=shopper, store=stores["global"], lines=[])
    assert (refused.code, refused.message) == ("empty_basket", "Your basket is empty.")


@pytest.mark.parametrize(("outcome", "message"), [
    ("used", "This POCO coupon was already used before the move to the Xiaomi store."),
    ("expired", "This POCO coupon had expired before the move to the Xiaomi store."),
    ("revoked", "This POCO coupon was revoked before the move to the Xiaomi store."),
])
def test_a_poco_coupon_kept_as_history_refuses_with_the_reason(shopper, stores, brands, outcome, message):
    LegacyCoupon.objects.create(
        legacy_id="K1", code="POCOC00000", portal="fr", kind="fixed", value=5, currency="EUR", min_order_amount=50,
        valid_from=datetime(2023, 1, 1, tzinfo=UTC), valid_until=datetime(2024, 1, 1, tzinfo=UTC), usage_limit=1,
        times_used=0, legacy_status=outcome, outcome=outcome, fingerprint="x",
    )
    refused = refusal(code="pococ00000", user=shopper, store=stores["fr"], lines=basket(brands["poco"]))
    assert (refused.code, refused.message) == (f"legacy_{outcome}", message)


def test_checking_a_coupon_runs_a_fixed_number_of_queries(shopper, stores, brands, django_assert_num_queries):
    CouponFactory(code="SAVE5", brands=[brands["poco"]], stores=[stores["global"]])
    with django_assert_num_queries(5):  # coupon by code, its brands, categories, stores; the uses
        coupon_check(code="save5", user=shopper, store=stores["global"], lines=basket(brands["poco"]) * 30)


def test_a_guest_can_use_a_public_coupon(stores, brands):
    from django.contrib.auth.models import AnonymousUser

    CouponFactory(code="PUBLIC", usage_limit=10)
    assert coupon_check(code="PUBLIC", user=AnonymousUser(), store=stores["global"], lines=basket(brands["poco"]))
    assert coupon_check(code="PUBLIC", user=None, store=stores["global"], lines=basket(brands["poco"]))
