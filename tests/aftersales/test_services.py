from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales import services
from aftersales.models import Case, ServiceLevel, StatusChange
from aftersales.scope import agent_scope
from tests.factories import (
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    get_brand,
    get_store,
)

from .factories import PNG, CaseFactory, make_agent


@pytest.fixture
def poco_phone(reference_data):
    return VariantFactory(product=ProductFactory(brand=get_brand("poco")))


def open_case(customer, variant, **extra):
    return services.case_open(customer=customer, kind="repair", subject="Cracked screen", body="It fell.",
                              variant=variant, store=get_store("uk"), **extra)


def test_new_cases_are_numbered_in_the_stores_series_per_year(customer, poco_phone, settings):
    settings.AFTERSALES_CASE_NUMBER_PREFIX = "MS"
    first = open_case(customer, poco_phone, now=datetime(2026, 3, 1, tzinfo=UTC))
    second = open_case(customer, poco_phone, now=datetime(2026, 3, 2, tzinfo=UTC))
    next_year = open_case(customer, poco_phone, now=datetime(2027, 1, 1, tzinfo=UTC))
    assert [first.number, second.number, next_year.number] == ["MS-2026-000001", "MS-2026-000002", "MS-2027-000001"]


def test_opening_records_the_thread_the_history_and_the_deadlines(customer, poco_phone, png_upload):
    now = datetime(2026, 5, 1, 9, tzinfo=UTC)
    ServiceLevel.objects.filter(priority="normal").update(first_response_hours=10, resolution_hours=100)
    case = open_case(customer, poco_phone, uploads=[png_upload], now=now)
    assert case.brand.slug == "poco" and case.status == "open"
    assert case.first_response_due_at == now + timedelta(hours=10)
    assert case.resolution_due_at == now + timedelta(hours=100)
    assert case.due_at == case.first_response_due_at
    message = case.messages.get()
    assert (message.author, message.author_type, message.is_internal) == (customer, "customer", False)
    attachment = message.attachments.get()
    assert attachment.file.name.startswith(f"private/aftersales/{case.pk}/")
    assert attachment.file.read() == PNG
    assert list(case.status_changes.values_list("from_status", "to_status")) == [("", "open")]


def test_the_order_decides_store_and_brand_and_must_be_the_customers(customer, other_customer, stores):
    order = OrderFactory(user=customer, store=stores["fr"])
    OrderLineFactory(order=order, product=ProductFactory(brand=get_brand("redmi")))
    case = services.case_open(customer=customer, kind="return", subject="Return", body="Too big.", order=order)
    assert (case.store.code, case.brand.slug) == ("fr", "redmi")
    with pytest.raises(ValidationError, match="not one of yours"):
        services.case_open(customer=other_customer, kind="return", subject="Return", body="Mine?", order=order)


def test_a_case_needs_an_order_or_a_product_and_a_known_kind(customer, poco_phone):
    with pytest.raises(ValidationError, match="which order or product"):
        services.case_open(customer=customer, kind="repair", subject="?", body="?")
    with pytest.raises(ValidationError, match="“teleport” is not a kind"):
        services.case_open(customer=customer, kind="teleport", subject="?", body="?", variant=poco_phone)


def test_a_refused_attachment_writes_nothing(customer, poco_phone):
    exe = SimpleUploadedFile("virus.png", b"MZ\x90", content_type="image/png")
    with pytest.raises(ValidationError, match="virus.png"):
        open_case(customer, poco_phone, uploads=[exe])
    assert not Case.objects.exists()


def test_the_first_public_agent_reply_stops_the_first_response_clock(poco_agent, django_capture_on_commit_callbacks):
    case = CaseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_reply_by_agent(case=case, agent=poco_agent, body="Internal only", internal=True)
    case.refresh_from_db()
    assert case.first_response_at is None and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.case_reply_by_agent(case=case, agent=poco_agent, body="Please send a photo.")
    case.refresh_from_db()
    assert case.first_response_at is not None
    assert case.due_at == case.resolution_due_at
    assert case.changed_in_store_at is not None
    assert [m.to for m in mail.outbox] == [[case.customer.email]]
    assert "Please send a photo." in mail.outbox[0].body


def test_plain_text_emails_are_not_html_escaped(poco_agent, django_capture_on_commit_callbacks):
    case = CaseFactory(subject="Screen & <case>")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_reply_by_agent(case=case, agent=poco_agent, body="Use 'safe mode' & retry")
    assert "Screen & <case>" in mail.outbox[0].body and "Use 'safe mode' & retry" in mail.outbox[0].body


