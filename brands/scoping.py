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


def brand_page_scope(request, brand_slug: str) -> BrandInStore:
    """The brand a shopper page under `/<store>/<brand>/` shows; 404 for an unknown store or brand.

    The caller sends the shopper to `availability.external_url` where the brand `is_external`.
    """
    return brand_in_store_or_404(require_store(request), brand_slug)


def brands_in_store(store: RegionalStore) -> list[BrandInStore]:
    """Every brand a store presents, served or external, in the store's order (one query)."""
    availabilities = (
        BrandAvailability.objects.filter(store=store)
        .select_related("brand")
        .order_by("position", "brand__position", "brand__name")
    )
    return [BrandInStore(store=store, brand=a.brand, availability=a) for a in availabilities]


def active_stores() -> list[RegionalStore]:
    """The regional stores a shopper can switch between, in their order (one query)."""
    return list(RegionalStore.objects.filter(is_active=True).order_by("position", "code"))
