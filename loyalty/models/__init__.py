"""Mi Points (accounts, lots, the ledger, holds, legacy history) and coupons (aliases, redemptions, legacy records)."""

from .coupons import Coupon, CouponAlias, CouponNotification, LegacyCoupon, Redemption
from .points import LegacyPointsHistory, LegacyPointsMigration, PointsAccount, PointsEntry, PointsLot
from .points_holds import PointsHold, PointsHoldLot

__all__ = [
    "Coupon",
    "CouponAlias",
    "CouponNotification",
    "LegacyCoupon",
    "LegacyPointsHistory",
    "LegacyPointsMigration",
    "PointsAccount",
    "PointsEntry",
    "PointsHold",
    "PointsHoldLot",
    "PointsLot",
    "Redemption",
]
