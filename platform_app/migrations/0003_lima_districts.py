"""Ships the 43 districts of the province of Lima (INEI 2023 limits, CC BY 4.0) and
Santa Anita's five sectors, so every installation starts with its gazetteer."""

from dataclasses import asdict

from django.db import migrations

from platform_app.gazetteer import (
    SANTA_ANITA_SECTORS_FILE,
    SANTA_ANITA_UBIGEO,
    read_districts,
    read_sectors,
)


def load(apps, schema_editor):
    District = apps.get_model("platform_app", "District")
    Sector = apps.get_model("platform_app", "Sector")
    for record in read_districts():
        fields = asdict(record)
        ubigeo = fields.pop("ubigeo")
        District.objects.update_or_create(ubigeo=ubigeo, defaults=fields)
    santa_anita = District.objects.get(ubigeo=SANTA_ANITA_UBIGEO)
    for sector in read_sectors(SANTA_ANITA_SECTORS_FILE):
        fields = asdict(sector)
        number = fields.pop("number")
        Sector.objects.update_or_create(district=santa_anita, number=number, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("platform_app", "0002_roles")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
