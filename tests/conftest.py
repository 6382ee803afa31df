import pytest

from brands.services import reference_data_ensure


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