def test_customer_emails_speak_the_customers_language(poco_agent, django_capture_on_commit_callbacks):
    case = CaseFactory(customer=UserFactory(preferred_language="fr"))
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(case=case, to_status="in_repair", by=poco_agent)
    assert mail.outbox[0].subject == f"Votre dossier {case.number} est maintenant : En réparation"


def test_a_customer_reply_wakes_a_case_awaiting_them_and_tells_the_assignee(
    poco_agent, django_capture_on_commit_callbacks
):
    case = CaseFactory(assigned_to=poco_agent)
    services.case_transition(case=case, to_status="awaiting_customer", by=poco_agent)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_reply_by_customer(case=case, customer=case.customer, body="Here is the photo.")
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert [m.to for m in mail.outbox] == [[poco_agent.email]]


def test_a_closed_case_cannot_be_edited_only_reopened(poco_agent):
    case = CaseFactory()
    services.case_transition(case=case, to_status="closed", by=poco_agent)
    for attempt in (
        lambda: services.case_reply_by_agent(case=case, agent=poco_agent, body="hello"),
        lambda: services.case_reply_by_customer(case=case, customer=case.customer, body="hello"),
        lambda: services.case_assign(case=case, assignee=poco_agent, by=poco_agent),
    ):
        with pytest.raises(ValidationError, match="closed; reopen it"):
            attempt()
    reopened = services.case_reopen_by_customer(case=case, customer=case.customer)
    assert reopened.status == "open" and reopened.closed_at is None and reopened.due_at is not None


def test_transitions_are_recorded_with_who_and_when(poco_agent):
    case = CaseFactory()
    services.case_transition(case=case, to_status="in_progress", by=poco_agent)
    case = services.case_transition(case=case, to_status="resolved", by=poco_agent)
    assert case.resolved_at is not None and case.due_at is None
    history = list(StatusChange.objects.filter(case=case).values_list("from_status", "to_status", "changed_by"))
    assert history == [("", "open", None), ("open", "in_progress", poco_agent.pk),
                       ("in_progress", "resolved", poco_agent.pk)]


def test_cases_go_only_to_agents_whose_scope_covers_them(poco_agent, xiaomi_agent):
    case = CaseFactory()
    assert services.case_assign(case=case, assignee=poco_agent, by=poco_agent).assigned_to == poco_agent
    with pytest.raises(ValidationError, match="outside the brands and stores"):
        services.case_assign(case=case, assignee=xiaomi_agent, by=poco_agent)
    assert services.case_assign(case=case, assignee=None, by=poco_agent).assigned_to is None


def test_bulk_moves_touch_only_the_agents_scope_and_report_refusals(
    poco_agent, brands, django_assert_max_num_queries
):
    mine = [CaseFactory() for _ in range(3)]
    closed = CaseFactory(status="closed")
    not_mine = CaseFactory(brand=brands["xiaomi"])
    scope = agent_scope(poco_agent)
    ids = [c.pk for c in [*mine, closed, not_mine]]
    with django_assert_max_num_queries(8):
        result = services.cases_bulk_transition(scope=scope, case_ids=ids, to_status="in_progress")
    assert sorted(result.done) == sorted(c.number for c in mine)
    assert [number for number, _ in result.refused] == [closed.number]
    not_mine.refresh_from_db()
    assert not_mine.status == "open"
    result = services.cases_bulk_assign(scope=scope, case_ids=ids, assignee=poco_agent)
    assert len(result.done) == 3 and Case.objects.filter(assigned_to=poco_agent).count() == 3


def test_the_breach_digest_goes_to_agents_of_the_breached_cases(
    poco_agent, xiaomi_agent, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - timedelta(days=30)
    late = CaseFactory(opened_at=long_ago)
    CaseFactory()  # not due yet
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.breach_digest_send()
    assert sent == 1
    assert [m.to for m in mail.outbox] == [[poco_agent.email]]
    assert late.number in mail.outbox[0].body


def test_agents_outside_the_group_are_not_agents(reference_data):
    assert agent_scope(UserFactory(is_staff=True)) is None
    assert agent_scope(make_agent()).brand_ids == frozenset()


def test_a_new_priority_moves_the_deadlines_from_the_same_clock(poco_agent):
    case = CaseFactory(priority="normal")
    opened = case.opened_at
    case = services.case_priority_set(case=case, priority="urgent", by=poco_agent)
    assert case.first_response_due_at == opened + timedelta(hours=2)
    assert case.resolution_due_at == opened + timedelta(hours=24)
    assert case.due_at == case.first_response_due_at
    with pytest.raises(ValidationError, match="“asap” is not a priority"):
        services.case_priority_set(case=case, priority="asap", by=poco_agent)
