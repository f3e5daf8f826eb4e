from django.db import migrations


def load_regions(apps, schema_editor):
    from partners.regions import REGIONS

    Region = apps.get_model("partners", "Region")
    existing = set(Region.objects.values_list("country", "name"))
    Region.objects.bulk_create(
        [
            Region(country=country, name=name)
            for country, names in REGIONS.items()
            for name in names
            if (country, name) not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
