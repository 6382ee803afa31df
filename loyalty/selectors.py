"""Loyalty reads shared by the account pages, the API and the admin; each runs a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from .models import (
    Coupon,
    CouponAlias,
    LegacyCoupon,
    LegacyPointsHistory,
    PointsEntry,
    PointsHold,
    PointsLot,
    Redemption,
)


def live_lots(*, user, now: datetime | None = None) -> QuerySet[PointsLot]:
    """The customer's lots that still hold points and have not expired, first to expire first."""
    return PointsLot.objects.filter(
        account__user=user, remaining__gt=0, expires_at__gt=now or timezone.now()
    ).order_by("expires_at", "id")


def points_balance(*, user, now: datetime | None = None) -> int:
    """Points the customer can spend now: the live lots' remaining points (one query)."""
    return live_lots(user=user, now=now).aggregate(total=Coalesce(Sum("remaining"), 0))["total"]


def points_ledger_sum(*, user) -> int:
    """The sum of the customer's ledger: the lots' remaining points plus `points_held` (so the balance plus
    the points held, once the lots past expiry have been expired)."""
    return PointsEntry.objects.filter(account__user=user).aggregate(total=Coalesce(Sum("delta"), 0))["total"]


def points_held(*, user) -> int:
    """Points set aside by the customer's open holds (checkouts being paid): not in the balance (one query)."""
    return PointsHold.objects.filter(account__user=user, status=PointsHold.Status.RESERVED).aggregate(
        total=Coalesce(Sum("points"), 0)
    )["total"]


def points_entries(*, user) -> QuerySet[PointsEntry]:
    """The customer's ledger, newest first, with the order each entry names."""
    return PointsEntry.objects.filter(account__user=user).select_related("order").order_by("-at", "-id")


def legacy_points_history(*, user) -> QuerySet[LegacyPointsHistory]:
    """What the customer's POCO Points accounts recorded before the move (display only)."""
    return LegacyPointsHistory.objects.filter(account__user=user).order_by("-at", "-id")


@dataclass(frozen=True)
class HistoryLine:
    """A line of the points history page: a ledger entry, or a POCO Points line (`is_legacy`)."""

    at: datetime
    delta: int
    label: str
    detail: str
    is_legacy: bool


@dataclass(frozen=True)
class PointsOverview:
    balance: int
    lots: list[PointsLot]
    history: list[HistoryLine]


def points_overview(*, user, now: datetime | None = None) -> PointsOverview:
    """Balance, live lots and the history merged with the POCO Points history, newest first (3 queries)."""
    now = now or timezone.now()
    lots = list(live_lots(user=user, now=now))
    history = [
        HistoryLine(entry.at, entry.delta, entry.get_kind_display(),
                    entry.order.number if entry.order else entry.reason, is_legacy=False)
        for entry in points_entries(user=user)
    ]
    history += [
        HistoryLine(line.at, line.delta, line.reason, line.order_legacy_id, is_legacy=True)
        for line in legacy_points_history(user=user)
    ]
    history.sort(key=lambda line: line.at, reverse=True)
    return PointsOverview(balance=sum(lot.remaining for lot in lots), lots=lots, history=history)


def _counting_uses(now: datetime) -> Q:
    return Q(redemptions__status=Redemption.Status.CONFIRMED) | Q(
        redemptions__status=Redemption.Status.RESERVED, redemptions__reserved_until__gt=now
    )


def coupons_of(*, user, now: datetime | None = None) -> QuerySet[Coupon]:
    """The customer's personal coupons, newest first, with their terms, aliases, the POCO coupon they
    replace, `uses` (confirmed or held) and `uses_left` (None when unlimited) annotated."""
    now = now or timezone.now()
    return (
        Coupon.objects.filter(owner=user)
        .select_related("legacy_origin")
        .prefetch_related(
            "brands", "categories", "stores", Prefetch("aliases", queryset=CouponAlias.objects.order_by("code"))
        )
        .annotate(uses=Count("redemptions", filter=_counting_uses(now), distinct=True))
        .annotate(uses_left=F("usage_limit") - F("uses"))
        .order_by("-created_at", "-id")
    )


def legacy_coupons_not_carried_over(*, user) -> QuerySet[LegacyCoupon]:
    """The customer's POCO coupons kept as history only (used, expired or revoked before the move)."""
    return LegacyCoupon.objects.filter(owner=user, reissued_as__isnull=True).order_by("-valid_until", "-id")


def coupons_for_admin() -> QuerySet[Coupon]:
    """Coupons with their owner and the uses that count now, for the admin's list."""
    return Coupon.objects.select_related("owner").annotate(
        uses=Count("redemptions", filter=_counting_uses(timezone.now()), distinct=True)
    )


def coupon_code_in_use(*, code: str, coupon_id: int | None = None) -> bool:
    """Whether `code` already redeems a coupon other than `coupon_id`, as its code or as an alias."""
    lowered = code.strip().lower()
    coupons = Coupon.objects.alias(c=Lower("code")).filter(c=lowered).exclude(pk=coupon_id)
    aliases = CouponAlias.objects.alias(c=Lower("code")).filter(c=lowered).exclude(coupon_id=coupon_id)
    return coupons.exists() or aliases.exists()
