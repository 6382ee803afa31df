"""A cache of rendered anonymous shopper pages and public catalog API answers, keyed by a catalog version.

A cached answer is keyed by the request's absolute URL (path and query string, scheme and host: the API's
image links are absolute), the active language, the `Accept` header (the API negotiates JSON or the
browsable HTML from it) and the **catalog version**: a counter in the same cache that every catalog write
bumps, so a write makes every cached page stale at once (each entry holds the version it was rendered
under, and counts only while that is the current one; one round trip reads both). Entries also expire after
`CATALOG_PAGE_CACHE_SECONDS`, which bounds how old a page can be when a write did not bump the version
(a queryset `.update()` or a bulk insert that forgot `catalog_version_bump()`, a write from a process whose
cache is not shared, such as a loader beside a dev server on LocMemCache).

Who bumps: a `post_save`/`post_delete` receiver on every catalog and brand model (connected in
`CatalogConfig.ready`) for every `save()` and `delete()`, the admin's included; the catalog services whose
queryset updates send no signal, explicitly. `bulk_create`, `bulk_update`, queryset `.update()` and raw SQL
send none: bulk writers (the products loader, the demo seeding, the benchmark's generator) call
`catalog_version_bump()` once per batch. The bump runs when the transaction
commits, so a page rendered from data read before the commit is stored under the old version, never the
new one.

Who is served from it: GET requests without a session cookie and without a pending message (anonymous
shoppers with nothing in their session: no sign-in, no cart, no "saved" notice). Only 200 answers that set
no cookie are stored. A CSRF token is per visitor (sharing one would hand a visitor's secret to others): a
page whose forms carry one (the product page's add-to-cart form) is stored with each token replaced by a
placeholder, and every visitor served that copy gets a token of its own in its place, with the CSRF
cookie, as if the page were rendered for it. A broken cache never breaks a page: errors are logged and the
page is rendered as if uncached.
"""

import functools
import hashlib
import logging
import re
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.utils import translation
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)

VERSION_KEY = "catalog:version"
CACHE_STATUS_HEADER = "X-Catalog-Cache"  # "hit" or "miss" on answers the cache could serve
# Stands for the visitor's CSRF token in a stored page: a NUL byte never appears in rendered text.
CSRF_PLACEHOLDER = b"\x00csrf-token\x00"
# A masked CSRF token as `get_token` makes it: 64 letters and digits (django.middleware.csrf).
MASKED_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def _cache():
    return caches[settings.CATALOG_PAGE_CACHE_ALIAS]


def page_cache_enabled() -> bool:
    return settings.CATALOG_PAGE_CACHE_SECONDS > 0


def catalog_version() -> int:
    """The current catalog version. A missing counter (first use, evicted, cache restarted) starts at the
    current time in nanoseconds, so it can never fall back onto a version whose pages are still cached."""
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _bump_now() -> None:
    cache = _cache()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no counter yet: starting one is a new version as well
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)


def _bump_logged() -> None:
    try:
        _bump_now()
    except Exception:  # the cache is down: the write stands; pages are at most CATALOG_PAGE_CACHE_SECONDS old
        logger.exception("could not bump the catalog version; cached pages expire on their own")


def catalog_version_bump(*, using: str | None = None) -> None:
    """Makes every cached page and API answer stale, once the current transaction commits (at once outside
    one). Call it after any catalog write that sends no `post_save`/`post_delete` signal.

    One bump per transaction is enough: a second call while one is already waiting for the commit adds
    none (a delete of many rows sends a signal per row). A waiting bump is dropped with the savepoint it
    was asked in, and any later call in the enclosing transaction then asks again.
    """
    if not page_cache_enabled():
        return
    pending = transaction.get_connection(using).run_on_commit  # Django's list of (savepoints, callback, robust)
    if not any(callback is _bump_logged for _, callback, _ in pending):
        transaction.on_commit(_bump_logged, using=using)


