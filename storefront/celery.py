"""The Celery app. Without CELERY_BROKER_URL tasks run eagerly (settings); with it, real workers run them."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings.base")

app = Celery("storefront")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.imports = ("storefront.mail",)
