"""The catalog page cache (storefront/catalog/cache.py): anonymous shopper pages and public API answers are
served from it, and every catalog write retires them (docs/shopper-pages.md, "Page cache")."""

import contextlib
import pickle
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import connection, transaction
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from storefront.catalog import services
from storefront.catalog.cache import (
    CACHE_STATUS_HEADER,
    CSRF_PLACEHOLDER,
    VERSION_KEY,
    catalog_version,
    catalog_version_bump,
)
from storefront.catalog.models import Price, Product, Review, Stock
from tests.factories import (
    CategoryFactory,
    PriceFactory,
    ProductFactory,
    ReviewFactory,
    StockFactory,
    UserFactory,
    VariantFactory,
)

# Real commits: the version is bumped when a write commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def page_cache(settings):
    """The cache on, in this process's memory, empty at the start of each test."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "catalog-page-cache-tests"}}
    settings.CATALOG_PAGE_CACHE_SECONDS = 60
    caches["default"].clear()


@pytest.fixture
def phone(stores, brands):
    """A POCO phone priced 299.00 and stocked in `uk`, in the category `phones`."""
    product = ProductFactory(brand=brands["poco"], name="POCO F6", category=CategoryFactory(name="Phones"))
    variant = VariantFactory(product=product, attributes={"color": "Black"})
    PriceFactory(variant=variant, store=stores["uk"], amount=Decimal("299.00"))
    StockFactory(variant=variant, store=stores["uk"], quantity=10)
    return product


def fetch(client, url, **extra):
    """(response, number of SQL queries it ran)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response, len(queries)


