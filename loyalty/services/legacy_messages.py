"""Why a POCO coupon that was not carried over redeems nothing, told to the customer who types its code."""

from django.utils.translation import gettext as _

from ..exceptions import CouponRefused
from ..models import LegacyCoupon


def legacy_coupon_reason(outcome: str) -> str:
    """The customer-facing reason for a POCO coupon kept as history only."""
    if outcome == LegacyCoupon.Outcome.USED:
        return _("This POCO coupon was already used before the move to the Xiaomi store.")
    if outcome == LegacyCoupon.Outcome.EXPIRED:
        return _("This POCO coupon had expired before the move to the Xiaomi store.")
    if outcome == LegacyCoupon.Outcome.REVOKED:
        return _("This POCO coupon was revoked before the move to the Xiaomi store.")
    raise ValueError(f"A POCO coupon with outcome {outcome!r} is not history only.")


def legacy_coupon_refusal(legacy: LegacyCoupon) -> CouponRefused:
    return CouponRefused(legacy_coupon_reason(legacy.outcome), code=f"legacy_{legacy.outcome}")
