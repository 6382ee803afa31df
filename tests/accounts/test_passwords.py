import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.django_db
def test_password_reset_mails_a_link_that_sets_a_new_password(client, django_capture_on_commit_callbacks):
    UserFactory(email="ana@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "ANA@example.com"})

    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.com"]
    assert message.subject == "Reset your Xiaomi Store password"
    link = re.search(r"https?://testserver(/account/password/reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": "brand new passphrase",
                                              "new_password2": "brand new passphrase"})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_complete")

    response = client.post(reverse("accounts:login"), {"username": "ana@example.com",
                                                       "password": "brand new passphrase"})
    assert response.status_code == 302
    assert client.get(link, follow=True).context["validlink"] is False


@pytest.mark.django_db
def test_password_reset_of_an_unknown_email_sends_nothing_and_says_the_same(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_change_keeps_the_shopper_signed_in(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:password_change"), {
        "old_password": "correct horse battery",
        "new_password1": "another long passphrase",
        "new_password2": "another long passphrase",
    })

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another long passphrase")
    assert client.get(reverse("accounts:account")).status_code == 200
