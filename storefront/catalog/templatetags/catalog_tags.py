"""Money, numbers and dates in the store's locale (Babel), and the per-store figures of a variant."""

from datetime import UTC, datetime

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from django import template

from storefront.catalog.selectors import stock_state

register = template.Library()


@register.filter
def money(amount, store):
    """`{{ price|money:regional_store }}`: "£424.15" in uk, "474,05 €" in fr."""
    if amount is None or store is None:
        return ""
    return format_currency(amount, store.currency, locale=store.locale)


@register.filter
def store_number(value, store):
    """A figure with one decimal in the store's locale: 4.5 in English, 4,5 in French."""
    if value is None or store is None:
        return ""
    return format_decimal(value, format="0.0", locale=store.locale)


@register.filter
def store_date(value, store):
    """A date the way the store's language writes it: "12 March 2024", "12 mars 2024"."""
    if value is None or store is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()  # times are stored in UTC and shown as UTC dates
    return format_date(value, format="long", locale=store.locale)


@register.filter
def store_price(variant):
    """The variant's price in the current store (as prefetched by `product_detail`), or None."""
    prices = getattr(variant, "store_prices", None)
    return prices[0].amount if prices else None


@register.filter
def variant_stock_state(variant):
    """`in_stock`, `low` or `out_of_stock` for the variant in the current store."""
    stock = getattr(variant, "store_stock", None)
    return stock_state(stock[0].quantity if stock else None)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current listing's URL at another page, every other parameter kept."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()
