"""Included at `/api/v1/` (namespace `api`): the cart and checkout under a store, the customer's orders."""

from django.urls import path

from . import views

urlpatterns = [
    path("stores/<slug:code>/cart/", views.CartView.as_view(), name="store-cart"),
    path("stores/<slug:code>/cart/lines/", views.CartLineList.as_view(), name="store-cart-line-list"),
    path("stores/<slug:code>/cart/lines/<int:variant_id>/", views.CartLineDetail.as_view(),
         name="store-cart-line-detail"),
    path("stores/<slug:code>/checkout/", views.CheckoutView.as_view(), name="store-checkout"),
    path("orders/", views.OrderList.as_view(), name="order-list"),
    path("orders/<str:number>/", views.OrderDetail.as_view(), name="order-detail"),
]
