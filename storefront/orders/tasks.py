"""Periodic work of the orders app (scheduled in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .services import checkouts_release_expired


@shared_task(name="orders.release_expired_checkouts")
def release_expired_checkouts() -> int:
    """Gives back the stock, coupon uses and points of checkouts abandoned past their hold."""
    return checkouts_release_expired()
