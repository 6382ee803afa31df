"""Money and coupon terms in loyalty templates, formatted in the active language."""

from django import template

from .. import formatting
from ..services import legacy_messages

register = template.Library()


@register.filter
def money(amount, currency):
    """`{{ coupon.min_order_amount|money:coupon.currency }}` -> `€50.00` / `50,00 €`."""
    return formatting.money(amount, currency)


@register.filter
def coupon_benefit(coupon):
    """`{{ coupon|coupon_benefit }}` -> `10% off`, `€5.00 off`, `Free shipping`."""
    return formatting.coupon_benefit(coupon)


@register.filter
def legacy_coupon_reason(legacy_coupon):
    """Why a POCO coupon kept as history redeems nothing, e.g. "This POCO coupon had expired before ..."."""
    return legacy_messages.legacy_coupon_reason(legacy_coupon.outcome)
