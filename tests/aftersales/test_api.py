from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Case
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory, VariantFactory, get_brand

from .factories import CarriedOverCaseFactory, CaseFactory, MessageFactory, attachment_add


def test_a_customer_lists_their_cases_in_a_fixed_number_of_queries(client, customer, other_customer,
                                                                    django_assert_max_num_queries):
    CaseFactory.create_batch(5, customer=customer)
    CarriedOverCaseFactory(customer=customer)
    CaseFactory(customer=other_customer)
    client.force_login(customer)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("api:aftersales:cases"))
    assert response.json()["count"] == 6
    assert {row["carried_over"] for row in response.json()["results"]} == {True, False}


def test_a_customer_reads_a_case_without_internal_notes_and_replies(client, customer, poco_agent):
    case = CaseFactory(customer=customer)
    public = MessageFactory(case=case, author_type="agent", author=poco_agent, body="Hello")
    attachment_add(public)
    MessageFactory(case=case, author_type="agent", author=poco_agent, is_internal=True, body="secret")
    client.force_login(customer)
    data = client.get(reverse("api:aftersales:case", args=[case.number])).json()
    assert [m["body"] for m in data["messages"]] == ["Hello"]
    assert "is_internal" not in data["messages"][0] and "author" not in data["messages"][0]
    assert data["messages"][0]["attachments"][0]["url"].startswith("/account/cases/attachments/")
    assert data["allowed_statuses"] == ["closed"]
    reply = client.post(reverse("api:aftersales:case-reply", args=[case.number]), {"body": "Thanks"},
                        content_type="application/json")
    assert reply.status_code == 201 and [m["body"] for m in reply.json()["messages"]] == ["Hello", "Thanks"]


def test_a_customer_opens_closes_and_reopens_a_case(client, customer):
    variant = VariantFactory(product=ProductFactory(brand=get_brand("redmi")))
    order = OrderFactory(user=customer)
    OrderLineFactory(order=order, variant=variant)
    client.force_login(customer)
    created = client.post(reverse("api:aftersales:cases"), {
        "kind": "inquiry", "subject": "Charger?", "body": "Which charger?", "order": order.number,
        "variant": variant.sku,
    }, content_type="application/json")
    assert created.status_code == 201, created.json()
    number = created.json()["number"]
    assert created.json()["brand"] == "redmi"
    assert client.post(reverse("api:aftersales:case-close", args=[number])).json()["status"] == "closed"
    assert client.post(reverse("api:aftersales:case-reopen", args=[number])).json()["status"] == "open"


def test_bad_input_is_named(client, customer, other_customer):
    client.force_login(customer)
    response = client.post(reverse("api:aftersales:cases"), {
        "kind": "inquiry", "subject": "x", "body": "y", "order": OrderFactory(user=other_customer).number,
    }, content_type="application/json")
    assert response.status_code == 400
    assert "You have no order numbered" in response.json()["error"]["fields"]["order"][0]
    case = CaseFactory(customer=customer, status="closed")
    response = client.post(reverse("api:aftersales:case-reply", args=[case.number]), {"body": "x"},
                           content_type="application/json")
    assert response.status_code == 400 and "closed" in response.json()["error"]["message"]


def test_the_agents_queue_filters_pages_and_counts_in_a_fixed_number_of_queries(
    client, poco_agent, brands, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(7):
        CaseFactory(opened_at=now - timedelta(days=n), priority="high" if n % 2 else "normal")
    CaseFactory(brand=brands["xiaomi"])
    client.force_login(poco_agent)
    # session, user, groups, scope (2), the page (2 where it reaches the cases without a deadline), the facet
    # counts (4): however many cases there are
    with django_assert_max_num_queries(11):
        first = client.get(reverse("api:aftersales:support-queue"), {"priority": "high", "cursor": ""}).json()
    assert first["counts"]["priority"] == {"low": 0, "normal": 4, "high": 3, "urgent": 0}
    assert first["counts"]["total"]["all"] == 3
    assert len(first["results"]) == 3 and first["next"] is None
    all_cases = client.get(reverse("api:aftersales:support-queue")).json()
    assert all_cases["counts"]["total"]["all"] == 7
    assert client.get(reverse("api:aftersales:support-queue"), {"due": "yesterday"}).status_code == 400


def test_the_agents_queue_pages_by_cursor(client, poco_agent, settings):
    settings.AFTERSALES_QUEUE_PAGE_SIZE = 2
    CaseFactory.create_batch(3)
    client.force_login(poco_agent)
    first = client.get(reverse("api:aftersales:support-queue")).json()
    second = client.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1 and second["next"] is None
    assert {r["number"] for r in first["results"]}.isdisjoint({r["number"] for r in second["results"]})


def test_an_agent_notes_replies_moves_and_assigns(client, poco_agent):
    case = CaseFactory()
    client.force_login(poco_agent)
    detail = reverse("api:aftersales:support-case", args=[case.number])
    client.post(reverse("api:aftersales:support-case-reply", args=[case.number]),
                {"body": "internal", "internal": True}, content_type="application/json")
    data = client.get(detail).json()
    assert data["messages"][0]["is_internal"] is True and data["first_response_at"] is None
    moved = client.post(reverse("api:aftersales:support-case-transition", args=[case.number]),
                        {"status": "in_progress"}, content_type="application/json")
    assert moved.json()["status"] == "in_progress"
    refused = client.post(reverse("api:aftersales:support-case-transition", args=[case.number]),
                          {"status": "open"}, content_type="application/json")
    assert refused.status_code == 400 and "cannot be moved" in refused.json()["error"]["message"]
    assigned = client.post(reverse("api:aftersales:support-case-assign", args=[case.number]),
                           {"assignee": poco_agent.pk}, content_type="application/json")
    assert assigned.json()["assigned_to"] == poco_agent.email
    assert Case.objects.get().assigned_to == poco_agent


def test_the_schema_documents_the_case_endpoints(client, reference_data):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    for path in ("/api/v1/cases/", "/api/v1/cases/{number}/messages/", "/api/v1/support/cases/",
                 "/api/v1/support/cases/{number}/transition/", "/api/v1/support/cases/{number}/assign/"):
        assert path in schema["paths"]
    assert "QueuePage" in schema["components"]["schemas"]


def test_files_are_attached_through_the_api_and_checked(client, customer, png_upload):
    case = CaseFactory(customer=customer)
    client.force_login(customer)
    url = reverse("api:aftersales:case-reply", args=[case.number])
    sent = client.post(url, {"body": "Photo attached", "attachments": [png_upload]})
    assert sent.status_code == 201
    assert [a["filename"] for a in sent.json()["messages"][-1]["attachments"]] == ["photo.png"]
    fake = SimpleUploadedFile("scan.pdf", b"<script>", content_type="application/pdf")
    refused = client.post(url, {"body": "Another", "attachments": [fake]})
    assert refused.status_code == 400 and "“scan.pdf” is refused" in refused.json()["error"]["message"]
