"""A generated bundle imports exactly as the generator's truth file says, for every entity with a loader.

The truth file (brands/legacy/generator/README.md) is derived as the bundle is written; this compares the
importer's report with it: counters, orders by currency, the quarantined lines, and the product images.
"""

import pytest

from brands.legacy.generator import write_bundle
from brands.legacy.loaders import registered_loaders
from storefront.accounts.models import User

from .expectations import product_image_files

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return write_bundle(tmp_path_factory.mktemp("generated") / "bundle", customers=150, seed=7)


@pytest.fixture
def store_before(reference_data, generated):
    """The accounts the truth file assumes the store holds before the import."""
    before = generated.truth["assumes"]["store_before"]
    for entry in before["customers"]:
        User.objects.create_user(entry["email"], entry["password"])
    for email in before["staff"]:
        User.objects.create_user(email, "agent-password", is_staff=True)


def test_the_report_matches_the_truth_file_for_every_loaded_entity(generated, store_before, run_import):
    truth = generated.truth
    loaded = [entity for entity in truth["entities"] if entity in registered_loaders()]
    assert {"customers", "products", "orders", "shipments", "reviews"} <= set(loaded)

    _, report = run_import(generated.path, "--cutover", truth["assumes"]["cutover"])

    for entity in loaded:
        assert {k: v for k, v in report["entities"][entity].items() if k != "not_loaded"} == \
            truth["entities"][entity], entity
    assert report["totals"]["orders_by_currency"] == truth["totals"]["orders_by_currency"]
    quarantined = {(row["entity"], row["line"]) for row in report["quarantine"] if row["entity"] in loaded}
    assert quarantined == {(row["entity"], row["line"]) for row in truth["quarantine"] if row["entity"] in loaded}
    if "tickets" in loaded:
        assert report["totals"]["files"] == truth["totals"]["files"]
    else:  # ticket attachments come with the tickets loader: the product images alone here
        assert report["totals"]["files"] == product_image_files(generated.path, report)
