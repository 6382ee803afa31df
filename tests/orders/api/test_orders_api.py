from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from storefront.catalog.models import Stock
from storefront.orders.models import Order
from tests.factories import AddressFactory, OrderFactory, UserFactory
from tests.orders.conftest import make_variant
from tests.orders.test_my_orders import poco_guest_order

CARD = {"number": "4242 4242 4242 4242", "expiry": "08/29", "cvc": "123"}
ADDRESS = {"name": "Alex", "line1": "1 High Street", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"}


@pytest.fixture
def api(client, shopper):
    client.force_login(shopper)
    return client


def cart_url(code="uk"):
    return reverse("api:store-cart", kwargs={"code": code})


def lines_url(code="uk"):
    return reverse("api:store-cart-line-list", kwargs={"code": code})


def line_url(variant, code="uk"):
    return reverse("api:store-cart-line-detail", kwargs={"code": code, "variant_id": variant.pk})


def test_cart_add_change_remove(api, stores):
    variant = make_variant(stores["uk"], amount="30.00", stock=4)

    added = api.post(lines_url(), {"variant": variant.pk, "quantity": 2}, content_type="application/json")
    assert added.status_code == 201
    body = added.json()
    assert body["lines"][0] | {"name": None} == {
        "variant": variant.pk, "sku": variant.sku, "name": None, "quantity": 2,
        "unit_price": {"amount": "30.00", "currency": "GBP"}, "total": {"amount": "60.00", "currency": "GBP"},
        "in_stock": 4, "stock_state": "low", "sellable": True,
    }
    assert body["amounts"]["total"] == {"amount": "60.00", "currency": "GBP"} and body["amounts"]["tax_included"]

    changed = api.patch(line_url(variant), {"quantity": 1}, content_type="application/json")
    assert changed.json()["lines"][0]["quantity"] == 1
    removed = api.delete(line_url(variant))
    assert removed.status_code == 200 and removed.json()["lines"] == [] and removed.json()["amounts"] is None


def test_cart_refusals_are_json_with_their_code(api, stores):
    variant = make_variant(stores["uk"], stock=1, product__name="Redmi 13")
    response = api.post(lines_url(), {"variant": variant.pk, "quantity": 3}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_enough_stock"
    assert "Only 1 unit of Redmi 13 is left" in response.json()["error"]["message"]
    bad = api.post(lines_url(), {"variant": variant.pk, "quantity": 0}, content_type="application/json")
    assert bad.status_code == 400 and "quantity" in bad.json()["error"]["fields"]
    missing = api.patch(line_url(variant), {"quantity": 1}, content_type="application/json")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert api.get(cart_url("nowhere")).status_code == 404


def test_checkout_places_and_pays_with_a_new_address(api, stores, shopper):
    variant = make_variant(stores["uk"], amount="20.00", stock=4)
    api.post(lines_url(), {"variant": variant.pk, "quantity": 2}, content_type="application/json")

    response = api.post(reverse("api:store-checkout", kwargs={"code": "uk"}),
                        {"shipping_address": ADDRESS, "card": CARD, "total": "0.01"}, content_type="application/json")

    assert response.status_code == 201, response.json()
    body = response.json()
    order = Order.objects.get()
    assert body["number"] == order.number and order.user == shopper
    assert body["total"] == {"amount": "44.99", "currency": "GBP"}  # 40.00 + 4.99 shipping; "total" ignored
    assert body["lines"][0]["quantity"] == 2 and body["shipping_address"]["city"] == "Leeds"
    assert Stock.objects.get(variant=variant).quantity == 2


def test_checkout_with_a_book_address_and_refusals(api, stores, shopper):
    variant = make_variant(stores["uk"], stock=4)
    url = reverse("api:store-checkout", kwargs={"code": "uk"})
    empty = api.post(url, {"shipping_address": ADDRESS, "card": CARD}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "empty_cart"

    api.post(lines_url(), {"variant": variant.pk}, content_type="application/json")
    theirs = AddressFactory(user=UserFactory())
    assert api.post(url, {"address_id": theirs.pk, "card": CARD}, content_type="application/json").status_code == 404
    declined = api.post(url, {"address_id": AddressFactory(user=shopper).pk,
                              "card": {**CARD, "number": "4000 0000 0000 0002"}}, content_type="application/json")
    assert declined.status_code == 400 and declined.json()["error"]["code"] == "payment_declined"
    coupon = api.post(url, {"shipping_address": ADDRESS, "card": CARD, "coupon_code": "NOPE"},
                      content_type="application/json")
    assert coupon.status_code == 400 and coupon.json()["error"]["code"] == "unknown"
    both = api.post(url, {"card": CARD}, content_type="application/json")
    assert both.status_code == 400 and "shipping_address" in both.json()["error"]["fields"]
    assert not Order.objects.exists() and Stock.objects.get(variant=variant).quantity == 4


def test_own_orders_with_shipments_and_events_and_anothers_is_a_404(api, stores, shopper):
    migrated = poco_guest_order(stores["uk"], shopper.email)
    theirs = OrderFactory(user=UserFactory(), store=stores["uk"])

    listing = api.get(reverse("api:order-list")).json()
    assert [row["number"] for row in listing["results"]] == [migrated.number]
    assert listing["results"][0]["from_poco"] is True

    detail = api.get(reverse("api:order-detail", kwargs={"number": migrated.number})).json()
    assert detail["total"] == {"amount": "204.89", "currency": "GBP"}
    assert [e["status"] for e in detail["shipments"][0]["events"]] == ["picked_up", "delivered"]
    missing = api.get(reverse("api:order-detail", kwargs={"number": theirs.number}))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_the_cart_and_orders_need_a_signed_in_customer(client, stores):
    assert client.get(cart_url()).status_code == 403
    assert client.get(reverse("api:order-list")).status_code == 403


def test_order_and_cart_endpoints_run_a_constant_number_of_queries(api, stores, shopper):
    counts = {}
    for label, extra in (("small", 1), ("large", 6)):
        for i in range(extra):
            order = poco_guest_order(stores["uk"], shopper.email, number=f"PO-{label}-{i}")
            variant = make_variant(stores["uk"], amount="1.00")
            api.post(lines_url(), {"variant": variant.pk}, content_type="application/json")
        with CaptureQueriesContext(connection) as listing:
            api.get(reverse("api:order-list"))
        with CaptureQueriesContext(connection) as detail:
            api.get(reverse("api:order-detail", kwargs={"number": order.number}))
        with CaptureQueriesContext(connection) as cart:
            api.get(cart_url())
        counts[label] = (len(listing), len(detail), len(cart))
    assert counts["small"] == counts["large"]


def test_amounts_are_exact_decimals(api, stores):
    variant = make_variant(stores["global"], amount="33.33", stock=10)
    body = api.post(lines_url("global"), {"variant": variant.pk, "quantity": 3}, content_type="application/json").json()
    assert body["amounts"]["subtotal"] == {"amount": "99.99", "currency": "USD"}
    assert Decimal(body["amounts"]["total"]["amount"]) == Decimal("109.98")
