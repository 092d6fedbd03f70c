from django.db import migrations

from platform_app.permissions import sync_role_groups


def sync(apps, schema_editor):
    # Coordinators and the desk see the call lists and record each call's outcome.
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("platform_app", "0028_calls"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
