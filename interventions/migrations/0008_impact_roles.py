from django.db import migrations

from platform_app.permissions import sync_role_groups


def sync(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("interventions", "0007_impact_and_perception_survey")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
