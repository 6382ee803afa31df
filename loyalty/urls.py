"""Included at `account/`: `/account/points/`, `/account/coupons/`."""

from django.urls import path

from . import views

app_name = "loyalty"

urlpatterns = [
    path("points/", views.points, name="points"),
    path("coupons/", views.coupons, name="coupons"),
]
