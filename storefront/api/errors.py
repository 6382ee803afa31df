"""Every API error is JSON of one shape: `{"error": {"code", "message", "fields"?}}`.

`api_exception_handler` is DRF's EXCEPTION_HANDLER; `page_not_found` / `server_error` / ... are the root
URLconf's handlers, answering that same JSON under `/api/` (an unknown endpoint, an unhandled exception)
and Django's own pages everywhere else.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

API_PATH_PREFIX = "/api/"


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. not_found, invalid, method_not_allowed.")
    message = serializers.CharField(help_text="What went wrong, for a human; names the offending parameter.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For invalid input only: the messages for each parameter or field, keyed by its name.",
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer of the API (documents the shape in the OpenAPI schema)."""

    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "Invalid parameters; `error.fields` names each one with its messages.",
    404: "Not found; `error.message` says what.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """The `responses` entries documenting the given error statuses with the error shape."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS.get(status, "Error."))
        for status in statuses
    }


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    error = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def api_exception_handler(exc, context):
    """DRF's handler (status, headers, rollback) with the body rewritten into the error shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args[:1])
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args[:1])
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_error_body(exc.detail)
    else:
        response.data = error_body(_code_of(exc), str(exc.detail))
    return response


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def _messages(detail) -> list[str]:
    """A field's messages as flat strings, whatever nesting a serializer produced."""
    if isinstance(detail, dict):
        return [f"{key}: {message}" for key, value in detail.items() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item)]
    return [str(detail)]


def _validation_error_body(detail) -> dict:
    if not isinstance(detail, dict):
        messages = _messages(detail)
        return error_body("invalid", " ".join(messages) or "Invalid input.")
    fields = {name: _messages(value) for name, value in detail.items()}
    general = fields.pop("non_field_errors", [])
    if len(fields) == 1 and not general:
        [(name, messages)] = fields.items()
        message = f"Invalid value for '{name}': {' '.join(messages)}"
    else:
        names = ", ".join(f"'{name}'" for name in fields)
        message = " ".join([*general, *([f"Invalid values for {names}."] if fields else [])])
    return error_body("invalid", message, fields)


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PATH_PREFIX)


def bad_request(request, exception):
    if is_api_request(request):
        return JsonResponse(error_body("bad_request", "The request could not be understood."), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api_request(request):
        return JsonResponse(error_body("permission_denied", "You may not do this."), status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api_request(request):
        message = f"No API endpoint at {request.path}; the endpoints are listed at /api/docs/."
        return JsonResponse(error_body("not_found", message), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_request(request):
        message = "The server failed to answer this request; the failure is logged."
        return JsonResponse(error_body("server_error", message), status=500)
    return defaults.server_error(request)
