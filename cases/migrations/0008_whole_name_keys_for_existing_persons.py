"""The whole-name keys (PersonKey kind "full") of the persons registered before they existed."""

from django.db import migrations

from traffick_cm import crypto


def add_whole_name_keys(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    PersonKey = apps.get_model("cases", "PersonKey")
    batch = []
    for person in Person.objects.only("pk", "first_name", "middle_name", "last_name").iterator(
        chunk_size=2000
    ):
        keys = {
            crypto.full_name_key(person.first_name, person.middle_name, person.last_name),
            crypto.full_name_key(person.first_name, person.last_name),
        } - {None}
        batch += [PersonKey(person_id=person.pk, kind="full", key=key) for key in sorted(keys)]
        if len(batch) >= 5000:
            PersonKey.objects.bulk_create(batch)
            batch = []
    PersonKey.objects.bulk_create(batch)


def remove_whole_name_keys(apps, schema_editor):
    apps.get_model("cases", "PersonKey").objects.filter(kind="full").delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_import_jobs_and_whole_name_keys")]

    operations = [migrations.RunPython(add_whole_name_keys, remove_whole_name_keys)]
