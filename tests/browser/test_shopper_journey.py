"""A shopper's journey in a real headless Chromium (Debian's package) driven by Playwright's sync API.

The app is served by pytest-django's `live_server`; the browser fixtures are in conftest.py. No network is
used: Chromium resolves no host name but 127.0.0.1, and the redirect to poco.in is checked through
`page.route`, never loaded.

Screenshots go to the test's tmp dir (`--basetemp` to keep them).
"""

import re
from decimal import Decimal

import pytest

from tests.factories import CategoryFactory, PriceFactory, ProductFactory, StockFactory, VariantFactory

from .chromium import BROWSER_TEST

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (a dev dependency)")

POCO_INDIA = "https://www.poco.in/"

pytestmark = BROWSER_TEST


def priced_product(stores, brand, name, category, colour, prices):
    """A POCO product with one variant of `colour`, priced and stocked in each store of `prices`."""
    product = ProductFactory(brand=brand, name=name, category=category)
    variant = VariantFactory(product=product, attributes={"color": colour, "storage": "8GB+256GB"})
    for code, amount in prices.items():
        PriceFactory(variant=variant, store=stores[code], amount=Decimal(amount))
        StockFactory(variant=variant, store=stores[code], quantity=20)
    return product


@pytest.fixture
def poco_phones(stores, brands):
    phones = CategoryFactory(name="Phones")
    poco_f = CategoryFactory(name="POCO F", parent=phones)
    products = {
        "f6": priced_product(stores, brands["poco"], "POCO F6", poco_f, "Black",
                             {"uk": "424.15", "fr": "474.05"}),
        "x6": priced_product(stores, brands["poco"], "POCO X6 Pro", phones, "Yellow",
                             {"uk": "299.00", "fr": "329.90"}),
        "m6": priced_product(stores, brands["poco"], "POCO M6", phones, "Black", {"uk": "129.99"}),
    }
    return products


def css_variable(page, name):
    return page.evaluate(f"getComputedStyle(document.documentElement).getPropertyValue('{name}').trim()")


def test_uk_shopper_filters_poco_phones_by_colour_and_sees_the_price_in_pounds(site, page, poco_phones,
                                                                               tmp_path):
    page.goto(f"{site}/uk/poco/")
    assert page.locator("h1").first.inner_text().strip() != ""
    assert css_variable(page, "--brand-primary") == "#000000"  # POCO's black and yellow, from its data
    assert css_variable(page, "--brand-accent") == "#ffd100"

    page.locator(".category-tree").get_by_role("link", name="Phones", exact=True).click()
    page.wait_for_url(re.compile(r"/uk/poco/phones/$"))
    cards = page.locator(".product-card__name")
    assert sorted(cards.all_inner_texts()) == ["POCO F6", "POCO M6", "POCO X6 Pro"]

    page.locator("select[name=color]").select_option("Yellow")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"color=Yellow"))
    assert cards.all_inner_texts() == ["POCO X6 Pro"]
    page.screenshot(path=tmp_path / "uk-poco-phones-yellow.png", full_page=True)

    cards.first.click()
    page.wait_for_url(re.compile(r"/uk/poco/p/poco-x6-pro/$"))
    assert page.locator("h1").inner_text() == "POCO X6 Pro"
    assert "From £299.00" in page.locator(".product__price").inner_text()
    assert css_variable(page, "--brand-primary") == "#000000"
    page.screenshot(path=tmp_path / "uk-poco-x6-pro.png", full_page=True)


def test_fr_store_shows_the_poco_product_page_in_french_with_euros(site, page, poco_phones, tmp_path):
    page.goto(f"{site}/fr/poco/p/{poco_phones['f6'].slug}/")

    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "POCO F6"
    assert "474,05\u00a0€" in page.locator(".product__price").inner_text()
    assert page.locator(".site-search button").inner_text() == "Rechercher"
    assert page.get_by_text("En stock").count() >= 1
    page.screenshot(path=tmp_path / "fr-poco-f6.png", full_page=True)


def test_poco_in_the_india_store_sends_the_shopper_to_poco_in(site, page, poco_phones):
    """The store answers 302 to poco.in and the browser follows it, without ever reaching poco.in.

    Playwright routes only the first request of a redirect chain, so the route fetches the store's page
    itself (redirects not followed), checks the 302, and hands it to the browser. The browser then asks
    for https://www.poco.in/, which the resolver rules (CHROMIUM_ARGS) make unresolvable on purpose.
    """
    redirects = []

    def check_the_redirect(route):
        response = route.fetch(max_redirects=0)
        redirects.append((response.status, response.headers.get("location")))
        route.fulfill(response=response)

    page.route(f"{site}/in/poco/", check_the_redirect)

    with page.expect_request(POCO_INDIA) as followed:
        with pytest.raises(sync_api.Error, match="ERR_NAME_NOT_RESOLVED"):
            page.goto(f"{site}/in/poco/")

    assert redirects == [(302, POCO_INDIA)]
    assert followed.value.redirected_from.url == f"{site}/in/poco/"
    assert followed.value.failure == "net::ERR_NAME_NOT_RESOLVED"  # it never left the machine


def test_the_india_store_links_poco_out_and_lists_no_poco_product(site, page, poco_phones):
    page.goto(f"{site}/in/")

    poco_link = page.locator(".brand-nav").get_by_role("link", name=re.compile("POCO"))
    assert poco_link.get_attribute("href") == POCO_INDIA
    assert page.locator(".product-card__brand", has_text="POCO").count() == 0
