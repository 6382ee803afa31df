"""Periodic loyalty work for Celery beat (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .services.coupon_notifications import coupon_notifications_resend, coupon_notifications_send
from .services.points import points_expire_due
from .services.points_holds import points_holds_release_abandoned


@shared_task(name="loyalty.expire_points")
def expire_points_task() -> dict[str, int]:
    """Releases the points holds abandoned by their holder, then expires the lots whose expiry has passed
    (including those the released points went back to); returns how many of each."""
    holds = points_holds_release_abandoned()
    return {"holds_released": holds, "lots_expired": points_expire_due()}


@shared_task(name="loyalty.send_coupon_notifications", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_coupon_notifications_task(*, notification_ids: list[int]) -> int:
    """Sends re-issued coupons' e-mails (queued by the import on commit); retried when SMTP fails."""
    return coupon_notifications_send(notification_ids=notification_ids)


@shared_task(name="loyalty.resend_coupon_notifications")
def resend_coupon_notifications_task() -> int:
    """Sends the re-issued coupons' e-mails whose queued task was lost; returns how many."""
    return coupon_notifications_resend()
