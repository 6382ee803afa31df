"""Settings for the test suite: the base settings with a fast hasher, mail kept in memory, tasks run in-process.

Tasks stay eager even where CELERY_BROKER_URL is set (CI sets it for tests/test_celery_worker.py, which
starts its own worker and talks to the broker with its own client).
"""

from .base import *  # noqa: F401,F403
from .base import DATABASES, env

# A fast hasher first; the legacy wrapper stays so migrated passwords verify (at a low cost in tests).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "storefront.accounts.hashers.PBKDF2WrappedPocoSHA256PasswordHasher",
]
LEGACY_PASSWORD_WRAP_COST = env.int("LEGACY_PASSWORD_WRAP_COST", default=1000)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The test database lives in memory; the WAL pragma does not apply there.
    DATABASES["default"]["OPTIONS"].pop("init_command", None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
# Static files from the apps' folders, without a collectstatic run first.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Tests see every page rendered (and its context); tests/catalog/test_page_cache.py turns the cache on.
CATALOG_PAGE_CACHE_SECONDS = 0
