"""The API under /api/v1/: each app contributes its own routes from its `api/urls.py`.

Route names live in the `api` namespace, e.g. `reverse("api:store-product-list", kwargs={"code": "uk"})`.
"""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("brands.api.urls")),
    path("", include("storefront.catalog.api.urls")),
]
