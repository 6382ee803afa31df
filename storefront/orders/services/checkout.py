"""Checkout: price a cart on the server, hold what it needs, take the payment, place the order.

`checkout_place` is the whole flow, in three steps:

1. `checkout_reserve` (one transaction): prices the cart from the catalog, takes the units off the store's
   stock (`UPDATE ... SET quantity = quantity - n WHERE quantity >= n`, so stock never goes below zero even
   when many checkouts race), holds a use of the coupon and the points, and records a `Checkout`.
2. The payment provider charges the card, outside any transaction (a slow provider blocks no row).
3. Approved: `checkout_complete` (one transaction) writes the order with its number in the store's series,
   confirms the coupon use, credits the points earned, empties the cart and queues the confirmation e-mail.
   Declined, invalid, or anything raised between 1 and 3: `checkout_release` gives everything back.

A checkout nobody finishes (the process died mid-payment) is released by `checkouts_release_expired`
once its hold (ORDERS_CHECKOUT_HOLD_MINUTES) has passed; a Celery beat task and a command run it.
Every step is safe to run twice: a checkout moves out of `reserved` once, by a conditional update.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from storefront.accounts.models import normalize_email
from storefront.catalog.models import Stock
from storefront.mail import email_send_on_commit

from .. import pricing, selectors
from ..discounts import LoyaltyProgramme, loyalty_programme
from ..exceptions import CheckoutRefused, PaymentFailed
from ..models import Cart, Checkout, CheckoutLine, Order, OrderLine, OrderNumberSeries
from ..payments import Card, PaymentProvider, PaymentResult, payment_provider
from .cart import cart_lines_remove_ordered

logger = logging.getLogger(__name__)

ADDRESS_KEYS = ("name", "line1", "line2", "city", "postcode", "country", "phone")


@dataclass(frozen=True)
class CheckoutDetails:
    """What the shopper chose at checkout. Amounts are never part of it: the server computes them."""

    email: str
    shipping_address: dict
    billing_address: dict | None = None
    coupon_code: str = ""
    points: int = 0
    language: str = "en"


def address_snapshot(address) -> dict:
    """An address (book entry or dict) in the contract's shape, as an order keeps it."""
    get = address.get if isinstance(address, dict) else (lambda key: getattr(address, key, ""))
    return {key: (get(key) or None) if key in ("line2", "phone") else (get(key) or "") for key in ADDRESS_KEYS}


def _priced_cart(cart: Cart) -> list[pricing.PricedLine]:
    """The cart's lines priced from the catalog; refuses an empty cart or one holding what is not sold here."""
    lines = list(selectors.cart_lines(cart))
    if not lines:
        raise CheckoutRefused(_("Your cart is empty."), code="empty_cart")
    unsellable = [line.variant.product.name for line in lines if not selectors.line_is_sellable(line)]
    if unsellable:
        raise CheckoutRefused(
            _("%(products)s can no longer be bought in this store; remove it from your cart.")
            % {"products": ", ".join(unsellable)},
            code="not_sold",
        )
    return [selectors.priced_line(line) for line in lines]


def _points_port(*, store, user, requested: int, programme: LoyaltyProgramme, hold_reference: str | None,
                 hold_until: datetime | None = None):
    """The points adjustment: checks the balance; holds the points (until `hold_until`) when
    `hold_reference` is given."""
    if requested < 0:
        raise CheckoutRefused(_("The number of points cannot be negative."), code="invalid_points")
    if requested == 0:
        return None
    if user is None or not user.is_authenticated:
        raise CheckoutRefused(_("Sign in to pay with Mi Points."), code="sign_in")
    balance = programme.points_balance(user=user)
    if requested > balance:
        raise CheckoutRefused(
            ngettext(
                "You have %(balance)d Mi Point; you asked to use %(points)d.",
                "You have %(balance)d Mi Points; you asked to use %(points)d.",
                balance,
            ) % {"balance": balance, "points": requested},
            code="not_enough_points",
        )

    def adjust(most):
        adjustment = pricing.points_to_use(store, requested=requested, most=most)
        if hold_reference is None or adjustment.points == 0:
            return adjustment
        hold = programme.points_hold(user=user, points=adjustment.points, reference=hold_reference,
                                     expires_at=hold_until)
        return pricing.PointsAdjustment(points=adjustment.points, amount=adjustment.amount, hold=hold)

    return adjust


