from django.db import migrations

from platform_app.permissions import sync_role_groups


def sync(apps, schema_editor):
    # Coordinators open and close votes and polls; members see votes and cast ballots.
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("platform_app", "0030_decisions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
