import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from storefront.accounts import services
from storefront.accounts.models import Address
from tests.factories import AddressFactory, UserFactory

ADDRESS = {"name": "Ana", "line1": "1 Main Road", "city": "Pune", "postcode": "411001", "country": "in"}


@pytest.mark.django_db
class TestUserCreate:
    def test_normalizes_the_email(self):
        user = services.user_create(email=" Ana@Example.COM ", password="a long passphrase")
        assert user.email == "ana@example.com"

    def test_refuses_an_email_taken_in_another_case(self):
        UserFactory(email="ana@example.com")
        with pytest.raises(ValidationError, match="already exists"):
            services.user_create(email="ANA@example.com", password="a long passphrase")


@pytest.mark.django_db
class TestAddresses:
    def test_country_is_checked_with_a_message(self):
        user = UserFactory()
        with pytest.raises(ValidationError) as error:
            services.address_create(user=user, **{**ADDRESS, "country": "India"})
        assert "country" in error.value.message_dict
        assert not Address.objects.exists()

    def test_update_with_default_moves_the_default(self):
        user = UserFactory()
        first = services.address_create(user=user, **ADDRESS)
        second = services.address_create(user=user, **ADDRESS)
        assert first.is_default and not second.is_default

        services.address_update(address=second, is_default=True, city="Mumbai")

        assert list(Address.objects.filter(user=user, is_default=True).values_list("pk", "city")) == [
            (second.pk, "Mumbai")]

    def test_the_database_refuses_a_second_default(self):
        user = UserFactory()
        AddressFactory(user=user, is_default=True)
        with pytest.raises(IntegrityError), transaction.atomic():
            AddressFactory(user=user, is_default=True)
