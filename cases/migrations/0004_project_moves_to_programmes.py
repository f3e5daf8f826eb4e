
import django.db.models.deletion
from django.db import migrations, models


# Donors and projects moved from reports/ to programmes/ (the apps' layers). The tables keep
# their names (db_table): only Django's state changes, nothing in the database.

class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_alter_assessment_risks_alter_casenote_body_and_more'),
        ('programmes', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='project',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='programmes.project', verbose_name='funding project'),
                ),
                migrations.AlterField(
                    model_name='servicedelivery',
                    name='project',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='services', to='programmes.project', verbose_name='funding project'),
                ),
                ],
            database_operations=[],
        ),
    ]
