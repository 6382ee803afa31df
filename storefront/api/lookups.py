"""Fetching the one row a URL names, or a 404 whose message says what was not found."""

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound


def first_or_404(queryset: QuerySet, message: str, **lookup):
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise NotFound(message)
    return obj
