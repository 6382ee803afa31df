"""Cross-check with the bundle generator: its truth file (an independent reading of FORMAT.md, derived as
it writes each line) and this import agree on every customers and products counter, on which lines are
quarantined, and on who can log in with what."""

import pytest
from django.contrib.auth import authenticate

from brands.legacy.generator import write_bundle as generate
from storefront.accounts.models import User, normalize_email

pytestmark = pytest.mark.django_db

LOADED = ("customers", "products")


@pytest.fixture
def generated(tmp_path, reference_data):
    summary = generate(tmp_path / "bundle", customers=300, seed=7, gzip=True, tar=True, bad_lines=True)
    before = summary.truth["assumes"]["store_before"]
    for account in before["customers"]:
        User.objects.create_user(account["email"], account["password"])
    for email in before["staff"]:
        User.objects.create_user(email, "staff-password", is_staff=True)
    return summary


def test_a_generated_bundle_imports_as_its_truth_file_says(generated, run_import):
    truth = generated.truth
    _, report = run_import(generated.path)
    for entity in LOADED:
        assert report["entities"][entity] == truth["entities"][entity], entity
    assert {(row["entity"], row["line"]) for row in report["quarantine"]} == {
        (row["entity"], row["line"]) for row in truth["quarantine"] if row["entity"] in LOADED}
    wrong = [login for login in truth["logins"]
             if (authenticate(username=normalize_email(login["email"]), password=login["password"]) is not None)
             != login["logs_in"]]
    assert wrong == []
