from decimal import Decimal

import pytest

from storefront.catalog.models import Product
from tests.factories import CategoryFactory, PriceFactory, ReviewFactory, StockFactory, VariantFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/stores/{store}/products/"


def names(response):
    assert response.status_code == 200, response.content
    return [product["name"] for product in response.json()["results"]]


def test_a_listed_product_carries_brand_category_price_in_the_store_currency_stock_rating_and_image(
    api, make_product
):
    phone = make_product("POCO F6", "399.00", image="products/f6.jpg")
    ReviewFactory(product=phone, rating=4)
    ReviewFactory(product=phone, rating=5)
    ReviewFactory(product=phone, rating=1, status="pending")

    [listed] = api.get(LIST.format(store="uk")).json()["results"]

    assert listed == {
        "brand": {"slug": "poco", "name": "POCO"},
        "slug": "poco-f6",
        "name": "POCO F6",
        "category": {"path": phone.category.path, "name": phone.category.name},
        "status": "active",
        "price_from": {"amount": "399.00", "currency": "GBP"},
        "in_stock": True,
        "rating": {"average": 4.5, "count": 2},
        "image": "http://testserver/media/products/f6.jpg",
    }


def test_poco_never_appears_in_the_india_store(api, make_product):
    make_product("POCO X6", "20000.00", store="in")
    make_product("Redmi 13", "9000.00", brand="redmi", store="in")
    assert names(api.get(LIST.format(store="in"))) == ["Redmi 13"]


def test_discontinued_products_are_not_listed(api, make_product):
    make_product("POCO M3")
    old = make_product("POCO M2")
    Product.objects.filter(pk=old.pk).update(status=Product.Status.DISCONTINUED)
    assert names(api.get(LIST.format(store="uk"))) == ["POCO M3"]


def test_filters_by_brand_category_subtree_price_range_and_variant_attributes(api, make_product):
    phones = CategoryFactory(name="Phones", slug="phones")
    poco_f = CategoryFactory(name="POCO F", slug="poco-f", parent=phones)
    make_product("Yellow F", "150.00", category=poco_f, attributes={"color": "Yellow", "storage": "256GB"})
    make_product("Black F", "150.00", category=poco_f, attributes={"color": "Black", "storage": "256GB"})
    make_product("Dear F", "900.00", category=poco_f, attributes={"color": "Yellow", "storage": "256GB"})
    make_product("Xiaomi phone", "150.00", brand="xiaomi", category=phones)
    make_product("Elsewhere", "150.00")
    url = LIST.format(store="uk")

    assert names(api.get(url, {"category": "phones"})) == ["Black F", "Dear F", "Xiaomi phone", "Yellow F"]
    assert names(api.get(url, {"category": "phones", "brand": "poco", "price_max": "200"})) == [
        "Black F", "Yellow F"
    ]
    assert names(api.get(url, {"category": "phones/poco-f", "color": "Yellow", "price_min": "100.001"})) == [
        "Dear F", "Yellow F"
    ]
    assert names(api.get(url, {"storage": "256GB", "color": "Black"})) == ["Black F"]


def test_search_and_every_ordering(api, make_product):
    make_product("POCO Pad", "250.00")
    make_product("POCO F6 Pro", "500.00")
    make_product("Redmi Buds", "20.00", brand="redmi")
    Product.objects.filter(name="POCO Pad").update(created_at="2030-01-01T00:00:00Z")
    url = LIST.format(store="uk")

    assert names(api.get(url, {"q": "f6 poco"})) == ["POCO F6 Pro"]
    assert names(api.get(url, {"ordering": "price"})) == ["Redmi Buds", "POCO Pad", "POCO F6 Pro"]
    assert names(api.get(url, {"ordering": "-price"})) == ["POCO F6 Pro", "POCO Pad", "Redmi Buds"]
    assert names(api.get(url, {"ordering": "name"})) == ["POCO F6 Pro", "POCO Pad", "Redmi Buds"]
    assert names(api.get(url, {"ordering": "newest"}))[0] == "POCO Pad"


