from datetime import timedelta

import pytest
from django.utils import timezone

from storefront.catalog.models import ReviewReply
from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def reviews_url(product, store="uk"):
    return f"/api/v1/stores/{store}/products/{product.brand.slug}/{product.slug}/reviews/"


def test_only_published_reviews_show_newest_first_with_the_shop_replies(api, make_product):
    phone = make_product("POCO F6")
    now = timezone.now()
    older = ReviewFactory(product=phone, title="Older", created_at=now - timedelta(days=2))
    ReviewFactory(product=phone, title="Newer", created_at=now - timedelta(days=1))
    ReviewFactory(product=phone, title="Pending", status="pending")
    ReviewFactory(product=phone, title="Rejected", status="rejected")
    ReviewReply.objects.create(review=older, author_name="Xiaomi Care", body="Thanks!")

    body = api.get(reviews_url(phone)).json()

    assert body["count"] == 2
    assert [review["title"] for review in body["results"]] == ["Newer", "Older"]
    assert body["results"][1]["replies"] == [
        {"author_name": "Xiaomi Care", "body": "Thanks!", "created_at": body["results"][1]["replies"][0]["created_at"]}
    ]


def test_reviews_are_paged(api, make_product):
    phone = make_product("POCO F6")
    ReviewFactory.create_batch(5, product=phone)
    body = api.get(reviews_url(phone), {"page_size": 2, "page": 3}).json()
    assert body["count"] == 5 and len(body["results"]) == 1 and body["next"] is None


def test_reviews_of_an_unknown_product_answer_404_in_json(api, make_product):
    response = api.get("/api/v1/stores/uk/products/poco/nothing/reviews/")
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "No product 'poco/nothing'."}


def test_reviews_run_a_constant_number_of_queries(api, make_product, count_queries):
    phone = make_product("POCO F6")
    ReviewFactory(product=phone)
    few = count_queries(lambda: api.get(reviews_url(phone), {"page_size": 50}))
    for review in ReviewFactory.create_batch(30, product=phone):
        ReviewReply.objects.create(review=review, author_name="Xiaomi Care", body="Thanks!")
    many = count_queries(lambda: api.get(reviews_url(phone), {"page_size": 50}))
    assert [(len(response.json()["results"]), queries) for response, queries in (few, many)] == [(1, 6), (31, 6)]
