"""Shopper pages of the catalog: a brand's category listing, a product, and search across brands.

Every view is thin: a form parses the query string, the selectors read, a template renders. The `store`
URL argument has already been resolved by `brands.middleware.RegionalStoreMiddleware` into
`request.regional_store` (None for an unknown store, which answers 404 here).
"""

from dataclasses import dataclass, replace

from django.core.paginator import Page
from django.http import Http404
from django.shortcuts import redirect, render

from brands.scoping import brand_page_scope, brands_in_store, require_store

from . import selectors
from .forms import ATTRIBUTE_LABELS, ListingForm, SearchForm
from .selectors import ProductQuery


@dataclass(frozen=True)
class AttributeFilter:
    """A variant attribute a shopper can filter by: the values on offer and the one chosen, if any."""

    name: str
    label: str
    values: list[str]
    selected: str | None


@dataclass(frozen=True)
class Listing:
    """One page of a listing with what its filter panel offers."""

    page: Page
    attribute_filters: list[AttributeFilter]


def _listing(store, form: ListingForm, query: ProductQuery) -> Listing:
    """Paginates the listing; the filter options come from the scope (words, brand, category) alone,
    so choosing a colour does not hide the other colours.

    A page number past the end shows the last page (Paginator.get_page); the template says which page it is.
    """
    page = selectors.listed_products_page(store=store, query=query, number=form.page_number, per_page=form.per_page)
    scope = replace(query, price_min=None, price_max=None, attributes={}, sort="name")
    values = selectors.attribute_values(selectors.listed_products(store=store, query=scope))
    filters = [
        AttributeFilter(name=name, label=ATTRIBUTE_LABELS.get(name, name), values=options,
                        selected=query.attributes.get(name))
        for name, options in values.items()
    ]
    return Listing(page=page, attribute_filters=filters)


def category(request, store, brand, category_path):
    """The products of a brand in a category and its subcategories, with filters, sort and pages."""
    presented = brand_page_scope(request, brand)
    if presented.is_external:
        return redirect(presented.availability.external_url)
    current = selectors.category_by_path(category_path)
    if current is None:
        raise Http404("Unknown category")
    form = ListingForm(request.GET)
    listing = _listing(presented.store, form, form.product_query(brand=presented.brand.slug, category=current))
    return render(request, "catalog/category.html", {
        "brand": presented.brand,
        "category": current,
        "breadcrumb": selectors.category_ancestors(current),
        "brand_categories": selectors.categories_with_listed_products(
            store=presented.store, brand_slug=presented.brand.slug
        ),
        "form": form,
        "listing": listing,
    })


def product(request, store, brand, slug):
    """A product: variants with this store's price and stock, images, description and published reviews.

    Discontinued products keep their page (orders and reviews link to them), marked as no longer sold.
    """
    presented = brand_page_scope(request, brand)
    if presented.is_external:
        return redirect(presented.availability.external_url)
    item = selectors.product_detail(store=presented.store, brand_slug=presented.brand.slug, slug=slug)
    if item is None:
        raise Http404("Unknown product")
    return render(request, "catalog/product.html", {
        "brand": presented.brand,
        "product": item,
        "breadcrumb": selectors.category_ancestors(item.category),
    })


def search(request, store):
    """Search across the brands the store serves, with brand, category, price and attribute filters."""
    current_store = require_store(request)
    served = [b.brand for b in brands_in_store(current_store) if not b.is_external]
    form = SearchForm(request.GET, brands=served)
    query = form.product_query()
    return render(request, "catalog/search.html", {
        "form": form,
        "query": query,
        "listing": _listing(current_store, form, query),
    })
