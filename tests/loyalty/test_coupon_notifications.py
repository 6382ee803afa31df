"""Re-issued coupons' e-mails go out at least once: each notification is sent once and marked, and one
whose task was lost (broker down, worker killed) or whose SMTP server failed is sent by the resend."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loyalty.models import CouponNotification
from loyalty.services.coupon_notifications import coupon_notifications_resend, coupon_notifications_send
from tests.factories import UserFactory

from .factories import CouponFactory

pytestmark = pytest.mark.django_db


def notification(*, queued_minutes_ago: int = 0, language: str = "en") -> CouponNotification:
    owner = UserFactory(preferred_language=language)
    coupon = CouponFactory(owner=owner, code=f"MI-{owner.pk:04d}-TEST")
    return CouponNotification.objects.create(
        coupon=coupon, user=owner, email=owner.email, language=language, legacy_code=f"POCO-{owner.pk}",
        queued_at=timezone.now() - timedelta(minutes=queued_minutes_ago))


def test_a_notification_is_sent_once_with_its_codes_and_marked_sent():
    sent = notification()
    assert coupon_notifications_send(notification_ids=[sent.pk]) == 1
    assert coupon_notifications_send(notification_ids=[sent.pk]) == 0
    [message] = mail.outbox
    assert message.to == [sent.email] and sent.coupon.code in message.subject and sent.legacy_code in message.subject
    sent.refresh_from_db()
    assert sent.sent_at is not None


def test_the_resend_sends_what_is_still_unsent_after_the_delay_and_leaves_recent_ones_to_their_task(settings):
    settings.LOYALTY_COUPON_NOTIFICATION_RESEND_AFTER = timedelta(minutes=30)
    lost, recent = notification(queued_minutes_ago=45), notification(queued_minutes_ago=5)
    already = notification(queued_minutes_ago=90)
    coupon_notifications_send(notification_ids=[already.pk])
    mail.outbox.clear()

    assert coupon_notifications_resend() == 1
    assert [message.to for message in mail.outbox] == [[lost.email]]
    assert coupon_notifications_resend() == 0
    assert CouponNotification.objects.filter(sent_at__isnull=True).get() == recent


def test_an_smtp_failure_keeps_what_was_sent_marked_and_the_rest_for_later(monkeypatch):
    first, second = notification(queued_minutes_ago=60), notification(queued_minutes_ago=60)
    real_send = EmailMessage.send

    def send_once_then_fail(message, *args, **kwargs):
        if mail.outbox:
            raise ConnectionRefusedError("SMTP server down")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send_once_then_fail)
    with pytest.raises(ConnectionRefusedError):
        coupon_notifications_send(notification_ids=[first.pk, second.pk])
    assert list(CouponNotification.objects.filter(sent_at__isnull=True)) == [second]

    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert coupon_notifications_resend() == 1
    assert [message.to for message in mail.outbox] == [[first.email], [second.email]]


def test_sending_a_batch_costs_the_same_queries_whatever_its_size():
    def queries(count):
        pks = [notification().pk for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            assert coupon_notifications_send(notification_ids=pks) == count
        return len(captured)

    assert queries(1) == queries(5)


@pytest.mark.postgres
def test_a_notification_another_task_is_sending_is_left_to_it(transactional_db):
    """Two tasks for one row (the queued one and the resend): the one that finds it locked skips it."""
    import threading

    from django.db import transaction

    held = notification()
    locked, release = threading.Event(), threading.Event()

    def other_task():
        with transaction.atomic():
            CouponNotification.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_task)
    thread.start()
    try:
        assert locked.wait(10)
        assert coupon_notifications_send(notification_ids=[held.pk]) == 0
        assert mail.outbox == []
    finally:
        release.set()
        thread.join()
    assert coupon_notifications_send(notification_ids=[held.pk]) == 1
