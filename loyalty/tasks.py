"""Periodic loyalty work for Celery beat (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .services.points import points_expire_due
from .services.points_holds import points_holds_release_abandoned


@shared_task(name="loyalty.expire_points")
def expire_points_task() -> dict[str, int]:
    """Releases the points holds abandoned by their holder, then expires the lots whose expiry has passed
    (including those the released points went back to); returns how many of each."""
    holds = points_holds_release_abandoned()
    return {"holds_released": holds, "lots_expired": points_expire_due()}
