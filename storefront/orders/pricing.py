"""The amounts of an order, computed on the server from catalog prices and the store's rules.

Nothing here reads a request: line prices come from the catalog, never from the client. The two
discounts come through ports, callables the checkout service hands in:

- `coupon(lines) -> CouponAdjustment`: what a coupon takes off the goods (or free shipping). At checkout
  it is backed by the loyalty app's coupon check or reservation; it raises the refusal itself.
- `points(most) -> PointsAdjustment`: how many Mi Points pay part of the order and what they are worth,
  never more than `most` (the goods after the coupon, plus shipping). `points_to_use` helps write one.

The order of operations: subtotal; minus the coupon (never below zero); shipping (flat per store, free from
a threshold on the goods after the coupon, or by the coupon); minus the points; then the tax. In a store
whose prices include VAT (`ORDERS_VAT_INCLUDED`) the tax is the VAT contained in the total, shown but not
added; elsewhere `ORDERS_TAX_ADDED`'s rate is added on top (0 by default: no tax line).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PricedLine:
    """A cart line priced from the catalog in the store's currency."""

    variant_id: int
    product_id: int
    brand_id: int
    category_path: str
    sku: str
    name: str
    unit_price: Decimal
    quantity: int

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class CouponAdjustment:
    code: str = ""
    discount: Decimal = ZERO
    free_shipping: bool = False
    hold: str = ""  # the loyalty app's id of the coupon use held at checkout ("" when only checked)


@dataclass(frozen=True)
class PointsAdjustment:
    points: int = 0
    amount: Decimal = ZERO
    hold: str = ""  # the loyalty app's id of the points held at checkout ("" when only checked)


NO_COUPON = CouponAdjustment()
NO_POINTS = PointsAdjustment()

CouponPort = Callable[[Sequence[PricedLine]], CouponAdjustment]
PointsPort = Callable[[Decimal], PointsAdjustment]


@dataclass(frozen=True)
class OrderAmounts:
    currency: str
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    free_shipping_from: Decimal
    points: int
    points_amount: Decimal
    tax: Decimal
    tax_rate: Decimal
    tax_included: bool
    total: Decimal
    coupon: CouponAdjustment
    points_adjustment: PointsAdjustment


def store_rate(setting: str, store, *, default=None) -> Decimal:
    """`settings.<setting>[store.code]` as a Decimal; a store missing from it is a configuration error
    unless a default is given."""
    table = getattr(settings, setting)
    if store.code not in table:
        if default is not None:
            return Decimal(default)
        raise ImproperlyConfigured(f"settings.{setting} has no entry for the store '{store.code}'.")
    return Decimal(str(table[store.code]))


def tax_rule(store) -> tuple[Decimal, bool]:
    """(rate, included): VAT included in prices, or a rate added on top (0 when the store has none)."""
    if store.code in settings.ORDERS_VAT_INCLUDED:
        return store_rate("ORDERS_VAT_INCLUDED", store), True
    return store_rate("ORDERS_TAX_ADDED", store, default="0"), False


def shipping_cost(store, goods: Decimal, *, free_by_coupon: bool = False, has_lines: bool = True) -> Decimal:
    free_from = store_rate("ORDERS_FREE_SHIPPING_FROM", store)
    if not has_lines or free_by_coupon or goods >= free_from:
        return ZERO
    return store_rate("ORDERS_SHIPPING_FLAT_RATE", store)


def points_per_unit(store) -> Decimal:
    return store_rate("ORDERS_POINTS_PER_CURRENCY_UNIT", store)


def points_to_use(store, *, requested: int, most: Decimal) -> PointsAdjustment:
    """Of `requested` points, as many as pay at most `most`; whole points only, rounded down."""
    per_unit = points_per_unit(store)
    affordable = int((most * per_unit).to_integral_value(rounding=ROUND_DOWN))
    points = max(0, min(requested, affordable))
    return PointsAdjustment(points=points, amount=points_value(store, points))


def points_value(store, points: int) -> Decimal:
    return (Decimal(points) / points_per_unit(store)).quantize(CENT, rounding=ROUND_DOWN)


def points_earned(store, paid: Decimal) -> int:
    """The Mi Points an order paying `paid` in money earns (rounded down)."""
    rate = store_rate("ORDERS_POINTS_EARNED_PER_CURRENCY_UNIT", store)
    return int((paid * rate).to_integral_value(rounding=ROUND_DOWN))


def order_amounts(*, store, lines: Sequence[PricedLine], coupon: CouponPort | None = None,
                  points: PointsPort | None = None) -> OrderAmounts:
    subtotal = sum((line.total for line in lines), ZERO)
    coupon_adjustment = coupon(lines) if coupon is not None else NO_COUPON
    discount = min(coupon_adjustment.discount, subtotal)
    goods = subtotal - discount
    shipping = shipping_cost(store, goods, free_by_coupon=coupon_adjustment.free_shipping, has_lines=bool(lines))
    due = goods + shipping
    points_adjustment = points(due) if points is not None else NO_POINTS
    if points_adjustment.amount > due:
        raise ValueError(f"Points worth {points_adjustment.amount} cannot pay an order of {due}.")
    taxable = due - points_adjustment.amount
    rate, included = tax_rule(store)
    if included:
        tax = (taxable - taxable / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
        total = taxable
    else:
        tax = (taxable * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        total = taxable + tax
    return OrderAmounts(
        currency=store.currency, subtotal=subtotal, discount=discount, shipping=shipping,
        free_shipping_from=store_rate("ORDERS_FREE_SHIPPING_FROM", store),
        points=points_adjustment.points, points_amount=points_adjustment.amount, tax=tax, tax_rate=rate,
        tax_included=included, total=total, coupon=coupon_adjustment, points_adjustment=points_adjustment,
    )
