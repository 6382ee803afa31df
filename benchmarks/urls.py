"""The project's URLs plus `/bench/trivial/`, the baseline every page is compared with.

The trivial view goes through the same middleware as the shopper pages (including the store lookup of
RegionalStoreMiddleware, which finds no store called `bench`), then answers a constant string: the cost of
the server, WSGI and Django's request cycle with no page work.
"""

from django.http import HttpResponse
from django.urls import path

from storefront.urls import urlpatterns as project_urlpatterns

from .paths import TRIVIAL_PATH


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path(TRIVIAL_PATH.strip("/") + "/", trivial, name="bench-trivial"), *project_urlpatterns]
