"""Checkout with the loyalty app's coupons and Mi Points: held before payment, confirmed or given back."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from loyalty import selectors as loyalty_selectors
from loyalty import services as loyalty_services
from loyalty.models import Coupon, PointsEntry, PointsHold, PointsLot, Redemption
from storefront.orders import services
from storefront.orders.exceptions import PaymentFailed
from storefront.orders.models import Cart, CartLine, Checkout, Order
from storefront.orders.payments import TestGateway
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


def lots_of(user):
    """The customer's lots as (remaining, expires_at), first to expire first."""
    return list(PointsLot.objects.filter(account__user=user).order_by("expires_at", "id")
                .values_list("remaining", "expires_at"))


def ledger_of(user):
    return list(PointsEntry.objects.filter(account__user=user).order_by("at", "id").values_list("kind", "delta"))


def earn_two_lots(user):
    """300 points expiring in 10 days and 500 earned today: a checkout spends the first lot first."""
    old = loyalty_services.points_earn(user=user, points=300, earned_at=timezone.now() - timedelta(days=355))
    loyalty_services.points_earn(user=user, points=500)
    return old.lot


def test_a_declined_payment_releases_the_coupon_use_and_the_points(stores, shopper):
    uk = stores["uk"]
    CouponFactory(code="ONCE", usage_limit=1, currency="GBP")
    loyalty_services.points_earn(user=shopper, points=500)
    cart = cart_of(uk, make_variant(uk, amount="30.00"), 1, user=shopper)

    with pytest.raises(PaymentFailed):
        services.checkout_place(cart=cart, user=shopper, details=details(coupon_code="ONCE", points=300),
                                card=DECLINED)

    assert Redemption.objects.get().status == Redemption.Status.RELEASED
    assert PointsHold.objects.get().status == PointsHold.Status.RELEASED
    assert loyalty_selectors.points_balance(user=shopper) == 500
    assert ledger_of(shopper) == [("earn", 500)]  # the points were held, never spent: nothing to record
    # the use is free again: the same coupon goes through with another card
    order = services.checkout_place(cart=cart, user=shopper, details=details(coupon_code="ONCE"), card=APPROVED)
    assert order.discount == Decimal("5.00")


class ExplodingGateway:
    """A provider that fails mid-payment (network down)."""

    def charge(self, **kwargs):
        raise ConnectionError("payment provider unreachable")

    def refund(self, **kwargs):
        raise AssertionError("nothing was charged")


class LateGateway(TestGateway):
    """Approves the payment, but only after the sweep released the checkout (its hold had passed)."""

    def charge(self, **kwargs):
        services.checkouts_release_expired(now=timezone.now() + timedelta(days=1))
        return super().charge(**kwargs)


def _decline(cart, shopper):
    with pytest.raises(PaymentFailed):
        services.checkout_place(cart=cart, user=shopper, details=details(points=400), card=DECLINED)


def _crash(cart, shopper):
    with pytest.raises(ConnectionError):
        services.checkout_place(cart=cart, user=shopper, details=details(points=400), card=APPROVED,
                                provider=ExplodingGateway())


def _abandon(cart, shopper):
    checkout = services.checkout_reserve(cart=cart, user=shopper, details=details(points=400))
    assert PointsHold.objects.get().expires_at == checkout.expires_at
    assert services.checkouts_release_expired(now=checkout.expires_at + timedelta(seconds=1)) == 1


def _approve_too_late(cart, shopper):
    with pytest.raises(ValidationError, match="your payment was refunded"):
        services.checkout_place(cart=cart, user=shopper, details=details(points=400), card=APPROVED,
                                provider=LateGateway())


@pytest.mark.parametrize("fail", [_decline, _crash, _abandon, _approve_too_late],
                         ids=["declined", "crash", "swept", "approved-after-release"])
