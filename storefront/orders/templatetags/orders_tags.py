"""Money of an order in its own currency, and the per-line figures of the cart."""

from babel.numbers import format_currency
from django import template

from storefront.catalog.selectors import stock_state

register = template.Library()


@register.filter
def order_money(amount, order):
    """`{{ order.total|order_money:order }}`: the amount in the order's currency, in its store's locale."""
    if amount is None or order is None:
        return ""
    return format_currency(amount, order.currency, locale=order.store.locale)


@register.filter
def line_total(line):
    """A cart line's amount: its store price times its quantity (None where the store has no price)."""
    return None if line.unit_price is None else line.unit_price * line.quantity


@register.filter
def line_stock_state(line):
    """`in_stock`, `low` or `out_of_stock` for a cart line's variant in the cart's store."""
    return stock_state(line.in_stock)


@register.filter
def percent(rate):
    """0.20 -> "20"."""
    return f"{rate * 100:.0f}" if rate is not None else ""
