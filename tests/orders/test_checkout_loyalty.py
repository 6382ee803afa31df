"""Checkout with the loyalty app's coupons and Mi Points: held before payment, confirmed or given back."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from loyalty import selectors as loyalty_selectors
from loyalty import services as loyalty_services
from loyalty.models import Coupon, PointsEntry, Redemption
from storefront.orders import services
from storefront.orders.exceptions import PaymentFailed
from storefront.orders.models import Cart, CartLine, Order
from tests.factories import UserFactory
from tests.loyalty.factories import CouponFactory

from .conftest import make_variant
from .test_checkout import APPROVED, DECLINED, details


def cart_of(store, variant, quantity=1, user=None):
    owner = {"user": user} if user else {"token": uuid.uuid4()}
    cart = Cart.objects.create(store=store, **owner)
    CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    return cart


def test_a_coupon_takes_its_discount_and_its_use_is_confirmed_with_the_order(stores, shopper):
    uk = stores["uk"]
    CouponFactory(code="SPRING10", kind=Coupon.Kind.PERCENT, value=Decimal("10"), currency="")
    cart = cart_of(uk, make_variant(uk, amount="80.00"), 1, user=shopper)

    order = services.checkout_place(cart=cart, user=shopper, details=details(coupon_code="spring10"), card=APPROVED)

    assert (order.subtotal, order.discount, order.shipping, order.total) == (
        Decimal("80.00"), Decimal("8.00"), Decimal("0.00"), Decimal("72.00"))
    assert order.coupon_code == "SPRING10"
    redemption = Redemption.objects.get()
    assert redemption.status == Redemption.Status.CONFIRMED and redemption.order == order


def test_a_declined_payment_releases_the_coupon_use_and_the_points(stores, shopper):
    uk = stores["uk"]
    CouponFactory(code="ONCE", usage_limit=1, currency="GBP")
    loyalty_services.points_earn(user=shopper, points=500)
    cart = cart_of(uk, make_variant(uk, amount="30.00"), 1, user=shopper)

    with pytest.raises(PaymentFailed):
        services.checkout_place(cart=cart, user=shopper, details=details(coupon_code="ONCE", points=300),
                                card=DECLINED)

    assert Redemption.objects.get().status == Redemption.Status.RELEASED
    assert loyalty_selectors.points_balance(user=shopper) == 500
    kinds = list(PointsEntry.objects.filter(account__user=shopper).order_by("at", "id").values_list("kind", "delta"))
    assert kinds == [("earn", 500), ("redeem", -300), ("adjust", 300)]  # both moves are in the ledger
    # the use is free again: the same coupon goes through with another card
    order = services.checkout_place(cart=cart, user=shopper, details=details(coupon_code="ONCE"), card=APPROVED)
    assert order.discount == Decimal("5.00")


def test_points_pay_part_of_the_order_and_the_order_earns_points(stores, shopper):
    uk = stores["uk"]
    loyalty_services.points_earn(user=shopper, points=1000)
    cart = cart_of(uk, make_variant(uk, amount="60.00"), 1, user=shopper)

    order = services.checkout_place(cart=cart, user=shopper, details=details(points=250), card=APPROVED)

    assert order.points_redeemed == 250 and order.points_amount == Decimal("2.50")
    assert order.total == Decimal("57.50") and order.tax == Decimal("9.58")
    earned = PointsEntry.objects.get(kind="earn", order=order)
    assert earned.delta == 57  # 1 point per pound paid, rounded down
    assert loyalty_selectors.points_balance(user=shopper) == 1000 - 250 + 57


def test_points_asked_beyond_the_order_only_pay_the_order(stores, shopper):
    uk = stores["uk"]
    loyalty_services.points_earn(user=shopper, points=100_000)
    cart = cart_of(uk, make_variant(uk, amount="10.00"), 1, user=shopper)

    order = services.checkout_place(cart=cart, user=shopper, details=details(points=100_000), card=APPROVED)

    assert order.points_redeemed == 1499 and order.total == Decimal("0.00")  # 10.00 + 4.99 shipping
    assert loyalty_selectors.points_balance(user=shopper) == 100_000 - 1499


@pytest.mark.parametrize("coupon, message", [
    (None, "No coupon has the code"),
    ({"valid_from": timezone.now() - timedelta(days=9), "valid_until": timezone.now() - timedelta(days=1)},
     "This coupon expired on"),
    ({"valid_from": timezone.now() + timedelta(days=3), "valid_until": timezone.now() + timedelta(days=9)},
     "This coupon can be used from"),
    ({"usage_limit": 0}, "already been used as many times as it allows"),
    ({"owner": "other"}, "belongs to another customer"),
    ({"min_order_amount": Decimal("500.00")}, "needs an order of at least £500.00"),
    ({"currency": "EUR"}, "This coupon is for orders in EUR"),
    ({"stores": "fr"}, "cannot be used in this store"),
    ({"brands": "xiaomi"}, "only for Xiaomi products"),
])
def test_coupon_refusals_reach_the_shopper_with_their_reason(stores, brands, shopper, coupon, message):
    uk = stores["uk"]
    if coupon is not None:
        terms = {"currency": "GBP", **coupon}
        if terms.get("owner") == "other":
            terms["owner"] = UserFactory()
        if "stores" in terms:
            terms["stores"] = [stores[terms["stores"]]]
        if "brands" in terms:
            terms["brands"] = [brands[terms["brands"]]]
        CouponFactory(code="TRYME", **terms)
    cart = cart_of(uk, make_variant(uk, amount="20.00", brand=brands["poco"]), 1, user=shopper)

    with pytest.raises(ValidationError, match=message):
        services.checkout_preview(cart=cart, user=shopper, coupon_code="TRYME")
    with pytest.raises(ValidationError, match=message):
        services.checkout_place(cart=cart, user=shopper, details=details(coupon_code="TRYME"), card=APPROVED)
    assert not Order.objects.exists()


def test_not_enough_points_is_refused_with_the_balance(stores, shopper):
    uk = stores["uk"]
    loyalty_services.points_earn(user=shopper, points=40)
    cart = cart_of(uk, make_variant(uk), 1, user=shopper)
    with pytest.raises(ValidationError, match="You have 40 Mi Points; you asked to use 100"):
        services.checkout_place(cart=cart, user=shopper, details=details(points=100), card=APPROVED)
