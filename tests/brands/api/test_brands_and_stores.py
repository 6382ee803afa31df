import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from brands.models import Brand, BrandAvailability, RegionalStore

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def get_counting(api, url):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return response.json(), len(queries)


def test_brands_list_in_display_order_with_their_look(api, reference_data):
    body = api.get("/api/v1/brands/").json()
    assert [brand["slug"] for brand in body] == ["xiaomi", "redmi", "poco"]
    assert body[2] == {
        "slug": "poco",
        "name": "POCO",
        "tagline": "Everything you need, nothing you don't",
        "logo": None,
        "colours": {"primary": "#000000", "accent": "#ffd100", "text": "#ffffff"},
    }


def test_a_brand_detail_says_where_it_is_served_and_where_it_is_sold_elsewhere(api, stores):
    stores["fr"].is_active = False
    stores["fr"].save()
    body = api.get("/api/v1/brands/poco/").json()
    assert body["stores"] == [
        {"store": "global", "mode": "served", "is_external": False, "external_url": None},
        {"store": "uk", "mode": "served", "is_external": False, "external_url": None},
        {"store": "in", "mode": "external", "is_external": True, "external_url": "https://www.poco.in/"},
    ]


def test_stores_list_only_the_active_ones(api, stores):
    stores["fr"].is_active = False
    stores["fr"].save()
    body = api.get("/api/v1/stores/").json()
    assert [store["code"] for store in body] == ["global", "uk", "in"]
    assert api.get("/api/v1/stores/uk/").json() == {
        "code": "uk", "name": "United Kingdom", "currency": "GBP", "language": "en", "locale": "en_GB",
        "country": "GB",
    }


def test_a_store_lists_the_brands_it_serves_and_those_it_sends_elsewhere(api, reference_data):
    body = api.get("/api/v1/stores/in/brands/").json()
    assert [(offer["brand"]["slug"], offer["mode"], offer["external_url"]) for offer in body] == [
        ("xiaomi", "served", None),
        ("redmi", "served", None),
        ("poco", "external", "https://www.poco.in/"),
    ]
    assert api.get("/api/v1/stores/uk/brands/poco/").json()["mode"] == "served"


@pytest.mark.parametrize(
    "url, message",
    [
        ("/api/v1/brands/nokia/", "No brand with slug 'nokia'."),
        ("/api/v1/stores/mars/", "No regional store with code 'mars'."),
        ("/api/v1/stores/mars/brands/", "No regional store with code 'mars'."),
        ("/api/v1/stores/uk/brands/nokia/", "Store 'uk' does not offer a brand 'nokia'."),
    ],
)
def test_unknown_brands_and_stores_answer_404_in_json(api, reference_data, url, message):
    response = api.get(url)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": message}}


def test_brand_and_store_endpoints_run_a_constant_number_of_queries(api, reference_data):
    urls = ["/api/v1/brands/", "/api/v1/brands/poco/", "/api/v1/stores/", "/api/v1/stores/in/brands/"]
    few = [get_counting(api, url)[1] for url in urls]
    for i in range(10):
        brand = Brand.objects.create(slug=f"brand-{i}", name=f"Brand {i}")
        store = RegionalStore.objects.create(code=f"s{i}", name=f"Store {i}", currency="EUR", language="en",
                                             locale="en_IE")
        BrandAvailability.objects.create(brand=Brand.objects.get(slug="poco"), store=store)
        BrandAvailability.objects.create(brand=brand, store=RegionalStore.objects.get(code="in"))
    many = [get_counting(api, url) for url in urls]
    brands, poco, stores, india_offers = (body for body, _ in many)
    assert [len(brands), len(poco["stores"]), len(stores), len(india_offers)] == [13, 14, 14, 13]
    assert [queries for _, queries in many] == few == [1, 2, 1, 2]
