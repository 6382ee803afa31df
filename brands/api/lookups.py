"""Finding the store and brand an API URL names, or a 404 that says which one is missing."""

from rest_framework.exceptions import NotFound

from brands.models import BrandAvailability, RegionalStore
from brands.scoping import get_active_store


def active_store_or_404(code: str) -> RegionalStore:
    store = get_active_store(code)
    if store is None:
        raise NotFound(f"No regional store with code '{code}'.")
    return store


def served_brand_or_404(store: RegionalStore, brand_slug: str) -> BrandAvailability:
    """The brand's availability where `store` sells it itself; a 404 where the store does not carry the
    brand or sends shoppers to another site for it (POCO in `in`), the message then giving that site."""
    availability = (
        BrandAvailability.objects.select_related("brand").filter(store=store, brand__slug=brand_slug).first()
    )
    if availability is None:
        raise NotFound(f"Store '{store.code}' does not carry a brand '{brand_slug}'.")
    if availability.is_external:
        raise NotFound(
            f"Store '{store.code}' does not sell {availability.brand.name} itself; it is sold at "
            f"{availability.external_url}"
        )
    return availability