def without_csrf_tokens(content: bytes) -> bytes:
    """The page with its CSRF tokens blanked: each answer masks the visitor's secret anew."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', b"", content)


SHOPPER_PAGES = ["/uk/", "/uk/poco/", "/uk/poco/phones/", "/uk/poco/p/{slug}/", "/uk/search/?q=poco",
                 "/api/v1/stores/uk/products/?brand=poco", "/api/v1/stores/uk/products/poco/{slug}/",
                 "/api/v1/stores/uk/products/poco/{slug}/reviews/", "/api/v1/categories/",
                 "/api/v1/categories/phones/"]


@pytest.mark.parametrize("url", SHOPPER_PAGES)
def test_an_anonymous_page_is_rendered_once_then_served_from_the_cache_unchanged(client, phone, url):
    url = url.format(slug=phone.slug)
    first, rendering_queries = fetch(client, url)
    second, cached_queries = fetch(client, url)

    assert first[CACHE_STATUS_HEADER] == "miss" and second[CACHE_STATUS_HEADER] == "hit"
    assert without_csrf_tokens(second.content) == without_csrf_tokens(first.content)
    assert second["Content-Type"] == first["Content-Type"]
    assert "Cookie" in second["Vary"]
    # Only what runs before the view remains: the store lookup of RegionalStoreMiddleware on store pages.
    assert cached_queries == (1 if url.startswith("/uk/") else 0) < rendering_queries


def test_a_saved_product_shows_at_once_on_every_cached_page(client, phone):
    client.get(f"/uk/poco/p/{phone.slug}/")
    client.get("/uk/poco/phones/")

    with transaction.atomic():
        phone.name = "POCO F6 Pro"
        phone.save()

    page, _ = fetch(client, f"/uk/poco/p/{phone.slug}/")
    listing, _ = fetch(client, "/uk/poco/phones/")
    assert page[CACHE_STATUS_HEADER] == listing[CACHE_STATUS_HEADER] == "miss"
    assert "POCO F6 Pro" in page.content.decode() and "POCO F6 Pro" in listing.content.decode()


@pytest.mark.parametrize("write", ["price", "stock", "delete variant"])
def test_price_and_stock_saved_outside_any_service_retire_the_cached_api_answers(client, phone, write):
    url = "/api/v1/stores/uk/products/?brand=poco"
    client.get(url)
    with transaction.atomic():
        if write == "price":
            price = Price.objects.get(variant__product=phone)
            price.amount = Decimal("249.00")
            price.save()
        elif write == "stock":
            stock = Stock.objects.get(variant__product=phone)
            stock.quantity = 0
            stock.save()
        else:
            phone.variants.get().delete()

    response, _ = fetch(client, url)
    assert response[CACHE_STATUS_HEADER] == "miss"
    expected = {"price": (1, "249.00", True), "stock": (1, "299.00", False), "delete variant": (0, None, None)}
    count, amount, in_stock = expected[write]
    assert response.json()["count"] == count
    if count:
        [row] = response.json()["results"]
        assert (row["price_from"]["amount"], row["in_stock"]) == (amount, in_stock)


def test_moderating_reviews_through_the_services_retires_cached_pages(client, phone):
    review = ReviewFactory(product=phone, status=Review.Status.PENDING, title="Superb screen")
    url = f"/uk/poco/p/{phone.slug}/"
    assert "Superb screen" not in client.get(url).content.decode()

    with transaction.atomic():  # a queryset update: no signal, the service bumps
        services.reviews_publish(reviews=Review.objects.filter(pk=review.pk))

    assert "Superb screen" in fetch(client, url)[0].content.decode()


def test_a_bulk_write_shows_once_its_writer_bumps_the_version(client, phone):
    url = f"/uk/poco/p/{phone.slug}/"
    client.get(url)
    Product.objects.filter(pk=phone.pk).update(name="POCO F6 renamed in bulk")  # sends no signal

    assert fetch(client, url)[0][CACHE_STATUS_HEADER] == "hit"  # stale until the TTL or a bump
    with transaction.atomic():
        catalog_version_bump()
    assert "POCO F6 renamed in bulk" in fetch(client, url)[0].content.decode()


def test_the_version_moves_only_when_the_write_commits(phone):
    before = catalog_version()
    with transaction.atomic():
        phone.save()
        assert catalog_version() == before  # not committed yet: pages keep their version
    assert catalog_version() > before


def test_a_transaction_bumps_the_version_once_however_many_rows_it_writes(phone):
    before = catalog_version()
    with transaction.atomic():
        phone.delete()  # the product, its variant, price and stock: a post_delete signal each
        catalog_version_bump()
    assert catalog_version() == before + 1


def test_a_bump_asked_in_a_rolled_back_savepoint_is_asked_again_by_the_next_write(phone):
    before = catalog_version()
    with transaction.atomic():
        with contextlib.suppress(RuntimeError), transaction.atomic():
            phone.save()
            raise RuntimeError("rolled back, and the bump it asked for with it")
        phone.variants.get().prices.get().save()
    assert catalog_version() == before + 1


def test_a_lost_version_counter_restarts_above_any_version_pages_were_stored_under(phone):
    before = catalog_version()
    caches["default"].delete(VERSION_KEY)
    assert catalog_version() > before


def test_a_signed_in_shopper_is_never_served_nor_stored_in_the_cache(client, phone):
    url = f"/uk/poco/p/{phone.slug}/"
    client.get(url)  # an anonymous copy is cached
    client.force_login(UserFactory())

    response = client.get(url)

    assert CACHE_STATUS_HEADER not in response
    assert "Sign out" in response.content.decode()
    client.logout()
    assert "Sign out" not in client.get(url).content.decode()


def test_a_visitor_with_a_message_waiting_gets_the_page_rendered(client, phone):
    url = f"/uk/poco/p/{phone.slug}/"
    client.get(url)
    client.cookies[CookieStorage.cookie_name] = "pending"

    assert CACHE_STATUS_HEADER not in client.get(url)


def test_error_pages_are_not_stored(client, phone):
    for _ in range(2):
        response = client.get("/uk/poco/p/no-such-phone/")
        assert response.status_code == 404
        assert CACHE_STATUS_HEADER not in response


def csrf_token_in(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', response.content.decode())
    assert match, "the page has no CSRF token"
    return match.group(1)


def test_each_visitor_of_a_cached_page_with_a_form_gets_a_csrf_token_of_its_own(phone, stores):
    """The product page's add-to-cart form carries a CSRF token: the cached copy holds none, each visitor
    served from it gets its own, and that token lets the visitor add to the cart."""
    url = f"/uk/poco/p/{phone.slug}/"
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    rendered = first.get(url)
    served = second.get(url)

    assert (rendered[CACHE_STATUS_HEADER], served[CACHE_STATUS_HEADER]) == ("miss", "hit")
    assert _unmask_cipher_token(csrf_token_in(served)) == served.cookies[settings.CSRF_COOKIE_NAME].value
    assert _unmask_cipher_token(csrf_token_in(served)) != _unmask_cipher_token(csrf_token_in(rendered))
    entries = [pickle.loads(value) for value in caches["default"]._cache.values()]  # LocMemCache's own store
    [stored_page] = [entry[3] for entry in entries if isinstance(entry, tuple) and b"add-to-cart" in entry[3]]
    assert CSRF_PLACEHOLDER in stored_page and csrf_token_in(rendered).encode() not in stored_page

    added = second.post(reverse("cart:add", args=["uk"]), {
        "variant": phone.variants.get().pk, "quantity": 1, "csrfmiddlewaretoken": csrf_token_in(served),
    })
    assert added.status_code == 302


def test_the_browsable_api_is_served_with_the_visitors_own_csrf_token(phone):
    url = "/api/v1/stores/uk/products/?brand=poco"
    first, second = Client(), Client()
    rendered, served = first.get(url, HTTP_ACCEPT="text/html"), second.get(url, HTTP_ACCEPT="text/html")

    assert served[CACHE_STATUS_HEADER] == "hit" and served["Content-Type"].startswith("text/html")
    secret = served.cookies[settings.CSRF_COOKIE_NAME].value
    assert secret != rendered.cookies[settings.CSRF_COOKIE_NAME].value
    tokens = re.findall(r'"csrfToken": "([A-Za-z0-9]{64})"', served.content.decode())
    assert tokens and all(_unmask_cipher_token(token) == secret for token in tokens)
    assert second.get(url)["Content-Type"] == "application/json"  # JSON is keyed apart from the HTML


def test_query_string_language_and_host_each_have_their_own_copy(client, phone, settings):
    client.get("/uk/poco/phones/")
    assert fetch(client, "/uk/poco/phones/?sort=price")[0][CACHE_STATUS_HEADER] == "miss"

    # Outside a store the language is the visitor's (the cookie a store page left, else the browser's).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert fetch(client, "/api/v1/categories/")[0][CACHE_STATUS_HEADER] == "miss"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert fetch(client, "/api/v1/categories/")[0][CACHE_STATUS_HEADER] == "miss"
    assert fetch(client, "/api/v1/categories/")[0][CACHE_STATUS_HEADER] == "hit"

    api = "/api/v1/stores/uk/products/?brand=poco"
    client.get(api)
    other_host = fetch(client, api, HTTP_HOST="localhost")[0]
    assert other_host[CACHE_STATUS_HEADER] == "miss"


def test_a_cache_that_cannot_be_reached_leaves_the_pages_working(client, phone, settings, caplog):
    # Nothing listens on port 1 of the loopback: every cache call fails at once.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}

    for _ in range(2):
        response, _ = fetch(client, f"/uk/poco/p/{phone.slug}/")
        assert CACHE_STATUS_HEADER not in response
        assert "POCO F6" in response.content.decode()
    phone.name = "POCO F6 Pro"
    phone.save()  # the version bump fails too, and is logged; the write stands
    assert "could not bump the catalog version" in caplog.text
    assert Product.objects.get(pk=phone.pk).name == "POCO F6 Pro"


class TestAdminWrites:
    """The catalog team's admin edits show on the cached pages as soon as they are saved."""

    def test_stock_set_on_the_variant_page(self, admin_client, client, phone, stores):
        url = f"/uk/poco/p/{phone.slug}/"
        assert "In stock" in client.get(url).content.decode()
        variant = phone.variants.get()
        price, stock = variant.prices.get(), variant.stock.get()
        form = {
            "product": phone.pk, "sku": variant.sku, "attributes": '{"color": "Black"}', "position": 0,
            "prices-TOTAL_FORMS": 1, "prices-INITIAL_FORMS": 1, "prices-MIN_NUM_FORMS": 0,
            "prices-MAX_NUM_FORMS": 1000, "prices-0-id": price.pk, "prices-0-variant": variant.pk,
            "prices-0-store": stores["uk"].pk, "prices-0-amount": "299.00", "prices-0-currency": "GBP",
            "stock-TOTAL_FORMS": 1, "stock-INITIAL_FORMS": 1, "stock-MIN_NUM_FORMS": 0, "stock-MAX_NUM_FORMS": 1000,
            "stock-0-id": stock.pk, "stock-0-variant": variant.pk, "stock-0-store": stores["uk"].pk,
            "stock-0-quantity": 0,
        }
        with transaction.atomic():
            saved = admin_client.post(f"/admin/catalog/variant/{variant.pk}/change/", form)
        assert saved.status_code == 302

        page = fetch(client, url)[0].content.decode()
        assert "Out of stock" in page and "In stock" not in page

    def test_reviews_rejected_with_the_admin_action(self, admin_client, client, phone):
        review = ReviewFactory(product=phone, status=Review.Status.PUBLISHED, title="Superb screen")
        url = f"/uk/poco/p/{phone.slug}/"
        assert "Superb screen" in client.get(url).content.decode()

        with transaction.atomic():
            admin_client.post("/admin/catalog/review/", {"action": "reject", "_selected_action": [review.pk]})

        assert "Superb screen" not in fetch(client, url)[0].content.decode()

    def test_a_product_deleted(self, admin_client, client, phone):
        client.get("/uk/poco/phones/")
        with transaction.atomic():
            admin_client.post(f"/admin/catalog/product/{phone.pk}/delete/", {"post": "yes"})

        assert "POCO F6" not in fetch(client, "/uk/poco/phones/")[0].content.decode()
