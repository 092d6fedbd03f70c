from django.db import migrations

from platform_app.permissions import sync_role_groups


def sync(apps, schema_editor):
    # The university's survey reviewer role and coordinators' survey_any_space, which used to
    # come with review_survey. The sync lives here, after the permission exists, for the
    # same reason as 0002_roles: a platform_app migration may run before mapping's.
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0004_survey_photo_client_uuid"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="survey",
            options={
                "ordering": ("-observed_at",),
                "permissions": (
                    ("review_survey", "Can approve or return characterization surveys"),
                    (
                        "survey_any_space",
                        "Can fill in surveys of any space of the district without an assignment",
                    ),
                ),
                "verbose_name": "characterization survey",
                "verbose_name_plural": "characterization surveys",
            },
        ),
        migrations.RunPython(sync, migrations.RunPython.noop),
    ]
