"""Settings of the benchmark server: production-like (DEBUG off), its own database, and a URLconf that adds
a trivial view beside the real ones (benchmarks/urls.py), so production URLs stay as they are.

The cache is production's: Redis (127.0.0.1:6379, database 1) unless CACHE_URL or REDIS_URL names another,
shared by every gunicorn worker and by the benchmark process, whose version bump starts each run cold. Its
keys are prefixed with the benchmark database's name, so two benchmark databases never share a version.

The database is `var/bench/catalog.sqlite3` unless DATABASE_URL is set (then it must name a database with
"bench" in its name, since the benchmark fills it with generated products: see benchmarks/database.py).
"""

from storefront.settings.base import *  # noqa: F401,F403
from storefront.settings.base import DATABASES, env

from .paths import BENCH_SQLITE

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "benchmarks.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False}  # no log line per request in the figures

if not env.str("DATABASE_URL", default=""):
    DATABASES["default"]["NAME"] = str(BENCH_SQLITE)

CACHES = {"default": {
    **env.cache_url("CACHE_URL", default=env.str("REDIS_URL", default="") or "redis://127.0.0.1:6379/1"),
    "KEY_PREFIX": f"bench:{DATABASES['default']['NAME']}",
}}
