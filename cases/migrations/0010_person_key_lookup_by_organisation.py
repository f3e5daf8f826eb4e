"""Person keys' case and organisation required, and the look-up index over them (a
migration of its own: PostgreSQL alters no table holding the previous one's pending
foreign-key checks)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_person_keys_carry_case_and_organisation")]

    operations = [
        migrations.AlterField(
            model_name="personkey",
            name="case",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cases.case",
            ),
        ),
        migrations.AlterField(
            model_name="personkey",
            name="organisation",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="partners.organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="personkey",
            index=models.Index(
                fields=["kind", "key", "organisation", "case", "person"],
                name="person_key_lookup",
            ),
        ),
    ]
