"""The cart and checkout of a regional store, under `/<store>/` (namespace `cart`).

Included at the root before the catalog's pages, so `cart/` and `checkout/` are never read as brand slugs
(no brand may be slugged `cart` or `checkout`).
"""

from django.urls import path

from . import views

app_name = "cart"

urlpatterns = [
    path("cart/", views.cart_detail, name="detail"),
    path("cart/add/", views.cart_add, name="add"),
    path("cart/<int:variant_id>/quantity/", views.cart_update, name="update"),
    path("cart/<int:variant_id>/remove/", views.cart_remove, name="remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/placed/<str:number>/", views.placed, name="placed"),
]
