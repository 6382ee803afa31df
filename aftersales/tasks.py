"""Celery tasks: thin wrappers over the services."""

from celery import shared_task

from . import services


@shared_task(name="aftersales.send_breach_digest")
def send_breach_digest() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): each agent gets the cases of their scope past a service level."""
    return services.breach_digest_send()
