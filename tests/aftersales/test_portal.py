import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from aftersales.models import Case
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory, VariantFactory, get_brand, get_store

from .factories import CarriedOverCaseFactory, CaseFactory, MessageFactory


def test_a_customer_lists_their_new_and_carried_over_cases_only(client, customer, other_customer,
                                                                 django_assert_max_num_queries):
    mine = [CaseFactory(customer=customer), CarriedOverCaseFactory(customer=customer, number="PS-2024-004512")]
    theirs = CaseFactory(customer=other_customer)
    client.force_login(customer)
    with django_assert_max_num_queries(4):
        page = client.get(reverse("aftersales_portal:list")).content.decode()
    assert all(case.number in page for case in mine) and theirs.number not in page


def test_the_portal_marks_carried_over_cases_and_sits_in_the_account_nav(client, customer):
    carried_over = CarriedOverCaseFactory(customer=customer, number="PS-2024-004512")
    new = CaseFactory(customer=customer)
    client.force_login(customer)
    listing = client.get(reverse("aftersales_portal:list")).content.decode()
    row_of = {case.number: re.search(rf"<tr><td><a [^>]*>{case.number}</a>.*?</tr>", listing, re.S).group()
              for case in (carried_over, new)}
    assert "Carried over from po.co" in row_of[carried_over.number]
    assert "Carried over from po.co" not in row_of[new.number]
    detail = client.get(reverse("aftersales_portal:detail", args=[carried_over.number])).content.decode()
    assert "Carried over from po.co" in detail
    for page in (listing, detail):
        assert f'<a href="{reverse("aftersales_portal:list")}" aria-current="page">My support cases</a>' in page


def test_the_thread_hides_internal_notes(client, customer, poco_agent):
    case = CaseFactory(customer=customer)
    MessageFactory(case=case, author_type="agent", author=poco_agent, body="We will replace it.")
    MessageFactory(case=case, author_type="agent", author=poco_agent, is_internal=True, body="Customer dropped it")
    client.force_login(customer)
    page = client.get(reverse("aftersales_portal:detail", args=[case.number])).content.decode()
    assert "We will replace it." in page and "Customer dropped it" not in page
    assert poco_agent.email not in page


def test_a_customer_opens_a_case_about_a_product_they_bought(client, customer, png_upload):
    variant = VariantFactory(product=ProductFactory(brand=get_brand("poco"), name="POCO X6"))
    order = OrderFactory(user=customer, store=get_store("fr"))
    OrderLineFactory(order=order, variant=variant, product=variant.product)
    client.force_login(customer)
    form = client.get(reverse("aftersales_portal:open")).context["form"]
    assert list(form.fields["variant"].queryset) == [variant]
    response = client.post(reverse("aftersales_portal:open"), {
        "kind": "warranty", "variant": variant.pk, "order": order.pk, "subject": "Dead pixel", "body": "Top left.",
        "serial_number": "SN-1", "attachments": [png_upload],
    })
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("aftersales_portal:detail", args=[case.number])
    assert (case.store.code, case.brand.slug, case.customer) == ("fr", "poco", customer)


def test_an_order_of_someone_else_cannot_be_chosen(client, customer, other_customer):
    order = OrderFactory(user=other_customer)
    client.force_login(customer)
    response = client.post(reverse("aftersales_portal:open"), {
        "kind": "return", "order": order.pk, "subject": "x", "body": "y",
    })
    assert response.status_code == 400 and not Case.objects.exists()


def test_a_customer_replies_closes_and_reopens_within_the_period(client, customer, settings):
    case = CaseFactory(customer=customer)
    client.force_login(customer)
    client.post(reverse("aftersales_portal:reply", args=[case.number]), {"body": "Any news?"})
    assert case.messages.filter(author=customer).count() == 1
    client.post(reverse("aftersales_portal:close", args=[case.number]))
    case.refresh_from_db()
    assert case.status == "closed"
    client.post(reverse("aftersales_portal:reopen", args=[case.number]))
    case.refresh_from_db()
    assert case.status == "open"
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now() - timedelta(days=90), due_at=None)
    response = client.post(reverse("aftersales_portal:reopen", args=[case.number]), follow=True)
    assert "can no longer be reopened" in response.content.decode()


def test_pages_speak_french_to_a_shopper_of_the_fr_store(client, customer, settings):
    case = CaseFactory(customer=customer, store=get_store("fr"))
    client.force_login(customer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("aftersales_portal:detail", args=[case.number])).content.decode()
    assert "Ouvert" in page and "Clore ce dossier" in page
