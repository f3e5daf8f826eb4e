"""Case numbers lose their doubled prefix: a case an organisation identified in its own
country was numbered CF-CF-2026-00015 (the organisation's country, then the country of
identification); it becomes CF-2026-00015. New numbers carry the organisation's country
only, so its sequence is renamed alike and the next number follows the last one given.
Numbers of cases identified in another country (CF-CM-2026-00003) stay as they are: they
may be written on paper files, and no new number can take their form.

Self-contained on purpose: a migration must not depend on app code that changes later."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr


def _codes(Case):
    """The two-letter codes the numbers start with (a handful: one per country)."""
    return {
        code
        for code in Case.objects.annotate(code=Substr("case_number", 1, 2))
        .values_list("code", flat=True)
        .distinct()
        if code and code.isalpha()
    }


def undouble(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Sequence = apps.get_model("cases", "CaseNumberSequence")
    for code in _codes(Case):
        # "CF-CF-2026-00015"[3:] == "CF-2026-00015"; Substr counts from 1.
        Case.objects.filter(case_number__startswith=f"{code}-{code}-").update(
            case_number=Substr("case_number", 4)
        )
    for sequence in Sequence.objects.all():
        halves = sequence.prefix.split("-")
        if len(halves) != 2 or halves[0] != halves[1]:
            continue
        kept = Sequence.objects.filter(prefix=halves[0], year=sequence.year).first()
        if kept is None:
            sequence.prefix = halves[0]
            sequence.save(update_fields=["prefix"])
        else:
            kept.last = max(kept.last, sequence.last)
            kept.save(update_fields=["last"])
            sequence.delete()


def double(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Sequence = apps.get_model("cases", "CaseNumberSequence")
    Case.objects.filter(case_number__regex=r"^[A-Z]{2}-[0-9]{4}-").update(
        case_number=Concat(Substr("case_number", 1, 3), "case_number")
    )
    Sequence.objects.exclude(prefix__contains="-").update(
        prefix=Concat("prefix", Value("-"), "prefix")
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_project_moves_to_programmes")]

    operations = [migrations.RunPython(undouble, double)]
