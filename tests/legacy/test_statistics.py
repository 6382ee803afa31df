"""After an entity, the import refreshes PostgreSQL's statistics of the bookkeeping tables it wrote (ANALYZE)
that lookups will read: the legacy map (the next import of the entity, later entities' references), the
excluded and quarantined records when a later entity of the bundle refers to the entity; so that those
lookups are planned for the rows now there rather than for the empty tables the import started with
(docs/legacy-import.md)."""

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .activity import order
from .bundles import customer, product, product_images, write_bundle

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="needs PostgreSQL (DATABASE_URL): ANALYZE and its planner statistics are PostgreSQL's"),
]


def analyzed_while_importing(run_import, bundle, *args) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        run_import(bundle, *args)
    return [query["sql"] for query in queries if query["sql"].startswith("ANALYZE")]


def test_the_tables_later_entities_resolve_against_are_analyzed_once_each_referenced_entity_is_in(
        tmp_path, reference_data, run_import):
    bundle = write_bundle(tmp_path / "bundle", {
        "customers": [customer("C1"), customer("C2", portal="in", email="c2@example.com")],
        "products": [product("P1")],
        "orders": [order("O1")],
    }, attachments=product_images("P1"))

    assert analyzed_while_importing(run_import, bundle) == [
        # customers: one imported, one excluded
        'ANALYZE "legacy_legacyrecord" (entity, legacy_id), "legacy_excludedrecord"',
        'ANALYZE "legacy_legacyrecord" (entity, legacy_id)',  # products
        'ANALYZE "legacy_legacyrecord" (entity, legacy_id)',  # orders, which nothing later in the bundle refers to
    ]


def test_what_nothing_later_refers_to_is_not_analyzed_nor_what_was_not_written(tmp_path, reference_data,
                                                                               run_import):
    bundle = write_bundle(tmp_path / "bundle", {"customers": [customer("C1"), customer("C2", portal="in",
                                                                                        email="c2@example.com")]})
    assert analyzed_while_importing(run_import, bundle) == ['ANALYZE "legacy_legacyrecord" (entity, legacy_id)']
    assert analyzed_while_importing(run_import, bundle) == []  # again: all unchanged, no entry written


def test_a_dry_run_analyzes_nothing(tmp_path, reference_data, run_import):
    """Its transaction would hold ANALYZE's lock until it ends, and a real import would wait for it."""
    bundle = write_bundle(tmp_path / "bundle", {"customers": [customer("C1")]})

    assert analyzed_while_importing(run_import, bundle, "--dry-run") == []
