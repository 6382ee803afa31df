from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def staff_roles_after_migrate(sender, **kwargs):
    """Brings the staff groups up to date once every app's permissions exist.

    post_migrate is sent once per app, after Django's own handler has created that app's permissions;
    waiting for the last app means permissions of models added anywhere in this migrate are included.
    """
    last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is not last_app:
        return
    from .services import staff_roles_ensure

    staff_roles_ensure()


class AccountsConfig(AppConfig):
    name = "storefront.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        post_migrate.connect(staff_roles_after_migrate, dispatch_uid="accounts.staff_roles_after_migrate")
