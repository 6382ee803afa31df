"""The seam between checkout and the loyalty app (coupons and Mi Points).

Checkout only talks to a `LoyaltyProgramme`: check a coupon, hold one of its uses while the payment runs,
then confirm it with the order or release it; the same for points; and credit the points an order earns.
Holds are identified by an opaque string the checkout keeps (`Checkout.coupon_hold`, `points_hold`).
ORDERS_LOYALTY_PROGRAMME names the implementation; refusals are `ValidationError`s whose message is shown
to the shopper as it is.
"""

from collections.abc import Sequence
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .exceptions import CheckoutRefused
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

    def points_hold(self, *, user, points: int, reference: str) -> str:
        """Takes `points` from the customer's balance for a checkout (a refusal when they have fewer)."""

    def points_confirm(self, *, hold: str, order) -> None: ...

    def points_release(self, *, hold: str, user, points: int, reference: str) -> None:
        """Gives held points back to the customer (payment failed or checkout abandoned)."""

    def points_earn(self, *, user, points: int, order) -> None: ...


class WithoutLoyaltyProgramme:
    """The programme while the loyalty app is not wired in: no coupon is accepted and nobody holds points.

    Every coupon is refused with a message that says so; the points balance is 0, so asking for points is
    refused by checkout's own balance check; nothing is earned. No hold is ever made, so there is never
    one to confirm or release.
    """

    def coupon_check(self, *, code, user, store, lines):
        raise CheckoutRefused(_("Coupons cannot be used in this store yet."), code="coupons_unavailable")

    def coupon_hold(self, *, code, user, store, lines):
        return self.coupon_check(code=code, user=user, store=store, lines=lines)

    def coupon_confirm(self, *, hold, order):
        raise RuntimeError("No coupon use is ever held without the loyalty programme.")

    def coupon_release(self, *, hold):
        raise RuntimeError("No coupon use is ever held without the loyalty programme.")

    def points_balance(self, *, user):
        return 0

    def points_hold(self, *, user, points, reference):
        raise RuntimeError("No points are ever held without the loyalty programme.")

    def points_confirm(self, *, hold, order):
        raise RuntimeError("No points are ever held without the loyalty programme.")

    def points_release(self, *, hold, user, points, reference):
        raise RuntimeError("No points are ever held without the loyalty programme.")

    def points_earn(self, *, user, points, order):
        """Nothing to credit without the programme."""


def loyalty_programme() -> LoyaltyProgramme:
    return import_string(settings.ORDERS_LOYALTY_PROGRAMME)()
