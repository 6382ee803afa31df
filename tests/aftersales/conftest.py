import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory

from .factories import PDF, PNG, make_agent


@pytest.fixture
def customer(reference_data):
    return UserFactory(email="claire@example.com")


@pytest.fixture
def other_customer(reference_data):
    return UserFactory(email="mallory@example.com")


@pytest.fixture
def poco_agent(stores, brands):
    """Works on POCO in global, uk and fr."""
    return make_agent(brands=[brands["poco"]], stores=[stores["global"], stores["uk"], stores["fr"]],
                      email="poco.agent@mi.com")


@pytest.fixture
def xiaomi_agent(stores, brands):
    """Works on Xiaomi in every store: not on POCO."""
    return make_agent(brands=[brands["xiaomi"]], stores=list(stores.values()), email="xiaomi.agent@mi.com")


@pytest.fixture
def admin_user(reference_data):
    return UserFactory(email="admin@mi.com", is_staff=True, is_superuser=True)


@pytest.fixture
def png_upload():
    return SimpleUploadedFile("photo.png", PNG, content_type="image/png")


@pytest.fixture
def pdf_upload():
    return SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf")
