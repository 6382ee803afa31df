"""Settings for the test suite: the base settings with a fast hasher and mail kept in memory."""

from .base import *  # noqa: F401,F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The test database lives in memory; the WAL pragma does not apply there.
    DATABASES["default"]["OPTIONS"].pop("init_command", None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests see every page rendered (and its context); tests/catalog/test_page_cache.py turns the cache on.
CATALOG_PAGE_CACHE_SECONDS = 0
