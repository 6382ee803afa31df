from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "storefront.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self):
        from . import signals  # noqa: F401  (connects the guest-cart join at sign-in)
