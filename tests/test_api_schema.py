"""The OpenAPI schema generates without a warning, validates, and is served with the docs page."""

import pytest
from django.core.management import call_command


def test_the_schema_generates_cleanly_and_validates(tmp_path):
    schema = tmp_path / "schema.yaml"
    # --fail-on-warn turns any unresolved type or parameter into a failure; --validate checks OpenAPI 3.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))
    text = schema.read_text()
    assert "/api/v1/stores/{code}/products/:" in text


@pytest.mark.django_db
def test_the_schema_documents_the_error_shape_and_listing_parameters(client):
    schema = client.get("/api/schema/?format=json").json()
    listing = schema["paths"]["/api/v1/stores/{code}/products/"]["get"]
    parameters = {parameter["name"]: parameter["schema"] for parameter in listing["parameters"]}
    assert set(parameters) == {
        "code", "q", "brand", "category", "price_min", "price_max", "color", "storage", "ordering", "page",
        "page_size",
    }
    assert parameters["page_size"]["minimum"] == 1
    assert set(parameters["ordering"]["enum"]) == {"relevance", "price", "-price", "newest", "name"}
    assert set(listing["responses"]) == {"200", "400", "404"}
    assert listing["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert schema["components"]["schemas"]["ErrorDetail"]["required"] == ["code", "message"]


@pytest.mark.django_db
def test_the_docs_page_is_served(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200 and b"swagger" in response.content.lower()
