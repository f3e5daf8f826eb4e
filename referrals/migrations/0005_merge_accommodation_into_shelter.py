"""The service type "Safe accommodation" (`accommodation`) was a near-duplicate of
"shelter": merged into it. Referrals take the new code, and so do the needs listed in the
packets they shared (encrypted: each is read, changed and written back).

Self-contained on purpose: a migration must not depend on app code that changes later. Not
undone when migrating back (the codes stay merged)."""

import json

from django.db import migrations, models

OLD, NEW = "accommodation", "shelter"


def merge(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Referral.objects.filter(service_type=OLD).update(service_type=NEW)
    # The packet is encrypted: it cannot be searched, so every shared packet is read.
    for pk, packet in Referral.objects.exclude(packet="").values_list("pk", "packet").iterator():
        shared = json.loads(packet)
        needs = shared.get("needs") if isinstance(shared, dict) else None
        if needs and OLD in needs:
            shared["needs"] = list(dict.fromkeys(NEW if code == OLD else code for code in needs))
            Referral.objects.filter(pk=pk).update(packet=json.dumps(shared, ensure_ascii=False))


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0004_referral_packet_withdrawal"),
    ]

    operations = [
        migrations.RunPython(merge, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="referral",
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
