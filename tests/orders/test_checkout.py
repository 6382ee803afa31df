import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from storefront.catalog.models import Stock
from storefront.orders import services
from storefront.orders.exceptions import CheckoutRefused, PaymentFailed
from storefront.orders.models import Cart, CartLine, Checkout, Order
from storefront.orders.payments import Card, PaymentResult, TestGateway
from storefront.orders.tasks import release_expired_checkouts
from tests.accounts.admin_support import assert_changelist_queries_constant
from tests.factories import UserFactory

from .conftest import make_variant

APPROVED = Card(number="4242 4242 4242 4242", expiry="08/29", cvc="123")
DECLINED = Card(number="4000 0000 0000 0002", expiry="08/29", cvc="123")
ADDRESS = {"name": "Léa Martin", "line1": "3 rue de la Paix", "city": "Paris", "postcode": "75002",
           "country": "FR"}


def cart_with(store, *variants_and_quantities, user=None):
    cart = Cart.objects.create(store=store, user=user) if user else Cart.objects.create(store=store, token=uuid.uuid4())
    for variant, quantity in variants_and_quantities:
        CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    return cart


def details(**overrides):
    return services.CheckoutDetails(**{"email": "Lea@Example.com", "shipping_address": ADDRESS, **overrides})


def stock_of(variant, store):
    return Stock.objects.get(variant=variant, store=store).quantity


class ExplodingGateway:
    """A provider that fails mid-payment (network down): the checkout must give everything back."""

    def charge(self, **kwargs):
        raise ConnectionError("payment provider unreachable")


def test_an_approved_payment_places_the_order_and_takes_the_stock(stores):
    fr = stores["fr"]
    phone = make_variant(fr, amount="299.00", stock=4, product__name="POCO F6")
    cart = cart_with(fr, (phone, 2))

    order = services.checkout_place(cart=cart, user=None, details=details(language="fr"), card=APPROVED)

    year = timezone.now().year
    assert order.number == f"MI-FR-{year}-000001" and order.status == Order.Status.PAID
    assert (order.subtotal, order.shipping, order.total) == (Decimal("598.00"), Decimal("0.00"), Decimal("598.00"))
    assert order.tax_included and order.tax == Decimal("99.67") and order.currency == "EUR"
    assert order.email == "lea@example.com" and order.payment_method == "Card •••• 4242"
    assert order.shipping_address["city"] == "Paris" and order.shipping_address["line2"] is None
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines.all()] == [
        (phone.sku, 2, Decimal("299.00"))
    ]
    assert stock_of(phone, fr) == 2
    assert not CartLine.objects.filter(cart=cart).exists()
    assert Checkout.objects.get().status == Checkout.Status.COMPLETED


def test_the_confirmation_email_is_in_the_customers_language(stores, django_capture_on_commit_callbacks):
    fr = stores["fr"]
    cart = cart_with(fr, (make_variant(fr, amount="20.00"), 1))
    with django_capture_on_commit_callbacks(execute=True):
        order = services.checkout_place(cart=cart, user=None, details=details(language="fr"), card=APPROVED)

    (message,) = mail.outbox
    assert message.to == ["lea@example.com"] and message.subject == f"Votre commande {order.number}"
    assert "24,99" in message.body and "Livraison" in message.body


def test_order_numbers_follow_each_stores_series(stores):
    year = timezone.now().year
    numbers = []
    for code in ("uk", "uk", "fr"):
        store = stores[code]
        cart = cart_with(store, (make_variant(store), 1), user=UserFactory())
        numbers.append(services.checkout_place(cart=cart, user=cart.user, details=details(), card=APPROVED).number)
    assert numbers == [f"MI-UK-{year}-000001", f"MI-UK-{year}-000002", f"MI-FR-{year}-000001"]


@pytest.mark.parametrize("card, code, message", [
    (DECLINED, "payment_declined", "Your card was declined"),
    (Card(number="1234 5678 9012 3456", expiry="08/29", cvc="123"), "payment_invalid", "not valid"),
])
def test_a_failed_payment_places_nothing_and_gives_the_stock_back(stores, card, code, message):
    uk = stores["uk"]
    phone = make_variant(uk, stock=3)
    cart = cart_with(uk, (phone, 3))

    with pytest.raises(PaymentFailed, match=message) as failure:
        services.checkout_place(cart=cart, user=None, details=details(), card=card)

    assert failure.value.code == code
    assert not Order.objects.exists() and stock_of(phone, uk) == 3
    assert Checkout.objects.get().status == Checkout.Status.RELEASED
    assert CartLine.objects.filter(cart=cart).exists()  # the shopper can try another card


def test_a_crash_during_payment_releases_what_was_reserved(stores):
    uk = stores["uk"]
    phone = make_variant(uk, stock=3)
    with pytest.raises(ConnectionError):
        services.checkout_place(cart=cart_with(uk, (phone, 2)), user=None, details=details(), card=APPROVED,
                                provider=ExplodingGateway())
    assert stock_of(phone, uk) == 3 and Checkout.objects.get().release_reason == "payment error"
    assert not Order.objects.exists()


def test_abandoned_checkouts_are_released_once_their_hold_has_passed(stores):
    uk = stores["uk"]
    phone = make_variant(uk, stock=3)
    checkout = services.checkout_reserve(cart=cart_with(uk, (phone, 2)), user=None, details=details())
    assert stock_of(phone, uk) == 1

    assert services.checkouts_release_expired() == 0  # still within its hold
    assert services.checkouts_release_expired(now=checkout.expires_at + timedelta(seconds=1)) == 1
    assert stock_of(phone, uk) == 3
    assert services.checkouts_release_expired(now=checkout.expires_at + timedelta(hours=1)) == 0
    assert stock_of(phone, uk) == 3  # released once only


