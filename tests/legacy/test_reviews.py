"""Reviews: product hard, customer soft (erased: author name only), replies, rule 9."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefront.accounts.models import User
from storefront.catalog.models import Review, ReviewReply

from .activity import review
from .bundles import customer, product, product_images, write_bundle

pytestmark = pytest.mark.django_db

CUSTOMERS = [customer("C1"), customer("C2", portal="in"), customer("C3", status="erased"),
             customer("C4", email="not an e-mail")]


@pytest.fixture
def bundle_of(tmp_path, reference_data):
    def make(*reviews, name="bundle"):
        return write_bundle(tmp_path / name, {
            "customers": CUSTOMERS, "products": [product("P1"), product("P2", name="")],
            "reviews": list(reviews),
        }, attachments=product_images("P1", "P2"))

    return make


def counters(report):
    return {key: value for key, value in report["entities"]["reviews"].items() if value and key != "read"}


def test_a_review_keeps_its_author_rating_texts_status_mark_and_the_shops_replies(bundle_of, run_import):
    status, report = run_import(bundle_of(review("R1")))
    assert counters(report) == {"created": 1} and status == 1  # customer C4 and product P2 are quarantined
    kept = Review.objects.get()
    assert (kept.product.slug, kept.user, kept.author_name, kept.rating) == (
        "poco-p1", User.objects.get(email="c1@example.com"), "Alex M.", 4)
    assert (kept.title, kept.body, kept.language, kept.status, kept.verified_purchase) == (
        "Fast & cheap", "Great <b>phone</b> & battery", "en", "published", True)
    assert kept.created_at == datetime(2024, 4, 1, 9, tzinfo=UTC)
    assert list(kept.replies.values_list("author_name", "body")) == [("POCO Support", "Thanks!")]


def test_a_review_by_a_customer_without_an_account_keeps_only_its_author_name(bundle_of, run_import):
    _, report = run_import(bundle_of(review("R2", customer_id="C2"), review("R3", customer_id="C3"),
                                     review("R4", customer_id="C4"), review("R5", customer_id="C404"),
                                     review("R6", customer_id=None)))
    assert counters(report) == {"created": 5}
    assert set(Review.objects.values_list("user", "author_name")) == {(None, "Alex M.")}


def test_a_review_of_a_quarantined_or_unknown_product_or_rated_out_of_range_is_quarantined(bundle_of, run_import):
    _, report = run_import(bundle_of(review("R1", product_id="P2"), review("R2", product_id="P404"),
                                     review("R3", rating=6), review("R4", author_name="x" * 151)))
    assert counters(report) == {"quarantined": 4}
    assert {row["legacy_id"]: row["reason"] for row in report["quarantine"] if row["entity"] == "reviews"} == {
        "R1": "product_legacy_id P2: that products record is quarantined",
        "R2": "product_legacy_id P404: no such products record",
        "R3": "Expected `int` <= 5 - at `$.rating`",
        "R4": "author_name is 151 characters long, more than the 150 the store keeps",
    }


def test_a_changed_review_is_updated_unless_a_moderator_changed_it_too(bundle_of, run_import):
    run_import(bundle_of(review("R1"), review("R2")))
    Review.objects.filter(pk=Review.objects.order_by("pk").last().pk).update(status="rejected")  # R2, moderated
    replies = [{"author_name": "POCO Support", "body": "Fixed in the update", "created_at": "2024-05-01T09:00:00Z"}]
    _, report = run_import(bundle_of(review("R1", rating=5, replies=replies), review("R2", rating=1), name="later"))

    assert counters(report) == {"updated": 1, "conflicts": 1}
    first, second = Review.objects.order_by("pk")
    assert (first.rating, list(first.replies.values_list("body", flat=True))) == (5, ["Fixed in the update"])
    assert (second.rating, second.status) == (4, "rejected")
    assert ReviewReply.objects.count() == 2


def test_reviews_take_the_same_number_of_queries_whatever_their_number(bundle_of, run_import):
    def queries(count, prefix):
        with CaptureQueriesContext(connection) as captured:
            run_import(bundle_of(*(review(f"{prefix}{n}", customer_id=f"C{1 + n % 4}") for n in range(count)),
                                 name=prefix))
        return len(captured)

    queries(1, "W")
    assert queries(4, "A") == queries(12, "B")
