"""The shared sample bundle (legacy-export/sample, EXPECTED.md): customers and products as expected."""

import pytest
from django.contrib.auth import authenticate

from storefront.accounts.models import User

pytestmark = pytest.mark.django_db

EXPECTED = {
    "customers": {"read": 61, "created": 37, "linked": 3, "excluded": 14, "quarantined": 6, "superseded": 1},
    "products": {"read": 14, "created": 12, "quarantined": 2},
}


@pytest.fixture
def store(reference_data):
    """The store before the import: one Xiaomi customer and two staff accounts."""
    User.objects.create_user("oliver.fournier.50@example.com", "mi-existing-0")
    for n in (0, 1):
        User.objects.create_user(f"agent.{n}@po.co", "agent-password", is_staff=True)


def nonzero(entry):
    return {key: value for key, value in entry.items() if value}


def test_the_sample_imports_customers_and_products_as_expected(sample, store, run_import):
    status, report = run_import(sample)
    for entity, expected in EXPECTED.items():
        assert nonzero(report["entities"][entity]) == expected
    assert report["bundle"] == {"source": "www.po.co", "exported_at": "2024-12-12T00:00:00Z", "version": 1}
    assert report["cutover"] == "2024-12-12T00:00:00Z"
    assert status == 1


@pytest.mark.parametrize("email, password, logs_in", [
    ("amlie.dubois.42@example.com", "poco-42-secret!", True),
    ("amlie.nez.34@example.com", "poco-34-secret!", True),
    ("amlie.smith.21@example.com", "poco-21-x", True),
    ("aoife.kowalski.29@example.com", "poco-29-Fénix", True),
    ("oliver.kowalski.53@example.com", "poco-53-Fénix", False),  # disabled account
    ("oliver.fournier.50@example.com", "poco-50-secret!", False),  # existing account keeps its password
    ("oliver.fournier.50@example.com", "mi-existing-0", True),
    ("malle.fournier.31@example.com", "poco-31-Fénix", False),  # older account of a merged person
])
def test_the_sample_logins_behave_as_expected(sample, store, run_import, email, password, logs_in):
    run_import(sample)
    assert (authenticate(username=email, password=password) is not None) is logs_in


def test_importing_the_sample_again_reports_everything_unchanged_and_copies_no_file(sample, store, run_import):
    _, first = run_import(sample)
    _, again = run_import(sample)
    for entity in EXPECTED:
        before, after = first["entities"][entity], again["entities"][entity]
        imported = before["created"] + before["linked"] + before["updated"] + before["unchanged"]
        assert nonzero(after) == nonzero({**before, "created": 0, "linked": 0, "updated": 0, "unchanged": imported})
    assert again["totals"]["files"] == {"copied": 0, "missing": 0, "mismatched": 0}
    assert again["quarantine"] == first["quarantine"]
