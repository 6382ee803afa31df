"""Shopper pages under `/<store>/`, included at the root after every fixed prefix.

Order matters: `search/` comes before the brand pattern and `p/<slug>/` before the category path, so
neither is read as a brand or a category. (A root category slugged `p` would therefore only be reachable
at `/<store>/<brand>/p/` itself, never with subcategories: do not name one `p`.)

Every page here is served from the catalog page cache to anonymous shoppers (`cached_public_get`,
storefront/catalog/cache.py).
"""

from django.urls import path

from brands import views as brand_views

from . import views
from .cache import cached_public_get

app_name = "catalog"

urlpatterns = [
    path("<slug:store>/", cached_public_get(brand_views.store_home), name="store_home"),
    path("<slug:store>/search/", cached_public_get(views.search), name="search"),
    path("<slug:store>/<slug:brand>/", cached_public_get(brand_views.brand), name="brand"),
    path("<slug:store>/<slug:brand>/p/<slug:slug>/", cached_public_get(views.product), name="product"),
    path("<slug:store>/<slug:brand>/<path:category_path>/", cached_public_get(views.category), name="category"),
]
