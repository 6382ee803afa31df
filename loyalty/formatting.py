"""Money, dates and coupon terms as the customer reads them, in the active language."""

from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, format_decimal
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .models.coupons import CouponKind


def _locale() -> Locale:
    return _parsed(translation.to_locale(translation.get_language() or "en"))


@lru_cache(maxsize=64)
def _parsed(name: str) -> Locale:
    """Babel's locale, parsed once: given a name, babel parses it and loads its data at every call (a third of
    formatting an amount; a coupon e-mail formats two)."""
    return Locale.parse(name)


def money(amount: Decimal, currency: str) -> str:
    """`€5.00` in English, `5,00 €` in French; a bare number where there is no currency."""
    if not currency:
        return format_decimal(amount, locale=_locale())
    return format_currency(amount, currency, locale=_locale())


def date(value: datetime) -> str:
    """A date in the active language, e.g. `12 December 2025` / `12 décembre 2025` (UTC)."""
    return formats.date_format(timezone.localtime(value, UTC), "j F Y")


def coupon_benefit(coupon) -> str:
    """What a coupon (or a POCO coupon) gives: `10% off`, `€5.00 off`, `Free shipping`."""
    if coupon.kind == CouponKind.PERCENT:
        return _("%(percent)s%% off") % {"percent": format_decimal(coupon.value.normalize(), locale=_locale())}
    if coupon.kind == CouponKind.FIXED:
        return _("%(amount)s off") % {"amount": money(coupon.value, coupon.currency)}
    return _("Free shipping")
