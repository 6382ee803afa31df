"""Seeds one ServiceLevel per priority from settings.AFTERSALES_SERVICE_LEVELS (rows already there stay as edited)."""

from django.conf import settings
from django.db import migrations


def seed(apps, schema_editor):
    ServiceLevel = apps.get_model("aftersales", "ServiceLevel")
    for priority, (first_response_hours, resolution_hours) in settings.AFTERSALES_SERVICE_LEVELS.items():
        ServiceLevel.objects.get_or_create(
            priority=priority,
            defaults={"first_response_hours": first_response_hours, "resolution_hours": resolution_hours},
        )


class Migration(migrations.Migration):
    dependencies = [("aftersales", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
