import pytest

from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    phones = CategoryFactory(name="Phones", slug="phones")
    CategoryFactory(name="POCO F", slug="poco-f", parent=phones, position=1)
    CategoryFactory(name="POCO X", slug="poco-x", parent=phones, position=0)
    CategoryFactory(name="Audio", slug="audio")
    return phones


def test_the_tree_lists_every_category_in_path_order_with_parent_and_depth(api, tree):
    body = api.get("/api/v1/categories/").json()
    assert [(c["path"], c["parent"], c["depth"]) for c in body] == [
        ("audio", None, 0),
        ("phones", None, 0),
        ("phones/poco-f", "phones", 1),
        ("phones/poco-x", "phones", 1),
    ]


def test_a_category_is_found_by_its_path_with_its_children(api, tree):
    body = api.get("/api/v1/categories/phones/").json()
    assert body["name"] == "Phones"
    assert [child["path"] for child in body["children"]] == ["phones/poco-x", "phones/poco-f"]
    assert api.get("/api/v1/categories/phones/poco-f/").json()["children"] == []


def test_an_unknown_category_answers_404_in_json(api, tree):
    response = api.get("/api/v1/categories/phones/nokia/")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "No category with path 'phones/nokia'."}}


def test_the_tree_runs_one_query_whatever_its_size(api, tree, count_queries):
    few = count_queries(lambda: api.get("/api/v1/categories/"))[1]
    CategoryFactory.create_batch(20, parent=tree)
    response, many = count_queries(lambda: api.get("/api/v1/categories/"))
    assert len(response.json()) == 24
    assert few == many == 1
    detail_queries = count_queries(lambda: api.get("/api/v1/categories/phones/"))[1]
    assert detail_queries == 2