def test_the_task_and_the_command_release_expired_checkouts(stores, capsys):
    uk = stores["uk"]
    phone = make_variant(uk, stock=3)

    def abandon_checkout():
        checkout = services.checkout_reserve(cart=cart_with(uk, (phone, 1)), user=None, details=details())
        Checkout.objects.filter(pk=checkout.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    abandon_checkout()
    assert release_expired_checkouts.delay().get() == 1
    abandon_checkout()
    call_command("release_expired_checkouts")
    assert "Released 1 expired checkout(s)." in capsys.readouterr().out
    assert stock_of(phone, uk) == 3


def test_celery_beat_runs_the_release_every_few_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["orders-release-expired-checkouts"]
    assert entry["task"] == release_expired_checkouts.name and entry["schedule"] <= 15 * 60


def test_a_payment_approved_after_the_hold_was_released_is_refunded(stores):
    uk = stores["uk"]
    phone = make_variant(uk, stock=3)
    refunds = []

    class LateGateway(TestGateway):
        def charge(self, **kwargs):
            services.checkouts_release_expired(now=timezone.now() + timedelta(days=1))  # the sweep ran meanwhile
            return super().charge(**kwargs)

        def refund(self, **kwargs):
            refunds.append(kwargs)

    with pytest.raises(CheckoutRefused, match="your payment was refunded"):
        services.checkout_place(cart=cart_with(uk, (phone, 1)), user=None, details=details(), card=APPROVED,
                                provider=LateGateway())
    assert len(refunds) == 1 and not Order.objects.exists() and stock_of(phone, uk) == 3


def test_checkout_refuses_a_line_short_of_stock_naming_it_and_holds_nothing(stores):
    uk = stores["uk"]
    plenty = make_variant(uk, stock=10)
    scarce = make_variant(uk, stock=1, product__name="Xiaomi 14")
    Stock.objects.filter(variant=scarce).update(quantity=1)
    cart = cart_with(uk, (plenty, 2), (scarce, 2))

    with pytest.raises(CheckoutRefused, match=r"Only 1 unit of Xiaomi 14 \(.*\) is left; your cart has 2"):
        services.checkout_reserve(cart=cart, user=None, details=details())
    assert stock_of(plenty, uk) == 10 and not Checkout.objects.exists()

    Stock.objects.filter(variant=scarce).update(quantity=0)
    with pytest.raises(CheckoutRefused, match="is out of stock") as refusal:
        services.checkout_reserve(cart=cart, user=None, details=details())
    assert refusal.value.code == "out_of_stock"


def test_empty_cart_and_missing_email_are_refused(stores):
    with pytest.raises(CheckoutRefused, match="Your cart is empty"):
        services.checkout_reserve(cart=cart_with(stores["uk"]), user=None, details=details())
    with pytest.raises(CheckoutRefused, match="e-mail address"):
        services.checkout_reserve(cart=cart_with(stores["uk"], (make_variant(stores["uk"]), 1)), user=None,
                                  details=details(email=""))


def test_points_need_an_account_and_enough_of_them(stores, shopper):
    uk = stores["uk"]
    variant = make_variant(uk)
    with pytest.raises(CheckoutRefused, match="Sign in to pay with Mi Points"):
        services.checkout_preview(cart=cart_with(uk, (variant, 1)), user=None, points=100)
    with pytest.raises(CheckoutRefused, match="You have 0 Mi Points; you asked to use 100") as refusal:
        services.checkout_preview(cart=cart_with(uk, (variant, 1), user=shopper), user=shopper, points=100)
    assert refusal.value.code == "not_enough_points"


def test_a_signed_in_shoppers_order_is_theirs(stores, shopper):
    uk = stores["uk"]
    order = services.checkout_place(cart=cart_with(uk, (make_variant(uk), 1), user=shopper), user=shopper,
                                    details=details(email="someone.else@example.com"), card=APPROVED)
    assert order.user == shopper and order.email == shopper.email


def test_the_payment_result_never_carries_the_card_number():
    result = TestGateway().charge(amount=Decimal("1.00"), currency="GBP", card=APPROVED, reference="x")
    assert result.outcome == PaymentResult.Outcome.APPROVED and "4242 4242" not in repr(result)
    assert result.method == "Card •••• 4242"


def test_support_sees_checkouts_read_only_in_the_admin(admin_client, stores):
    from django.urls import reverse

    uk = stores["uk"]
    checkout = services.checkout_reserve(cart=cart_with(uk, (make_variant(uk), 1)), user=None, details=details())
    page = admin_client.get(reverse("admin:orders_checkout_changelist")).content.decode()
    assert str(checkout.reference) in page and "Reserved" in page
    assert admin_client.get(reverse("admin:orders_checkout_change", args=[checkout.pk])).status_code == 200
    assert admin_client.get(reverse("admin:orders_checkout_add")).status_code == 403

    def add_checkouts(count):
        for _ in range(count):
            services.checkout_reserve(cart=cart_with(uk, (make_variant(uk), 1)), user=None, details=details())

    assert_changelist_queries_constant(admin_client, reverse("admin:orders_checkout_changelist"), add_checkouts)