def test_a_checkout_that_fails_puts_the_points_back_into_their_lots_with_their_expiry(stores, shopper, fail):
    uk = stores["uk"]
    earn_two_lots(shopper)
    before = lots_of(shopper)
    cart = cart_of(uk, make_variant(uk, amount="30.00"), 1, user=shopper)

    fail(cart, shopper)

    assert lots_of(shopper) == before, "same lots, same points, same expiry: no fresh lot"
    assert ledger_of(shopper) == [("earn", 300), ("earn", 500)]
    assert PointsHold.objects.get().status == PointsHold.Status.RELEASED
    assert loyalty_selectors.points_balance(user=shopper) == 800 and not Order.objects.exists()


def test_a_payment_approved_after_loyalty_gave_the_points_back_is_refunded_and_releases_the_rest(
        stores, shopper, settings):
    """The checkout sweep did not run for over LOYALTY_POINTS_HOLD_GRACE_MINUTES: the loyalty expiry run
    released the points hold while the checkout was still reserved."""
    settings.LOYALTY_POINTS_HOLD_GRACE_MINUTES = 60
    uk = stores["uk"]
    CouponFactory(code="ONCE", usage_limit=1, currency="GBP")
    earn_two_lots(shopper)
    before = lots_of(shopper)
    refunds = []

    class VerySlowGateway(TestGateway):
        def charge(self, **kwargs):
            loyalty_services.points_holds_release_abandoned(now=timezone.now() + timedelta(minutes=90))
            return super().charge(**kwargs)

        def refund(self, **kwargs):
            refunds.append(kwargs)

    with pytest.raises(ValidationError, match="your payment was refunded"):
        services.checkout_place(cart=cart_of(uk, make_variant(uk, amount="30.00"), 1, user=shopper), user=shopper,
                                details=details(points=400, coupon_code="ONCE"), card=APPROVED,
                                provider=VerySlowGateway())

    assert len(refunds) == 1 and not Order.objects.exists()
    checkout = Checkout.objects.get()
    assert (checkout.status, checkout.release_reason) == (Checkout.Status.RELEASED, "hold lapsed")
    assert Redemption.objects.get().status == Redemption.Status.RELEASED
    assert lots_of(shopper) == before and ledger_of(shopper) == [("earn", 300), ("earn", 500)]


def test_points_held_by_a_checkout_are_not_available_to_another(stores, shopper):
    uk = stores["uk"]
    loyalty_services.points_earn(user=shopper, points=500)
    cart = cart_of(uk, make_variant(uk, amount="30.00"), 1, user=shopper)
    services.checkout_reserve(cart=cart, user=shopper, details=details(points=400))

    assert loyalty_selectors.points_balance(user=shopper) == 100
    with pytest.raises(ValidationError, match="You have 100 Mi Points; you asked to use 400"):
        services.checkout_reserve(cart=cart, user=shopper, details=details(points=400))
    assert PointsHold.objects.count() == 1


def test_points_pay_part_of_the_order_and_the_order_earns_points(stores, shopper):
    uk = stores["uk"]
    first = earn_two_lots(shopper)
    cart = cart_of(uk, make_variant(uk, amount="60.00"), 1, user=shopper)

    order = services.checkout_place(cart=cart, user=shopper, details=details(points=350), card=APPROVED)

    assert order.points_redeemed == 350 and order.points_amount == Decimal("3.50")
    assert order.total == Decimal("56.50") and order.tax == Decimal("9.42")
    redeemed = PointsEntry.objects.get(kind="redeem")
    checkout = Checkout.objects.get()
    assert (redeemed.delta, redeemed.order, redeemed.reason) == (-350, order, f"Checkout {checkout.reference}")
    assert PointsHold.objects.get().entry == redeemed
    assert [remaining for remaining, _expiry in lots_of(shopper)][:2] == [0, 450]  # the older lot went first
    assert PointsLot.objects.get(pk=first.pk).remaining == 0
    earned = PointsEntry.objects.get(kind="earn", order=order)
    assert earned.delta == 56  # 1 point per pound paid, rounded down
    assert loyalty_selectors.points_balance(user=shopper) == 800 - 350 + 56
    assert loyalty_selectors.points_ledger_sum(user=shopper) == 800 - 350 + 56


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
