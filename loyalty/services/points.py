"""Writes to Mi Points: earning, spending (first to expire, first spent), expiry and agents' adjustments.

Every function here writes a ledger entry for each change to the lots, in the same transaction, so the
ledger's sum always equals the lots' remaining points plus the points held (`points_holds` moves points
out of lots without an entry until a hold is confirmed). Spending locks the customer's `PointsAccount` row
and then their lots; the expiry sweep locks accounts (in id order) before lots too, so the two never
deadlock and two checkouts of one customer can never spend the same points.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..exceptions import PointsRefused
from ..models import PointsAccount, PointsEntry, PointsLot

EXPIRY_BATCH_SIZE = 500


def points_lifetime() -> timedelta:
    """How long points earned in the store (or granted by an agent) stay spendable."""
    return timedelta(days=settings.LOYALTY_POINTS_LIFETIME_DAYS)


def points_account_ensure(*, user) -> PointsAccount:
    """The customer's points account, opened on first use (safe when two requests open it at once)."""
    account, _created = PointsAccount.objects.get_or_create(user=user)
    return account


def require_positive_points(points) -> None:
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise PointsRefused(
            _("The number of points must be a whole number above zero (got %(points)r).") % {"points": points},
            code="invalid_points",
        )


def _credit(*, account, points: int, kind: str, earned_at: datetime, reason: str = "", order=None, by=None):
    lot = PointsLot.objects.create(
        account=account, points=points, remaining=points, earned_at=earned_at,
        expires_at=earned_at + points_lifetime(),
    )
    return PointsEntry.objects.create(
        account=account, kind=kind, delta=points, at=earned_at, reason=reason, lot=lot, order=order, created_by=by
    )


@transaction.atomic
def points_earn(*, user, points: int, reason: str = "", order=None, earned_at: datetime | None = None) -> PointsEntry:
    """Credits `points` as a new lot expiring after LOYALTY_POINTS_LIFETIME_DAYS (an order's reward)."""
    require_positive_points(points)
    account = points_account_ensure(user=user)
    return _credit(
        account=account, points=points, kind=PointsEntry.Kind.EARN, earned_at=earned_at or timezone.now(),
        reason=reason, order=order,
    )


def lock_account(user) -> PointsAccount:
    """The customer's account, locked (`select_for_update`): the first lock every spending service takes."""
    account = points_account_ensure(user=user)
    return PointsAccount.objects.select_for_update().get(pk=account.pk)


def expire_lots(lots: Iterable[PointsLot]) -> int:
    """Writes an expire entry (dated at the lot's expiry) for each lot (already locked) that still holds
    points, and empties it; returns how many lots."""
    lots = [lot for lot in lots if lot.remaining > 0]
    entries = [
        PointsEntry(account_id=lot.account_id, kind=PointsEntry.Kind.EXPIRE, delta=-lot.remaining,
                    at=lot.expires_at, lot=lot)
        for lot in lots
    ]
    for lot in lots:
        lot.remaining = 0
    PointsLot.objects.bulk_update(lots, ["remaining"])
    PointsEntry.objects.bulk_create(entries)
    return len(lots)


def take_from_lots(account: PointsAccount, points: int, now: datetime) -> list[tuple[PointsLot, int]]:
    """Takes `points` from the account's live lots, those expiring first spent first, and says how many
    came from each lot. The account is locked; its lots past expiry are expired first. Refuses with
    `PointsRefused` (and the balance) when the live lots hold fewer points."""
    lots = list(
        PointsLot.objects.select_for_update()
        .filter(account=account, remaining__gt=0)
        .order_by("expires_at", "id")
    )
    expire_lots(lot for lot in lots if lot.expires_at <= now)
    live = [lot for lot in lots if lot.expires_at > now]
    available = sum(lot.remaining for lot in live)
    if points > available:
        raise PointsRefused(
            ngettext(
                "You have %(available)d point; %(points)d were asked for.",
                "You have %(available)d points; %(points)d were asked for.",
                available,
            ) % {"available": available, "points": points},
            code="insufficient_points",
        )
    taken_from = []
    left = points
    for lot in live:
        taken = min(lot.remaining, left)
        lot.remaining -= taken
        left -= taken
        taken_from.append((lot, taken))
        if left == 0:
            break
    PointsLot.objects.bulk_update([lot for lot, _taken in taken_from], ["remaining"])
    return taken_from


@transaction.atomic
def points_redeem(*, user, points: int, order=None, reason: str = "") -> PointsEntry:
    """Spends `points` (first to expire, first spent) and writes one redeem entry.

    Refuses with `PointsRefused` when the customer holds fewer live points; nothing is written then.
    """
    require_positive_points(points)
    account = lock_account(user)
    now = timezone.now()
    take_from_lots(account, points, now)
    return PointsEntry.objects.create(
        account=account, kind=PointsEntry.Kind.REDEEM, delta=-points, at=now, reason=reason, order=order
    )


@transaction.atomic
def points_adjust(*, user, delta: int, reason: str, by) -> PointsEntry:
    """An agent's correction, with the reason on the ledger: a credit makes a new lot, a debit spends lots."""
    reason = (reason or "").strip()
    if not reason:
        raise PointsRefused(_("Give the reason for this adjustment."), code="reason_required")
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
        raise PointsRefused(
            _("An adjustment is a whole number of points other than zero (got %(delta)r).") % {"delta": delta},
            code="invalid_points",
        )
    now = timezone.now()
    if delta > 0:
        account = points_account_ensure(user=user)
        return _credit(account=account, points=delta, kind=PointsEntry.Kind.ADJUST, earned_at=now, reason=reason,
                       by=by)
    account = lock_account(user)
    take_from_lots(account, -delta, now)
    return PointsEntry.objects.create(
        account=account, kind=PointsEntry.Kind.ADJUST, delta=delta, at=now, reason=reason, created_by=by
    )


def points_expire_due(*, now: datetime | None = None, batch_size: int = EXPIRY_BATCH_SIZE) -> int:
    """Expires every lot whose expiry has passed, one batch of accounts per transaction; returns the lot count.

    Accounts are walked by id (keyset), so the sweep never rereads what it has done and a stopped run
    simply resumes on the next call. Points held (`PointsHold`) are not in the lots and are not expired
    here: a confirmed hold spent them while they were live; a released one expires them on release if
    their lot has expired meanwhile.
    """
    now = now or timezone.now()
    expired = 0
    last_account_id = 0
    while True:
        account_ids = list(
            PointsLot.objects.filter(remaining__gt=0, expires_at__lte=now, account_id__gt=last_account_id)
            .order_by("account_id")
            .values_list("account_id", flat=True)
            .distinct()[:batch_size]
        )
        if not account_ids:
            return expired
        with transaction.atomic():
            list(PointsAccount.objects.select_for_update().filter(pk__in=account_ids).order_by("pk").values("pk"))
            due = PointsLot.objects.select_for_update().filter(
                account_id__in=account_ids, remaining__gt=0, expires_at__lte=now
            ).order_by("pk")
            expired += expire_lots(due)
        last_account_id = account_ids[-1]