def _coupon_port(*, store, user, code: str, programme: LoyaltyProgramme, hold: bool):
    code = (code or "").strip()
    if not code:
        return None
    if hold:
        return lambda lines: programme.coupon_hold(code=code, user=user, store=store, lines=lines)
    return lambda lines: programme.coupon_check(code=code, user=user, store=store, lines=lines)


def checkout_preview(*, cart: Cart, user, coupon_code: str = "", points: int = 0,
                     programme: LoyaltyProgramme | None = None) -> pricing.OrderAmounts:
    """The amounts the order would have now, with the coupon checked and the points balance checked.
    Writes nothing; refusals (coupon, points, cart) are raised with their message."""
    programme = programme or loyalty_programme()
    store = cart.store
    return pricing.order_amounts(
        store=store, lines=_priced_cart(cart),
        coupon=_coupon_port(store=store, user=user, code=coupon_code, programme=programme, hold=False),
        points=_points_port(store=store, user=user, requested=points, programme=programme, hold_reference=None),
    )


def _take_stock(*, store, lines: list[pricing.PricedLine]) -> None:
    """Takes every line's units off the store's stock, or refuses naming the first line short of it.

    Each decrement is one conditional UPDATE, atomic on PostgreSQL and SQLite alike; variants are taken in
    id order so two checkouts of the same variants never deadlock.
    """
    for line in sorted(lines, key=lambda line: line.variant_id):
        taken = Stock.objects.filter(variant_id=line.variant_id, store=store, quantity__gte=line.quantity).update(
            quantity=F("quantity") - line.quantity
        )
        if not taken:
            available = (
                Stock.objects.filter(variant_id=line.variant_id, store=store).values_list("quantity", flat=True)
                .first() or 0
            )
            if available == 0:
                raise CheckoutRefused(
                    _("%(product)s is out of stock; remove it from your cart.") % {"product": line.name},
                    code="out_of_stock",
                )
            raise CheckoutRefused(
                ngettext(
                    "Only %(available)d unit of %(product)s is left; your cart has %(quantity)d.",
                    "Only %(available)d units of %(product)s are left; your cart has %(quantity)d.",
                    available,
                ) % {"available": available, "product": line.name, "quantity": line.quantity},
                code="not_enough_stock",
            )


def _give_stock_back(checkout: Checkout) -> None:
    for line in sorted(checkout.lines.all(), key=lambda line: line.variant_id):
        Stock.objects.filter(variant_id=line.variant_id, store_id=checkout.store_id).update(
            quantity=F("quantity") + line.quantity
        )


@transaction.atomic
def checkout_reserve(*, cart: Cart, user, details: CheckoutDetails, programme: LoyaltyProgramme | None = None,
                     now: datetime | None = None) -> Checkout:
    """Prices the cart and holds its stock, coupon use and points for ORDERS_CHECKOUT_HOLD_MINUTES.

    Refuses (and holds nothing) when the cart is empty or sells what the store no longer sells, a line is
    short of stock, the coupon is refused, or the customer has fewer points than asked.
    """
    programme = programme or loyalty_programme()
    now = now or timezone.now()
    user = user if user is not None and user.is_authenticated else None
    email = normalize_email(user.email if user is not None else details.email)
    if not email:
        raise CheckoutRefused(_("Give the e-mail address for your order confirmation."), code="email_required")
    Cart.objects.select_for_update().filter(pk=cart.pk).first()  # one checkout of a cart at a time
    store = cart.store
    lines = _priced_cart(cart)
    _take_stock(store=store, lines=lines)
    reference = uuid.uuid4()
    expires_at = now + timedelta(minutes=settings.ORDERS_CHECKOUT_HOLD_MINUTES)
    amounts = pricing.order_amounts(
        store=store, lines=lines,
        coupon=_coupon_port(store=store, user=user, code=details.coupon_code, programme=programme, hold=True),
        points=_points_port(store=store, user=user, requested=details.points, programme=programme,
                            hold_reference=str(reference), hold_until=expires_at),
    )
    checkout = Checkout.objects.create(
        reference=reference, store=store, user=user, cart=cart, email=email, language=details.language,
        expires_at=expires_at, currency=amounts.currency,
        subtotal=amounts.subtotal, discount=amounts.discount, shipping=amounts.shipping, points=amounts.points,
        points_amount=amounts.points_amount, tax=amounts.tax, tax_included=amounts.tax_included,
        total=amounts.total, coupon_code=amounts.coupon.code, coupon_hold=amounts.coupon.hold,
        points_hold=amounts.points_adjustment.hold, shipping_address=address_snapshot(details.shipping_address),
        billing_address=address_snapshot(details.billing_address) if details.billing_address else None,
        created_at=now,
    )
    CheckoutLine.objects.bulk_create(
        CheckoutLine(checkout=checkout, variant_id=line.variant_id, product_id=line.product_id, sku=line.sku,
                     name=line.name, quantity=line.quantity, unit_price=line.unit_price, position=position)
        for position, line in enumerate(lines)
    )
    return checkout


