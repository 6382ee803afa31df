"""Brand and store scoping of requests: which store a URL names, and what a brand is in that store."""

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Brand, BrandAvailability, RegionalStore


def store_code_from_path(path: str) -> str:
    """The first segment of a path, which names the regional store on shopper pages (`/uk/poco/`)."""
    return path.lstrip("/").split("/", 1)[0]


def get_active_store(code: str) -> RegionalStore | None:
    return RegionalStore.objects.filter(code=code, is_active=True).first()


@dataclass(frozen=True)
class BrandInStore:
    """A brand as a store presents it: served there, or sent to an external site."""

    store: RegionalStore
    brand: Brand
    availability: BrandAvailability

    @property
    def is_external(self) -> bool:
        return self.availability.is_external


def brand_in_store_or_404(store: RegionalStore, brand_slug: str) -> BrandInStore:
    """The brand as `store` presents it; 404 where the brand is unknown or the store does not carry it."""
    availability = get_object_or_404(
        BrandAvailability.objects.select_related("brand"), store=store, brand__slug=brand_slug
    )
    return BrandInStore(store=store, brand=availability.brand, availability=availability)


def require_store(request) -> RegionalStore:
    store = getattr(request, "regional_store", None)
    if store is None:
        raise Http404("Unknown regional store")
    return store
