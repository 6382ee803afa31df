"""The seam between checkout and the loyalty app (coupons and Mi Points).

Checkout only talks to a `LoyaltyProgramme`: check a coupon, hold one of its uses while the payment runs,
then confirm it with the order or release it; the same for points; and credit the points an order earns.
Holds are identified by an opaque string the checkout keeps (`Checkout.coupon_hold`, `points_hold`).
ORDERS_LOYALTY_PROGRAMME names the implementation; refusals are `ValidationError`s whose message is shown
to the shopper as it is.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from loyalty import selectors as loyalty_selectors
from loyalty import services as loyalty_services
from loyalty.exceptions import PointsHoldStateError
from loyalty.models import Coupon, PointsHold, Redemption

from .pricing import CouponAdjustment, PricedLine


class LoyaltyProgramme(Protocol):
    def coupon_check(self, *, code: str, user, store, lines: Sequence[PricedLine]) -> CouponAdjustment:
        """What the coupon takes off these lines, or a refusal saying why it cannot be used. Writes nothing."""

    def coupon_hold(self, *, code: str, user, store, lines: Sequence[PricedLine]) -> CouponAdjustment:
        """As `coupon_check`, and holds one use of the coupon (`hold` set) until confirmed or released."""

    def coupon_confirm(self, *, hold: str, order) -> None: ...

    def coupon_release(self, *, hold: str) -> None: ...

    def points_balance(self, *, user) -> int:
        """The points the customer can spend now."""

    def points_hold(self, *, user, points: int, reference: str, expires_at: datetime) -> str:
        """Sets `points` of the customer's balance aside for a checkout until `expires_at` (a refusal when
        they have fewer), until confirmed or released."""

    def points_confirm(self, *, hold: str, order) -> bool:
        """Spends the held points on the order; False (and nothing spent) when the programme released the
        hold meanwhile, which it may do once the hold is well past its `expires_at`."""

    def points_release(self, *, hold: str) -> None:
        """Gives held points back to the customer as they were (payment failed or checkout abandoned)."""

    def points_earn(self, *, user, points: int, order) -> None: ...


class MiLoyaltyProgramme:
    """The loyalty app's coupons and Mi Points (docs/loyalty.md), as checkout uses them.

    A coupon use is held with `coupon_reserve` (the hold is the Redemption's id), confirmed with the
    order or released. Points are held with `points_hold` (the hold is the PointsHold's id; the points
    leave the balance but nothing is written in the ledger), confirmed with `points_hold_confirm` (the
    `redeem` entry, linked to the order) or released with `points_hold_release` (back into the lots they
    came from, with their expiry).
    """

    def coupon_check(self, *, code, user, store, lines):
        approval = loyalty_services.coupon_check(code=code, user=_customer(user), store=store,
                                                 lines=_coupon_lines(lines))
        return CouponAdjustment(code=approval.coupon.code, discount=approval.discount,
                                free_shipping=approval.free_shipping)

    def coupon_hold(self, *, code, user, store, lines):
        redemption = loyalty_services.coupon_reserve(code=code, user=_customer(user), store=store,
                                                     lines=_coupon_lines(lines))
        return CouponAdjustment(code=redemption.coupon.code, discount=redemption.amount,
                                free_shipping=redemption.coupon.kind == Coupon.Kind.FREE_SHIPPING,
                                hold=str(redemption.pk))

    def coupon_confirm(self, *, hold, order):
        loyalty_services.coupon_redemption_confirm(redemption=Redemption.objects.get(pk=hold), order=order)

    def coupon_release(self, *, hold):
        loyalty_services.coupon_reservation_release(redemption=Redemption.objects.get(pk=hold))

    def points_balance(self, *, user):
        return loyalty_selectors.points_balance(user=user)

    def points_hold(self, *, user, points, reference, expires_at):
        hold = loyalty_services.points_hold(user=user, points=points, reference=f"Checkout {reference}",
                                            expires_at=expires_at)
        return str(hold.pk)

    def points_confirm(self, *, hold, order):
        try:
            loyalty_services.points_hold_confirm(hold=PointsHold.objects.get(pk=hold), order=order)
        except PointsHoldStateError as error:
            if error.code == "released":  # by the expiry run, the checkout sweep having not run for long
                return False
            raise
        return True

    def points_release(self, *, hold):
        loyalty_services.points_hold_release(hold=PointsHold.objects.get(pk=hold))

    def points_earn(self, *, user, points, order):
        loyalty_services.points_earn(user=user, points=points, order=order,
                                     reason=f"Order {order.number}")


def _customer(user):
    return user if user is not None and user.is_authenticated else None


def _coupon_lines(lines: Sequence[PricedLine]) -> list:
    return [loyalty_services.CartLine(brand_id=line.brand_id, category_path=line.category_path, total=line.total)
            for line in lines]


def loyalty_programme() -> LoyaltyProgramme:
    return import_string(settings.ORDERS_LOYALTY_PROGRAMME)()
