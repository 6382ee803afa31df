"""Shopper pages under `/<store>/`, included at the root after every fixed prefix.

Order matters: `search/` comes before the brand pattern and `p/<slug>/` before the category path, so
neither is read as a brand or a category. (A root category slugged `p` would therefore only be reachable
at `/<store>/<brand>/p/` itself, never with subcategories: do not name one `p`.)
"""

from django.urls import path

from brands import views as brand_views

from . import views

app_name = "catalog"

urlpatterns = [
    path("<slug:store>/", brand_views.store_home, name="store_home"),
    path("<slug:store>/search/", views.search, name="search"),
    path("<slug:store>/<slug:brand>/", brand_views.brand, name="brand"),
    path("<slug:store>/<slug:brand>/p/<slug:slug>/", views.product, name="product"),
    path("<slug:store>/<slug:brand>/<path:category_path>/", views.category, name="category"),
]
