"""The store's home and each brand's landing page.

A brand's look comes from its data (colours, logo, tagline); a brand that wants more overrides a template
in `templates/brands/<slug>/`, which `brand_template` picks up before the shared one.
"""

from django.shortcuts import redirect
from django.template.loader import select_template
from django.template.response import TemplateResponse

from storefront.catalog import selectors
from storefront.catalog.selectors import ProductQuery

from .scoping import brand_page_scope, brands_in_store, require_store

NEWEST_SHOWN = 8  # products in the "new arrivals" row of the store home and the brand landing pages


def brand_template(brand, name: str):
    """`brands/<slug>/<name>` where the brand has its own, else the shared `brands/<name>`."""
    return select_template([f"brands/{brand.slug}/{name}", f"brands/{name}"])


def store_home(request, store):
    """The store's home: its brands (served ones link to their pages, external ones out) and new products."""
    current_store = require_store(request)
    newest = selectors.listed_products(store=current_store, query=ProductQuery(sort="newest"))
    return TemplateResponse(request, "brands/store_home.html", {
        "store_brands": brands_in_store(current_store),
        "newest_products": newest[: NEWEST_SHOWN],
    })


def brand(request, store, brand):
    """A brand's landing page; where the store sends the brand elsewhere (POCO in India), the shopper goes there."""
    presented = brand_page_scope(request, brand)
    if presented.is_external:
        return redirect(presented.availability.external_url)
    newest = selectors.listed_products(
        store=presented.store, query=ProductQuery(brand=presented.brand.slug, sort="newest")
    )
    return TemplateResponse(request, brand_template(presented.brand, "landing.html"), {
        "brand": presented.brand,
        "brand_categories": selectors.categories_with_listed_products(
            store=presented.store, brand_slug=presented.brand.slug
        ),
        "newest_products": newest[: NEWEST_SHOWN],
    })
