"""Simultaneous checkouts with real threads, each on its own connection: only PostgreSQL runs them truly
in parallel (SQLite serializes every writer), so these run there."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from loyalty.models import Redemption
from storefront.catalog.models import Stock
from storefront.orders import services
from storefront.orders.discounts import MiLoyaltyProgramme
from storefront.orders.exceptions import PaymentFailed
from storefront.orders.models import Cart, CartLine, Checkout, Order
from tests.loyalty.factories import CouponFactory

from .conftest import make_variant
from .test_checkout import APPROVED, DECLINED, details

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite serializes writers, so nothing would run at once"),
]


def run_together(works):
    """Runs each callable in its own thread, all released at once; returns what each returned or raised."""
    start = threading.Barrier(len(works))
    outcomes = [None] * len(works)

    def target(index, work):
        try:
            start.wait()
            outcomes[index] = work()
        except Exception as error:  # the outcome under test, reported to the main thread
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i, work)) for i, work in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def guest_carts(store, variant, count, quantity=1):
    carts = []
    for _ in range(count):
        cart = Cart.objects.create(store=store, token=uuid.uuid4())
        CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
        carts.append(cart)
    return carts


def checkout_of(cart, card=APPROVED, **chosen):
    return lambda: services.checkout_place(cart=cart, user=None, details=details(**chosen), card=card)


def test_fifty_checkouts_with_one_single_use_coupon_give_exactly_one_order(transactional_db, stores):
    uk = stores["uk"]
    variant = make_variant(uk, amount="40.00", stock=100)
    CouponFactory(code="ONLYONE", usage_limit=1, currency="GBP", value=Decimal("5.00"))
    carts = guest_carts(uk, variant, 50)

    outcomes = run_together([checkout_of(cart, coupon_code="ONLYONE") for cart in carts])

    orders = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(orders), len(refused)) == (1, 49), outcomes
    assert all("already been used as many times" in " ".join(r.messages) for r in refused)
    assert orders[0].discount == Decimal("5.00")
    assert Redemption.objects.filter(status=Redemption.Status.CONFIRMED).count() == 1
    assert Stock.objects.get(variant=variant, store=uk).quantity == 99


def test_more_checkouts_than_stock_give_exactly_as_many_orders_as_units(transactional_db, stores):
    uk = stores["uk"]
    units, shoppers = 7, 20
    variant = make_variant(uk, stock=units)

    outcomes = run_together([checkout_of(cart) for cart in guest_carts(uk, variant, shoppers)])

    orders = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(orders), len(refused)) == (units, shoppers - units), outcomes
    assert Stock.objects.get(variant=variant, store=uk).quantity == 0
    assert len({order.number for order in orders}) == units
    assert Checkout.objects.filter(status=Checkout.Status.COMPLETED).count() == units


def test_declined_payments_among_simultaneous_checkouts_give_their_units_back(transactional_db, stores):
    uk = stores["uk"]
    variant = make_variant(uk, stock=10)
    carts = guest_carts(uk, variant, 10)

    outcomes = run_together([checkout_of(cart, DECLINED if i % 2 else APPROVED) for i, cart in enumerate(carts)])

    assert sum(isinstance(o, Order) for o in outcomes) == 5
    assert sum(isinstance(o, PaymentFailed) for o in outcomes) == 5
    assert Stock.objects.get(variant=variant, store=uk).quantity == 5
    assert Checkout.objects.filter(status=Checkout.Status.RESERVED).count() == 0


def test_an_order_being_written_does_not_hold_up_the_next_order_number(transactional_db, stores):
    """The series row is locked only while a number is taken, not while the order is written: otherwise
    every checkout of the store waits for the one being written (p95 near 10 s under 16 clients)."""
    uk = stores["uk"]
    CouponFactory(code="PAUSE", currency="GBP", value=Decimal("5.00"))
    cart = guest_carts(uk, make_variant(uk, stock=10), 1)[0]
    writing, written = threading.Event(), threading.Event()

    class PausingProgramme(MiLoyaltyProgramme):
        def coupon_confirm(self, *, hold, order):
            writing.set()
            written.wait(timeout=10)
            super().coupon_confirm(hold=hold, order=order)

    def next_number_meanwhile():
        writing.wait(timeout=10)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                return services.order_number_next(store=uk, year=timezone.now().year)
        finally:
            written.set()

    order, number = run_together([
        lambda: services.checkout_place(cart=cart, user=None, details=details(coupon_code="PAUSE"), card=APPROVED,
                                        programme=PausingProgramme()),
        next_number_meanwhile,
    ])

    year = timezone.now().year
    assert isinstance(order, Order) and order.number == f"MI-UK-{year}-000001", order
    assert number == f"MI-UK-{year}-000002", number
