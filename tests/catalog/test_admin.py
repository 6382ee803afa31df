from decimal import Decimal

import pytest
from django.urls import reverse

from storefront.catalog.models import Category, Review
from tests.accounts.admin_support import assert_changelist_queries_constant, search_results
from tests.factories import (
    CategoryFactory,
    PriceFactory,
    ProductFactory,
    ReviewFactory,
    StockFactory,
    UserFactory,
    VariantFactory,
)


def test_catalog_changelists_run_constant_queries(admin_client, stores):
    def add_variants(count):
        for variant in VariantFactory.create_batch(count):
            PriceFactory(variant=variant)
            StockFactory(variant=variant)

    def add_categories(count):
        parent = CategoryFactory()
        CategoryFactory.create_batch(count - 1, parent=parent)

    def add_reviews(count):
        ReviewFactory.create_batch(count, user=UserFactory(), status=Review.Status.PENDING)

    cases = [
        ("admin:catalog_category_changelist", add_categories),
        ("admin:catalog_product_changelist", add_variants),
        ("admin:catalog_variant_changelist", add_variants),
        ("admin:catalog_review_changelist", add_reviews),
    ]
    for name, add in cases:
        assert_changelist_queries_constant(admin_client, reverse(name), add)


def test_product_search_finds_by_name_and_sku(admin_client, brands):
    variant = VariantFactory(product=ProductFactory(name="POCO F6 Pro"), sku="POCO-F6P-512")
    ProductFactory(name="Redmi Note 13")
    url = reverse("admin:catalog_product_changelist")

    assert search_results(admin_client, url, "f6 pro") == [variant.product]
    assert search_results(admin_client, url, "POCO-F6P-512") == [variant.product]


def test_product_and_variant_pages_link_to_each_other(admin_client, stores):
    price = PriceFactory(store=stores["fr"])
    variant = price.variant

    product_page = admin_client.get(reverse("admin:catalog_product_change", args=[variant.product_id]))
    variant_page = admin_client.get(reverse("admin:catalog_variant_change", args=[variant.pk]))

    assert reverse("admin:catalog_variant_change", args=[variant.pk]) in product_page.content.decode()
    assert reverse("admin:catalog_product_change", args=[variant.product_id]) in variant_page.content.decode()
    assert "299.00" in variant_page.content.decode()


def test_category_tree_search_and_saving_derives_paths(admin_client, db):
    phones = CategoryFactory(name="Phones", slug="phones")
    CategoryFactory(name="Gaming", slug="gaming", parent=phones)
    url = reverse("admin:catalog_category_changelist")
    assert [c.path for c in search_results(admin_client, url, "gaming")] == ["phones/gaming"]

    response = admin_client.post(reverse("admin:catalog_category_change", args=[phones.pk]),
                                 {"name": "Smartphones", "slug": "smartphones", "position": 0, "parent": ""})

    assert response.status_code == 302
    assert sorted(Category.objects.values_list("path", "depth")) == [("smartphones", 0), ("smartphones/gaming", 1)]


def test_a_category_cannot_be_moved_under_its_own_subcategory(admin_client, db):
    phones = CategoryFactory(name="Phones", slug="phones")
    gaming = CategoryFactory(name="Gaming", slug="gaming", parent=phones)

    response = admin_client.post(reverse("admin:catalog_category_change", args=[phones.pk]),
                                 {"name": "Phones", "slug": "phones", "position": 0, "parent": gaming.pk})

    assert response.status_code == 200
    assert "cannot be placed under itself or under one of its own subcategories" in response.content.decode()


def test_new_category_under_a_parent_gets_its_path(admin_client, db):
    phones = CategoryFactory(name="Phones", slug="phones")

    admin_client.post(reverse("admin:catalog_category_add"),
                      {"name": "Foldables", "slug": "foldables", "position": 1, "parent": phones.pk})

    assert Category.objects.get(slug="foldables").path == "phones/foldables"


class TestReviewModeration:
    @pytest.fixture
    def reviews(self, brands):
        product = ProductFactory(name="POCO X6")
        return [
            ReviewFactory(product=product, author_name="Lea", body="Battery lasts two days", rating=5,
                          status=Review.Status.PENDING, verified_purchase=True),
            ReviewFactory(product=product, author_name="Tom", body="Screen scratched", rating=2,
                          status=Review.Status.PENDING),
        ]

    def test_filters_and_search(self, admin_client, reviews):
        url = reverse("admin:catalog_review_changelist")
        lea, tom = reviews

        assert list(admin_client.get(url, {"rating": 2}).context["cl"].result_list) == [tom]
        assert list(admin_client.get(url, {"verified_purchase__exact": 1}).context["cl"].result_list) == [lea]
        assert search_results(admin_client, url, "battery") == [lea]
        assert search_results(admin_client, url, "Tom") == [tom]
        assert set(search_results(admin_client, url, "POCO X6")) == {lea, tom}

    def test_bulk_publish_and_reject(self, admin_client, reviews):
        url = reverse("admin:catalog_review_changelist")
        lea, tom = reviews

        admin_client.post(url, {"action": "publish", "_selected_action": [lea.pk]})
        admin_client.post(url, {"action": "reject", "_selected_action": [tom.pk]})

        assert dict(Review.objects.values_list("author_name", "status")) == {"Lea": "published", "Tom": "rejected"}
        assert list(admin_client.get(url, {"status__exact": "rejected"}).context["cl"].result_list) == [tom]


def test_a_price_takes_its_stores_currency_and_refuses_another(admin_client, stores):
    variant = VariantFactory()
    change = reverse("admin:catalog_variant_change", args=[variant.pk])
    form = {
        "product": variant.product_id, "sku": variant.sku, "attributes": "{}", "position": 0,
        "prices-TOTAL_FORMS": 1, "prices-INITIAL_FORMS": 0, "prices-MIN_NUM_FORMS": 0, "prices-MAX_NUM_FORMS": 1000,
        "prices-0-store": stores["uk"].pk, "prices-0-amount": "249.00", "prices-0-currency": "USD",
        "stock-TOTAL_FORMS": 0, "stock-INITIAL_FORMS": 0, "stock-MIN_NUM_FORMS": 0, "stock-MAX_NUM_FORMS": 1000,
    }

    refused = admin_client.post(change, form)
    assert "Prices in United Kingdom are in GBP." in refused.content.decode()

    saved = admin_client.post(change, {**form, "prices-0-currency": ""})
    assert saved.status_code == 302
    assert list(variant.prices.values_list("amount", "currency")) == [(Decimal("249.00"), "GBP")]
