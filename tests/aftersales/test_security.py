"""Every case, message and attachment is reached only by its customer, agents of its scope and admins.

Others get a 404 (never a 403, which would confirm the object exists); anonymous visitors get the same
answer (login redirect, or 401/403 from the API) whether the object exists or not.
"""

import pytest
from django.urls import Resolver404, resolve, reverse
from django.views.static import serve

from aftersales.models import Case, Message
from storefront.accounts.services import user_make_admin
from tests.factories import UserFactory, get_store

from .factories import CaseFactory, MessageFactory, attachment_add


@pytest.fixture
def case(customer, poco_agent):
    """A POCO case in the uk store, with a public attachment and an attachment on an internal note."""
    case = CaseFactory(customer=customer, store=get_store("uk"))
    case.public_attachment = attachment_add(MessageFactory(case=case))
    case.internal_attachment = attachment_add(
        MessageFactory(case=case, author_type="agent", author=poco_agent, is_internal=True), filename="note.pdf",
        content=b"%PDF-1.4 internal", content_type="application/pdf",
    )
    return case


def portal_requests(case):
    return [
        ("get", reverse("aftersales_portal:detail", args=[case.number]), {}),
        ("post", reverse("aftersales_portal:reply", args=[case.number]), {"body": "hi"}),
        ("post", reverse("aftersales_portal:close", args=[case.number]), {}),
        ("post", reverse("aftersales_portal:reopen", args=[case.number]), {}),
        ("get", reverse("aftersales_portal:attachment", args=[case.public_attachment.pk]), {}),
        ("get", reverse("api:aftersales:case", args=[case.number]), {}),
        ("post", reverse("api:aftersales:case-reply", args=[case.number]), {"body": "hi"}),
        ("post", reverse("api:aftersales:case-close", args=[case.number]), {}),
        ("post", reverse("api:aftersales:case-reopen", args=[case.number]), {}),
    ]


def workspace_requests(case):
    return [
        ("get", reverse("aftersales:case", args=[case.number]), {}),
        ("post", reverse("aftersales:case-reply", args=[case.number]), {"body": "hi"}),
        ("post", reverse("aftersales:case-status", args=[case.number]), {"status": "in_progress"}),
        ("post", reverse("aftersales:case-assign", args=[case.number]), {"assignee": ""}),
        ("get", reverse("aftersales:attachment", args=[case.public_attachment.pk]), {}),
        ("get", reverse("aftersales:attachment", args=[case.internal_attachment.pk]), {}),
        ("get", reverse("api:aftersales:support-case", args=[case.number]), {}),
        ("post", reverse("api:aftersales:support-case-reply", args=[case.number]), {"body": "hi"}),
        ("post", reverse("api:aftersales:support-case-transition", args=[case.number]), {"status": "in_progress"}),
        ("post", reverse("api:aftersales:support-case-assign", args=[case.number]), {"assignee": None}),
    ]


def send(client, method, url, data):
    if method == "get":
        return client.get(url)
    if "/api/" in url:
        return client.post(url, data, content_type="application/json")
    return client.post(url, data)


def assert_nothing_changed(case, messages_before):
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.assigned_to_id) == (case.status, case.assigned_to_id)
    assert Message.objects.filter(case=case).count() == messages_before


@pytest.mark.parametrize("intruder", ["other_customer", "xiaomi_agent", "plain_staff", "poco_agent"])
def test_others_get_a_404_on_a_customers_portal_and_api(client, case, intruder, request):
    user = UserFactory(is_staff=True) if intruder == "plain_staff" else request.getfixturevalue(intruder)
    client.force_login(user)
    before = case.messages.count()
    for method, url, data in portal_requests(case):
        assert send(client, method, url, data).status_code == 404, url
    assert_nothing_changed(case, before)


@pytest.mark.parametrize("intruder", ["other_customer", "customer", "xiaomi_agent", "plain_staff"])
def test_others_get_a_404_in_the_workspace_and_the_agents_api(client, case, intruder, request):
    user = UserFactory(is_staff=True) if intruder == "plain_staff" else request.getfixturevalue(intruder)
    client.force_login(user)
    before = case.messages.count()
    for method, url, data in workspace_requests(case):
        assert send(client, method, url, data).status_code == 404, url
    assert_nothing_changed(case, before)


def test_anonymous_visitors_learn_nothing_about_which_cases_exist(client, case):
    ghost = Case(number="MS-2000-999999")
    ghost.public_attachment = ghost.internal_attachment = type("A", (), {"pk": 999999})()
    for requests_of in (portal_requests, workspace_requests):
        for (method, url, data), (_, ghost_url, _) in zip(requests_of(case), requests_of(ghost), strict=True):
            real, fake = send(client, method, url, data), send(client, method, ghost_url, data)
            assert real.status_code in (302, 401, 403), url
            assert real.status_code == fake.status_code
            if real.status_code == 302:
                assert real.url.startswith("/account/login/")


def test_the_customer_never_downloads_an_internal_notes_attachment(client, case, customer):
    client.force_login(customer)
    assert client.get(reverse("aftersales_portal:attachment", args=[case.public_attachment.pk])).status_code == 200
    assert client.get(reverse("aftersales_portal:attachment", args=[case.internal_attachment.pk])).status_code == 404


@pytest.mark.parametrize("who", ["poco_agent", "admin_user", "admins_group_member"])
def test_agents_of_the_scope_and_admins_reach_everything(client, case, who, request):
    user = user_make_admin(user=UserFactory()) if who == "admins_group_member" else request.getfixturevalue(who)
    client.force_login(user)
    for method, url, _data in workspace_requests(case):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_attachments_are_stored_privately_and_no_media_url_serves_them(case):
    name = case.public_attachment.file.name
    assert name.startswith("private/aftersales/") and "photo" not in name
    try:
        match = resolve(f"/media/{name}")
    except Resolver404:
        return
    assert match.func is not serve
