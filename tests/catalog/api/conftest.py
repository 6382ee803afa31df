from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from storefront.catalog.models import ProductImage
from tests.factories import PriceFactory, ProductFactory, StockFactory, VariantFactory


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def make_product(stores, brands):
    """A product with one variant priced (and stocked) in one store; `store=None` leaves it unpriced."""

    def make(name, amount="100.00", *, brand="poco", store="uk", stock=5, category=None, image=None, **variant):
        product = ProductFactory(brand=brands[brand], name=name, **({"category": category} if category else {}))
        sku = VariantFactory(product=product, **variant)
        if store:
            PriceFactory(variant=sku, store=stores[store], amount=Decimal(amount))
            StockFactory(variant=sku, store=stores[store], quantity=stock)
        if image:
            ProductImage.objects.create(product=product, image=image, alt=name)
        return product

    return make


@pytest.fixture
def count_queries():
    """Calls `fetch()` and returns (its result, the number of SQL queries it ran)."""

    def count(fetch):
        with CaptureQueriesContext(connection) as queries:
            result = fetch()
        return result, len(queries)

    return count
