from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from loyalty.exceptions import CouponRefused, RedemptionStateError
from loyalty.models import Redemption
from loyalty.services import CartLine, coupon_redemption_confirm, coupon_reservation_release, coupon_reserve
from tests.factories import OrderFactory, UserFactory

from .factories import CouponFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(brands):
    return [CartLine(brand_id=brands["poco"].pk, category_path="phones", total=Decimal("80.00"))]


def test_reserving_holds_one_use_with_the_discount_until_the_deadline(settings, stores, lines):
    settings.LOYALTY_COUPON_RESERVATION_MINUTES = 15
    CouponFactory(code="SAVE5", usage_limit=1)
    shopper = UserFactory()
    before = timezone.now()
    held = coupon_reserve(code="save5", user=shopper, store=stores["global"], lines=lines)

    assert (held.status, held.amount, held.currency, held.user) == ("reserved", Decimal("5.00"), "USD", shopper)
    assert held.reserved_until - before >= timedelta(minutes=15)
    with pytest.raises(CouponRefused) as refused:
        coupon_reserve(code="SAVE5", user=UserFactory(), store=stores["global"], lines=lines)
    assert refused.value.code == "used_up"


def test_a_customer_reserving_again_replaces_their_own_hold(stores, lines):
    CouponFactory(code="SAVE5", usage_limit=1)
    shopper = UserFactory()
    first = coupon_reserve(code="SAVE5", user=shopper, store=stores["global"], lines=lines)
    second = coupon_reserve(code="SAVE5", user=shopper, store=stores["global"], lines=lines)
    first.refresh_from_db()
    assert (first.status, second.status) == ("released", "reserved")


def test_confirming_ties_the_use_to_the_order_and_again_changes_nothing(stores, lines):
    CouponFactory(code="SAVE5")
    shopper = UserFactory()
    held = coupon_reserve(code="SAVE5", user=shopper, store=stores["global"], lines=lines)
    order = OrderFactory(user=shopper)

    confirmed = coupon_redemption_confirm(redemption=held, order=order)
    assert (confirmed.status, confirmed.order) == ("confirmed", order)
    assert confirmed.confirmed_at is not None
    assert coupon_redemption_confirm(redemption=held, order=order).pk == confirmed.pk
    with pytest.raises(RedemptionStateError):
        coupon_redemption_confirm(redemption=held, order=OrderFactory(user=shopper))


def test_a_released_reservation_gives_the_use_back_and_cannot_be_confirmed(stores, lines):
    CouponFactory(code="SAVE5", usage_limit=1)
    held = coupon_reserve(code="SAVE5", user=UserFactory(), store=stores["global"], lines=lines)
    released = coupon_reservation_release(redemption=held)
    assert released.status == "released"
    assert coupon_reservation_release(redemption=held).status == "released"
    with pytest.raises(RedemptionStateError) as refused:
        coupon_redemption_confirm(redemption=held, order=OrderFactory())
    assert refused.value.message == "This coupon reservation was released; apply the coupon again."
    assert coupon_reserve(code="SAVE5", user=UserFactory(), store=stores["global"], lines=lines)


def test_a_confirmed_use_cannot_be_released(stores, lines):
    CouponFactory(code="SAVE5")
    held = coupon_reserve(code="SAVE5", user=UserFactory(), store=stores["global"], lines=lines)
    coupon_redemption_confirm(redemption=held, order=OrderFactory())
    with pytest.raises(RedemptionStateError):
        coupon_reservation_release(redemption=held)


def test_a_lapsed_reservation_is_confirmed_only_while_the_coupon_has_a_use_left(stores, lines):
    CouponFactory(code="SAVE5", usage_limit=1)
    late = coupon_reserve(code="SAVE5", user=UserFactory(), store=stores["global"], lines=lines)
    Redemption.objects.filter(pk=late.pk).update(reserved_until=timezone.now() - timedelta(minutes=1))
    taker = coupon_reserve(code="SAVE5", user=UserFactory(), store=stores["global"], lines=lines)
    coupon_redemption_confirm(redemption=taker, order=OrderFactory())

    with pytest.raises(CouponRefused) as refused:
        coupon_redemption_confirm(redemption=late, order=OrderFactory())
    assert refused.value.code == "used_up"


def test_a_refused_reservation_writes_nothing(stores, lines):
    CouponFactory(code="MINE", owner=UserFactory())
    with pytest.raises(CouponRefused):
        coupon_reserve(code="MINE", user=UserFactory(), store=stores["global"], lines=lines)
    assert not Redemption.objects.exists()
