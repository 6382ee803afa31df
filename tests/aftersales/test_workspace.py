from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Case
from tests.factories import OrderFactory, OrderLineFactory, UserFactory, get_store

from .factories import CarriedOverCaseFactory, CaseFactory, MessageFactory, attachment_add


def test_anonymous_visitors_are_sent_to_the_login_page(client, reference_data):
    response = client.get(reverse("aftersales:queue"))
    assert response.status_code == 302 and response.url.startswith("/account/login/?next=/support/")


def test_accounts_that_are_not_agents_get_a_404(client, customer, reference_data):
    staff = UserFactory(is_staff=True)
    for user in (customer, staff):
        client.force_login(user)
        assert client.get(reverse("aftersales:queue")).status_code == 404


def test_the_queue_page_runs_a_fixed_number_of_queries(client, poco_agent, django_assert_max_num_queries):
    for n in range(30):
        CaseFactory(opened_at=timezone.now() - timedelta(hours=n), assigned_to=poco_agent if n % 2 else None)
    CarriedOverCaseFactory()
    client.force_login(poco_agent)
    # session, user, groups, scope (2), filter choices (2), page (2 at most), facet counts (4), agents, the
    # layout's stores
    with django_assert_max_num_queries(15) as captured:
        response = client.get(reverse("aftersales:queue"), {"due": "breached"})
    assert response.status_code == 200
    few = len(captured.captured_queries)
    CaseFactory.create_batch(10, opened_at=timezone.now() - timedelta(days=20))
    with django_assert_max_num_queries(few):
        client.get(reverse("aftersales:queue"), {"due": "breached"})


def test_the_queue_pages_on_with_a_cursor(client, poco_agent, settings):
    settings.AFTERSALES_QUEUE_PAGE_SIZE = 2
    cases = [CaseFactory(opened_at=timezone.now() - timedelta(hours=n)) for n in range(3)]
    client.force_login(poco_agent)
    first = client.get(reverse("aftersales:queue"))
    assert [c.pk for c in first.context["page"].cases] == [cases[2].pk, cases[1].pk]
    second = client.get(reverse("aftersales:queue"), {"cursor": first.context["page"].next_cursor})
    assert [c.pk for c in second.context["page"].cases] == [cases[0].pk]
    broken = client.get(reverse("aftersales:queue"), {"cursor": "garbage!"})
    assert "not valid" in broken.content.decode()


def test_the_case_page_shows_thread_notes_orders_warranty_and_history(client, poco_agent, customer):
    order = OrderFactory(user=customer, store=get_store("uk"), placed_at=timezone.now() - timedelta(days=500))
    OrderLineFactory(order=order, name="POCO F6")
    case = CaseFactory(customer=customer, store=get_store("uk"), order=order)
    MessageFactory(case=case, body="My phone is broken")
    MessageFactory(case=case, author_type="agent", author=poco_agent, is_internal=True, body="Known batch issue")
    client.force_login(poco_agent)
    page = client.get(reverse("aftersales:case", args=[case.number])).content.decode()
    assert "My phone is broken" in page and "Known batch issue" in page
    assert order.number in page and "Under warranty until" in page  # uk: 24 months
    assert "Status history" in page


def test_an_agent_replies_with_an_attachment_changes_status_and_assigns(client, poco_agent, png_upload):
    case = CaseFactory()
    client.force_login(poco_agent)
    url = reverse("aftersales:case-reply", args=[case.number])
    assert client.post(url, {"body": "See the manual", "attachments": [png_upload]}).status_code == 302
    assert case.messages.get().attachments.count() == 1
    client.post(reverse("aftersales:case-status", args=[case.number]), {"status": "in_progress"})
    client.post(reverse("aftersales:case-assign", args=[case.number]), {"assignee": poco_agent.pk})
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == ("in_progress", poco_agent)


def test_a_refused_move_is_explained(client, poco_agent):
    case = CaseFactory()
    client.force_login(poco_agent)
    response = client.post(reverse("aftersales:case-status", args=[case.number]), {"status": "resolved"}, follow=True)
    assert "cannot be moved to Resolved" in response.content.decode()


def test_a_refused_attachment_is_explained_on_the_page(client, poco_agent):
    case = CaseFactory()
    client.force_login(poco_agent)
    response = client.post(reverse("aftersales:case-reply", args=[case.number]), {
        "body": "here", "attachments": [SimpleUploadedFile("a.png", b"<html>", content_type="image/png")],
    })
    assert response.status_code == 400 and "“a.png” is refused" in response.content.decode()


def test_bulk_assign_and_status_change_from_the_queue(client, poco_agent, brands):
    cases = CaseFactory.create_batch(3)
    other = CaseFactory(brand=brands["xiaomi"])
    client.force_login(poco_agent)
    ids = [c.pk for c in cases] + [other.pk]
    client.post(reverse("aftersales:bulk"), {"cases": ids, "action": "assign", "assignee": poco_agent.pk})
    response = client.post(reverse("aftersales:bulk"), {"cases": ids, "action": "status", "status": "in_repair"},
                           follow=True)
    assert response.status_code == 200
    assert Case.objects.filter(assigned_to=poco_agent, status="in_repair").count() == 3
    other.refresh_from_db()
    assert (other.assigned_to, other.status) == (None, "open")


def test_agents_download_attachments_of_their_scope_through_the_view(client, poco_agent):
    attachment = attachment_add(MessageFactory(case=CaseFactory()))
    client.force_login(poco_agent)
    response = client.get(reverse("aftersales:attachment", args=[attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("field", ["brand", "store"])
def test_filters_offer_only_the_agents_brands_and_stores(client, poco_agent, field):
    client.force_login(poco_agent)
    form = client.get(reverse("aftersales:queue")).context["form"]
    offered = {str(obj) for obj in form.fields[field].queryset}
    assert offered == ({"POCO"} if field == "brand" else {"Global (global)", "United Kingdom (uk)", "France (fr)"})


def test_the_case_page_costs_the_same_however_long_the_thread(client, poco_agent, django_assert_max_num_queries):
    case = CaseFactory()
    for n in range(2):
        attachment_add(MessageFactory(case=case, body=f"message {n}"))
    client.force_login(poco_agent)
    with django_assert_max_num_queries(40) as captured:
        assert client.get(reverse("aftersales:case", args=[case.number])).status_code == 200
    short = len(captured.captured_queries)
    for n in range(10):
        attachment_add(MessageFactory(case=case, author_type="agent", author=poco_agent, body=f"more {n}"))
    with django_assert_max_num_queries(short):
        client.get(reverse("aftersales:case", args=[case.number]))


def test_an_agent_changes_the_priority_from_the_case_page(client, poco_agent):
    case = CaseFactory(priority="low")
    client.force_login(poco_agent)
    client.post(reverse("aftersales:case-priority", args=[case.number]), {"priority": "high"})
    case.refresh_from_db()
    assert case.priority == "high"
