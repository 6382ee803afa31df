import pytest
from django.db import IntegrityError

from brands.models import BrandAvailability, RegionalStore
from brands.services import reference_data_ensure


def test_fresh_store_has_four_regional_stores_with_their_currencies(stores):
    assert {code: s.currency for code, s in stores.items()} == {
        "global": "USD", "uk": "GBP", "fr": "EUR", "in": "INR"
    }
    assert stores["fr"].language == "fr"


def test_poco_in_india_is_an_external_brand_pointing_to_poco_in(stores, brands):
    availability = BrandAvailability.objects.get(brand=brands["poco"], store=stores["in"])
    assert availability.is_external
    assert availability.external_url.startswith("https://www.poco.in")
    assert not BrandAvailability.objects.get(brand=brands["poco"], store=stores["uk"]).is_external


def test_reference_data_is_idempotent_and_keeps_admin_edits(reference_data):
    RegionalStore.objects.filter(code="uk").update(name="UK store")
    reference_data_ensure()
    assert RegionalStore.objects.count() == 4
    assert RegionalStore.objects.get(code="uk").name == "UK store"


def test_external_availability_without_url_is_refused_by_the_database(stores, brands):
    BrandAvailability.objects.filter(brand=brands["poco"], store=stores["in"]).delete()
    with pytest.raises(IntegrityError):
        BrandAvailability.objects.create(brand=brands["poco"], store=stores["in"], mode="external")
