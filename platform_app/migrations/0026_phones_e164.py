"""Phone numbers already stored, as typed, rewritten in E.164 (+51…) so that a number is
found, compared and dialled the same way whoever typed it. A number the library cannot read
is left as it is for the desk to correct: rewriting or dropping it would lose the only way
to reach some organizations."""

from django.db import migrations

from santaanita.phones import parse_phone


def to_e164(apps, schema_editor):
    Contact = apps.get_model("platform_app", "Contact")
    District = apps.get_model("platform_app", "District")
    for model, field in ((Contact, "phone"), (District, "desk_phone")):
        rows = model.objects.exclude(**{field: ""}).only("pk", field)
        for row in rows.iterator(chunk_size=1000):
            e164 = parse_phone(getattr(row, field))
            if e164 and e164 != getattr(row, field):
                model.objects.filter(pk=row.pk).update(**{field: e164})


class Migration(migrations.Migration):
    dependencies = [
        ("platform_app", "0025_announcements"),
    ]

    operations = [migrations.RunPython(to_e164, migrations.RunPython.noop)]
