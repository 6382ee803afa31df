"""Legacy URLs (contract rule 8): the po.co hosts answer permanent redirects into the store, its API 410."""

import pytest
from django.test import override_settings
from django.urls import reverse

from brands.legacy.models import LegacyRedirect
from storefront.catalog.models import Product

from .bundles import product, product_images, write_bundle

pytestmark = pytest.mark.django_db

STORE = "https://www.mi.com"


@pytest.fixture
def imported(tmp_path, reference_data, run_import):
    """P1 (`poco-p1`, Smartphones/POCO F Series) with its po.co URLs on the uk and fr portals."""
    record = product("P1", legacy_urls=["https://www.po.co/uk/product/poco-p1/", "https://www.po.co/fr/p/p1.html"])
    bundle = write_bundle(tmp_path / "bundle", {"products": [record]}, attachments=product_images("P1"))
    assert run_import(bundle)[0] == 0
    return bundle


@pytest.fixture(autouse=True)
def store_origin():
    with override_settings(SITE_URL=STORE):
        yield


def location(client, path, host="www.po.co", **extra):
    response = client.get(path, HTTP_HOST=host, **extra)
    assert response.status_code == 301, (path, response.status_code)
    return response["Location"]


@pytest.mark.parametrize("host, path, target", [
    ("www.po.co", "/uk/product/poco-p1/", "/uk/poco/p/poco-p1/"),
    ("po.co", "/uk/product/poco-p1", "/uk/poco/p/poco-p1/"),  # no www, no trailing slash
    ("www.po.co", "/uk/product/poco-p1/?utm_source=mail", "/uk/poco/p/poco-p1/"),
    ("www.po.co", "/fr/p/p1.html", "/fr/poco/p/poco-p1/"),
    ("www.po.co", "/", "/global/poco/"),
    ("www.po.co", "/uk/", "/uk/poco/"),
    ("www.po.co", "/fr/category/smartphones/", "/fr/poco/smartphones/"),
    ("www.po.co", "/global/category/smartphones/poco-f-series/", "/global/poco/smartphones/poco-f-series/"),
    ("www.po.co", "/uk/old-campaign/black-friday", "/uk/poco/"),  # unknown: the portal's POCO landing page
    ("www.po.co", "/uk/product/no-such-phone/", "/uk/poco/"),
    ("www.po.co", "/about-us", "/global/poco/"),  # no portal prefix: global
])
def test_legacy_urls_redirect_permanently_to_the_same_thing_in_the_matching_store(
        client, imported, django_assert_max_num_queries, host, path, target):
    with django_assert_max_num_queries(1):
        assert location(client, path, host) == STORE + target


def test_the_india_portal_goes_to_poco_india(client, imported, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert location(client, "/in/product/poco-p1/") == "https://www.poco.in/"


def test_the_redirect_follows_the_products_current_slug_and_the_page_is_there(client, imported):
    Product.objects.filter(slug="poco-p1").update(slug="poco-p1-renamed")
    target = location(client, "/uk/product/poco-p1/")
    assert target == f"{STORE}/uk/poco/p/poco-p1-renamed/"
    assert client.get(target.removeprefix(STORE)).status_code == 200


def test_the_table_is_data_an_edited_row_is_followed_and_kept_by_a_later_import(client, imported, run_import,
                                                                                 tmp_path):
    LegacyRedirect.objects.filter(source_url="https://www.po.co/uk/").update(store_code="fr")
    assert location(client, "/uk/") == f"{STORE}/fr/poco/"
    changed = product("P1", description_html="<p>Faster.</p>")
    _, report = run_import(write_bundle(tmp_path / "later", {"products": [changed]}, attachments=product_images("P1")))
    assert report["entities"]["products"]["updated"] == 1
    assert location(client, "/uk/") == f"{STORE}/fr/poco/"


def test_a_row_whose_target_is_gone_lands_on_the_poco_page(client, imported):
    LegacyRedirect.objects.filter(entity="products").update(target_pk=999999)
    assert location(client, "/uk/product/poco-p1/") == f"{STORE}/uk/poco/"


def test_the_legacy_app_api_answers_gone_with_a_json_pointer_to_the_store(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.post("/api/v2/cart/", HTTP_HOST="api.po.co")
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "gone"
    assert response.json()["error"]["store_url"] == f"{STORE}/global/poco/"


def test_other_hosts_are_served_by_the_store(client, imported):
    assert client.get("/uk/product/poco-p1/").status_code == 404  # not a store URL
    assert client.get("/uk/poco/p/poco-p1/").status_code == 200


def test_a_redirect_is_edited_in_the_admin_and_followed(client, imported, admin_user):
    row = LegacyRedirect.objects.get(source_url="https://www.po.co/uk/")
    client.force_login(admin_user)
    form = {"source_url": row.source_url, "entity": "products", "legacy_id": "P1",
            "target_pk": Product.objects.get().pk, "store_code": "uk", "created_at_0": "2024-12-12",
            "created_at_1": "00:00:00"}
    response = client.post(reverse("admin:legacy_legacyredirect_change", args=[row.pk]), form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    client.logout()
    assert location(client, "/uk/") == f"{STORE}/uk/poco/p/poco-p1/"
