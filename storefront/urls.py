"""Root URLs. Fixed prefixes first; shopper pages live under `/<store>/` and come last."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", RedirectView.as_view(url="/global/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("storefront.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("account/", include("storefront.accounts.urls")),
    path("account/orders/", include("storefront.orders.urls")),
    path("account/cases/", include("aftersales.portal_urls")),
    path("account/", include("loyalty.urls")),
    path("support/", include("aftersales.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("<slug:store>/", include("storefront.orders.cart_urls")),
    path("", include("storefront.catalog.urls")),
]
# Uploaded and seeded media (product pictures), served by Django itself only while DEBUG; production serves
# MEDIA_ROOT from the web server or an object store. `private/` (case attachments) is never served as media:
# only the permission-checked attachment views hand those files out, in production too (see README).
if settings.DEBUG:
    urlpatterns = [
        re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?!private/)(?P<path>.*)$", serve,
                {"document_root": settings.MEDIA_ROOT}),
    ] + urlpatterns

# Under /api/ these answer the API's JSON error shape; elsewhere Django's own pages.
handler400 = "storefront.api.errors.bad_request"
handler403 = "storefront.api.errors.permission_denied"
handler404 = "storefront.api.errors.page_not_found"
handler500 = "storefront.api.errors.server_error"
