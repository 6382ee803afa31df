"""Periodic loyalty work for Celery beat (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .services.points import points_expire_due


@shared_task(name="loyalty.expire_points")
def expire_points_task() -> int:
    """Expires the points lots whose expiry has passed; returns how many lots were expired."""
    return points_expire_due()
