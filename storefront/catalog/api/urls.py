"""The catalog under /api/v1/ (names in the `api` namespace), public and served from the catalog page cache
(storefront/catalog/cache.py)."""

from django.urls import path

from storefront.catalog.cache import cached_public_get

from . import views


def cached(view_class):
    return cached_public_get(view_class.as_view())


PRODUCT = "stores/<slug:code>/products/<slug:brand>/<slug:slug>/"

urlpatterns = [
    path("categories/", cached(views.CategoryList), name="category-list"),
    path("categories/<path:path>/", cached(views.CategoryDetail), name="category-detail"),
    path("stores/<slug:code>/products/", cached(views.StoreProductList), name="store-product-list"),
    path(PRODUCT, cached(views.StoreProductDetail), name="store-product-detail"),
    path(f"{PRODUCT}reviews/", cached(views.StoreProductReviewList), name="store-product-review-list"),
]
