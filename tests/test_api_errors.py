"""Every failure under /api/ answers the API's JSON error shape; other pages keep Django's own."""

import pytest
from django.test import Client
from django.urls import path
from rest_framework.test import APIClient

from storefront import urls as root_urls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("a bug")


# The real URLconf plus two failing views, for the 500 tests (`@pytest.mark.urls(__name__)`).
urlpatterns = [path("api/v1/boom/", boom), path("boom/", boom), *root_urls.urlpatterns]
handler404 = root_urls.handler404
handler500 = root_urls.handler500

READ_ONLY_URLS = [
    "/api/v1/brands/",
    "/api/v1/brands/poco/",
    "/api/v1/stores/uk/",
    "/api/v1/stores/uk/brands/",
    "/api/v1/categories/",
    "/api/v1/stores/uk/products/",
    "/api/v1/stores/uk/products/poco/f6/",
    "/api/v1/stores/uk/products/poco/f6/reviews/",
]


@pytest.mark.parametrize("url", READ_ONLY_URLS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_anonymous_writes_answer_405_in_json(reference_data, url, method):
    response = getattr(APIClient(), method)(url, {"name": "hacked"}, format="json")
    assert response.status_code == 405
    assert response.json() == {
        "error": {"code": "method_not_allowed", "message": f'Method "{method.upper()}" not allowed.'}
    }
    assert "GET" in response.headers["Allow"]


def test_a_signed_in_shopper_cannot_write_either(reference_data):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    assert client.post("/api/v1/brands/", {"slug": "x"}, format="json").status_code == 405


def test_an_unknown_api_endpoint_answers_404_in_json():
    response = Client().get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "No API endpoint at /api/v1/nothing-here/; the endpoints are "
                  "listed at /api/docs/."}
    }


def test_a_malformed_json_body_is_still_405_not_a_parse_error(reference_data):
    response = APIClient().generic("POST", "/api/v1/brands/", "{not json", content_type="application/json")
    assert response.status_code == 405


@pytest.mark.urls(__name__)
def test_a_server_error_under_the_api_answers_500_in_json():
    response = Client(raise_request_exception=False).get("/api/v1/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "server_error"


@pytest.mark.urls(__name__)
def test_pages_outside_the_api_keep_django_html_errors():
    client = Client(raise_request_exception=False)
    assert client.get("/boom/")["Content-Type"].startswith("text/html")
    assert client.get("/nothing-here/at/all/")["Content-Type"].startswith("text/html")
