"""The store frame of every page: the store switcher and the brand navigation."""

from django import template

from brands.scoping import active_stores, brands_in_store, store_code_from_path

register = template.Library()


@register.simple_tag
def switcher_stores():
    """The stores the switcher offers (one query)."""
    return active_stores()


@register.simple_tag
def store_brands(store):
    """The brands the store presents, served or external (one query); none outside a store."""
    return brands_in_store(store) if store is not None else []


@register.simple_tag(takes_context=True)
def store_switch_url(context, target):
    """This page in the `target` store (`/uk/poco/` -> `/fr/poco/`), or its home outside a store page."""
    request = context["request"]
    if getattr(request, "regional_store", None) is None:
        return f"/{target.code}/"
    path = request.get_full_path()
    current = store_code_from_path(path)
    return f"/{target.code}{path[len(current) + 1:]}"
