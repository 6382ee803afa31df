import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Case
from aftersales.services import case_number_next
from aftersales.tasks import send_breach_digest

from .factories import CaseFactory, MessageFactory, attachment_add


def test_the_admin_lists_and_shows_cases_messages_attachments_levels_and_profiles(
    client, admin_user, poco_agent, django_assert_max_num_queries
):
    case = CaseFactory.create_batch(5)[0]
    attachment = attachment_add(MessageFactory(case=case))
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:aftersales_case_changelist")).status_code == 200
    for url in (
        reverse("admin:aftersales_case_change", args=[case.pk]),
        reverse("admin:aftersales_message_changelist"),
        reverse("admin:aftersales_attachment_change", args=[attachment.pk]),
        reverse("admin:aftersales_servicelevel_changelist"),
        reverse("admin:aftersales_agentprofile_change", args=[poco_agent.agent_profile.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:aftersales_case_changelist"), {"q": case.number}).context["cl"].result_count == 1


def test_the_daily_digest_is_scheduled_and_runs_from_the_task_and_the_command(
    poco_agent, django_capture_on_commit_callbacks
):
    assert settings.CELERY_BEAT_SCHEDULE["aftersales-breach-digest"]["task"] == send_breach_digest.name
    CaseFactory(opened_at=timezone.now() - timedelta(days=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_breach_digest.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_breach_digest")
    assert [m.to for m in mail.outbox] == [[poco_agent.email]] * 2
    assert "1 case past its service level" in mail.outbox[0].subject


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_openings_never_share_a_number(reference_data):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serializes every write anyway")
    now, numbers, errors = timezone.now(), [], []

    def take():
        try:
            numbers.append(case_number_next(now=now))
        except Exception as error:  # any failure fails the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(numbers)) == 12
    assert not Case.objects.exists()