def _has_private_state(request) -> bool:
    """A session (signed in, a cart) or a message waiting to be shown makes the page the visitor's own."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies


def _page_key(request) -> str:
    parts = "\n".join([request.build_absolute_uri(), translation.get_language() or "",
                       request.META.get("HTTP_ACCEPT", "")])
    return f"catalog:page:{hashlib.sha256(parts.encode()).hexdigest()}"


def _storable(request, response) -> bool:
    return response.status_code == 200 and not response.cookies and not response.streaming


def _uses_csrf_token(request) -> bool:
    """Whether the view asked for the visitor's CSRF token (`get_token` flags the request so)."""
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


def _without_csrf_tokens(content: bytes, secret: str) -> bytes:
    """The content with every CSRF token made from `secret` replaced by the placeholder, wherever the
    template put it (a form field, a script): a candidate is a token when it unmasks to the secret."""

    def placeholder(match):
        candidate = match.group().decode()
        return CSRF_PLACEHOLDER if _unmask_cipher_token(candidate) == secret else match.group()

    return MASKED_TOKEN.sub(placeholder, content)


def _from_cache(request):
    """(key, current version, the cached response or None); (None, None, None) when the cache cannot be read.

    One round trip reads the version and the entry together; the entry holds the version it was rendered
    under, and counts only if that is the current one.
    """
    key = _page_key(request)
    try:
        found = _cache().get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or catalog_version()
    except Exception:  # a broken cache must not break the page
        logger.exception("catalog page cache unreadable; rendering without it")
        return None, None, None
    stored = found.get(key)
    if stored is None or stored[0] != version:
        return key, version, None
    _, status, headers, content = stored
    if CSRF_PLACEHOLDER in content:  # this visitor's own token, and the CSRF cookie set with the answer
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    return key, version, HttpResponse(content, status=status, headers=headers)


def _store(key: str, version: int, request, response) -> None:
    headers = {name: value for name, value in response.headers.items() if name.lower() != "set-cookie"}
    content = response.content
    if _uses_csrf_token(request):
        content = _without_csrf_tokens(content, request.META["CSRF_COOKIE"])
    try:
        _cache().set(key, (version, response.status_code, headers, content),
                     timeout=settings.CATALOG_PAGE_CACHE_SECONDS)
    except Exception:
        logger.exception("catalog page cache unwritable; the page was served uncached")


def _served(view, request, args, kwargs):
    """The cached answer, else the view's (rendered, and stored when it may be shared)."""
    if _has_private_state(request):
        return view(request, *args, **kwargs)
    key, version, cached = _from_cache(request)
    if cached is not None:
        cached[CACHE_STATUS_HEADER] = "hit"
        return cached
    response = view(request, *args, **kwargs)
    if callable(getattr(response, "render", None)):  # TemplateResponse, DRF's Response: render to store
        response = response.render()
    if key is not None and _storable(request, response):
        _store(key, version, request, response)
        response[CACHE_STATUS_HEADER] = "miss"
    return response


def cached_public_get(view):
    """Wraps a view of public catalog data (a shopper page or a public API view) with the page cache."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or not page_cache_enabled():
            return view(request, *args, **kwargs)
        response = _served(view, request, args, kwargs)
        # Whether a visitor gets the shared copy depends on its cookies: say so on every answer, hit or not.
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


def _bump_on_write(sender, using=None, **kwargs):
    catalog_version_bump(using=using)


def version_receivers_connect() -> None:
    """Bumps the catalog version on every save and delete of what the cached answers show: the catalog's
    models and the brands and stores that frame them. Called once, from `CatalogConfig.ready`."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    shown = [*apps.get_app_config("catalog").get_models(), *apps.get_app_config("brands").get_models()]
    for model in shown:
        post_save.connect(_bump_on_write, sender=model, dispatch_uid=f"catalog-version-save-{model._meta.label}")
        post_delete.connect(_bump_on_write, sender=model, dispatch_uid=f"catalog-version-delete-{model._meta.label}")
