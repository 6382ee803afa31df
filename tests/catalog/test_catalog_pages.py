"""The catalog's shopper pages: a brand's category listing, the product page and search."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from storefront.catalog.models import Product, ProductImage, ReviewReply
from tests.factories import CategoryFactory, PriceFactory, ProductFactory, ReviewFactory, StockFactory, VariantFactory

pytestmark = pytest.mark.django_db


def make_product(stores, *, brand, name, amount="299.00", category=None, store="uk", stock=10, **variant):
    """An active product with one variant priced and stocked in `store`."""
    product = ProductFactory(brand=brand, name=name, **({"category": category} if category else {}))
    v = VariantFactory(product=product, **variant)
    PriceFactory(variant=v, store=stores[store], amount=Decimal(amount))
    StockFactory(variant=v, store=stores[store], quantity=stock)
    return product


def discontinue(product):
    Product.objects.filter(pk=product.pk).update(status=Product.Status.DISCONTINUED)


def listed_names(response):
    return [p.name for p in response.context["listing"].page.object_list]


@pytest.fixture
def phones(db):
    root = CategoryFactory(name="Phones")
    return {"root": root, "poco-f": CategoryFactory(name="POCO F", parent=root)}


# --- Category page ------------------------------------------------------------------------------------


def test_category_page_lists_the_brands_products_of_the_category_and_its_subcategories(client, stores, brands,
                                                                                        phones):
    make_product(stores, brand=brands["poco"], name="POCO F6", category=phones["poco-f"])
    make_product(stores, brand=brands["poco"], name="POCO C65", category=phones["root"])
    make_product(stores, brand=brands["redmi"], name="Redmi Note 13", category=phones["root"])
    make_product(stores, brand=brands["poco"], name="POCO Pad")  # another category

    response = client.get(reverse("catalog:category", args=["uk", "poco", "phones"]))

    assert response.status_code == 200
    assert sorted(listed_names(response)) == ["POCO C65", "POCO F6"]
    assert [c.path for c in response.context["breadcrumb"]] == ["phones"]
    assert listed_names(client.get("/uk/poco/phones/poco-f/")) == ["POCO F6"]


def test_category_page_filters_by_price_and_attributes_and_sorts(client, stores, brands, phones):
    cat = phones["root"]
    make_product(stores, brand=brands["poco"], name="Cheap black", amount="100.00", category=cat,
                 attributes={"color": "Black", "storage": "128GB"})
    make_product(stores, brand=brands["poco"], name="Mid yellow", amount="300.00", category=cat,
                 attributes={"color": "Yellow", "storage": "256GB"})
    make_product(stores, brand=brands["poco"], name="Dear black", amount="600.00", category=cat,
                 attributes={"color": "Black", "storage": "512GB"})
    url = "/uk/poco/phones/"

    assert listed_names(client.get(url, {"price_min": "150", "price_max": "700", "sort": "price"})) == [
        "Mid yellow", "Dear black"]
    assert listed_names(client.get(url, {"color": "Black", "sort": "-price"})) == ["Dear black", "Cheap black"]
    response = client.get(url, {"color": "Black"})
    [color, storage] = response.context["listing"].attribute_filters
    assert (color.name, color.values, color.selected) == ("color", ["Black", "Yellow"], "Black")
    assert storage.values == ["128GB", "256GB", "512GB"]
    assert '<option value="Black" selected>' in response.content.decode()


def test_category_page_paginates_with_links_that_keep_the_filters(client, stores, brands, phones):
    for i in range(5):
        make_product(stores, brand=brands["poco"], name=f"POCO {i}", category=phones["root"])

    response = client.get("/uk/poco/phones/", {"page_size": 2, "page": 2, "sort": "price"})

    assert listed_names(response) == ["POCO 2", "POCO 3"]
    html = response.content.decode()
    assert "Page 2 of 3" in html
    assert 'href="?page_size=2&amp;page=3&amp;sort=price"' in html


def test_unknown_category_is_a_404_page(client, stores, brands):
    response = client.get("/uk/poco/no-such-category/")
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


# --- Product page ------------------------------------------------------------------------------------


def test_product_page_shows_variants_with_store_price_and_stock_state(client, stores, brands):
    product = ProductFactory(brand=brands["poco"], name="POCO F6", description_html="<p><b>Snapdragon</b></p>")
    for sku, quantity, colour in [("F6-BLK", 50, "Black"), ("F6-GRN", 2, "Green"), ("F6-WHT", 0, "White")]:
        v = VariantFactory(product=product, sku=sku, attributes={"color": colour, "storage": "12GB+512GB"})
        PriceFactory(variant=v, store=stores["uk"], amount=Decimal("424.15"))
        StockFactory(variant=v, store=stores["uk"], quantity=quantity)
    ProductImage.objects.create(product=product, image="products/f6.jpg", alt="POCO F6 in black")

    response = client.get(reverse("catalog:product", args=["uk", "poco", product.slug]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "From £424.15" in html and html.count("£424.15") == 4
    assert "In stock" in html and "Only a few left" in html and "Out of stock" in html
    assert 'alt="POCO F6 in black"' in html
    assert "<p><b>Snapdragon</b></p>" in html  # trusted description HTML is rendered as HTML


def test_product_price_is_formatted_for_the_store_language_and_currency(client, stores, brands):
    product = ProductFactory(brand=brands["xiaomi"], name="Xiaomi 14")
    v = VariantFactory(product=product)
    PriceFactory(variant=v, store=stores["uk"], amount=Decimal("424.15"))
    PriceFactory(variant=v, store=stores["fr"], amount=Decimal("474.05"))
    PriceFactory(variant=v, store=stores["in"], amount=Decimal("123456.00"))

    assert "£424.15" in client.get(f"/uk/xiaomi/p/{product.slug}/").content.decode()
    assert "474,05\xa0€" in client.get(f"/fr/xiaomi/p/{product.slug}/").content.decode()
    assert "₹1,23,456.00" in client.get(f"/in/xiaomi/p/{product.slug}/").content.decode()


def test_product_page_shows_only_published_reviews_with_average_and_replies(client, stores, brands):
    product = make_product(stores, brand=brands["poco"], name="POCO X6")
    review = ReviewFactory(product=product, rating=5, title="Brilliant", author_name="Ana", verified_purchase=True)
    ReviewFactory(product=product, rating=4, title="Good value", author_name="Bo")
    ReviewFactory(product=product, rating=1, title="Pending rant", status="pending")
    ReviewFactory(product=product, rating=1, title="Rejected rant", status="rejected")
    ReviewReply.objects.create(review=review, author_name="POCO team", body="Thank you!")

    html = client.get(f"/uk/poco/p/{product.slug}/").content.decode()

    assert "Brilliant" in html and "Good value" in html
    assert "Pending rant" not in html and "Rejected rant" not in html
    assert "Rated 4.5 out of 5 (2 reviews)" in html
    assert html.count("Verified purchase") == 1
    assert "Reply from POCO team" in html and "Thank you!" in html


def test_review_text_is_always_escaped(client, stores, brands):
    product = make_product(stores, brand=brands["poco"], name="POCO M6")
    review = ReviewFactory(product=product, title="<b>bold</b>", body="<script>alert(1)</script>",
                           author_name="<i>Eve</i>")
    ReviewReply.objects.create(review=review, author_name="Shop", body="<img src=x onerror=alert(2)>")

    html = client.get(f"/uk/poco/p/{product.slug}/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&lt;i&gt;Eve&lt;/i&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_discontinued_product_keeps_its_page_but_is_not_listed(client, stores, brands, phones):
    product = make_product(stores, brand=brands["poco"], name="POCO M3", category=phones["root"])
    discontinue(product)

    page = client.get(f"/uk/poco/p/{product.slug}/")
    assert page.status_code == 200
    assert "This product is no longer sold." in page.content.decode()
    assert listed_names(client.get("/uk/poco/phones/")) == []
    assert listed_names(client.get("/uk/search/", {"q": "M3"})) == []
    assert "POCO M3" not in client.get("/uk/poco/").content.decode()


def test_unknown_product_or_product_of_another_brand_is_a_404(client, stores, brands):
    product = make_product(stores, brand=brands["poco"], name="POCO F5")
    assert client.get("/uk/poco/p/no-such-phone/").status_code == 404
    assert client.get(f"/uk/redmi/p/{product.slug}/").status_code == 404


# --- Search ------------------------------------------------------------------------------------------


def test_search_finds_products_across_brands(client, stores, brands):
    make_product(stores, brand=brands["poco"], name="POCO Buds Pro")
    make_product(stores, brand=brands["redmi"], name="Redmi Buds 5")
    make_product(stores, brand=brands["xiaomi"], name="Xiaomi Pad 6")

    response = client.get(reverse("catalog:search", args=["uk"]), {"q": "buds"})

    assert response.status_code == 200
    assert sorted(listed_names(response)) == ["POCO Buds Pro", "Redmi Buds 5"]
    assert "Results for “buds”" in response.content.decode()


def test_search_filters_by_brand_category_price_and_attribute_and_sorts(client, stores, brands, phones):
    make_product(stores, brand=brands["poco"], name="POCO F6", amount="400.00", category=phones["poco-f"],
                 attributes={"color": "Black"})
    make_product(stores, brand=brands["poco"], name="POCO F6 Pro", amount="550.00", category=phones["poco-f"],
                 attributes={"color": "White"})
    make_product(stores, brand=brands["redmi"], name="Redmi 13", amount="150.00", category=phones["root"],
                 attributes={"color": "Black"})
    make_product(stores, brand=brands["poco"], name="POCO Watch", amount="80.00")

    def names(**params):
        return listed_names(client.get("/uk/search/", params))

    assert names(brand="poco", category="phones", sort="price") == ["POCO F6", "POCO F6 Pro"]
    assert names(category="phones", price_max="450", sort="-price") == ["POCO F6", "Redmi 13"]
    assert names(category="phones", color="Black", sort="price") == ["Redmi 13", "POCO F6"]
    assert names(price_min="100", price_max="500", sort="price") == ["Redmi 13", "POCO F6"]
    assert names(q="poco", sort="newest")[0] == "POCO Watch"


def test_search_never_lists_an_external_brand_nor_offers_it_as_a_filter(client, stores, brands):
    make_product(stores, brand=brands["poco"], name="POCO X6", store="in", amount="20000.00")
    make_product(stores, brand=brands["redmi"], name="Redmi 13C", store="in", amount="9000.00")

    response = client.get("/in/search/", {"q": "x6"})
    assert listed_names(response) == []
    assert listed_names(client.get("/in/search/", {"brand": "poco"})) == ["Redmi 13C"]  # the filter is ignored
    assert [slug for slug, _ in response.context["form"].fields["brand"].choices] == ["", "xiaomi", "redmi"]


@pytest.mark.parametrize("params", [
    {"page": "abc"},
    {"page": "-3"},
    {"page_size": "lots"},
    {"price_min": "-x"},
    {"price_min": "-5"},
    {"price_max": "NaN"},
    {"price_min": "Infinity"},
    {"price_min": "1" * 40},
    {"sort": "DROP TABLE"},
    {"brand": "no-such-brand"},
    {"category": "no/such/category"},
    {"color": "x" * 500},
    {"q": "nul\x00byte"},
    {"q": "q" * 1000},
])
def test_malformed_parameters_are_ignored_and_the_page_still_renders(client, stores, brands, params):
    make_product(stores, brand=brands["poco"], name="POCO F6")

    response = client.get("/uk/search/", params)

    assert response.status_code == 200
    assert listed_names(response) == ["POCO F6"]
    ignored = response.context["form"].ignored
    assert len(ignored) == 1, ignored
    assert "Some filters were ignored:" in response.content.decode()


def test_a_malformed_parameter_does_not_drop_the_valid_ones(client, stores, brands):
    make_product(stores, brand=brands["poco"], name="POCO F6", amount="400.00")
    make_product(stores, brand=brands["poco"], name="POCO C65", amount="120.00")

    response = client.get("/uk/search/", {"price_max": "200", "page": "abc", "price_min": "oops"})

    assert listed_names(response) == ["POCO C65"]
    assert sorted(label for label, _ in response.context["form"].ignored) == ["Minimum price", "Page"]


def test_a_minimum_price_above_the_maximum_is_reported_and_the_maximum_ignored(client, stores, brands):
    make_product(stores, brand=brands["poco"], name="POCO F6", amount="400.00")
    response = client.get("/uk/search/", {"price_min": "300", "price_max": "100"})
    assert listed_names(response) == ["POCO F6"]
    assert "The maximum price is below the minimum price." in response.content.decode()


@pytest.mark.parametrize("page", ["3", "99999", "9" * 30])
def test_a_page_past_the_end_shows_the_last_page(client, stores, brands, page):
    for i in range(3):
        make_product(stores, brand=brands["poco"], name=f"POCO {i}")
    response = client.get("/uk/search/", {"page_size": 2, "page": page, "sort": "price"})
    assert response.context["listing"].page.number == 2
    assert listed_names(response) == ["POCO 2"]


def test_page_size_is_capped_by_the_setting(client, stores, brands, settings):
    settings.CATALOG_MAX_PAGE_SIZE = 3
    for i in range(5):
        make_product(stores, brand=brands["poco"], name=f"POCO {i}")
    response = client.get("/uk/search/", {"page_size": 1000})
    assert len(listed_names(response)) == 3


def test_search_with_no_result_shows_an_empty_state(client, stores, brands):
    html = client.get("/uk/search/", {"q": "toaster"}).content.decode()
    assert "0 products" in html and "No products match your choice." in html


# --- Query counts -------------------------------------------------------------------------------------


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def add_listed_products(stores, brands, category, how_many, start=0):
    for i in range(start, start + how_many):
        product = make_product(stores, brand=brands["poco"], name=f"POCO Phone {i:03d}", category=category,
                               attributes={"color": f"Colour {i % 4}", "storage": f"{i % 3}TB"})
        ProductImage.objects.create(product=product, image=f"products/{i}.jpg")
        ReviewFactory(product=product)


@pytest.mark.parametrize("url", ["/uk/poco/phones/", "/uk/search/"])
def test_listing_pages_run_the_same_number_of_queries_whatever_the_catalog_and_page_size(client, stores, brands,
                                                                                          phones, url):
    add_listed_products(stores, brands, phones["poco-f"], 3)
    client.get(url)  # warm-up: nothing cached per process is counted
    small = count_queries(client, url, {"page_size": 2})
    add_listed_products(stores, brands, phones["poco-f"], 40, start=3)
    large = count_queries(client, url, {"page_size": 30, "color": "Colour 1"})
    assert small == large


def test_product_page_runs_the_same_number_of_queries_whatever_its_variants_and_reviews(client, stores, brands):
    product = make_product(stores, brand=brands["poco"], name="POCO F6")
    ReviewReply.objects.create(review=ReviewFactory(product=product), author_name="Shop", body="Thanks")
    ProductImage.objects.create(product=product, image="products/a.jpg")
    url = f"/uk/poco/p/{product.slug}/"
    client.get(url)
    small = count_queries(client, url)
    for i in range(6):
        v = VariantFactory(product=product)
        PriceFactory(variant=v, store=stores["uk"])
        StockFactory(variant=v, store=stores["uk"], quantity=i)
        ProductImage.objects.create(product=product, image=f"products/{i}.jpg")
        review = ReviewFactory(product=product)
        ReviewReply.objects.create(review=review, author_name="Shop", body="Thanks")
        ReviewReply.objects.create(review=review, author_name="Shop", body="Again")
    assert count_queries(client, url) == small
