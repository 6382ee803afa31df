"""E-mail goes out through a Celery task, queued only once the transaction that caused it commits.

A rolled-back checkout or import never sends anything, and the web request never waits on SMTP.
"""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import transaction


@shared_task(name="storefront.send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email_task(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> int:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()


def email_send_on_commit(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Queues the e-mail when the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(
        lambda: send_email_task.delay(subject=subject, body=body, to=list(to), html_body=html_body)
    )
