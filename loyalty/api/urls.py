"""Included at `/api/v1/loyalty/` (namespace `api:loyalty`)."""

from django.urls import path

from . import views

app_name = "loyalty"

urlpatterns = [
    path("points/", views.PointsSummaryView.as_view(), name="points"),
    path("points/entries/", views.PointsEntryList.as_view(), name="points-entries"),
    path("points/entries/<int:pk>/", views.PointsEntryDetail.as_view(), name="points-entry"),
    path("points/poco-history/", views.LegacyPointsHistoryList.as_view(), name="points-poco-history"),
    path("coupons/", views.CouponList.as_view(), name="coupons"),
    path("coupons/<int:pk>/", views.CouponDetail.as_view(), name="coupon"),
]
