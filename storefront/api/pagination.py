"""Page-number pagination whose parameters are checked: a malformed `page` or `page_size` is a 400 naming it."""

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


def positive_int(raw: str, name: str) -> int:
    """`raw` as a whole number of at least 1, or a ValidationError keyed by the parameter's name."""
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1:
        raise ValidationError({name: [f"Expected a whole number of at least 1, got '{raw}'."]})
    return number


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=<n>&page_size=<n>`; the size defaults to CATALOG_PAGE_SIZE and is capped at CATALOG_MAX_PAGE_SIZE.

    A page past the last one is a 404; `page` or `page_size` that is not a whole number >= 1 is a 400.
    """

    page_size_query_param = "page_size"
    invalid_page_message = "Page {page_number} is past the last page of results."

    @property
    def page_size(self) -> int:
        return settings.CATALOG_PAGE_SIZE

    @property
    def max_page_size(self) -> int:
        return settings.CATALOG_MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return min(positive_int(raw, self.page_size_query_param), self.max_page_size)

    def get_page_number(self, request, paginator) -> int:
        raw = request.query_params.get(self.page_query_param)
        return 1 if raw is None else positive_int(raw, self.page_query_param)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1; past the last page answers 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {self.page_size}); larger values are capped at "
                f"{self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["count", "next", "previous", "results"]
        return paginated
