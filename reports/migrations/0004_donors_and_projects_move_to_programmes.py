
import django.db.models.deletion
from django.db import migrations, models


# Donors and projects moved from reports/ to programmes/ (the apps' layers). The tables keep
# their names (db_table): only Django's state changes, nothing in the database.

class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_project_moves_to_programmes'),
        ('programmes', '0001_initial'),
        ('reports', '0003_ctdc_release'),
        ('trainings', '0003_project_moves_to_programmes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='project',
                    name='donor',
                ),
                migrations.RemoveField(
                    model_name='project',
                    name='organisations',
                ),
                migrations.AlterField(
                    model_name='indicator',
                    name='project',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='indicators', to='programmes.project'),
                ),
                migrations.DeleteModel(
                    name='Donor',
                ),
                migrations.DeleteModel(
                    name='Project',
                ),
                ],
            database_operations=[],
        ),
    ]
