"""The service type "Safe accommodation" (`accommodation`) was a near-duplicate of
"shelter": merged into it. Assessed needs, planned services and services delivered take the
new code.

Self-contained on purpose: a migration must not depend on app code that changes later. Not
undone when migrating back (the codes stay merged)."""

from django.db import migrations, models

OLD, NEW = "accommodation", "shelter"


def _merged(codes: list[str]) -> list[str]:
    """A list of codes with the old one replaced, without a duplicate."""
    return list(dict.fromkeys(NEW if code == OLD else code for code in codes))


def merge(apps, schema_editor):
    # needs and planned_services are choice lists stored as ";a;b;".
    for model, field in (("Assessment", "needs"), ("SupportPlan", "planned_services")):
        Model = apps.get_model("cases", model)
        rows = Model.objects.filter(**{f"{field}__contains": f";{OLD};"})
        for pk, codes in rows.values_list("pk", field):
            Model.objects.filter(pk=pk).update(**{field: _merged(codes)})
    apps.get_model("cases", "ServiceDelivery").objects.filter(service_type=OLD).update(
        service_type=NEW
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_numbers_without_doubled_prefix"),
    ]

    operations = [
        migrations.RunPython(merge, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="servicedelivery",
            name="service_type",
            field=models.CharField(
                choices=[
                    ("shelter", "Shelter and safe accommodation"),
                    ("medical", "Medical care"),
                    ("mhpss", "Mental health and psychosocial support"),
                    ("legal", "Legal assistance and accompaniment"),
                    ("documentation", "Documentation"),
                    ("family_tracing", "Family tracing and reunification"),
                    ("child_protection", "Best-interest procedures and alternative care"),
                    ("return", "Assisted voluntary or humanitarian return"),
                    ("livelihood", "Reintegration: livelihood"),
                    ("education", "Reintegration: education"),
                    ("cash", "Reintegration: cash assistance"),
                    ("interpretation", "Interpretation"),
                ],
                max_length=30,
                verbose_name="service",
            ),
        ),
    ]
