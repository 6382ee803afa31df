import pytest
from django.conf import settings

from brands.services import reference_data_ensure


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` skip, saying why, where the suite runs on another database (SQLite)."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db>")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture
def reference_data(db):
    """The four regional stores and three brands, as a fresh store has them."""
    reference_data_ensure()


@pytest.fixture
def stores(reference_data):
    from brands.models import RegionalStore

    return {store.code: store for store in RegionalStore.objects.all()}


@pytest.fixture
def brands(reference_data):
    from brands.models import Brand

    return {brand.slug: brand for brand in Brand.objects.all()}


@pytest.fixture
def demo_store(db):
    """A small demo store, as `manage.py seed_store --products 40` makes it; returns the seed's report.

    Holds 40 Xiaomi and Redmi products with prices and stock in the four stores, the demo customers
    (oliver.fournier.50@example.com among them), the support agents agent.0@po.co and agent.1@po.co,
    and admin@example.com. storefront/demo/people.py lists their passwords.
    """
    from storefront.demo.seeding import store_seed

    return store_seed(product_count=40)
