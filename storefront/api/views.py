"""The base of the API's public, read-only views."""

from rest_framework.permissions import AllowAny

# The schema of a path segment matched by Django's `slug` converter.
SLUG_TYPE = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}


class PublicReadOnlyMixin:
    """A public read of catalog data: no authentication, and since these views define GET only, any
    write (POST, PUT, PATCH, DELETE) answers 405 for everyone rather than 403 for anonymous callers."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
