"""Every shopper page runs the same number of SQL queries at 200 and at 2,000 generated products, at the
default page size and at the largest one (the benchmark checks the same at 20,000; docs/benchmarks.md).

The expected figures are those of docs/shopper-pages.md and docs/api.md, for an anonymous visitor.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.catalog_data import catalog_ensure
from storefront.catalog.models import Product

pytestmark = pytest.mark.django_db

SMALL, LARGE = 200, 2000
PAGES = {
    # name: (url, query string, expected queries)
    "store home": ("/uk/", {}, 6),
    "brand landing": ("/uk/poco/", {}, 8),
    "category": ("/uk/poco/phones/", {"sort": "price"}, 13),
    "filtered category": ("/uk/poco/phones/", {"color": "Black", "price_min": "100", "price_max": "900"}, 13),
    "search": ("/uk/search/", {"q": "poco model"}, 9),
    "product": ("/uk/poco/p/{slug}/", {}, 12),
    # The API's figures are those of docs/api.md: 4 for the list, +1 for the brand filter.
    "products API": ("/api/v1/stores/uk/products/", {"brand": "poco"}, 5),
    "filtered products API": ("/api/v1/stores/uk/products/", {"brand": "poco", "category": "phones",
                                                               "q": "poco model", "ordering": "price"}, 6),
    "product API": ("/api/v1/stores/uk/products/poco/{slug}/", {}, 7),
}


def count_queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(queries)


def counts_by_page(client, slug):
    """Queries each page runs at the default page size (24) and at the largest one (96)."""
    counts = {}
    for name, (url, params, _) in PAGES.items():
        url = url.format(slug=slug)
        client.get(url, params)  # warm-up: nothing cached per process is counted
        counts[name] = {count_queries(client, url, {**params, "page_size": size}) for size in (24, 96)}
    return counts


def test_shopper_pages_run_a_constant_number_of_queries_at_200_and_2000_products(client, reference_data):
    catalog_ensure(products=SMALL)
    # A product with published reviews, so the prefetch of their replies runs too.
    slug = (Product.objects.filter(brand__slug="poco", reviews__status="published")
            .order_by("pk").values_list("slug", flat=True).first())
    small = counts_by_page(client, slug)

    catalog_ensure(products=LARGE)
    large = counts_by_page(client, slug)

    expected = {name: {queries} for name, (_, _, queries) in PAGES.items()}
    assert small == expected
    assert large == expected


def test_the_generated_catalog_lists_pages_of_the_largest_size(client, reference_data):
    """Guards the test above: at 2,000 products the pages really are full, so a per-row query would show."""
    catalog_ensure(products=LARGE)
    response = client.get("/uk/poco/phones/", {"page_size": 96})
    assert len(response.context["listing"].page.object_list) == 96
    response = client.get("/uk/search/", {"q": "poco model", "page_size": 96})
    assert len(response.context["listing"].page.object_list) == 96
