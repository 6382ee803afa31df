from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefront.catalog.models import Product
from storefront.catalog.selectors import ProductQuery, listed_products, product_detail
from tests.factories import CategoryFactory, PriceFactory, ProductFactory, ReviewFactory, StockFactory, VariantFactory

pytestmark = pytest.mark.django_db


def make_product(stores, *, brand, name, amount, category=None, store="uk", stock=5, **variant):
    product = ProductFactory(brand=brand, name=name, **({"category": category} if category else {}))
    v = VariantFactory(product=product, **variant)
    PriceFactory(variant=v, store=stores[store], amount=Decimal(amount))
    StockFactory(variant=v, store=stores[store], quantity=stock)
    return product


def test_listing_shows_active_products_priced_in_the_store_with_their_figures(stores, brands):
    phone = make_product(stores, brand=brands["poco"], name="POCO F6", amount="399.00")
    ReviewFactory(product=phone, rating=4)
    ReviewFactory(product=phone, rating=2)
    ReviewFactory(product=phone, rating=1, status="pending")
    make_product(stores, brand=brands["poco"], name="Old POCO", amount="99.00").__class__.objects.filter(
        name="Old POCO").update(status=Product.Status.DISCONTINUED)
    make_product(stores, brand=brands["poco"], name="Only in France", amount="10.00", store="fr")

    [listed] = listed_products(store=stores["uk"])
    assert listed == phone
    assert listed.price_from == Decimal("399.00")
    assert listed.in_stock
    assert listed.review_count == 2 and listed.rating_average == 3


def test_poco_is_never_listed_in_the_india_store(stores, brands):
    make_product(stores, brand=brands["poco"], name="POCO X6", amount="20000.00", store="in")
    make_product(stores, brand=brands["redmi"], name="Redmi 13", amount="9000.00", store="in")
    assert [p.name for p in listed_products(store=stores["in"])] == ["Redmi 13"]


def test_filters_by_brand_category_subtree_price_and_attribute(stores, brands):
    phones = CategoryFactory(name="Phones")
    poco_f = CategoryFactory(name="POCO F", parent=phones)
    a = make_product(stores, brand=brands["poco"], name="A", amount="100.00", category=poco_f,
                     attributes={"color": "Yellow"})
    make_product(stores, brand=brands["poco"], name="B", amount="300.00", category=poco_f)
    make_product(stores, brand=brands["xiaomi"], name="C", amount="150.00", category=phones)
    query = ProductQuery(brand="poco", category=phones, price_max=Decimal("200"), attributes={"color": "Yellow"})
    assert list(listed_products(store=stores["uk"], query=query)) == [a]


def test_search_and_sorts(stores, brands):
    make_product(stores, brand=brands["poco"], name="POCO Pad", amount="250.00")
    make_product(stores, brand=brands["poco"], name="POCO F6 Pro", amount="500.00")
    make_product(stores, brand=brands["redmi"], name="Redmi Buds", amount="20.00")
    names = lambda **kw: [p.name for p in listed_products(store=stores["uk"], query=ProductQuery(**kw))]  # noqa: E731
    assert names(q="poco") == ["POCO F6 Pro", "POCO Pad"]
    assert names(q="f6 poco") == ["POCO F6 Pro"]
    assert names(sort="price") == ["Redmi Buds", "POCO Pad", "POCO F6 Pro"]
    assert names(sort="-price") == ["POCO F6 Pro", "POCO Pad", "Redmi Buds"]


def test_listing_runs_a_constant_number_of_queries(stores, brands):
    for i in range(3):
        make_product(stores, brand=brands["poco"], name=f"P{i}", amount="10.00")
    with CaptureQueriesContext(connection) as few:
        list(listed_products(store=stores["uk"]))
    for i in range(3, 15):
        make_product(stores, brand=brands["poco"], name=f"P{i}", amount="10.00")
    with CaptureQueriesContext(connection) as many:
        assert len(list(listed_products(store=stores["uk"]))) == 15
    assert len(few) == len(many) == 2


def test_product_detail_keeps_discontinued_products_and_only_published_reviews(stores, brands):
    product = make_product(stores, brand=brands["poco"], name="POCO M3", amount="120.00")
    Product.objects.filter(pk=product.pk).update(status=Product.Status.DISCONTINUED)
    ReviewFactory(product=product, body="<script>x</script>")
    ReviewFactory(product=product, status="rejected")
    detail = product_detail(store=stores["uk"], brand_slug="poco", slug=product.slug)
    assert detail.status == "discontinued"
    assert len(detail.published_reviews) == 1
    [variant] = detail.variants.all()
    assert variant.store_prices[0].amount == Decimal("120.00")
