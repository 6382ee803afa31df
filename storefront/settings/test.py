"""Settings for the test suite: the base settings with a fast hasher and mail kept in memory."""

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
