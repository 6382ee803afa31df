"""Settings shared by every environment, read from the environment with safe development defaults.

django-environ parses the variables (DATABASE_URL and friends); nothing here needs a service running:
the defaults are an embedded SQLite database and Celery in eager mode.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "storefront.accounts",
    "brands",
    "storefront.catalog",
    "storefront.orders",
    "brands.legacy",
    "loyalty",
    "aftersales",
]

MIDDLEWARE = [
    # First: requests to the closed po.co hosts are redirected before anything else runs (LEGACY_HOSTS).
    "brands.legacy.redirects.LegacyHostsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "brands.middleware.RegionalStoreMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "storefront.urls"
WSGI_APPLICATION = "storefront.wsgi.application"
ASGI_APPLICATION = "storefront.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "brands.context_processors.regional_store",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'store.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server, a worker and an import share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:account"
LOGOUT_REDIRECT_URL = "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)  # seconds; a stuck SMTP server must not hold a worker
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))  # for the file-based backend
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Xiaomi Store <no-reply@store.mi.com>")

# Celery: with no broker the tasks run eagerly in-process; with CELERY_BROKER_URL real workers run them.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Checks `page` and `page_size` (400 naming the bad one); sizes from CATALOG_PAGE_SIZE / CATALOG_MAX_PAGE_SIZE.
    "DEFAULT_PAGINATION_CLASS": "storefront.api.pagination.PageNumberPagination",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    # Every error as {"error": {"code", "message", "fields"?}}.
    "EXCEPTION_HANDLER": "storefront.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Unified Storefront API",
    "DESCRIPTION": (
        "Brands, regional stores, catalog and reviews of the Xiaomi store (POCO included). Read-only and "
        "public, except the support cases (`/cases/` for customers, `/support/cases/` for agents), which "
        "need a signed-in account. Errors answer `{\"error\": {\"code\", \"message\", \"fields\"}}`, "
        "`fields` naming each invalid parameter."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Response components list every field they always carry as required (there are no request bodies).
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProductStatusEnum": "storefront.catalog.models.Product.Status",
        "BrandAvailabilityModeEnum": "brands.models.BrandAvailability.Mode",
        # The after-sales choice sets, each shared by several fields (status, allowed statuses, history).
        "CaseStatusEnum": "aftersales.models.Status",
        "CaseKindEnum": "aftersales.models.Kind",
        "CasePriorityEnum": "aftersales.models.Priority",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Store tunables -------------------------------------------------------------------------------
# Catalog pages list this many products per page unless the shopper asks for another size (capped).
CATALOG_PAGE_SIZE = env.int("CATALOG_PAGE_SIZE", default=24)
CATALOG_MAX_PAGE_SIZE = env.int("CATALOG_MAX_PAGE_SIZE", default=96)

# A variant with this many units or fewer (but some) shows as "only a few left".
CATALOG_LOW_STOCK = env.int("CATALOG_LOW_STOCK", default=5)

# Absolute links in e-mails, and the po.co redirects (LEGACY_HOSTS), start with this.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# After-sales (support cases). Service-level targets in hours per priority: the defaults the
# ServiceLevel rows are seeded from (the rows, editable in the admin, are what the clock uses).
AFTERSALES_CASE_NUMBER_PREFIX = env.str("AFTERSALES_CASE_NUMBER_PREFIX", default="MS")
AFTERSALES_SERVICE_LEVELS = {
    # priority: (first response hours, resolution hours)
    "urgent": (2, 24),
    "high": (8, 72),
    "normal": (24, 120),
    "low": (48, 240),
}
AFTERSALES_DUE_SOON_HOURS = env.int("AFTERSALES_DUE_SOON_HOURS", default=4)
AFTERSALES_REOPEN_DAYS = env.int("AFTERSALES_REOPEN_DAYS", default=30)
# Months of warranty from the order date, by regional store code; stores not listed get the default.
AFTERSALES_WARRANTY_MONTHS = {"uk": 24, "fr": 24, "global": 12}
AFTERSALES_WARRANTY_DEFAULT_MONTHS = 12
AFTERSALES_ATTACHMENT_MAX_BYTES = env.int("AFTERSALES_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
AFTERSALES_ATTACHMENT_MAX_FILES = env.int("AFTERSALES_ATTACHMENT_MAX_FILES", default=5)
AFTERSALES_ATTACHMENT_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"]
AFTERSALES_QUEUE_PAGE_SIZE = env.int("AFTERSALES_QUEUE_PAGE_SIZE", default=50)
# Queue facet counts stop here (shown as "100+"), so they cost about the same however many cases there are.
AFTERSALES_QUEUE_COUNT_LIMIT = env.int("AFTERSALES_QUEUE_COUNT_LIMIT", default=100)
AFTERSALES_DIGEST_MAX_CASES = env.int("AFTERSALES_DIGEST_MAX_CASES", default=100)

# --- Legacy import (po.co) ------------------------------------------------------------------------
# The last hasher wraps po.co's SHA-256 hashes at import; Django re-hashes with the first at first login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "storefront.accounts.hashers.PBKDF2WrappedPocoSHA256PasswordHasher",
]
# PBKDF2 iterations of the wrapper (see the hasher's docstring for the trade-off).
LEGACY_PASSWORD_WRAP_COST = env.int("LEGACY_PASSWORD_WRAP_COST", default=100_000)
# Lines per committed batch (one transaction and one checkpoint each). 2000 rather than 1000: fewer commits and
# per-batch lookups; measured side by side, a first import 5 to 10% faster at 10,000 customers and 2% at
# 100,000, a second 3 to 9% and 5.5%, for 10 and 20 MB more peak memory (130 against 110 MB at 100,000); above
# 2000 a batch's references take two lookups (resolution.IDS_PER_QUERY).
LEGACY_IMPORT_BATCH_SIZE = env.int("LEGACY_IMPORT_BATCH_SIZE", default=2000)
# Without a terminal, a progress log line every this many seconds.
LEGACY_IMPORT_LOG_EVERY = env.int("LEGACY_IMPORT_LOG_EVERY", default=10)
# --workers N > 1: the Celery queue of the chunk tasks (empty: the default queue), and how long the
# coordinator waits without any chunk committing a batch before it fails the run (seconds).
LEGACY_IMPORT_QUEUE = env.str("LEGACY_IMPORT_QUEUE", default="")
LEGACY_IMPORT_CHUNK_STALL = env.int("LEGACY_IMPORT_CHUNK_STALL", default=3600)
# Hosts of the closed po.co site: every request to them answers a permanent redirect into the store
# (brands/legacy/redirects.py); its app's API host answers 410 Gone. Both are allowed hosts.
LEGACY_HOSTS = env.list("LEGACY_HOSTS", default=["www.po.co", "po.co"])
LEGACY_API_HOSTS = env.list("LEGACY_API_HOSTS", default=["api.po.co"])
ALLOWED_HOSTS = [*ALLOWED_HOSTS, *LEGACY_HOSTS, *LEGACY_API_HOSTS]

# --- Loyalty (Mi Points and coupons) ----------------------------------------------------------------
# Mi Points credited per POCO Point carried over (rounded down per lot); a Decimal, e.g. "1" or "0.5".
LOYALTY_POCO_POINTS_RATE = Decimal(env.str("LOYALTY_POCO_POINTS_RATE", default="1"))
# Points earned in the store (or granted by an agent) expire after this many days.
LOYALTY_POINTS_LIFETIME_DAYS = env.int("LOYALTY_POINTS_LIFETIME_DAYS", default=365)
# A coupon applied at checkout holds one of its uses this long before the hold lapses.
LOYALTY_COUPON_RESERVATION_MINUTES = env.int("LOYALTY_COUPON_RESERVATION_MINUTES", default=30)
# A points hold still open this long after its expiry is released by the hourly expiry run (its holder,
# e.g. the checkout sweep, should have released it by then).
LOYALTY_POINTS_HOLD_GRACE_MINUTES = env.int("LOYALTY_POINTS_HOLD_GRACE_MINUTES", default=60)
# A re-issued coupon's e-mail still unsent this long after it was queued (its task lost: the broker down
# at the import's commit, a worker killed) is sent by the periodic resend, every quarter of an hour. Longer
# than a busy queue takes to drain, so that the resend does not race the queued tasks for nothing.
LOYALTY_COUPON_NOTIFICATION_RESEND_AFTER = timedelta(
    minutes=env.int("LOYALTY_COUPON_NOTIFICATION_RESEND_MINUTES", default=30))

# Periodic tasks (celery beat). Points are expired hourly: a lot stops counting as soon as it expires
# anyway; the run writes the expire entries that bring the ledger in step. The after-sales digest of cases
# past their service level goes to the agents daily.
CELERY_BEAT_SCHEDULE = {
    "loyalty-expire-points": {"task": "loyalty.expire_points", "schedule": 60 * 60},
    "loyalty-resend-coupon-notifications": {"task": "loyalty.resend_coupon_notifications", "schedule": 15 * 60},
    "aftersales-breach-digest": {"task": "aftersales.send_breach_digest", "schedule": crontab(hour=6, minute=0)},
}

# --- Orders: cart, checkout and payment (storefront/orders; docs/checkout.md) -----------------------
# Amounts per store code are decimal strings in the store's currency; JSON in the environment overrides.
# Shipping: a flat rate, free from the threshold (the goods' amount after the coupon).
ORDERS_SHIPPING_FLAT_RATE = env.json(
    "ORDERS_SHIPPING_FLAT_RATE", default={"global": "9.99", "uk": "4.99", "fr": "4.99", "in": "99.00"}
)
ORDERS_FREE_SHIPPING_FROM = env.json(
    "ORDERS_FREE_SHIPPING_FROM", default={"global": "100.00", "uk": "50.00", "fr": "50.00", "in": "5000.00"}
)
# Tax: stores listed in ORDERS_VAT_INCLUDED have prices that include VAT at that rate (the order shows the
# VAT it includes); the others add ORDERS_TAX_ADDED's rate on top (0: no tax line).
ORDERS_VAT_INCLUDED = env.json("ORDERS_VAT_INCLUDED", default={"uk": "0.20", "fr": "0.20"})
ORDERS_TAX_ADDED = env.json("ORDERS_TAX_ADDED", default={"global": "0", "in": "0"})
# Mi Points: how many points pay one unit of the store's currency, and how many points a unit paid earns
# (rounded down). Points never pay more than the order.
ORDERS_POINTS_PER_CURRENCY_UNIT = env.json(
    "ORDERS_POINTS_PER_CURRENCY_UNIT", default={"global": 100, "uk": 100, "fr": 100, "in": 1}
)
ORDERS_POINTS_EARNED_PER_CURRENCY_UNIT = env.json(
    "ORDERS_POINTS_EARNED_PER_CURRENCY_UNIT", default={"global": "1", "uk": "1", "fr": "1", "in": "0.01"}
)
# A checkout holds stock, a coupon use and points this long; then the sweep gives them back.
ORDERS_CHECKOUT_HOLD_MINUTES = env.int("ORDERS_CHECKOUT_HOLD_MINUTES", default=15)
# The most units of one variant a cart line may hold.
ORDERS_MAX_LINE_QUANTITY = env.int("ORDERS_MAX_LINE_QUANTITY", default=10)
# The payment provider (storefront.orders.payments): the test gateway needs nothing external.
ORDERS_PAYMENT_PROVIDER = env.str("ORDERS_PAYMENT_PROVIDER", default="storefront.orders.payments.TestGateway")
# Coupons and Mi Points at checkout (storefront/orders/discounts.py): the loyalty app's services.
ORDERS_LOYALTY_PROGRAMME = env.str(
    "ORDERS_LOYALTY_PROGRAMME", default="storefront.orders.discounts.MiLoyaltyProgramme"
)
# Checkouts left unpaid past their hold are released every five minutes (celery beat).
CELERY_BEAT_SCHEDULE["orders-release-expired-checkouts"] = {
    "task": "orders.release_expired_checkouts", "schedule": 5 * 60,
}
# The API schema names the order's status choices (they would otherwise collide with other `status` enums).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["OrderStatusEnum"] = "storefront.orders.models.Order.Status"

# --- Catalog page cache (storefront/catalog/cache.py; docs/shopper-pages.md) ---------------------------
# The default cache: Redis where CACHE_URL (e.g. redis://127.0.0.1:6379/1) or REDIS_URL names one, as in
# production, where every worker must share it; else this process's memory (development: one process).
CACHES = {"default": env.cache_url("CACHE_URL", default=env.str("REDIS_URL", default="") or "locmemcache://")}
# Anonymous shopper pages and public catalog API answers are cached this many seconds at most (0: never).
# Every catalog write bumps the catalog version, which retires them at once; this bounds the age of what a
# write that sends no signal changed (stock decremented by a queryset update, a bulk load).
CATALOG_PAGE_CACHE_SECONDS = env.int("CATALOG_PAGE_CACHE_SECONDS", default=60)
CATALOG_PAGE_CACHE_ALIAS = env.str("CATALOG_PAGE_CACHE_ALIAS", default="default")
