"""Companies' contact phones rewritten in E.164 (+51…), as every stored phone is; a number
the library cannot read is left as typed for a coordinator to correct."""

from django.db import migrations

from santaanita.phones import parse_phone


def to_e164(apps, schema_editor):
    Company = apps.get_model("interventions", "Company")
    for company in Company.objects.exclude(contact_phone="").only("pk", "contact_phone"):
        e164 = parse_phone(company.contact_phone)
        if e164 and e164 != company.contact_phone:
            Company.objects.filter(pk=company.pk).update(contact_phone=e164)


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0008_impact_roles"),
    ]

    operations = [migrations.RunPython(to_e164, migrations.RunPython.noop)]
