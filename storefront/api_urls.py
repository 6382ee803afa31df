"""The API under /api/v1/: each app contributes its own routes from its `api/urls.py`.

Route names live in the `api` namespace, e.g. `reverse("api:store-product-list", kwargs={"code": "uk"})`;
an app mounted under its own prefix nests its namespace: `reverse("api:loyalty:points")`.
"""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("brands.api.urls")),
    path("", include("storefront.catalog.api.urls")),
    path("", include("storefront.orders.api.urls")),
    path("", include("aftersales.api.urls")),
    path("loyalty/", include("loyalty.api.urls")),
]
