"""The admin of import runs and of the quarantine (search, filter, CSV download)."""

import csv
import io

import pytest
from django.urls import reverse

from brands.legacy.models import QuarantinedRecord
from storefront.accounts.models import User

from .bundles import customer, write_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("admin@mi.com", "pw"))
    return client


@pytest.fixture
def imported(tmp_path, reference_data, run_import):
    for n in range(3):
        bundle = write_bundle(tmp_path / f"b{n}", {"customers": [customer(f"C{n}"), b"not json", b"[]",
                                                                 customer(f"D{n}", email="bad")]})
        run_import(bundle)


def test_import_runs_list_their_counters_in_a_fixed_number_of_queries(staff_client, imported,
                                                                      django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("admin:legacy_importrun_changelist"))
    assert response.status_code == 200
    assert response.content.count(b"finished") >= 3


def test_quarantine_is_searchable_by_legacy_id_and_filterable_by_entity(staff_client, imported,
                                                                        django_assert_max_num_queries):
    url = reverse("admin:legacy_quarantinedrecord_changelist")
    with django_assert_max_num_queries(8):
        response = staff_client.get(url, {"q": "D1", "entity": "customers"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_quarantine_downloads_as_csv(staff_client, imported):
    rows = QuarantinedRecord.objects.all()
    response = staff_client.post(reverse("admin:legacy_quarantinedrecord_changelist"), {
        "action": "download_csv", "_selected_action": [row.pk for row in rows]})
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["run_id", "entity", "legacy_id", "line", "reason", "raw"]
    assert len(table) == 1 + rows.count() == 10
    assert ["customers", "", "2"] == table[1][1:4]
