"""The service type "Safe accommodation" (`accommodation`) was a near-duplicate of
"shelter": merged into it. The directory's services and the pathway steps take the new
code; a step that would repeat a shelter step of the same partner and place goes.

Self-contained on purpose: a migration must not depend on app code that changes later. Not
undone when migrating back (the codes stay merged)."""

from django.db import migrations, models

OLD, NEW = "accommodation", "shelter"


def _merged(codes: list[str]) -> list[str]:
    """A list of codes with the old one replaced, without a duplicate."""
    return list(dict.fromkeys(NEW if code == OLD else code for code in codes))


def merge(apps, schema_editor):
    Organisation = apps.get_model("partners", "Organisation")
    PathwayStep = apps.get_model("partners", "PathwayStep")
    # services is a choice list stored as ";a;b;": one code is a `contains` away.
    offering = Organisation.objects.filter(services__contains=f";{OLD};")
    for pk, codes in offering.values_list("pk", "services"):
        Organisation.objects.filter(pk=pk).update(services=_merged(codes))
    for step in PathwayStep.objects.filter(service_type=OLD):
        duplicate = PathwayStep.objects.filter(
            service_type=NEW, country=step.country, region=step.region_id, partner=step.partner_id
        )
        if duplicate.exists():
            step.delete()
        else:
            PathwayStep.objects.filter(pk=step.pk).update(service_type=NEW)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0005_pathway_step_updated_at"),
    ]

    operations = [
        migrations.RunPython(merge, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="pathwaystep",
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
