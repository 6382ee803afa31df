import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from storefront.accounts.models import Address
from tests.factories import AddressFactory, UserFactory

NEW_ADDRESS = {"name": "Ana Lopez", "line1": "5 rue de Rivoli", "line2": "", "city": "Paris",
               "postcode": "75001", "country": "fr", "phone": ""}


@pytest.fixture
def shopper(client, stores):
    user = UserFactory(email="ana@example.com", first_name="Ana", last_name="Lopez", preferred_store=stores["uk"])
    client.force_login(user)
    return user


def test_account_page_shows_profile_and_address_book_in_constant_queries(client, shopper):
    AddressFactory(user=shopper, is_default=True, line1="1 High Street")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("accounts:account"))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    few, page = count_queries()
    assert "ana@example.com" in page and "Ana Lopez" in page and "United Kingdom" in page
    assert "1 High Street" in page and "Default address" in page
    assert 'href="/account/addresses/"' in page  # the section nav

    AddressFactory.create_batch(4, user=shopper)
    many, _ = count_queries()
    assert many == few


def test_account_nav_leads_to_every_section_of_the_account(client, shopper):
    nav = re.search(r'<nav class="account-nav".*?</nav>', client.get(reverse("accounts:account")).content.decode(),
                    re.S).group()
    links = dict((text, href) for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav))
    assert links == {
        "Overview": reverse("accounts:account"), "Profile": reverse("accounts:profile"),
        "Address book": reverse("accounts:addresses"), "My orders": reverse("orders:list"),
        "Password": reverse("accounts:password_change"), "Mi Points": reverse("loyalty:points"),
        "Coupons": reverse("loyalty:coupons"), "My support cases": reverse("aftersales_portal:list"),
    }


def test_profile_edit_saves_and_speaks_the_new_language(client, shopper, stores):
    response = client.post(reverse("accounts:profile"), {
        "first_name": " Anita ", "last_name": "Lopez", "phone": "+33 1 23 45 67 89",
        "preferred_language": "fr", "preferred_store": stores["fr"].pk,
    })

    assert response.status_code == 302
    shopper.refresh_from_db()
    assert (shopper.first_name, shopper.phone, shopper.preferred_language, shopper.preferred_store) == (
        "Anita", "+33 1 23 45 67 89", "fr", stores["fr"])
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_profile_edit_refuses_an_unknown_language(client, shopper):
    response = client.post(reverse("accounts:profile"), {"first_name": "Ana", "preferred_language": "xx"})

    assert response.status_code == 200
    assert "preferred_language" in response.context["form"].errors
    shopper.refresh_from_db()
    assert shopper.preferred_language == "en"


class TestAddressBook:
    def test_the_first_address_becomes_the_default(self, client, shopper):
        response = client.post(reverse("accounts:address_add"), NEW_ADDRESS)

        assert response.status_code == 302
        address = Address.objects.get(user=shopper)
        assert address.is_default and address.country == "FR"

    def test_adding_a_default_address_moves_the_default_to_it(self, client, shopper):
        first = AddressFactory(user=shopper, is_default=True)

        client.post(reverse("accounts:address_add"), {**NEW_ADDRESS, "is_default": "on"})

        first.refresh_from_db()
        assert not first.is_default
        assert Address.objects.get(user=shopper, is_default=True).city == "Paris"

    def test_make_default_keeps_exactly_one_default(self, client, shopper):
        first = AddressFactory(user=shopper, is_default=True)
        second = AddressFactory(user=shopper)

        response = client.post(reverse("accounts:address_make_default", args=[second.pk]))

        assert response.status_code == 302
        assert list(Address.objects.filter(user=shopper, is_default=True)) == [second]
        first.refresh_from_db()
        assert not first.is_default

    def test_deleting_the_default_makes_the_oldest_remaining_address_default(self, client, shopper):
        default = AddressFactory(user=shopper, is_default=True)
        older = AddressFactory(user=shopper)
        AddressFactory(user=shopper)

        client.post(reverse("accounts:address_delete", args=[default.pk]))

        assert list(Address.objects.filter(user=shopper, is_default=True)) == [older]

    def test_edit_saves_and_a_bad_country_gets_a_clear_message(self, client, shopper):
        address = AddressFactory(user=shopper, is_default=True)

        edit = reverse("accounts:address_edit", args=[address.pk])

        response = client.post(edit, {**NEW_ADDRESS, "country": "France"})
        assert "Enter the two-letter country code (ISO 3166), e.g. FR, not FRANCE." in (
            response.context["form"].errors["country"]
        )

        client.post(edit, {**NEW_ADDRESS, "city": "Lyon"})
        address.refresh_from_db()
        assert address.city == "Lyon" and address.is_default

    def test_another_accounts_address_cannot_be_seen_or_changed(self, client, shopper):
        theirs = AddressFactory(is_default=True)

        assert client.get(reverse("accounts:address_edit", args=[theirs.pk])).status_code == 404
        assert client.post(reverse("accounts:address_delete", args=[theirs.pk])).status_code == 404
        assert Address.objects.filter(pk=theirs.pk).exists()

    def test_delete_and_make_default_need_a_post(self, client, shopper):
        address = AddressFactory(user=shopper)

        assert client.get(reverse("accounts:address_delete", args=[address.pk])).status_code == 405
        assert client.get(reverse("accounts:address_make_default", args=[address.pk])).status_code == 405

    def test_the_list_page_runs_constant_queries(self, client, shopper):
        AddressFactory(user=shopper, is_default=True)
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("accounts:addresses"))
        AddressFactory.create_batch(5, user=shopper)
        with CaptureQueriesContext(connection) as many:
            response = client.get(reverse("accounts:addresses"))

        assert response.content.decode().count("Make default") == 5
        assert len(many) == len(few)


def test_account_pages_speak_french_after_visiting_the_french_store(client, shopper):
    client.get("/fr/")  # the store sets the language cookie; set it here too, whatever /fr/ answers
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    for name in ["accounts:account", "accounts:profile", "accounts:addresses", "accounts:password_change"]:
        response = client.get(reverse(name))
        assert response["Content-Language"] == "fr"
        page = response.content.decode()
        assert "Carnet d’adresses" in page and "Se déconnecter" in page, name
    assert "Mon compte" in client.get(reverse("accounts:account")).content.decode()


def test_sign_in_page_speaks_french_with_the_cookie(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    page = client.get(reverse("accounts:login")).content.decode()

    assert "Se connecter" in page and "Mot de passe oublié ?" in page
