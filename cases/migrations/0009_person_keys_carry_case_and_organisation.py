"""Person keys carry their person's case and its organisation (neither ever changes), so
that a search for a common name in one organisation's cases reads that organisation's keys
only. Existing keys get theirs from their person, in one statement."""

import django.db.models.deletion
from django.db import migrations, models


def copy_case_and_organisation(apps, schema_editor):
    PersonKey = apps.get_model("cases", "PersonKey")
    Person = apps.get_model("cases", "Person")
    person = Person.objects.filter(pk=models.OuterRef("person_id"))
    PersonKey.objects.update(
        case_id=models.Subquery(person.values("case_id")[:1]),
        organisation_id=models.Subquery(person.values("case__organisation_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_whole_name_keys_for_existing_persons"),
        ("partners", "0006_merge_accommodation_into_shelter"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="personkey", name="person_key_lookup"),
        migrations.AddField(
            model_name="personkey",
            name="case",
            field=models.ForeignKey(
                null=True,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cases.case",
            ),
        ),
        migrations.AddField(
            model_name="personkey",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="partners.organisation",
            ),
        ),
        migrations.RunPython(copy_case_and_organisation, migrations.RunPython.noop),
    ]
