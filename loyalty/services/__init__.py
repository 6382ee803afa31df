"""Writes of the loyalty app, one module per domain; the names others call are gathered here.

Checkout: `coupon_check`, `coupon_reserve`, `coupon_redemption_confirm`, `coupon_reservation_release`,
`points_redeem`, `points_earn`. The legacy loader: `points_lots_migrate_bulk`, `coupons_reissue_bulk`.
"""

from .coupon_reissue import CouponReissueResult, LegacyCouponRecord, coupons_reissue_bulk
from .coupons import (
    CartLine,
    CouponApproval,
    coupon_check,
    coupon_redemption_confirm,
    coupon_reservation_release,
    coupon_reserve,
)
from .legacy import ImportOutcome
from .points import points_adjust, points_earn, points_expire_due, points_redeem
from .points_migration import (
    LegacyPointsAccountRecord,
    LegacyPointsEvent,
    LegacyPointsLot,
    PointsMigrationResult,
    points_lots_migrate_bulk,
)

__all__ = [
    "CartLine",
    "CouponApproval",
    "CouponReissueResult",
    "ImportOutcome",
    "LegacyCouponRecord",
    "LegacyPointsAccountRecord",
    "LegacyPointsEvent",
    "LegacyPointsLot",
    "PointsMigrationResult",
    "coupon_check",
    "coupon_redemption_confirm",
    "coupon_reservation_release",
    "coupon_reserve",
    "coupons_reissue_bulk",
    "points_adjust",
    "points_earn",
    "points_expire_due",
    "points_lots_migrate_bulk",
    "points_redeem",
]
