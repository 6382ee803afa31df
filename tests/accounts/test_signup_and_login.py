import pytest
from django.conf import settings
from django.urls import reverse

from storefront.accounts.models import User
from tests.factories import UserFactory

PASSWORD = "correct horse battery"


def signup_data(**overrides):
    data = {"email": "New.Shopper@Example.com", "first_name": "Ana", "last_name": "Lopez",
            "password1": "a long new passphrase", "password2": "a long new passphrase"}
    return {**data, **overrides}


@pytest.mark.django_db
class TestSignup:
    def test_creates_the_account_with_a_normalized_email_and_signs_in(self, client):
        response = client.post(reverse("accounts:signup"), signup_data())

        assert response.status_code == 302 and response.url == reverse("accounts:account")
        user = User.objects.get()
        assert user.email == "new.shopper@example.com"
        assert user.check_password("a long new passphrase")
        assert client.get(reverse("accounts:account")).status_code == 200

    def test_refuses_an_email_that_exists_in_another_letter_case(self, client):
        UserFactory(email="taken@example.com")

        response = client.post(reverse("accounts:signup"), signup_data(email="TAKEN@Example.COM"))

        assert response.status_code == 200
        assert "An account with the e-mail address taken@example.com already exists" in (
            response.context["form"].errors["email"][0]
        )
        assert User.objects.count() == 1

    def test_refuses_mismatched_and_weak_passwords_with_a_message(self, client):
        response = client.post(reverse("accounts:signup"), signup_data(password2="something else"))
        assert response.context["form"].errors["password2"] == ["The two passwords do not match."]

        response = client.post(reverse("accounts:signup"), signup_data(password1="12345678", password2="12345678"))
        assert "password1" in response.context["form"].errors
        assert not User.objects.exists()


@pytest.mark.django_db
class TestLogin:
    def test_email_is_matched_in_any_letter_case(self, client):
        UserFactory(email="ana@example.com")

        response = client.post(reverse("accounts:login"), {"username": "  ANA@Example.com ", "password": PASSWORD})

        assert response.status_code == 302 and response.url == reverse("accounts:account")
        assert client.get(reverse("accounts:account")).status_code == 200

    def test_a_wrong_password_is_refused(self, client):
        UserFactory(email="ana@example.com")

        response = client.post(reverse("accounts:login"), {"username": "ana@example.com", "password": "wrong"})

        assert response.status_code == 200
        assert "Enter a correct e-mail address and password" in response.content.decode()

    def test_an_inactive_account_is_refused_with_a_clear_message(self, client):
        UserFactory(email="gone@example.com", is_active=False)

        response = client.post(reverse("accounts:login"), {"username": "gone@example.com", "password": PASSWORD})

        assert response.status_code == 200
        assert "This account has been deactivated" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_an_inactive_account_is_not_revealed_without_the_right_password(self, client):
        UserFactory(email="gone@example.com", is_active=False)

        response = client.post(reverse("accounts:login"), {"username": "gone@example.com", "password": "guess"})

        assert "deactivated" not in response.content.decode()

    def test_sets_the_language_cookie_to_the_preferred_language(self, client):
        UserFactory(email="marie@example.com", preferred_language="fr")

        response = client.post(reverse("accounts:login"), {"username": "marie@example.com", "password": PASSWORD})

        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


@pytest.mark.django_db
def test_logout_needs_a_post_and_signs_out(client):
    client.force_login(UserFactory())

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 302


@pytest.mark.django_db
def test_account_pages_send_anonymous_visitors_to_sign_in(client):
    for name in ["accounts:account", "accounts:profile", "accounts:addresses", "accounts:password_change"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
