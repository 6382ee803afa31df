"""Cross-check with the bundle generator: its truth file (an independent reading of FORMAT.md, derived as
it writes each line) and this import agree on every counter of each entity that has a loader, on the
orders' totals and the files, on which lines are quarantined, and on who can log in with what."""

import pytest
from django.contrib.auth import authenticate

from brands.legacy.generator import write_bundle as generate
from brands.legacy.loaders import registered_loaders
from storefront.accounts.models import User, normalize_email

pytestmark = pytest.mark.django_db


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
    loaded = [entity for entity in truth["entities"] if entity in registered_loaders()]
    assert set(loaded) == set(truth["entities"]), "every entity of the contract has a loader"

    _, report = run_import(generated.path, "--cutover", truth["assumes"]["cutover"])

    for entity in loaded:
        assert {k: v for k, v in report["entities"][entity].items() if k != "not_loaded"} == \
            truth["entities"][entity], entity
    assert report["totals"]["orders_by_currency"] == truth["totals"]["orders_by_currency"]
    assert {(row["entity"], row["line"]) for row in report["quarantine"]} == {
        (row["entity"], row["line"]) for row in truth["quarantine"] if row["entity"] in loaded}
    assert report["totals"] == truth["totals"]
    wrong = [login for login in truth["logins"]
             if (authenticate(username=normalize_email(login["email"]), password=login["password"]) is not None)
             != login["logs_in"]]
    assert wrong == []
