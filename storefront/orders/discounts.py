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

from loyalty import selectors as loyalty_selectors
from loyalty import services as loyalty_services
from loyalty.models import Coupon, Redemption

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


class MiLoyaltyProgramme:
    """The loyalty app's coupons and Mi Points (docs/loyalty.md), as checkout uses them.

    A coupon use is held with `coupon_reserve` (the hold is the Redemption's id), confirmed with the
    order or released. Points have no hold in the loyalty app: holding them spends them at once with
    `points_redeem` (the customer's points account is locked, so two checkouts never spend the same points;
    the ledger entry names the checkout), and releasing them credits them back with `points_adjust`, a new
    lot with a reason on the ledger. Both moves are in the ledger.
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

    def points_hold(self, *, user, points, reference):
        entry = loyalty_services.points_redeem(
            user=user, points=points, reason=f"Checkout {reference}"
        )
        return str(entry.pk)

    def points_confirm(self, *, hold, order):
        """The points were spent when held; the checkout links the ledger entry to the order."""

    def points_release(self, *, hold, user, points, reference):
        loyalty_services.points_adjust(
            user=user, delta=points, by=None,
            reason=f"Returned: checkout {reference} was not paid",
        )

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
