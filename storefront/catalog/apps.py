from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "storefront.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from .cache import version_receivers_connect

        version_receivers_connect()
