"""The shared sample bundle, cross-checked against sample/EXPECTED.md for every entity with a loader.

EXPECTED.md gives the counters of each entity, the orders' totals by currency and the product images
copied, missing and mismatched; a second import reports every imported record unchanged and copies no
file. Points, coupons and tickets are asserted only where their loaders are registered (other branches).
"""

import json
import re

import pytest

from brands.legacy.loaders import registered_loaders
from storefront.accounts.models import User

from .expectations import product_image_files

pytestmark = pytest.mark.django_db

IMPORTED = ("created", "updated", "unchanged", "linked")


def expected_of(sample) -> tuple[dict, dict]:
    """The counters table and the totals JSON of EXPECTED.md, read from the file itself."""
    text = (sample / "EXPECTED.md").read_text()
    header, counters = None, {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| entity"):
            header = cells[1:]
        elif header and line.startswith("| ") and not set(line) <= set("|- "):
            counters[cells[0]] = dict(zip(header, map(int, cells[1:]), strict=True))
        elif header and not line.startswith("|"):
            header = None
    totals = json.loads(re.search(r"```json\n(.*?)```", text, re.S).group(1))
    return counters, totals


def nonzero(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if value and key != "not_loaded"}


@pytest.fixture
def store(reference_data):
    """The store before the import, as EXPECTED.md describes it."""
    User.objects.create_user("oliver.fournier.50@example.com", "mi-existing-0")
    for n in (0, 1):
        User.objects.create_user(f"agent.{n}@po.co", "agent-password", is_staff=True)


def loaded_entities(counters: dict) -> list[str]:
    return [entity for entity in counters if entity in registered_loaders()]


def test_every_loaded_entity_of_the_sample_reports_the_counters_and_totals_of_expected_md(sample, store, run_import):
    counters, totals = expected_of(sample)
    entities = loaded_entities(counters)
    assert {"customers", "products", "orders", "shipments", "reviews"} <= set(entities)

    _, report = run_import(sample)

    for entity in entities:
        assert nonzero(report["entities"][entity]) == nonzero(counters[entity]), entity
    assert report["totals"]["orders_by_currency"] == totals["orders_by_currency"]
    if "tickets" in entities:  # files counts product images and ticket attachments
        assert report["totals"]["files"] == totals["files"]
    else:
        assert report["totals"]["files"] == product_image_files(sample, report)
    for section in ("points", "coupons"):
        if section in entities:
            assert report["totals"][section] == totals[section]


def test_importing_the_sample_again_reports_every_imported_record_unchanged_and_copies_no_file(
        sample, store, run_import):
    counters, totals = expected_of(sample)
    _, first = run_import(sample)
    _, again = run_import(sample)

    for entity in loaded_entities(counters):
        before = first["entities"][entity]
        imported = sum(before[key] for key in IMPORTED)
        assert nonzero(again["entities"][entity]) == nonzero(
            {**before, "created": 0, "linked": 0, "updated": 0, "unchanged": imported}), entity
    assert again["totals"]["files"] == {"copied": 0, "missing": 0, "mismatched": 0}
    assert again["totals"]["orders_by_currency"] == totals["orders_by_currency"]
    assert again["quarantine"] == first["quarantine"]
