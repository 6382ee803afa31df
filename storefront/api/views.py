"""The base of the API's public, read-only views."""

from rest_framework.permissions import AllowAny, IsAuthenticated

# The schema of a path segment matched by Django's `slug` converter.
SLUG_TYPE = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}


class PublicReadOnlyMixin:
    """A public read of catalog data: no authentication, and since these views define GET only, any
    write (POST, PUT, PATCH, DELETE) answers 405 for everyone rather than 403 for anonymous callers."""

    authentication_classes = ()
    permission_classes = (AllowAny,)


class OwnObjectsMixin:
    """A signed-in customer's own rows: `own_queryset(user)` narrows to them, so another's id is a 404.

    While drf-spectacular builds the schema there is no user: the queryset is then empty.
    """

    permission_classes = (IsAuthenticated,)

    def own_queryset(self, user):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.own_queryset(None).none()
        return self.own_queryset(self.request.user)
