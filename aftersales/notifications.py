"""E-mails about cases, in the reader's language, queued on commit (storefront.mail).

Customers hear of agents' replies and status changes; the assigned agent hears of the customer's replies.
Internal notes never reach a customer. The daily digest lives in services (`breach_digest_send`).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from storefront.mail import email_send_on_commit

from .models import Case, Message, StatusChange


def _customer_language(case: Case) -> str:
    return case.customer.preferred_language or case.store.language or settings.LANGUAGE_CODE


def _send(*, template: str, to: str, language: str, context: dict) -> None:
    with translation.override(language):
        subject = render_to_string(f"aftersales/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"aftersales/email/{template}.txt", context)
    email_send_on_commit(subject=subject, body=body, to=[to])


def customer_case_url(case: Case) -> str:
    return settings.SITE_URL + reverse("aftersales_portal:detail", args=[case.number])


def agent_case_url(case: Case) -> str:
    return settings.SITE_URL + reverse("aftersales:case", args=[case.number])


def customer_notify_of_reply(*, case: Case, message: Message) -> None:
    if message.is_internal or not case.customer.email:
        return
    _send(template="customer_reply", to=case.customer.email, language=_customer_language(case),
          context={"case": case, "message": message, "url": customer_case_url(case)})


def customer_notify_of_status(*, case: Case, change: StatusChange) -> None:
    if not case.customer.email:
        return
    _send(template="customer_status", to=case.customer.email, language=_customer_language(case),
          context={"case": case, "change": change, "url": customer_case_url(case)})


def agent_notify_of_customer_reply(*, case: Case, message: Message) -> None:
    agent = case.assigned_to
    if agent is None or not agent.email:
        return
    _send(template="agent_customer_reply", to=agent.email, language=agent.preferred_language or "en",
          context={"case": case, "message": message, "url": agent_case_url(case)})


def agent_send_breach_digest(*, agent, cases: list[Case], total: int) -> None:
    _send(template="agent_breach_digest", to=agent.email, language=agent.preferred_language or "en",
          context={"agent": agent, "cases": cases, "total": total, "site_url": settings.SITE_URL,
                   "queue_url": settings.SITE_URL + reverse("aftersales:queue") + "?due=breached"})