@transaction.atomic
def checkout_release(*, checkout: Checkout, reason: str, programme: LoyaltyProgramme | None = None,
                     now: datetime | None = None) -> bool:
    """Gives back the stock, coupon use and points a reserved checkout holds. Only the first call for a
    checkout does anything (answers True); a completed or released checkout is left as it is."""
    now = now or timezone.now()
    moved = Checkout.objects.filter(pk=checkout.pk, status=Checkout.Status.RESERVED).update(
        status=Checkout.Status.RELEASED, ended_at=now, release_reason=reason[:200]
    )
    if not moved:
        return False
    programme = programme or loyalty_programme()
    _give_stock_back(checkout)
    if checkout.coupon_hold:
        programme.coupon_release(hold=checkout.coupon_hold)
    if checkout.points_hold:
        programme.points_release(hold=checkout.points_hold)
    checkout.status = Checkout.Status.RELEASED
    return True


@transaction.atomic
def order_number_next(*, store, year: int) -> str:
    """The next number of the store's series for the year: "MI-UK-2026-000001". Locks the series row, so
    concurrent orders get distinct numbers (Order.number is unique besides); called outside a transaction,
    the lock lasts only this short transaction of its own."""
    series, _created = OrderNumberSeries.objects.select_for_update().get_or_create(store=store, year=year)
    series.last = F("last") + 1
    series.save(update_fields=["last"])
    series.refresh_from_db(fields=["last"])
    return f"MI-{store.code.upper()}-{year}-{series.last:06d}"


class CheckoutLapsed(CheckoutRefused):
    """The checkout was released (its hold passed) before the payment came back."""


def _lapsed() -> CheckoutLapsed:
    return CheckoutLapsed(_("Your checkout was held too long and has been released."), code="checkout_released")


def checkout_complete(*, checkout: Checkout, payment: PaymentResult, programme: LoyaltyProgramme | None = None,
                      now: datetime | None = None) -> Order:
    """Writes the order of a reserved checkout whose payment was approved.

    The order number is taken first, in its own short transaction when called outside one (as `checkout_pay`
    does): the store's series row stays locked only for that, not while the order, coupon, points and e-mail
    are written. Holding it that long made every checkout of a store wait in line behind the others (docs/
    benchmarks.md, "Checkout": p95 near 10 s under 16 clients). The price: a completion that fails after
    taking its number leaves a gap in the series.
    """
    now = now or timezone.now()
    if not Checkout.objects.filter(pk=checkout.pk, status=Checkout.Status.RESERVED).exists():
        raise _lapsed()
    number = order_number_next(store=checkout.store, year=now.year)
    return _order_write(checkout=checkout, payment=payment, number=number, programme=programme, now=now)


