"""What must hold after any number of simultaneous checkouts, checked from the database after each run.

Each check reads aggregates (a fixed number of queries, whatever the number of orders) and answers a
`Check` with the figures it compared, so a failure says what is wrong and where.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, F, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from loyalty.models import PointsEntry, PointsLot, Redemption
from storefront.catalog.models import Stock
from storefront.orders.models import Checkout, CheckoutLine, Order, OrderLine

from .checkout_data import PERSONAL_COUPON_PREFIX, Fixture


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _examples(items, limit=3) -> str:
    items = list(items)
    shown = ", ".join(str(item) for item in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def stock_checks(fixture: Fixture) -> list[Check]:
    negative = Stock.objects.filter(quantity__lt=0).count()
    sold = Counter(dict(OrderLine.objects.filter(order__store_id=fixture.store_id).values("variant_id")
                        .annotate(units=Sum("quantity")).values_list("variant_id", "units")))
    now = dict(Stock.objects.filter(store_id=fixture.store_id).values_list("variant_id", "quantity"))
    wrong = [f"variant {variant}: {before} - {sold[variant]} sold != {now.get(variant)}"
             for variant, before in fixture.initial_stock.items() if before - sold[variant] != now.get(variant)]
    hot_left = now.get(fixture.hot_variant_id)
    return [
        Check("stock never negative", negative == 0, f"{negative} stock rows below zero"),
        Check("stock = initial - sold", not wrong,
              _examples(wrong) if wrong else f"{len(fixture.initial_stock)} variants agree; hot variant "
              f"{sold[fixture.hot_variant_id]} of {fixture.hot_units} units sold, {hot_left} left"),
    ]


def coupon_checks(fixture: Fixture) -> list[Check]:
    confirmed = dict(Redemption.objects.filter(status=Redemption.Status.CONFIRMED)
                     .values("coupon__code").annotate(n=Count("id")).values_list("coupon__code", "n"))
    over = [f"{code}: {confirmed.get(code, 0)} uses > limit {limit}"
            for code, limit in fixture.coupon_limits.items() if confirmed.get(code, 0) > limit]
    on_orders = Counter(dict(Order.objects.exclude(coupon_code="").values(code=Lower("coupon_code"))
                             .annotate(n=Count("id")).values_list("code", "n")))
    by_code = Counter({code.lower(): n for code, n in confirmed.items()})
    mismatched = [f"{code}: {by_code[code]} confirmed uses, {on_orders[code]} orders"
                  for code in set(on_orders) | set(by_code) if on_orders[code] != by_code[code]]
    limited = {code: f"{confirmed.get(code, 0)}/{limit}" for code, limit in fixture.coupon_limits.items()
               if not code.startswith(PERSONAL_COUPON_PREFIX)}
    personal = [code for code in fixture.coupon_limits if code.startswith(PERSONAL_COUPON_PREFIX)]
    personal_used = sum(confirmed.get(code, 0) for code in personal)
    return [
        Check("coupon uses <= limit", not over,
              _examples(over) if over else ", ".join(f"{code} {used}" for code, used in limited.items())
              + f", personal {personal_used}/{len(personal)}"),
        Check("confirmed coupon uses = orders with the coupon", not mismatched,
              _examples(mismatched) if mismatched else f"{sum(by_code.values())} uses, each on its order"),
    ]


def points_checks(fixture: Fixture) -> list[Check]:
    ledger = dict(PointsEntry.objects.values("account__user_id").annotate(total=Sum("delta"))
                  .values_list("account__user_id", "total"))
    lots = dict(PointsLot.objects.filter(expires_at__gt=timezone.now()).values("account__user_id")
                .annotate(total=Sum("remaining")).values_list("account__user_id", "total"))
    apart = [f"user {user}: balance {lots.get(user, 0)} != ledger {total}" for user, total in ledger.items()
             if lots.get(user, 0) != total]
    spent = dict(Order.objects.filter(user__isnull=False).values("user_id").annotate(p=Sum("points_redeemed"))
                 .values_list("user_id", "p"))
    earned = dict(PointsEntry.objects.filter(kind=PointsEntry.Kind.EARN, order__isnull=False)
                  .values("account__user_id").annotate(p=Sum("delta")).values_list("account__user_id", "p"))
    unexplained = [
        f"user {user}: ledger {ledger.get(user, 0)} != {opening} opening + {earned.get(user, 0)} earned "
        f"- {spent.get(user, 0)} spent on orders"
        for user, opening in fixture.opening_points.items()
        if ledger.get(user, 0) != opening + earned.get(user, 0) - spent.get(user, 0)
    ]
    return [
        Check("points balance = ledger", not apart,
              _examples(apart) if apart else f"{len(ledger)} accounts agree"),
        Check("ledger = opening + earned - spent on orders", not unexplained,
              _examples(unexplained) if unexplained else "points of unpaid checkouts all came back"),
    ]


def reservation_checks(*, successes: int) -> list[Check]:
    orders = Order.objects.count()
    statuses = Counter(dict(Checkout.objects.values("status").annotate(n=Count("id")).values_list("status", "n")))
    orphans = Order.objects.filter(checkout__isnull=True).count()
    checkout_lines = Counter(
        dict(((order, variant), qty) for order, variant, qty in CheckoutLine.objects.filter(
            checkout__status=Checkout.Status.COMPLETED).values_list("checkout__order_id", "variant_id", "quantity"))
    )
    order_lines = Counter(dict(((order, variant), qty) for order, variant, qty in
                               OrderLine.objects.values_list("order_id", "variant_id", "quantity")))
    totals_apart = Checkout.objects.filter(status=Checkout.Status.COMPLETED).exclude(total=F("order__total")).count()
    open_checkouts = statuses[Checkout.Status.RESERVED]
    open_coupon_holds = Redemption.objects.filter(status=Redemption.Status.RESERVED).count()
    completed = statuses[Checkout.Status.COMPLETED]
    return [
        Check("every order has exactly its reservation completed",
              orphans == 0 and completed == orders and checkout_lines == order_lines and totals_apart == 0,
              f"{orders} orders, {completed} completed checkouts, {orphans} orders without one, "
              f"{totals_apart} with another total, lines {'agree' if checkout_lines == order_lines else 'DIFFER'}"),
        Check("no reservation left open", open_checkouts == 0 and open_coupon_holds == 0,
              f"{open_checkouts} checkouts reserved, {open_coupon_holds} coupon uses reserved, "
              f"{statuses[Checkout.Status.RELEASED]} released"),
        Check("orders = successes the clients saw", orders == successes + 1,
              f"{orders} orders = {successes} successes + 1 warm-up"),
    ]


def invariants_check(fixture: Fixture, *, successes: int) -> list[Check]:
    """Every check, in the order they are printed."""
    return [*stock_checks(fixture), *coupon_checks(fixture), *points_checks(fixture),
            *reservation_checks(successes=successes)]
