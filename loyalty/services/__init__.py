"""Writes of the loyalty app, one module per domain; the names others call are gathered here.

Checkout: `coupon_check`, `coupon_reserve`, `coupon_redemption_confirm`, `coupon_reservation_release`,
`points_hold`, `points_hold_confirm`, `points_hold_release`, `points_earn` (and `points_redeem` to spend
at once). The legacy loader: `points_lots_migrate_bulk`, `coupons_reissue_bulk`.
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
from .points_holds import points_hold, points_hold_confirm, points_hold_release, points_holds_release_abandoned
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
    "points_hold",
    "points_hold_confirm",
    "points_hold_release",
    "points_holds_release_abandoned",
    "points_lots_migrate_bulk",
    "points_redeem",
]
