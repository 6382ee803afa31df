"""Sets `request.regional_store` from the URL's first segment and speaks the store's language."""

from django.conf import settings
from django.utils import translation

from .scoping import get_active_store, store_code_from_path

NON_STORE_PREFIXES = ("api", "admin", "static", "media", "account", "accounts", "support", "i18n", "")


class RegionalStoreMiddleware:
    """Shopper pages live under `/<store>/`: the store picks the language (French in `fr`).

    Pages outside a store (the account, the agents' workspace) keep the language of the store the
    shopper last visited, remembered in Django's language cookie (no session write per visit), or else
    what the browser asks for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.regional_store = None
        code = store_code_from_path(request.path_info)
        if code not in NON_STORE_PREFIXES:
            request.regional_store = get_active_store(code)
        if request.regional_store is not None:
            language = request.regional_store.language
        else:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        if request.regional_store is not None and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )
        translation.deactivate()
        return response
