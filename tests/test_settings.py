"""Settings come from the environment with safe development defaults; production passes the deploy check.

Each case runs in a fresh interpreter, because settings are read once, at start-up.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Variables the settings read; removed from the inherited environment so each case states its own.
SETTINGS_VARIABLES = (
    "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "SECRET_KEY", "DEBUG",
    "ALLOWED_HOSTS", "MEDIA_ROOT", "STATIC_ROOT", "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_FILE_PATH", "DEFAULT_FROM_EMAIL", "CSRF_TRUSTED_ORIGINS",
)
SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from django.urls import resolve
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "broker": settings.CELERY_BROKER_URL, "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "debug": settings.DEBUG, "hosts": settings.ALLOWED_HOSTS, "media_root": str(settings.MEDIA_ROOT),
    "email_backend": settings.EMAIL_BACKEND, "email_host": settings.EMAIL_HOST, "email_port": settings.EMAIL_PORT,
    "email_tls": settings.EMAIL_USE_TLS,
    "media_view": resolve("/media/products/x.png").func.__module__ if settings.DEBUG else None,
}))
"""


def run(args: list[str], **variables: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    return subprocess.run([sys.executable, *args], cwd=PROJECT_DIR, env={**env, **variables},
                          capture_output=True, text=True, timeout=120)


def settings_with(**variables: str) -> dict:
    process = run(["-c", SHOW_SETTINGS], **variables)
    assert process.returncode == 0, process.stderr
    return json.loads(process.stdout)


def production_variables(**variables: str) -> dict[str, str]:
    return {"DJANGO_SETTINGS_MODULE": "storefront.settings.production", "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "store.example.com", **variables}


def test_without_any_variable_the_store_runs_on_embedded_sqlite_with_eager_tasks():
    settings = settings_with(DJANGO_SETTINGS_MODULE="storefront.settings.base")
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"] == str(PROJECT_DIR / "var" / "store.sqlite3")
    assert settings["broker"] == "" and settings["eager"] is True
    assert settings["debug"] is True
    assert settings["media_view"] == "django.views.static"  # media served by Django while DEBUG


def test_services_and_hosts_come_from_the_environment():
    settings = settings_with(
        DJANGO_SETTINGS_MODULE="storefront.settings.base",
        DATABASE_URL="postgres://shop:secret@db.internal:5432/store", CELERY_BROKER_URL="redis://cache:6379/1",
        DEBUG="false", ALLOWED_HOSTS="store.example.com,www.store.example.com", MEDIA_ROOT="/srv/media",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="smtp.example.com",
        EMAIL_PORT="587", EMAIL_USE_TLS="true",
    )
    assert settings["engine"] == "django.db.backends.postgresql"
    assert (settings["host"], settings["name"]) == ("db.internal", "store")
    assert settings["broker"] == "redis://cache:6379/1" and settings["eager"] is False
    assert settings["debug"] is False
    # the po.co hosts come after, answered with redirects (LEGACY_HOSTS, LEGACY_API_HOSTS)
    assert settings["hosts"] == ["store.example.com", "www.store.example.com", "www.po.co", "po.co", "api.po.co"]
    assert settings["media_root"] == "/srv/media"
    assert (settings["email_host"], settings["email_port"], settings["email_tls"]) == ("smtp.example.com", 587, True)


def test_production_settings_pass_the_deploy_check_without_a_warning():
    """The deploy check warns about DEBUG, cookies, HSTS, SSL redirect, the secret key...: none may be left."""
    process = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production_variables())
    assert process.returncode == 0, process.stdout + process.stderr
    assert "no issues" in process.stdout


def test_production_refuses_to_start_without_a_secret_key():
    variables = production_variables()
    del variables["SECRET_KEY"]
    process = run(["manage.py", "check"], **variables)
    assert process.returncode != 0
    assert "Set the SECRET_KEY environment variable" in process.stderr


def test_every_environment_variable_the_settings_read_is_documented_in_the_readme():
    read = set()
    for module in (PROJECT_DIR / "storefront" / "settings").glob("*.py"):
        read |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", module.read_text()))
    readme = (PROJECT_DIR / "README.md").read_text()
    assert read, "no env(...) call found: has the way settings are read changed?"
    assert sorted(name for name in read if f"`{name}`" not in readme) == []
