from django.core import mail
from django.db import transaction

from storefront.mail import email_send_on_commit


def test_email_is_sent_only_when_the_transaction_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            email_send_on_commit(subject="Hello", body="Body", to=["a@example.com"])
            assert mail.outbox == []
    assert [m.subject for m in mail.outbox] == ["Hello"]


def test_email_of_a_rolled_back_transaction_is_never_sent(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                email_send_on_commit(subject="Hello", body="Body", to=["a@example.com"])
                raise RuntimeError("checkout failed")
        except RuntimeError:
            pass
    assert mail.outbox == []
