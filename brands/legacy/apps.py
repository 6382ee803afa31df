from django.apps import AppConfig


class LegacyConfig(AppConfig):
    name = "brands.legacy"
    label = "legacy"
    verbose_name = "Legacy import (po.co)"

    def ready(self):
        from . import signals  # noqa: F401 - connects the welcome of migrated customers
