"""The closed po.co site's URLs answered with permanent redirects into the store (contract rule 8).

`LegacyHostsMiddleware` (first in MIDDLEWARE) answers every request whose host is one of `LEGACY_HOSTS`:
- a URL of the redirect table (`legacy.LegacyRedirect`, editable in the admin) goes to what its row names:
  a product's page (`/uk/product/<slug>/` -> `/uk/poco/p/<slug>/`), a POCO category page of the store
  (`/uk/category/<slug path>/` -> `/uk/poco/<category path>/`) or the POCO landing page (a portal's home
  `/uk/` -> `/uk/poco/`), in the row's store, else the store of the URL's portal prefix, else `global`;
- `/in/...` goes to POCO India's own site (the external URL of POCO in the `in` store);
- anything else goes to the POCO landing page of the portal prefix's store (else `global`), never a 404.
Targets are built from the current slugs (one query joins the row to its product, category or brand), so
a slug renamed after the import still lands; the query string of the legacy URL is dropped.

Requests to `LEGACY_API_HOSTS` (the po.co app's API) answer 410 Gone with the API's JSON error shape and
the store's POCO page. At most one query per request.

The products loader fills the table: one row per product `legacy_urls` entry, and (from
`catalog_page_redirects`) each portal's home and category pages, added only where absent so rows edited in
the admin stay as edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils.text import slugify

from brands.models import Brand, BrandAvailability
from brands.services import POCO_INDIA_URL
from storefront.catalog.models import Category, Product

from .models import LegacyRedirect

LEGACY_SITE = "https://www.po.co"
PORTALS = ("global", "uk", "fr")  # the portals consolidated into the store of the same code
INDIA_PORTAL = "in"
DEFAULT_STORE = "global"
BRAND_SLUG = "poco"
PRODUCTS, CATEGORIES, BRANDS = "products", "categories", "brands"  # LegacyRedirect.entity of each target


def category_url(portal: str, slug_path: str) -> str:
    """A po.co category page: `https://www.po.co/<portal>/category/<slug>/<slug>/`."""
    return f"{LEGACY_SITE}/{portal}/category/{slug_path}/"


def legacy_slug_path(names: list[str]) -> str:
    """How po.co spelled a category path in its URLs: each level slugified (`smartphones/poco-f-series`)."""
    return "/".join(slugify(name) for name in names)


def catalog_page_redirects(*, brand_pk: int, categories: dict[str, int]) -> list[LegacyRedirect]:
    """Rows for every portal's home page (site root included) and its pages of `categories` (legacy slug
    path -> category pk), each to the POCO page of the portal's store."""
    rows = [LegacyRedirect(source_url=f"{LEGACY_SITE}/", entity=BRANDS, legacy_id=BRAND_SLUG, target_pk=brand_pk,
                           store_code=DEFAULT_STORE)]
    for portal in PORTALS:
        rows.append(LegacyRedirect(source_url=f"{LEGACY_SITE}/{portal}/", entity=BRANDS, legacy_id=BRAND_SLUG,
                                   target_pk=brand_pk, store_code=portal))
        rows += [LegacyRedirect(source_url=category_url(portal, slug_path), entity=CATEGORIES,
                                legacy_id=slug_path[:64], target_pk=pk, store_code=portal)
                 for slug_path, pk in categories.items()]
    return rows


class LegacyHostsMiddleware:
    """Answers requests to the po.co hosts (redirects) and to its API host (410); passes the others on."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.site_hosts = {host.lower() for host in settings.LEGACY_HOSTS}
        self.api_hosts = {host.lower() for host in settings.LEGACY_API_HOSTS}

    def __call__(self, request):
        host, _port = split_domain_port(request.get_host())
        if host in self.site_hosts:
            return HttpResponsePermanentRedirect(legacy_target(request.path, self.site_hosts))
        if host in self.api_hosts:
            return api_gone()
        return self.get_response(request)


def legacy_target(path: str, hosts) -> str:
    """The absolute URL that replaces po.co's `path` (see the module docstring); at most one query."""
    segments = [segment for segment in path.split("/") if segment]
    portal = segments[0].lower() if segments else ""
    if portal == INDIA_PORTAL:
        return india_url()
    row = _row_for(path, hosts)
    store = (row["store_code"] if row and row["store_code"] in PORTALS else None) or \
        (portal if portal in PORTALS else DEFAULT_STORE)
    target = _target_path(row, store) if row else None
    return store_url(target or poco_landing(store))


def _row_for(path: str, hosts) -> dict | None:
    paths = {path, path.rstrip("/") + "/", path.rstrip("/") or "/"}
    candidates = [f"{scheme}://{host}{variant}" for scheme in ("https", "http") for host in hosts for variant in paths]
    product = Product.objects.filter(pk=OuterRef("target_pk"))
    return (
        LegacyRedirect.objects.filter(source_url__in=candidates)
        .annotate(
            product_slug=Subquery(product.values("slug")[:1]),
            product_brand=Subquery(product.values("brand__slug")[:1]),
            category_path=Subquery(Category.objects.filter(pk=OuterRef("target_pk")).values("path")[:1]),
            brand_slug=Subquery(Brand.objects.filter(pk=OuterRef("target_pk")).values("slug")[:1]),
        )
        .order_by("pk")
        .values("entity", "store_code", "product_slug", "product_brand", "category_path", "brand_slug")
        .first()
    )


def _target_path(row: dict, store: str) -> str | None:
    """The store path a row names, or None when its target is gone (then the landing page)."""
    entity = row["entity"]
    if entity == PRODUCTS and row["product_slug"]:
        return reverse("catalog:product", kwargs={"store": store, "brand": row["product_brand"],
                                                  "slug": row["product_slug"]})
    if entity == CATEGORIES and row["category_path"]:
        return reverse("catalog:category", kwargs={"store": store, "brand": BRAND_SLUG,
                                                   "category_path": row["category_path"]})
    if entity == BRANDS and row["brand_slug"]:
        return reverse("catalog:brand", kwargs={"store": store, "brand": row["brand_slug"]})
    return None


def poco_landing(store: str) -> str:
    return reverse("catalog:brand", kwargs={"store": store, "brand": BRAND_SLUG})


def store_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def india_url() -> str:
    """Where the store sends POCO shoppers of India (its data: POCO's external URL in `in`)."""
    url = BrandAvailability.objects.filter(
        store__code=INDIA_PORTAL, brand__slug=BRAND_SLUG, mode=BrandAvailability.Mode.EXTERNAL,
    ).values_list("external_url", flat=True).first()
    return url or POCO_INDIA_URL


def api_gone() -> JsonResponse:
    """410 for the po.co app's API, in the API's error shape, pointing to the store's POCO page."""
    url = store_url(poco_landing(DEFAULT_STORE))
    return JsonResponse({"error": {
        "code": "gone",
        "message": f"The po.co app and its API have closed. POCO is now part of the Xiaomi store: {url}",
        "store_url": url,
    }}, status=410)
