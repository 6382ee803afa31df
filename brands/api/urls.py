"""Brands and regional stores under /api/v1/ (names in the `api` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("brands/", views.BrandList.as_view(), name="brand-list"),
    path("brands/<slug:slug>/", views.BrandDetail.as_view(), name="brand-detail"),
    path("stores/", views.StoreList.as_view(), name="store-list"),
    path("stores/<slug:code>/", views.StoreDetail.as_view(), name="store-detail"),
    path("stores/<slug:code>/brands/", views.StoreBrandList.as_view(), name="store-brand-list"),
    path("stores/<slug:code>/brands/<slug:slug>/", views.StoreBrandDetail.as_view(), name="store-brand-detail"),
]
