"""Mi Points (accounts, lots, the ledger, legacy history) and coupons (aliases, redemptions, legacy records)."""

from .coupons import Coupon, CouponAlias, CouponNotification, LegacyCoupon, Redemption
from .points import LegacyPointsHistory, LegacyPointsMigration, PointsAccount, PointsEntry, PointsLot

__all__ = [
    "Coupon",
    "CouponAlias",
    "CouponNotification",
    "LegacyCoupon",
    "LegacyPointsHistory",
    "LegacyPointsMigration",
    "PointsAccount",
    "PointsEntry",
    "PointsLot",
    "Redemption",
]
