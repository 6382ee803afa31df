"""Root URLs. Shopper pages live under `/<store>/` and come last, so fixed prefixes win."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/global/", permanent=False)),
    path("admin/", admin.site.urls),
]
