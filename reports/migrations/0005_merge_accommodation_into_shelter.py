"""The service type "Safe accommodation" (`accommodation`) was a near-duplicate of
"shelter": merged into it. An indicator counting the services of that type counts shelter.

Self-contained on purpose: a migration must not depend on app code that changes later. Not
undone when migrating back (the codes stay merged)."""

from django.db import migrations


def merge(apps, schema_editor):
    Indicator = apps.get_model("reports", "Indicator")
    Indicator.objects.filter(computation="services_delivered", parameter="accommodation").update(
        parameter="shelter"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_donors_and_projects_move_to_programmes"),
    ]

    operations = [
        migrations.RunPython(merge, migrations.RunPython.noop),
    ]