@transaction.atomic
def _order_write(*, checkout: Checkout, payment: PaymentResult, number: str, programme: LoyaltyProgramme | None,
                 now: datetime) -> Order:
    programme = programme or loyalty_programme()
    current = Checkout.objects.select_for_update(of=("self",)).select_related("store", "user").get(pk=checkout.pk)
    if current.status != Checkout.Status.RESERVED:
        raise _lapsed()
    store = current.store
    lines = list(current.lines.all())
    order = Order.objects.create(
        number=number, source=Order.Source.STORE, store=store,
        user=current.user, email=current.email, currency=current.currency, status=Order.Status.PAID,
        placed_at=now, subtotal=current.subtotal, discount=current.discount, shipping=current.shipping,
        points_amount=current.points_amount, tax=current.tax, tax_included=current.tax_included,
        total=current.total, coupon_code=current.coupon_code, points_redeemed=current.points,
        payment_method=payment.method[:40], payment_reference=payment.reference[:80],
        shipping_address=current.shipping_address, billing_address=current.billing_address,
        language=current.language, created_at=now,
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, variant_id=line.variant_id, product_id=line.product_id, sku=line.sku,
                  name=line.name, quantity=line.quantity, unit_price=line.unit_price, position=line.position)
        for line in lines
    )
    current.status = Checkout.Status.COMPLETED
    current.order = order
    current.ended_at = now
    current.save(update_fields=["status", "order", "ended_at"])
    if current.coupon_hold:
        programme.coupon_confirm(hold=current.coupon_hold, order=order)
    if current.points_hold and not programme.points_confirm(hold=current.points_hold, order=order):
        raise CheckoutLapsed(  # the loyalty programme gave the points back long after the checkout's expiry
            _("Your checkout was held too long and has been released."), code="checkout_released"
        )
    if current.user is not None:
        earned = pricing.points_earned(store, order.total)
        if earned:
            programme.points_earn(user=current.user, points=earned, order=order)
    if current.cart_id:
        cart_lines_remove_ordered(cart_id=current.cart_id, variant_ids=[line.variant_id for line in lines])
    order_confirmation_send(order=order)
    return order


def order_confirmation_send(*, order: Order) -> None:
    """The order confirmation e-mail, in the language the customer checked out in, sent on commit."""
    order = selectors.order_with_lines(pk=order.pk)
    with translation.override(order.language or order.store.language):
        context = {"order": order, "store": order.store}
        subject = _("Your order %(number)s") % {"number": order.number}
        body = render_to_string("orders/email/order_placed.txt", context)
    email_send_on_commit(subject=subject, body=body, to=[order.email])


def checkout_pay(*, checkout: Checkout, card: Card, provider: PaymentProvider | None = None,
                 programme: LoyaltyProgramme | None = None) -> Order:
    """Charges the card for a reserved checkout and places the order; on a decline, an invalid card or
    any error, releases everything the checkout held and raises."""
    provider = provider or payment_provider()
    try:
        payment = provider.charge(amount=checkout.total, currency=checkout.currency, card=card,
                                  reference=str(checkout.reference))
    except BaseException:
        checkout_release(checkout=checkout, reason="payment error", programme=programme)
        raise
    if not payment.approved:
        checkout_release(checkout=checkout, reason=f"payment {payment.outcome}", programme=programme)
        raise PaymentFailed(payment.message, code=f"payment_{payment.outcome}")
    try:
        return checkout_complete(checkout=checkout, payment=payment, programme=programme)
    except CheckoutLapsed:
        # The sweep may not have released it (the loyalty programme let its points hold go first).
        checkout_release(checkout=checkout, reason="hold lapsed", programme=programme)
        provider.refund(payment_reference=payment.reference, amount=checkout.total, currency=checkout.currency)
        raise CheckoutLapsed(
            _("Your checkout was held too long and has been released; your payment was refunded. "
              "Please check your cart and try again."),
            code="checkout_released",
        ) from None
    except BaseException:
        logger.exception("Checkout %s: the payment %s was approved but the order could not be written",
                         checkout.reference, payment.reference)
        checkout_release(checkout=checkout, reason="order not written", programme=programme)
        provider.refund(payment_reference=payment.reference, amount=checkout.total, currency=checkout.currency)
        raise


def checkout_place(*, cart: Cart, user, details: CheckoutDetails, card: Card,
                   provider: PaymentProvider | None = None, programme: LoyaltyProgramme | None = None) -> Order:
    """The whole checkout: reserve, pay, place. The order exists only when the payment succeeded."""
    checkout = checkout_reserve(cart=cart, user=user, details=details, programme=programme)
    return checkout_pay(checkout=checkout, card=card, provider=provider, programme=programme)


def checkouts_release_expired(*, now: datetime | None = None, programme: LoyaltyProgramme | None = None) -> int:
    """Releases every reserved checkout whose hold has passed (abandoned mid-payment); returns how many."""
    now = now or timezone.now()
    released = 0
    last_pk = 0
    while True:
        batch = list(
            Checkout.objects.filter(status=Checkout.Status.RESERVED, expires_at__lte=now, pk__gt=last_pk)
            .select_related("user").order_by("pk")[:200]
        )
        if not batch:
            return released
        for checkout in batch:
            released += checkout_release(checkout=checkout, reason="hold expired", programme=programme, now=now)
        last_pk = batch[-1].pk