def test_pages_by_number_with_a_page_size_capped_at_the_maximum(api, make_product, settings):
    settings.CATALOG_MAX_PAGE_SIZE = 3
    for i in range(5):
        make_product(f"P{i}")
    url = LIST.format(store="uk")

    first = api.get(url, {"page_size": 2}).json()
    assert first["count"] == 5 and len(first["results"]) == 2
    assert first["next"].endswith("page=2&page_size=2") and first["previous"] is None
    assert names(api.get(url, {"page_size": 2, "page": 3})) == ["P4"]
    assert len(api.get(url, {"page_size": 50}).json()["results"]) == 3


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-2"}, "page_size"),
        ({"price_min": "-x"}, "price_min"),
        ({"price_min": "-1"}, "price_min"),
        ({"price_max": "NaN"}, "price_max"),
        ({"price_max": "1e30"}, "price_max"),
        ({"ordering": "cheapest"}, "ordering"),
        ({"ordering": ""}, "ordering"),
        ({"price_min": " "}, "price_min"),
        ({"brand": ""}, "brand"),
        ({"brand": " poco"}, "brand"),
        ({"brand": "nokia"}, "brand"),
        ({"category": "no/such/path"}, "category"),
        ({"category": "bad path!"}, "category"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_a_malformed_query_parameter_answers_400_naming_it(api, make_product, params, parameter):
    make_product("POCO F6")
    response = api.get(LIST.format(store="uk"), params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert f"'{parameter}'" in error["message"]
    assert list(error["fields"]) == [parameter]


def test_a_page_past_the_last_answers_404_in_json(api, make_product):
    make_product("POCO F6")
    response = api.get(LIST.format(store="uk"), {"page": 2})
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Page 2 is past the last page of results."}}


def test_an_unknown_or_inactive_store_answers_404_in_json(api, stores):
    stores["fr"].is_active = False
    stores["fr"].save()
    for code in ("mars", "fr"):
        response = api.get(LIST.format(store=code))
        assert response.status_code == 404
        assert response.json() == {
            "error": {"code": "not_found", "message": f"No regional store with code '{code}'."}
        }


def test_product_detail_gives_each_variant_price_and_stock_in_that_store(api, make_product, stores):
    phone = make_product("POCO F6", "399.00", attributes={"color": "Black"}, image="products/f6.jpg")
    second = VariantFactory(product=phone, sku="F6-WHITE", attributes={"color": "White"}, position=1)
    PriceFactory(variant=second, store=stores["uk"], amount=Decimal("429.00"))
    StockFactory(variant=second, store=stores["uk"], quantity=0)
    PriceFactory(variant=second, store=stores["fr"], amount=Decimal("449.00"))

    detail = api.get(f"/api/v1/stores/uk/products/poco/{phone.slug}/").json()

    assert detail["price_from"] == {"amount": "399.00", "currency": "GBP"}
    assert detail["is_listed"] is True
    assert detail["images"] == [{"url": "http://testserver/media/products/f6.jpg", "alt": "POCO F6"}]
    assert [(v["attributes"], v["price"], v["stock"], v["in_stock"]) for v in detail["variants"]] == [
        ({"color": "Black"}, {"amount": "399.00", "currency": "GBP"}, 5, True),
        ({"color": "White"}, {"amount": "429.00", "currency": "GBP"}, 0, False),
    ]


def test_a_variant_unpriced_in_the_store_shows_a_null_price(api, make_product):
    phone = make_product("POCO F6", store=None)
    [variant] = api.get(f"/api/v1/stores/uk/products/poco/{phone.slug}/").json()["variants"]
    assert variant["price"] is None and variant["stock"] == 0


def test_a_discontinued_product_keeps_its_detail(api, make_product):
    old = make_product("POCO M2")
    Product.objects.filter(pk=old.pk).update(status=Product.Status.DISCONTINUED)
    detail = api.get(f"/api/v1/stores/uk/products/poco/{old.slug}/").json()
    assert detail["status"] == "discontinued" and detail["is_listed"] is False


def test_product_detail_404s_say_what_is_missing(api, make_product):
    poco = make_product("POCO X6", store="in")
    cases = {
        "/api/v1/stores/uk/products/poco/nothing/": "No product 'poco/nothing'.",
        "/api/v1/stores/uk/products/nokia/3310/": "Store 'uk' does not carry a brand 'nokia'.",
        f"/api/v1/stores/in/products/poco/{poco.slug}/": (
            "Store 'in' does not sell POCO itself; it is sold at https://www.poco.in/"
        ),
    }
    for url, message in cases.items():
        response = api.get(url)
        assert response.status_code == 404
        assert response.json() == {"error": {"code": "not_found", "message": message}}


def test_listing_and_detail_run_a_constant_number_of_queries(api, make_product, count_queries):
    def listing_and_detail(product):
        listing, listing_queries = count_queries(lambda: api.get(LIST.format(store="uk"), {"page_size": 50}))
        detail, detail_queries = count_queries(lambda: api.get(f"/api/v1/stores/uk/products/poco/{product.slug}/"))
        assert listing.status_code == detail.status_code == 200
        return len(listing.json()["results"]), listing_queries, detail_queries

    first = make_product("P0", image="products/p0.jpg")
    small_catalog = listing_and_detail(first)
    for i in range(1, 30):
        last = make_product(f"P{i}", image=f"products/p{i}.jpg")
        VariantFactory(product=last)
        ReviewFactory(product=last)
    large_catalog = listing_and_detail(last)
    # listing: store, count, page, images; detail: store, brand availability, product, variants, prices, stock,
    # images
    assert small_catalog == (1, 4, 7)
    assert large_catalog == (30, 4, 7)
