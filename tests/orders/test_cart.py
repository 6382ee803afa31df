import uuid

import pytest
from django.urls import reverse

from storefront.catalog.models import Product
from storefront.orders import services
from storefront.orders.exceptions import CheckoutRefused
from storefront.orders.models import Cart, CartLine
from storefront.orders.session import SESSION_KEY
from tests.factories import UserFactory

from .conftest import make_variant


def guest_cart(store):
    return services.cart_get_or_create(store=store, token=uuid.uuid4())


def test_adding_twice_adds_up_and_changing_sets_the_quantity(stores, uk_variant):
    cart = guest_cart(stores["uk"])
    services.cart_line_add(cart=cart, variant_id=uk_variant.pk, quantity=1)
    services.cart_line_add(cart=cart, variant_id=uk_variant.pk, quantity=2)
    assert CartLine.objects.get(cart=cart).quantity == 3

    services.cart_line_set_quantity(cart=cart, variant_id=uk_variant.pk, quantity=1)
    assert CartLine.objects.get(cart=cart).quantity == 1

    services.cart_line_set_quantity(cart=cart, variant_id=uk_variant.pk, quantity=0)
    assert not CartLine.objects.filter(cart=cart).exists()


@pytest.mark.parametrize("quantity, code, message", [
    (6, "not_enough_stock", "Only 5 units of"),
    (11, "quantity_limit", "at most 10 of one item"),
    (0, "invalid_quantity", "at least 1"),
])
def test_a_quantity_the_store_cannot_give_is_refused_with_the_reason(stores, uk_variant, quantity, code, message):
    with pytest.raises(CheckoutRefused, match=message) as refusal:
        services.cart_line_add(cart=guest_cart(stores["uk"]), variant_id=uk_variant.pk, quantity=quantity)
    assert refusal.value.code == code


def test_out_of_stock_unknown_and_unsold_variants_are_refused(stores, brands):
    cart = guest_cart(stores["uk"])
    empty = make_variant(stores["uk"], stock=0, product__name="POCO X6")
    with pytest.raises(CheckoutRefused, match="POCO X6 is out of stock"):
        services.cart_line_add(cart=cart, variant_id=empty.pk)
    with pytest.raises(CheckoutRefused, match="does not exist"):
        services.cart_line_add(cart=cart, variant_id=999_999)
    unpriced = make_variant(stores["fr"], product__name="Redmi 13")  # priced in fr only
    with pytest.raises(CheckoutRefused, match="Redmi 13 is not sold in this store") as refusal:
        services.cart_line_add(cart=cart, variant_id=unpriced.pk)
    assert refusal.value.code == "not_sold"
    poco_in_india = make_variant(stores["in"], brand=brands["poco"], product__name="POCO F6")
    with pytest.raises(CheckoutRefused, match="not sold in this store"):
        services.cart_line_add(cart=guest_cart(stores["in"]), variant_id=poco_in_india.pk)
    discontinued = make_variant(stores["uk"], product__status=Product.Status.DISCONTINUED)
    with pytest.raises(CheckoutRefused, match="not sold in this store"):
        services.cart_line_add(cart=cart, variant_id=discontinued.pk)


def test_removing_what_is_not_in_the_cart_says_so(stores, uk_variant):
    with pytest.raises(CheckoutRefused, match="not in your cart"):
        services.cart_line_remove(cart=guest_cart(stores["uk"]), variant_id=uk_variant.pk)


def test_each_store_has_its_own_cart(stores, uk_variant):
    token = uuid.uuid4()
    uk = services.cart_get_or_create(store=stores["uk"], token=token)
    fr = services.cart_get_or_create(store=stores["fr"], token=token)
    assert uk != fr and services.cart_get_or_create(store=stores["uk"], token=token) == uk


def test_guest_cart_joins_the_account_at_sign_in_keeping_the_larger_quantity(client, stores, uk_variant):
    other = make_variant(stores["uk"])
    user = UserFactory(email="lea@example.com")
    account_cart = services.cart_get_or_create(store=stores["uk"], user=user)
    services.cart_line_add(cart=account_cart, variant_id=uk_variant.pk, quantity=1)

    client.post(reverse("cart:add", args=["uk"]), {"variant": uk_variant.pk, "quantity": 3})
    client.post(reverse("cart:add", args=["uk"]), {"variant": other.pk, "quantity": 1})
    assert client.session[SESSION_KEY]
    client.post(reverse("accounts:login"), {"username": "LEA@example.com", "password": "correct horse battery"})

    assert dict(CartLine.objects.filter(cart=account_cart).values_list("variant_id", "quantity")) == {
        uk_variant.pk: 3, other.pk: 1,
    }
    assert not Cart.objects.filter(token__isnull=False).exists()
    assert SESSION_KEY not in client.session


def test_cart_page_shows_stock_lines_and_amounts_in_the_store_currency(client, stores, uk_variant):
    plenty = make_variant(stores["uk"], amount="0.50", stock=50)
    client.post(reverse("cart:add", args=["uk"]), {"variant": plenty.pk, "quantity": 2})
    low = make_variant(stores["uk"], amount="10.00", stock=2, product__name="Redmi Buds")
    client.post(reverse("cart:add", args=["uk"]), {"variant": uk_variant.pk, "quantity": 1})
    client.post(reverse("cart:add", args=["uk"]), {"variant": low.pk, "quantity": 1})

    page = client.get(reverse("cart:detail", args=["uk"])).content.decode()

    assert "Redmi Buds" in page and "Only 2 left" in page
    assert "In stock" in page
    assert "£131.00" in page and "Includes £21.83 VAT (20%)" in page and "Shipping</dt><dd>Free" in page


def test_cart_pages_refuse_with_a_message_and_keep_the_cart(client, stores, uk_variant):
    response = client.post(reverse("cart:add", args=["uk"]), {"variant": uk_variant.pk, "quantity": 9}, follow=True)
    assert "Only 5 units of" in response.content.decode()
    response = client.post(reverse("cart:update", args=["uk", uk_variant.pk]), {"quantity": 2}, follow=True)
    assert "This item is not in your cart." in response.content.decode()


def test_product_page_offers_the_add_to_cart_form(client, stores, uk_variant):
    product = uk_variant.product
    page = client.get(reverse("catalog:product", args=["uk", product.brand.slug, product.slug])).content.decode()
    assert f'action="{reverse("cart:add", args=["uk"])}"' in page and f'value="{uk_variant.pk}"' in page


def test_an_unknown_store_has_no_cart(client, db):
    assert client.get("/nowhere/cart/").status_code == 404


def test_cart_page_runs_a_constant_number_of_queries(client, stores):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 6):
        for _ in range(size):
            variant = make_variant(stores["uk"])
            client.post(reverse("cart:add", args=["uk"]), {"variant": variant.pk, "quantity": 1})
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("cart:detail", args=["uk"]))
        counts.append(len(queries))
    assert counts[0] == counts[1]
