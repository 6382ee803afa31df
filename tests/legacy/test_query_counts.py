"""No query per record: importing three times more records in a batch runs the same number of queries.

Both measured imports start from a store that already holds imported rows (a warm-up import), so they
take the same paths (keyset pages of existing accounts, category tree already there).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .bundles import customer, product, product_images, write_bundle

pytestmark = pytest.mark.django_db


def queries_to_import(tmp_path, run_import, name, files, attachments=None):
    bundle = write_bundle(tmp_path / name, files, attachments=attachments)
    with CaptureQueriesContext(connection) as queries:
        status, _ = run_import(bundle)
    assert status == 0
    return len(queries)


@pytest.mark.parametrize("entity", ["customers", "products"])
def test_the_number_of_queries_does_not_grow_with_the_number_of_records(tmp_path, reference_data, run_import,
                                                                        entity):
    def files(count, prefix):
        if entity == "customers":
            return {"customers": [customer(f"{prefix}{n}", email=f"{prefix}{n // 2}@example.com")
                                  for n in range(count)]}
        return {"products": [product(f"{prefix}{n}") for n in range(count)]}

    images = product_images(*(f"{p}{n}" for p in "WAB" for n in range(15)))
    queries_to_import(tmp_path, run_import, "warm-up", files(1, "W"), images)  # the store now has rows
    few = queries_to_import(tmp_path, run_import, "few", files(5, "A"), images)
    many = queries_to_import(tmp_path, run_import, "many", files(15, "B"), images)
    assert many == few
