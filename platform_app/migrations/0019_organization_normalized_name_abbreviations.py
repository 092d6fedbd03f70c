"""Recompute the organizations' normalized names now that doubled-letter abbreviations
("JJ.VV.", "AA.HH.") fold to the name spelled out, so duplicate search finds old records."""

from django.db import IntegrityError, migrations, transaction


def recompute(apps, schema_editor):
    from platform_app.models.registry import normalize_name

    Organization = apps.get_model("platform_app", "Organization")
    for pk, name, normalized in Organization.objects.values_list(
        "pk", "name", "normalized_name"
    ).iterator():
        current = normalize_name(name)
        if current == normalized:
            continue
        try:
            with transaction.atomic():
                Organization.objects.filter(pk=pk).update(normalized_name=current)
        except IntegrityError:
            # Two live records that now normalise alike are duplicates the desk must merge;
            # the old key keeps both readable until then, and the search already shows both.
            continue


class Migration(migrations.Migration):
    dependencies = [("platform_app", "0018_stored_files_random_names")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
