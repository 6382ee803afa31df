import pytest
from django.urls import reverse

from storefront.accounts import services
from storefront.accounts.models import Address, LegacyAlias, User
from tests.accounts.admin_support import assert_changelist_queries_constant, search_results
from tests.factories import AddressFactory, UserFactory

USERS = reverse("admin:accounts_user_changelist")


def add_shoppers(stores):
    def add(count):
        for user in UserFactory.create_batch(count, preferred_store=stores["fr"]):
            AddressFactory(user=user, is_default=True)
            LegacyAlias.objects.create(user=user, legacy_id=f"C{user.pk}")
    return add


def test_accounts_changelist_runs_constant_queries(admin_client, stores):
    assert_changelist_queries_constant(admin_client, USERS, add_shoppers(stores))
    assert_changelist_queries_constant(
        admin_client, f"{USERS}?is_staff__exact=0&preferred_language__exact=en", add_shoppers(stores)
    )


def test_addresses_changelist_runs_constant_queries(admin_client, db):
    url = reverse("admin:accounts_address_changelist")
    assert_changelist_queries_constant(admin_client, url, lambda n: AddressFactory.create_batch(n))


def test_accounts_search_by_email_and_name(admin_client, db):
    ana = UserFactory(email="ana.lopez@example.com", first_name="Ana", last_name="Lopez")
    UserFactory(email="bob@example.com", first_name="Bob")

    assert search_results(admin_client, USERS, "ANA.LOPEZ@") == [ana]
    assert search_results(admin_client, USERS, "lopez") == [ana]


def test_account_page_shows_addresses_and_legacy_aliases(admin_client, db):
    user = UserFactory()
    AddressFactory(user=user, is_default=True, line1="9 Canal Street")
    LegacyAlias.objects.create(user=user, legacy_id="PO-778899", portal="fr")

    page = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()

    assert "9 Canal Street" in page and "PO-778899" in page


def test_admin_creates_an_account_with_a_normalized_email_and_refuses_a_duplicate(admin_client, db):
    UserFactory(email="taken@example.com")
    add = reverse("admin:accounts_user_add")
    form = {"email": "New@Example.com", "usable_password": "true",
            "password1": "a long passphrase", "password2": "a long passphrase"}

    response = admin_client.post(add, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.filter(email="new@example.com").exists()

    response = admin_client.post(add, {**form, "email": "TAKEN@example.com"})
    assert "already exists" in response.content.decode()


def test_address_inline_keeps_one_default_through_the_services(admin_client, db):
    user = UserFactory()
    first = AddressFactory(user=user, is_default=True)
    change = reverse("admin:accounts_user_change", args=[user.pk])
    form = {
        "email": user.email, "first_name": user.first_name, "last_name": user.last_name, "phone": "",
        "preferred_language": "en", "preferred_store": "", "is_active": "on",
        "addresses-TOTAL_FORMS": "2", "addresses-INITIAL_FORMS": "1", "addresses-MIN_NUM_FORMS": "0",
        "addresses-MAX_NUM_FORMS": "1000",
        "addresses-0-id": first.pk, "addresses-0-user": user.pk, "addresses-0-name": first.name,
        "addresses-0-line1": first.line1, "addresses-0-city": first.city, "addresses-0-postcode": first.postcode,
        "addresses-0-country": first.country, "addresses-0-is_default": "on",
        "addresses-1-user": user.pk, "addresses-1-name": "New", "addresses-1-line1": "2 Low Road",
        "addresses-1-city": "York", "addresses-1-postcode": "YO1 1AA", "addresses-1-country": "gb",
        "addresses-1-is_default": "on",
        "legacy_aliases-TOTAL_FORMS": "0", "legacy_aliases-INITIAL_FORMS": "0",
        "legacy_aliases-MIN_NUM_FORMS": "0", "legacy_aliases-MAX_NUM_FORMS": "1000",
    }

    response = admin_client.post(change, form)

    assert response.status_code == 302, response.context["errors"]
    assert list(Address.objects.filter(user=user, is_default=True).values_list("line1", flat=True)) == ["2 Low Road"]


def test_role_actions_make_agents_and_admins(admin_client, db):
    agent, boss = UserFactory(), UserFactory()

    admin_client.post(USERS, {"action": "make_support_agents", "_selected_action": [agent.pk]})
    admin_client.post(USERS, {"action": "make_admins", "_selected_action": [boss.pk]})

    assert list(agent.groups.values_list("name", flat=True)) == [services.SUPPORT_AGENTS_GROUP]
    assert list(boss.groups.values_list("name", flat=True)) == [services.ADMINS_GROUP]


@pytest.mark.django_db
def test_a_shopper_cannot_reach_the_admin(client):
    client.force_login(UserFactory())

    response = client.get(USERS)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_a_support_agent_reads_orders_but_cannot_give_roles_or_edit_brands(client):
    agent = services.user_make_support_agent(user=UserFactory())
    client.force_login(agent)

    assert client.get(reverse("admin:orders_order_changelist")).status_code == 200
    assert client.get(reverse("admin:brands_brand_changelist")).status_code == 403
    accounts_page = client.get(USERS)
    assert accounts_page.status_code == 200
    assert "make_admins" not in accounts_page.content.decode()
