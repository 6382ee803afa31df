from decimal import Decimal

from django.core import mail
from django.urls import reverse

from loyalty import services as loyalty_services
from storefront.orders.models import Checkout, Order
from tests.factories import AddressFactory
from tests.loyalty.factories import CouponFactory

from .conftest import APPROVED_CARD, DECLINED_CARD, NEW_ADDRESS, make_variant


def add(client, variant, quantity=1, store="uk"):
    client.post(reverse("cart:add", args=[store]), {"variant": variant.pk, "quantity": quantity})


def test_a_guest_checks_out_end_to_end_and_sees_the_confirmation(client, stores, django_capture_on_commit_callbacks):
    variant = make_variant(stores["uk"], amount="40.00", stock=3, product__name="Redmi Pad")
    add(client, variant, 1)
    assert "Pay £44.99 and place the order" in client.get(reverse("cart:checkout", args=["uk"])).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cart:checkout", args=["uk"]),
                               {"email": "guest@example.com", **NEW_ADDRESS, **APPROVED_CARD, "place": "1"},
                               follow=True)

    order = Order.objects.get()
    assert response.redirect_chain[-1][0] == reverse("cart:placed", args=["uk", order.number])
    page = response.content.decode()
    assert order.number in page and "Redmi Pad" in page and "£44.99" in page and "Includes £7.50 VAT" in page
    assert mail.outbox[0].to == ["guest@example.com"]
    assert client.get(reverse("cart:detail", args=["uk"])).context["lines"] == []


def test_the_confirmation_is_for_the_shopper_who_placed_it_only(client, stores):
    variant = make_variant(stores["uk"])
    add(client, variant)
    client.post(reverse("cart:checkout", args=["uk"]),
                {"email": "guest@example.com", **NEW_ADDRESS, **APPROVED_CARD, "place": "1"})
    number = Order.objects.get().number
    client.logout()
    client.cookies.clear()
    assert client.get(reverse("cart:placed", args=["uk", number])).status_code == 404


def test_prices_sent_by_the_client_are_ignored(client, stores):
    variant = make_variant(stores["uk"], amount="120.00")
    add(client, variant)
    client.post(reverse("cart:checkout", args=["uk"]), {
        "email": "guest@example.com", **NEW_ADDRESS, **APPROVED_CARD, "place": "1",
        "total": "0.01", "subtotal": "0.01", "unit_price": "0.01", "shipping": "0", "discount": "119.99",
    })
    assert Order.objects.get().total == Decimal("120.00")


def test_a_declined_card_says_so_and_keeps_the_cart(client, stores):
    variant = make_variant(stores["uk"], stock=2)
    add(client, variant)
    response = client.post(reverse("cart:checkout", args=["uk"]),
                           {"email": "guest@example.com", **NEW_ADDRESS, **DECLINED_CARD, "place": "1"})
    assert "Your card was declined" in response.content.decode()
    assert not Order.objects.exists() and Checkout.objects.get().status == Checkout.Status.RELEASED
    assert len(client.get(reverse("cart:detail", args=["uk"])).context["lines"]) == 1


def test_missing_fields_are_named(client, stores):
    add(client, make_variant(stores["uk"]))
    response = client.post(reverse("cart:checkout", args=["uk"]), {"address": "new", "card_expiry": "13/30",
                                                                   "place": "1"})
    errors = response.context["form"].errors
    assert set(errors) >= {"email", "name", "line1", "city", "postcode", "country", "card_number", "card_expiry",
                           "card_cvc"}
    assert "MM/YY" in errors["card_expiry"][0]
    assert not Checkout.objects.exists()


def test_a_shopper_pays_with_a_book_address_a_coupon_and_points(client, stores, shopper):
    address = AddressFactory(user=shopper, name="Alex at home", is_default=True)
    CouponFactory(code="FIVE", currency="GBP", value=Decimal("5.00"))
    loyalty_services.points_earn(user=shopper, points=300)
    client.force_login(shopper)
    add(client, make_variant(stores["uk"], amount="100.00"))

    applied = client.post(reverse("cart:checkout", args=["uk"]), {"address": address.pk, "coupon_code": "FIVE",
                                                                  "points": 300, "apply": "1"})
    assert "Coupon FIVE" in applied.content.decode() and "Pay £92.00 and place the order" in applied.content.decode()

    client.post(reverse("cart:checkout", args=["uk"]), {"address": address.pk, "coupon_code": "FIVE", "points": 300,
                                                        **APPROVED_CARD, "place": "1"})
    order = Order.objects.get()
    assert order.user == shopper and order.total == Decimal("92.00") and order.points_redeemed == 300
    assert order.shipping_address["name"] == "Alex at home"


def test_a_refused_coupon_is_explained_on_the_checkout_page(client, stores, shopper):
    client.force_login(shopper)
    add(client, make_variant(stores["uk"]))
    response = client.post(reverse("cart:checkout", args=["uk"]), {"coupon_code": "NOPE", "apply": "1"})
    assert "No coupon has the code “NOPE”" in response.content.decode()


def test_another_accounts_address_cannot_be_used(client, stores, shopper):
    client.force_login(shopper)
    add(client, make_variant(stores["uk"]))
    stranger = AddressFactory()
    response = client.post(reverse("cart:checkout", args=["uk"]), {"address": stranger.pk, **APPROVED_CARD,
                                                                   "place": "1"})
    assert "address" in response.context["form"].errors and not Order.objects.exists()


def test_checkout_of_an_empty_cart_goes_back_to_the_cart(client, stores):
    response = client.get(reverse("cart:checkout", args=["uk"]))
    assert response.status_code == 302 and response.url == reverse("cart:detail", args=["uk"])


def test_checkout_pages_are_in_french_in_the_french_store(client, stores):
    add(client, make_variant(stores["fr"], amount="20.00"), store="fr")
    page = client.get(reverse("cart:checkout", args=["fr"])).content.decode()
    assert "Adresse de livraison" in page and "Payer 24,99" in page


def test_checkout_page_runs_a_constant_number_of_queries(client, stores, shopper):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(shopper)
    counts = []
    for size in (1, 6):
        for _ in range(size):
            add(client, make_variant(stores["uk"]))
            AddressFactory(user=shopper)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("cart:checkout", args=["uk"]))
        counts.append(len(queries))
    assert counts[0] == counts[1]
