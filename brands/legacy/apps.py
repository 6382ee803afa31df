from django.apps import AppConfig


class LegacyConfig(AppConfig):
    name = "brands.legacy"
    label = "legacy"
    verbose_name = "Legacy import (po.co)"
