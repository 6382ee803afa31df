"""Sending the e-mails of re-issued coupons, at least once.

The import writes a `CouponNotification` per re-issued coupon in the batch's transaction and queues one
task for the batch on commit. The task sends the e-mails and marks the rows sent in one transaction,
holding the rows' locks, so two tasks for one row send once. A task lost on the way (the broker down at
commit, a worker killed) leaves its rows unsent: `coupon_notifications_resend` (periodic) sends the rows
still unsent after LOYALTY_COUPON_NOTIFICATION_RESEND_AFTER. The one duplicate possible is a crash between
the SMTP server's answer and the commit: the customer then gets the same e-mail twice, never none.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from ..models import CouponNotification
from .coupon_reissue import reissued_coupon_email

RESEND_BATCH = 200


def coupon_notifications_queue(*, notification_ids: list[int]) -> None:
    """Queues the sending of these notifications (one task for them all) when the current transaction
    commits. A failure to queue (the broker down) does not undo the import that wrote them: the rows stay
    unsent and the periodic resend takes them."""
    from ..tasks import send_coupon_notifications_task

    if notification_ids:
        transaction.on_commit(
            lambda: send_coupon_notifications_task.delay(notification_ids=list(notification_ids)), robust=True)


def coupon_notifications_send(*, notification_ids: list[int]) -> int:
    """Sends those of these notifications that are unsent (and not held by another task), over one SMTP
    connection, in two queries; returns how many it sent. When the SMTP server fails, the ones sent so far
    are marked sent and the error is raised (the task retries the others)."""
    sent: list[int] = []
    failure: OSError | None = None
    with transaction.atomic():
        due = list(CouponNotification.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("coupon", "user").filter(pk__in=notification_ids, sent_at__isnull=True)
                   .order_by("pk"))
        if not due:
            return 0
        try:
            with get_connection() as smtp:
                for notification in due:
                    subject, body = reissued_coupon_email(
                        coupon=notification.coupon, legacy_code=notification.legacy_code, user=notification.user)
                    EmailMessage(subject=subject, body=body, to=[notification.email], connection=smtp).send()
                    sent.append(notification.pk)
        except OSError as exc:  # smtplib's errors included
            failure = exc
        CouponNotification.objects.filter(pk__in=sent).update(sent_at=timezone.now())
    if failure is not None:
        raise failure
    return len(sent)


def coupon_notifications_resend(*, older_than: timedelta | None = None) -> int:
    """Sends the notifications still unsent that were queued more than `older_than` ago (by default the
    setting), in key order, a batch of keys at a time; returns how many it sent."""
    older_than = settings.LOYALTY_COUPON_NOTIFICATION_RESEND_AFTER if older_than is None else older_than
    cutoff = timezone.now() - older_than
    sent, last_pk = 0, 0
    while True:
        pks = list(CouponNotification.objects.filter(sent_at__isnull=True, queued_at__lt=cutoff, pk__gt=last_pk)
                   .order_by("pk").values_list("pk", flat=True)[:RESEND_BATCH])
        if not pks:
            return sent
        sent += coupon_notifications_send(notification_ids=pks)
        last_pk = pks[-1]
