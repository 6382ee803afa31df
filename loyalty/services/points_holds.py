"""Holding points while a purchase is paid: hold, then confirm (spend) or release (give back).

A hold takes points out of the lots that expire first, as spending does, but writes no ledger entry: the
points are still the customer's, only not available. `points_hold_confirm` spends them (one `redeem`
entry, linked to the order); `points_hold_release` puts them back into the lots they came from, so they
keep their expiry, and a lot that expired meanwhile expires them at once (an `expire` entry, dated at the
lot's expiry, as the expiry run writes). So, per account, at every commit:

    sum(ledger deltas) == sum(lots' remaining) + sum(points of the holds still reserved)

Locks are taken in the order every points service uses: the account row, then the hold, then the lots;
so holds, releases, confirmations, redemptions and the expiry run of one customer never deadlock.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import PointsHoldStateError
from ..models import PointsAccount, PointsEntry, PointsHold, PointsHoldLot, PointsLot
from .points import EXPIRY_BATCH_SIZE, expire_lots, lock_account, require_positive_points, take_from_lots

REFERENCE_MAX_LENGTH = PointsHold._meta.get_field("reference").max_length


@transaction.atomic
def points_hold(*, user, points: int, reference: str, expires_at: datetime) -> PointsHold:
    """Sets `points` aside for `reference` (e.g. "Checkout <uuid>") until confirmed or released.

    Takes them from the live lots that expire first (lots past their expiry are expired first), under
    the account's lock, so simultaneous holds never take the same points. Refuses with `PointsRefused`
    (`insufficient_points`, with the balance; `invalid_points`) and then writes nothing. `expires_at` is
    when the holder will have closed the hold; a blank reference or a past or naive expiry is a
    programming error (`ValueError`).
    """
    require_positive_points(points)
    reference = (reference or "").strip()
    if not reference or len(reference) > REFERENCE_MAX_LENGTH:
        raise ValueError(
            f"A points hold needs a reference of 1 to {REFERENCE_MAX_LENGTH} characters saying what the points "
            f"are held for (got {reference!r})."
        )
    now = timezone.now()
    if timezone.is_naive(expires_at) or expires_at <= now:
        raise ValueError(f"A points hold must expire at an aware time in the future (got {expires_at!r}).")
    account = lock_account(user)
    taken_from = take_from_lots(account, points, now)
    hold = PointsHold.objects.create(
        account=account, points=points, reference=reference, expires_at=expires_at, created_at=now
    )
    PointsHoldLot.objects.bulk_create(
        PointsHoldLot(hold=hold, lot=lot, points=taken) for lot, taken in taken_from if taken
    )
    return hold


def _lock_hold(hold: PointsHold) -> PointsHold:
    """The hold, re-read under its account's lock and its own (in that order)."""
    PointsAccount.objects.select_for_update().filter(pk=hold.account_id).values("pk").get()
    return PointsHold.objects.select_for_update().get(pk=hold.pk)


@transaction.atomic
def points_hold_confirm(*, hold: PointsHold, order, now: datetime | None = None) -> PointsEntry:
    """Spends the held points for `order`: one `redeem` entry (reason: the hold's reference), returned.

    Confirming again for the same order returns the same entry and writes nothing. A hold past its
    `expires_at` but still reserved is confirmed (its points are still set aside). Refuses with
    `PointsHoldStateError` a released hold (`released`) or one confirmed for another order (`confirmed`).
    """
    current = _lock_hold(hold)
    if current.status == PointsHold.Status.CONFIRMED:
        entry = PointsEntry.objects.get(pk=current.entry_id)
        if entry.order_id == order.pk:
            return entry
        raise PointsHoldStateError(_("These points were already spent on another order."), code="confirmed")
    if current.status == PointsHold.Status.RELEASED:
        raise PointsHoldStateError(
            _("These points were given back to the customer; hold them again to spend them."), code="released"
        )
    now = now or timezone.now()
    entry = PointsEntry.objects.create(
        account_id=current.account_id, kind=PointsEntry.Kind.REDEEM, delta=-current.points, at=now,
        reason=current.reference, order=order,
    )
    PointsHold.objects.filter(pk=current.pk).update(status=PointsHold.Status.CONFIRMED, closed_at=now, entry=entry)
    return entry


@transaction.atomic
def points_hold_release(*, hold: PointsHold, now: datetime | None = None) -> PointsHold:
    """Puts the held points back into the lots they came from, with those lots' expiry. Releasing again
    changes nothing. Refuses with `PointsHoldStateError` (`confirmed`) a hold already spent."""
    current = _lock_hold(hold)
    if current.status == PointsHold.Status.CONFIRMED:
        raise PointsHoldStateError(
            _("These points were spent on an order and cannot be given back this way."), code="confirmed"
        )
    if current.status == PointsHold.Status.RESERVED:
        _release([current], now or timezone.now())
        current.refresh_from_db(fields=["status", "closed_at"])
    return current


def _release(holds: list[PointsHold], now: datetime) -> None:
    """Releases reserved holds already locked (with their accounts): a fixed number of queries.

    Lots are locked in id order. The points returned to a lot already past its expiry are expired with
    the lot (and whatever it still held, which was due anyway), so the balance never counts them.
    """
    draws = list(PointsHoldLot.objects.filter(hold__in=holds).values_list("lot_id", "points"))
    lots = {lot.pk: lot for lot in PointsLot.objects.select_for_update().filter(
        pk__in={lot_id for lot_id, _points in draws}).order_by("pk")}
    for lot_id, points in draws:
        lots[lot_id].remaining += points
    live = [lot for lot in lots.values() if lot.expires_at > now]
    PointsLot.objects.bulk_update(live, ["remaining"])
    expire_lots(lot for lot in lots.values() if lot.expires_at <= now)
    PointsHold.objects.filter(pk__in=[hold.pk for hold in holds]).update(
        status=PointsHold.Status.RELEASED, closed_at=now
    )


def points_hold_grace() -> timedelta:
    """How long after its expiry an open hold is taken to be abandoned by its holder."""
    return timedelta(minutes=settings.LOYALTY_POINTS_HOLD_GRACE_MINUTES)


def points_holds_release_abandoned(*, now: datetime | None = None, batch_size: int = EXPIRY_BATCH_SIZE) -> int:
    """Releases the holds still reserved LOYALTY_POINTS_HOLD_GRACE_MINUTES after their expiry (their
    holder never closed them), one batch of accounts per transaction; returns how many holds.

    The checkout releases its own holds when its hold passes; this only makes sure no points stay held
    for ever. Accounts are walked by id (keyset) and locked in id order before their holds and lots.
    """
    now = now or timezone.now()
    cutoff = now - points_hold_grace()
    released = 0
    last_account_id = 0
    while True:
        account_ids = list(
            PointsHold.objects.filter(
                status=PointsHold.Status.RESERVED, expires_at__lte=cutoff, account_id__gt=last_account_id
            ).order_by("account_id").values_list("account_id", flat=True).distinct()[:batch_size]
        )
        if not account_ids:
            return released
        with transaction.atomic():
            list(PointsAccount.objects.select_for_update().filter(pk__in=account_ids).order_by("pk").values("pk"))
            holds = list(PointsHold.objects.select_for_update().filter(
                account_id__in=account_ids, status=PointsHold.Status.RESERVED, expires_at__lte=cutoff
            ).order_by("pk"))
            _release(holds, now)
            released += len(holds)
        last_account_id = account_ids[-1]
