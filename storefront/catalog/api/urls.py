"""The catalog under /api/v1/ (names in the `api` namespace)."""

from django.urls import path

from . import views

PRODUCT = "stores/<slug:code>/products/<slug:brand>/<slug:slug>/"

urlpatterns = [
    path("categories/", views.CategoryList.as_view(), name="category-list"),
    path("categories/<path:path>/", views.CategoryDetail.as_view(), name="category-detail"),
    path("stores/<slug:code>/products/", views.StoreProductList.as_view(), name="store-product-list"),
    path(PRODUCT, views.StoreProductDetail.as_view(), name="store-product-detail"),
    path(f"{PRODUCT}reviews/", views.StoreProductReviewList.as_view(), name="store-product-review-list"),
]
