from django.db import migrations

MOVED = ("donor", "project")


def forwards(apps, schema_editor):
    """Content types (and the permissions hanging on them) follow the models to programmes/."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="programmes", model=model).exists():
            ContentType.objects.filter(app_label="reports", model=model).update(
                app_label="programmes"
            )


def backwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="reports", model=model).exists():
            ContentType.objects.filter(app_label="programmes", model=model).update(
                app_label="reports"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
